"""The loss panel: each run's loss against the update step, growing with the timeline; for a
swarm, each optimizer's median run and the band its middle 80% of runs spans; for a landscape,
beside each true loss the loss on the plane at the point's projection, dashed."""

import dataclasses
import warnings
from dataclasses import dataclass

import numpy as np

from anim.look import colors, style

LOG_SCALE_SPAN = 50.0  # losses all positive and spanning more than this factor: a log axis shows them
BAND_EDGES = 3  # a swarm's percentile bands have edges up to this many optimizers


class LossPanel:
    """Loss curves on `ax`; the curves are animated artists, drawn by `draw(frame)` after the
    caller has restored the panel's background."""

    def __init__(self, ax, runs, steps, label):
        self.ax = ax
        swarm = style.path_look(runs).swarm
        self.curves = _swarm_curves(runs, steps) if swarm else _run_curves(runs)
        losses = np.concatenate([curve.values(steps) for curve in self.curves])
        losses = losses[np.isfinite(losses)]
        low, high = (float(losses.min()), float(losses.max())) if losses.size else (0.0, 1.0)
        if low > 0 and high / low > LOG_SCALE_SPAN:
            ax.set_yscale("log")
            ax.set_ylim(low / 1.5, high * 1.5)
        else:
            margin = 0.06 * (high - low) or max(abs(high), 1.0) * 0.06
            ax.set_ylim(low - margin, high + margin)
        last = max(steps - 1, 1)
        ax.set_xlim(0, last * 1.02)  # room for the heads at the last step
        ax.set_xlabel("update step")
        ax.grid(True, alpha=0.3)
        ax.tick_params(labelsize=style.FONT["tick"])
        # What the lines and bands are, in the axis label: a caption inside would cover data.
        if swarm:
            ax.set_ylabel(f"median {label}\n10–90 % band", fontsize=style.FONT["legend"])
        elif any(curve.dashed for curve in self.curves):
            ax.set_ylabel(f"{label}: solid\non plane: dashed", fontsize=style.FONT["legend"])
        else:
            ax.set_ylabel(label)
        # Faint bands, edged in their colour while few enough to follow: where several optimizers'
        # bands overlap each stays traceable; beyond BAND_EDGES optimizers the edges would outnumber
        # the medians, so the bands are only a faint fill and the bold medians tell them apart.
        edged = len(self.curves) <= BAND_EDGES
        fill = 0.15 if edged else 0.3 / len(self.curves)
        self.bands = [ax.fill_between([], [], [], facecolor=style.translucent(curve.color, fill),
                                      edgecolor=style.translucent(curve.color, 0.7 if edged else 0.0),
                                      lw=0.8, animated=True, zorder=2)
                      if curve.band is not None else None for curve in self.curves]
        # No halos: on the panel's plain background each colour shows by itself (anim.look.colors holds
        # every drawn colour to a contrast against it), and a halo would make each curve look doubled.
        self.lines = [ax.plot([], [], color=c.color, lw=style.PATH_WIDTH - (1.0 if c.dashed else 0.5),
                              ls="--" if c.dashed else "-", animated=True, zorder=3)[0] for c in self.curves]
        self.heads = [ax.plot([], [], color=c.color, marker=c.marker, ms=6 * colors.MARKER_SCALES.get(c.marker, 1.0),
                              ls="none", animated=True, zorder=4)[0] for c in self.curves]

    def show(self, f):
        """Make the curves of frame f ordinary artists, for a figure saved with savefig."""
        self._update(f, draw=False)
        for artist in (*self.lines, *self.heads, *filter(None, self.bands)):
            artist.set_animated(False)

    def draw(self, f):
        self._update(f, draw=True)

    def _update(self, f, draw):
        for curve, band, line, head in zip(self.curves, self.bands, self.lines, self.heads):
            steps, losses, low, high = curve.at(f)
            if band is not None:
                band.set_verts([np.column_stack([np.concatenate([steps, steps[::-1]]),
                                                 np.concatenate([low, high[::-1]])])] if len(steps) else [])
            line.set_data(steps, losses)
            head.set_data(steps[-1:], losses[-1:])
            if draw:
                for artist in (band, line, head):
                    if artist is not None:
                        self.ax.draw_artist(artist)


@dataclass(frozen=True)
class _Curve:
    """One curve: a run's path, or an optimizer's median loss per step with a band around it."""

    color: str
    marker: str          # its optimizer's head marker
    run: object = None   # a Run: its loss as drawn, stopping where its path stops
    median: object = None
    band: object = None  # (low, high) per step
    dashed: bool = False  # a landscape's loss on the plane (drawn without a head)

    def values(self, steps):
        """Every loss the curve (and its band) will show."""
        if self.run is not None:
            return self.run.shown(steps - 1)[:, 2]
        return np.concatenate([self.median, *self.band])

    def at(self, f):
        """(steps, losses, low, high) drawn at frame f, the last point partway to the next step."""
        if self.run is not None:
            path = self.run.shown_at(f.position)
            steps = np.arange(len(path), dtype=float)
            if len(path) == f.step + 2:  # partway to the next point
                steps[-1] = f.position
            return steps, path[:, 2], None, None
        series = np.column_stack([self.median, *self.band])[:min(f.step + 2, len(self.median))]
        steps = np.arange(len(series), dtype=float)
        if len(series) == f.step + 2:
            share = f.position - f.step
            series[-1] = series[-2] + share * (series[-1] - series[-2])
            steps[-1] = f.position
        keep = np.isfinite(series).all(axis=1)  # not the steps where every run had stopped
        return steps[keep], series[keep, 0], series[keep, 1], series[keep, 2]


def _run_curves(runs):
    curves = [_Curve(run.color, run.marker, run=run) for run in runs]
    return curves + [_Curve(run.color, "none", dashed=True, run=dataclasses.replace(
        run, points=np.column_stack([run.points[:, :2], run.plane_loss]))) for run in runs
        if getattr(run, "plane_loss", None) is not None]


def _swarm_curves(runs, steps):
    """Per optimizer: the median of its runs' losses at each step, and the 10th to 90th percentile,
    over the runs still drawn (not yet diverged or out of view)."""
    curves = []
    for members in style.by_label(runs).values():
        losses = np.full((len(members), steps), np.nan)
        for row, run in zip(losses, members):
            shown = run.shown(steps - 1)[:, 2]
            row[:len(shown)] = shown
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a step where every run has stopped
            low, median, high = np.nanpercentile(losses, (10, 50, 90), axis=0)
        curves.append(_Curve(members[0].color, members[0].marker, median=median, band=(low, high)))
    return curves
