"""Where a key goes inside a panel: the corners tried, in order, and the path segments it must not
cross (the overlay arrows' key)."""

import numpy as np

LEGEND_CORNERS = ("upper right", "upper left", "lower right", "lower left")


def path_segments(ax, runs):
    """Every segment the runs' paths will ever draw (with their heads), as (n, 2, 2) pixels."""
    segments = []
    for run in runs:
        pixels = ax.transData.transform(run.shown(len(run.points) - 1)[:, :2].astype(float))
        pixels = pixels[np.isfinite(pixels).all(axis=1)]
        if len(pixels):
            segments.append(np.stack([pixels[:-1], pixels[1:]], axis=1) if len(pixels) > 1
                            else np.stack([pixels, pixels], axis=1))
    return np.concatenate(segments) if segments else np.empty((0, 2, 2))


def crosses(segments, box):
    """Whether any of the (n, 2, 2) pixel segments meets `box` (Liang-Barsky clipping)."""
    if not len(segments):
        return False
    start, delta = segments[:, 0], segments[:, 1] - segments[:, 0]
    low, high = np.zeros(len(segments)), np.ones(len(segments))
    inside = np.ones(len(segments), dtype=bool)
    for axis, (lo, hi) in enumerate(((box.x0, box.x1), (box.y0, box.y1))):
        for p, q in ((-delta[:, axis], start[:, axis] - lo), (delta[:, axis], hi - start[:, axis])):
            parallel = p == 0
            inside &= ~(parallel & (q < 0))
            with np.errstate(divide="ignore", invalid="ignore"):
                t = np.where(parallel, 0.0, q / np.where(parallel, 1.0, p))
            low = np.where(~parallel & (p < 0), np.maximum(low, t), low)
            high = np.where(~parallel & (p > 0), np.minimum(high, t), high)
    return bool((inside & (low <= high)).any())
