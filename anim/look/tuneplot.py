"""The tuner's small plot: for each tuned optimizer, its objective over the range it searched (a log
axis), every value run as a point, the value chosen marked and named."""

import math

import numpy as np

from anim.look import colors, style

WIDTH, HEIGHT = 960, 540  # pixels: small enough for a slide's corner, at the lecture hall's text sizes


def figure(tunings, optimizers, theme="light", width=WIDTH, height=HEIGHT):
    """A figure of one panel per Tuning (anim.compute.tuning), side by side in rows, each in its
    optimizer's colour (`optimizers`: the scene's, for their looks on `theme`)."""
    drawn = {look.label: look.drawn for look in colors.looks(optimizers, theme)}
    with style.look(theme):
        fig = style.new_figure(width, height, theme)
        cols = 2 if len(tunings) == 4 else min(len(tunings), 3)
        rows = math.ceil(len(tunings) / cols)
        fig.set_layout_engine("constrained", h_pad=0.08, w_pad=0.08)
        axes = fig.subplots(rows, cols, squeeze=False).ravel()
        font = style.FONT["tick"] if len(tunings) > 1 else style.FONT["label"]
        for ax, tuning in zip(axes, tunings):
            _panel(ax, tuning, drawn.get(tuning.label, "black"), font)
        for ax in axes[len(tunings):]:
            ax.remove()
        fig.suptitle("anim.tune: the objective over each range", fontsize=style.FONT["title"], fontweight="bold")
        fig.canvas.draw()
    return fig


def _panel(ax, tuning, color, font):
    """One tuning: every value run and its score, a cross along the top where a run diverged, the
    chosen value starred and named (on a patch of the background, over the curve)."""
    finite = np.isfinite(tuning.scores)
    values, scores = tuning.values[finite], tuning.scores[finite]
    ax.plot(values, scores, color=color, linewidth=1.2, marker="o", markersize=2.5)
    diverged = tuning.values[~finite]
    if len(diverged):  # a run that diverged has no score: its values are marked along the top
        ax.plot(diverged, np.full(len(diverged), 1.0), "x", color=color, markersize=4,
                transform=ax.get_xaxis_transform(), clip_on=False)
    ax.set_xscale("log")
    if len(scores) and scores.min() > 0 and scores.max() / scores.min() > 100:
        ax.set_yscale("log")
    ax.set_xlim(tuning.tune.low, tuning.tune.high)
    ax.plot([tuning.chosen], [tuning.score], marker="*", markersize=14, color=color,
            markeredgecolor=style.outline_for(color), zorder=5)
    # named above the star, the text leaning away from the nearer end of the range so it stays inside
    along = math.log(tuning.chosen / tuning.tune.low) / math.log(tuning.tune.high / tuning.tune.low)
    ha, dx = ("right", 6) if along > 0.7 else ("left", -6) if along < 0.3 else ("center", 0)
    ax.annotate(f"{tuning.name} {tuning.chosen:.3g}", (tuning.chosen, tuning.score), xytext=(dx, 12),
                textcoords="offset points", ha=ha, va="bottom", fontsize=font, color=color, fontweight="bold",
                bbox=dict(boxstyle="round,pad=0.15", facecolor=ax.get_facecolor(), edgecolor="none", alpha=0.85))
    ax.set_title(tuning.label, fontsize=font + 1, color=color, fontweight="bold")
    ax.set_xlabel(tuning.name, fontsize=font)
    ax.set_ylabel(tuning.tune.objective_name.replace("_", " "), fontsize=font)
    ax.tick_params(labelsize=font - 1)
