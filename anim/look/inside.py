"""The inside view and panel: each optimizer's effective step per coordinate, |update_i| / |grad_i|,
against the update step on a log axis, and its learning rate where a scheduler changes it."""

import warnings

import numpy as np
from matplotlib.lines import Line2D

from anim.look import layout, style
from anim.look.counter import DigitCounter, NoCounter
from anim.look.view import View

COORDINATES = (("solid", r"$w_1$"), ((0, (3.5, 2)), r"$w_2$"))  # line style per coordinate
LR_STYLE = (0, (1, 1.6))


def effective_steps(run):
    """[steps, 2]: |update_i| / |grad_i| at each point drawn (the gradient the step used, after any
    clipping); NaN where the gradient is 0, past where the run stopped, and for the update into a
    divergence."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.abs(run.update.astype(float)) / np.abs(run.used_grad.astype(float))
    drawn = len(run.shown(len(run.points) - 1))
    ratio[drawn - (run.stop is not None):] = np.nan
    ratio[~np.isfinite(ratio) | (ratio <= 0)] = np.nan
    return ratio


class InsidePanel:
    """On `ax`, per optimizer (the median of its runs still drawn, for a swarm): the effective step
    of w1 (solid) and w2 (dashed), and a dotted lr if it changes; animated like the loss curves."""

    def __init__(self, ax, runs, steps, legend=True):
        self.ax = ax
        self.series = []  # (color, [steps, 2] effective steps, lr or None)
        for label, members in style.by_label(runs).items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # a step where every run had stopped
                ratio = np.nanmedian(np.stack([effective_steps(run) for run in members]), axis=0)
            lr = members[0].lr.astype(float)
            changes = np.isfinite(lr).all() and np.ptp(lr) > 0
            self.series.append((members[0].color, ratio, lr if changes else None))
        values = np.concatenate([np.concatenate([r.ravel(), lr if lr is not None else []])
                                 for _, r, lr in self.series])
        values = values[np.isfinite(values) & (values > 0)]
        low, high = (values.min(), values.max()) if values.size else (0.1, 10.0)
        ax.set_yscale("log")
        ax.set_ylim(low / 1.6, high * 1.6)
        ax.set_xlim(0, max(steps - 1, 1) * 1.02)
        ax.set_xlabel("update step")
        ax.set_ylabel("|update| / |grad|")
        ax.grid(True, alpha=0.3)
        ax.tick_params(labelsize=style.FONT["tick"])
        width = style.PATH_WIDTH - 0.5
        self.lines = []
        for color, _, lr in self.series:
            for dashes, _ in COORDINATES:
                self.lines.append(ax.plot([], [], color=color, lw=width, linestyle=dashes, animated=True)[0])
            self.lines.append(ax.plot([], [], color=color, lw=width - 0.3, linestyle=LR_STYLE, animated=True)[0]
                              if lr is not None else None)
        if legend:
            text = style.matplotlib.rcParams["text.color"]
            handles = [Line2D([], [], color=text, lw=width, linestyle=dashes) for dashes, _ in COORDINATES]
            labels = [name for _, name in COORDINATES]
            if any(lr is not None for _, _, lr in self.series):
                handles.append(Line2D([], [], color=text, lw=width - 0.3, linestyle=LR_STYLE))
                labels.append("lr")
            ax.legend(handles, labels, loc="best", ncols=len(labels), fontsize=style.FONT["tick"], framealpha=0.8,
                      handlelength=2.2, columnspacing=1.0, borderpad=0.3)

    def _update(self, f):
        share = f.position - f.step
        last = min(f.step + 1 + (share > 0), len(self.series[0][1])) if self.series else 0
        steps = np.arange(last, dtype=float)
        drawn = []
        lines = iter(self.lines)
        for _, ratio, lr in self.series:
            for column in (ratio[:last, 0], ratio[:last, 1], None if lr is None else lr[:last]):
                line = next(lines)
                if line is None:
                    continue
                values, where = column.copy(), steps.copy()
                if last == f.step + 2:  # partway to the next point, as the heads are
                    values[-1] = values[-2] + share * (values[-1] - values[-2])
                    where[-1] = f.position
                line.set_data(where, values)
                drawn.append(line)
        return drawn

    def draw(self, f):
        for line in self._update(f):
            self.ax.draw_artist(line)

    def show(self, f):
        for line in self._update(f):
            line.set_animated(False)


class InsideView(View):
    """The inside view: the effective-step panel alone, large, with the optimizers' legend and the
    step counter; the axes drawn once, the curves blitted."""

    name = "inside"
    MESH_RESOLUTION = 8  # draws no surface
    PARALLEL = False
    SHOWN_AS = "Each optimizer's effective step per coordinate, |update| / |grad|, step by step,"

    def build(self, data):
        fig = self.fig
        self.counter = DigitCounter(fig, data.steps) if data.counter else NoCounter()
        self.title = layout.title(fig, data.title, layout.counter_width(fig, data.steps))
        ax = fig.add_axes((0.1, 0.13, 0.6, 0.72))
        ax.set_title("effective step per coordinate", fontsize=style.FONT["label"])
        self.panel = InsidePanel(ax, data.runs, data.steps)
        handles, labels = style.legend_handles(data.runs, data.legend)
        self.legend, _ = layout.arrange_plot(ax, handles, labels, self.title)
        fig.canvas.draw()
        self.counter.draw_into_background()
        self.background = fig.canvas.copy_from_bbox(fig.bbox)

    def draw(self, f):
        self.fig.canvas.restore_region(self.background)
        self.panel.draw(f)
        self.counter.draw(f.step)

    def still(self, f):
        self.panel.show(f)
        self.counter.show(f.step)
        return self.fig
