"""The fading trail: which segments of a path a frame shows when only recent updates are kept,
and how opaque each one is."""

import math

import numpy as np
from matplotlib import colors as mcolors

FAINTEST = 0.08  # the opacity of a segment about to leave the trail


def segments(run, position, length):
    """The path of `run` at `position` cut to its last `length` updates, as (segments, alphas):
    segments an [n, 2, 3] array of point pairs, oldest first; alphas fading to FAINTEST."""
    path = run.shown_at(position)
    first = max(0, math.ceil(position - length))
    pieces = np.stack([path[first:-1], path[first + 1:]], axis=1) if len(path) - first >= 2 else np.empty((0, 2, 3))
    ages = position - np.arange(first + 1, first + 1 + len(pieces))  # updates since each segment's end
    alphas = np.clip(1 - ages / length, FAINTEST, 1.0)
    return pieces, alphas


def faded(color, alphas):
    """One RGBA colour per alpha: `color` at each opacity."""
    rgba = np.tile(mcolors.to_rgba(color), (len(alphas), 1))
    rgba[:, 3] = alphas
    return rgba
