"""The tuner's plot: each optimizer's objective over its range, the chosen value starred where the
axes put it, in the optimizer's colour; a value whose run diverged marked along the top."""

import numpy as np
import torch
from matplotlib import colors as mcolors

import anim
from anim import Optimizer
from anim.compute.tuning import Tuning
from anim.look import tuneplot


def made(label, low, high, scores):
    values = np.geomspace(low, high, len(scores))
    return Tuning(label, "lr", anim.tune(low, high, len(scores)), values, np.array(scores, dtype=float), True)


def test_the_chosen_value_is_starred_where_the_axes_put_it_in_the_optimizers_colour():
    optimizers = [Optimizer("SGD", torch.optim.SGD, color="#9c00ff"), Optimizer("Adam", torch.optim.Adam,
                                                                              color="#c18700")]
    tunings = [made("SGD", 1e-4, 1, [5, 4, 3, 2.5, 1, 1.5, 2, np.inf]),
               made("Adam", 1e-3, 10, [9, 8, 7, 0.5, 3, 4, 5, 6])]
    fig = tuneplot.figure(tunings, optimizers)
    pixels = np.asarray(fig.canvas.buffer_rgba())
    assert pixels.shape == (tuneplot.HEIGHT, tuneplot.WIDTH, 4)
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in panels] == ["SGD", "Adam"]
    for ax, tuning, color in zip(panels, tunings, ("#9c00ff", "#c18700")):
        assert ax.get_xscale() == "log" and ax.get_xlim() == (tuning.tune.low, tuning.tune.high)
        x, y = ax.transData.transform((tuning.chosen, tuning.score))
        row, col = int(round(tuneplot.HEIGHT - y)), int(round(x))
        # the star fills 2 px around its centre every way: the curve's 1.2-point line would not
        around = np.array([pixels[row + dy, col + dx, :3] for dx, dy in ((0, 0), (2, 0), (-2, 0), (0, 2), (0, -2))])
        wanted = np.array(mcolors.to_rgb(color)) * 255
        assert (np.abs(around - wanted).max(axis=1) < 40).all(), (tuning.label, around)
        label = next(t for t in ax.texts if t.get_text().startswith("lr "))
        assert label.get_text() == f"lr {tuning.chosen:.3g}"
    # SGD's last value diverged: no score, an x along the top of its panel
    crosses = [line for line in panels[0].lines if line.get_marker() == "x"]
    assert len(crosses) == 1 and list(crosses[0].get_xdata()) == [tunings[0].values[-1]]
