"""The loss panel: each run's loss against the update step, growing with the timeline."""

import numpy as np

from anim.render import style

LOG_SCALE_SPAN = 50.0  # losses all positive and spanning more than this factor: a log axis shows them


class LossPanel:
    """Loss curves on `ax`; the curves are animated artists, drawn by `draw(frame)` after the
    caller has restored the panel's background."""

    def __init__(self, ax, runs, steps, label):
        self.ax, self.runs = ax, runs
        losses = np.concatenate([run.shown(steps - 1)[:, 2] for run in runs])
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
        ax.set_ylabel(label)
        ax.grid(True, alpha=0.3)
        ax.tick_params(labelsize=style.FONT["tick"])
        # Each curve over a halo in its outline colour, as the paths are: a white curve stays visible.
        self.halos = [ax.plot([], [], color=style.outline_for(run.color), lw=style.PATH_WIDTH + 1.5,
                              animated=True, zorder=3)[0] for run in runs]
        self.lines = [ax.plot([], [], color=run.color, lw=style.PATH_WIDTH - 0.5, animated=True, zorder=3)[0]
                      for run in runs]
        self.heads = [ax.plot([], [], color=run.color, marker="o", ms=6, ls="none", animated=True,
                              markeredgecolor=style.outline_for(run.color), zorder=4)[0] for run in runs]

    def show(self, f):
        """Make the curves of frame f ordinary artists, for a figure saved with savefig."""
        self._update(f, draw=False)
        for artist in (*self.halos, *self.lines, *self.heads):
            artist.set_animated(False)

    def draw(self, f):
        self._update(f, draw=True)

    def _update(self, f, draw):
        for run, halo, line, head in zip(self.runs, self.halos, self.lines, self.heads):
            path = run.shown_at(f.position)
            steps = np.arange(len(path), dtype=float)
            if len(path) == f.step + 2:  # partway to the next point
                steps[-1] = f.position
            halo.set_data(steps, path[:, 2])
            line.set_data(steps, path[:, 2])
            head.set_data(steps[-1:], path[-1:, 2])
            if draw:
                for artist in (halo, line, head):
                    self.ax.draw_artist(artist)
