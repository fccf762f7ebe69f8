"""The loss panel draws what numpy says: each optimizer's median loss and its 10-90 % band over the
runs still drawn, worked out here independently from hand-made runs."""

import numpy as np
import pytest
from matplotlib import colors as mcolors
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.path import Path

from anim.compute.trajectory import Run
from anim.drive.timeline import Frame
from anim.look.loss import LossPanel

STEPS = 9
COLORS = {"SGD": "#ff0000", "Adam": "#0000ff"}


def swarm():
    """Two optimizers of ten runs each (a swarm: more than 16 runs, several per optimizer). Some
    diverge (NaN from that step on), some leave the view (finite but huge losses from that step on,
    which would pull every aggregate up were they counted); all of Adam's have stopped by step 7."""
    rng = np.random.default_rng(7)
    runs = []
    for label, color in COLORS.items():
        for k in range(10):
            points = np.column_stack([rng.uniform(-1, 1, (STEPS, 2)), rng.uniform(0.5, 5.0, STEPS)])
            points = points.astype(np.float32)
            diverged_at = left_view_at = None
            if k in (1, 2):
                diverged_at = 3 + k
                points[diverged_at:] = np.nan
            if k in (3, 4, 5):
                left_view_at = 2 + k
                points[left_view_at:, :2] = 1e3
                points[left_view_at:, 2] = 1e6
            if k == 6:  # left the view at 4, diverged later at 6: stopped at 4
                left_view_at, diverged_at = 4, 6
                points[4:6, 2] = 1e6
                points[6:] = np.nan
            if label == "Adam" and k in (0, 7, 8, 9):
                diverged_at = 7
                points[7:] = np.nan
            runs.append(Run(label, color, k, points, diverged_at, left_view_at))
    return runs


def expected(runs, label):
    """(steps, 10th percentile, median, 90th percentile) over the runs of `label` whose drawn
    prefix reaches each step: up to, not including, where it diverged or left the view."""
    rows = []
    for step in range(STEPS):
        reached = []
        for run in runs:
            stops = [s for s in (run.diverged_at, run.left_view_at) if s is not None]
            if run.label == label and step < min(stops, default=STEPS):
                reached.append(float(run.points[step, 2]))
        if reached:
            rows.append((step, np.percentile(reached, 10), np.median(reached), np.percentile(reached, 90)))
    return np.array(rows).T


def drawn(ax, color):
    """(the median line, the band) drawn in `color` on ax: the one marker-less line in that colour
    and the one filled collection in it."""
    rgb = mcolors.to_rgb(color)
    lines = [line for line in ax.lines
             if mcolors.to_rgb(line.get_color()) == rgb and line.get_marker() in ("None", None, "")]
    bands = [c for c in ax.collections if len(c.get_facecolor()) and tuple(c.get_facecolor()[0][:3]) == rgb]
    assert len(lines) == 1 and len(bands) == 1, (lines, bands)
    return lines[0], bands[0]


def band_by_step(band):
    """{x: sorted y values} of the band polygon's vertices (the closing vertex left out)."""
    path = band.get_paths()[0]
    vertices = path.vertices if path.codes is None else path.vertices[path.codes != Path.CLOSEPOLY]
    edges = {}
    for x, y in vertices:
        edges.setdefault(float(x), []).append(float(y))
    return {x: sorted(ys) for x, ys in edges.items()}


def drawn_panel(runs, position, how):
    fig = Figure(figsize=(6, 3), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    panel = LossPanel(ax, runs, STEPS, "loss")
    f = Frame(0, position, 30.0, -60.0)
    if how == "show":
        panel.show(f)
        fig.canvas.draw()
    else:  # as a blitted view does: the background drawn, then the animated curves onto it
        fig.canvas.draw()
        panel.draw(f)
    return ax


@pytest.mark.parametrize("how", ["show", "draw"])
def test_swarm_loss_panel_draws_the_median_and_10_to_90_percent_band_of_the_runs_still_drawn(how):
    runs = swarm()
    ax = drawn_panel(runs, STEPS - 1, how)
    for label, color in COLORS.items():
        steps, low, median, high = expected(runs, label)
        line, band = drawn(ax, color)
        np.testing.assert_array_equal(line.get_xdata(), steps)
        np.testing.assert_allclose(line.get_ydata(), median, rtol=1e-6)
        edges = band_by_step(band)
        assert sorted(edges) == list(steps)
        np.testing.assert_allclose([edges[s] for s in steps], np.column_stack([low, high]), rtol=1e-6)
    # Adam's runs have all stopped by step 7: its curve ends at step 6.
    assert drawn(ax, COLORS["Adam"])[0].get_xdata()[-1] == 6


def test_swarm_loss_panel_midway_ends_partway_to_the_next_aggregate():
    runs = swarm()
    ax = drawn_panel(runs, 4.25, "show")
    for label, color in COLORS.items():
        steps, low, median, high = expected(runs, label)
        line, band = drawn(ax, color)
        np.testing.assert_allclose(line.get_xdata(), [0, 1, 2, 3, 4, 4.25])
        between = median[4] + 0.25 * (median[5] - median[4])
        np.testing.assert_allclose(line.get_ydata(), [*median[:5], between], rtol=1e-6)
        edges = band_by_step(band)
        np.testing.assert_allclose(edges[4.25], sorted([low[4] + 0.25 * (low[5] - low[4]),
                                                        high[4] + 0.25 * (high[5] - high[4])]), rtol=1e-6)


def test_few_runs_each_draw_their_own_loss_up_to_where_they_stopped():
    runs = [run for run in swarm() if run.run in (0, 1, 3)]  # 6 runs: no swarm, a curve per run
    fig = Figure(figsize=(6, 3), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    LossPanel(ax, runs, STEPS, "loss").show(Frame(0, STEPS - 1, 30.0, -60.0))
    assert not [c for c in ax.collections if len(c.get_paths())]  # no bands
    curves = [line for line in ax.lines if line.get_marker() in ("None", None, "")
              and mcolors.to_rgb(line.get_color()) in {mcolors.to_rgb(c) for c in COLORS.values()}]
    assert len(curves) == len(runs)
    for run, line in zip(runs, curves):
        stop = min([s for s in (run.diverged_at, run.left_view_at) if s is not None], default=STEPS)
        assert mcolors.to_rgb(line.get_color()) == mcolors.to_rgb(run.color)
        np.testing.assert_array_equal(line.get_ydata(), run.points[:stop, 2])


def test_a_swarm_panel_says_what_its_line_and_band_are_outside_the_data():
    """The median and the band are named in the axis label; no text lies over the curves."""
    import matplotlib.text

    ax = drawn_panel(swarm(), STEPS - 1, "show")
    assert ax.get_ylabel() == "median loss\n10–90 % band"
    renderer = ax.figure.canvas.get_renderer()
    texts = [t for t in ax.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text().strip()]
    inside = [t.get_text() for t in texts if t.get_window_extent(renderer).overlaps(ax.bbox)]
    assert not inside, inside
