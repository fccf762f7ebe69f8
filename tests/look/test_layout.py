"""The frame is laid out for a lecture hall: text large enough, the counter clear of every label."""

import matplotlib.text
import pytest
from conftest import SCENES

from anim.compute import window
from anim.drive import pipeline
from anim.drive.settings import Settings
from anim.drive.timeline import timeline
from anim.look.style import MIN_TEXT_SHARE
from anim.look.views import view_class, view_data

VIEWS = ("contour", "surface", "dashboard", "grid")


def _built(name, scene_path, width, height):
    prepared = pipeline.prepare(scene_path)
    settings = Settings(views=(name,), width=width, height=height)
    data = view_data(prepared.scene, prepared.runs, window.view_window(prepared.scene, prepared.runs), name, settings)
    view = view_class(name)(data, width, height)
    line = timeline(prepared.scene, settings)
    return view, line.frame(len(line) - 1)


def _texts(fig):
    """Every piece of text the figure shows, laid out."""
    fig.canvas.draw()
    return [t for t in fig.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text().strip()
            and t.get_window_extent().width > 0]


@pytest.mark.parametrize("size", [(1280, 720), (854, 480)], ids=["720p", "480p"])
@pytest.mark.parametrize("name", VIEWS)
def test_every_text_is_at_least_a_fortieth_of_the_frame_height(name, size):
    view, last = _built(name, SCENES / "pathological.py", *size)
    fig = view.still(last)  # every artist an ordinary one, the counter and the 3-D title and legend too
    smallest = min(_texts(fig), key=lambda t: t.get_fontsize())
    pixels = smallest.get_fontsize() * fig.dpi / 72
    assert pixels >= MIN_TEXT_SHARE * size[1] - 0.01, (smallest.get_text(), pixels)


@pytest.mark.parametrize("name", VIEWS)
def test_the_step_counter_overlaps_no_other_text_or_axes(name):
    view, last = _built(name, SCENES / "pathological.py", 1280, 720)
    fig = view.still(last)
    texts = _texts(fig)
    counter = next(t for t in texts if t.get_text().startswith("step "))
    box = counter.get_window_extent()
    others = [t.get_window_extent() for t in texts if t is not counter]
    others += [ax.get_window_extent() for ax in fig.axes]
    assert not [other for other in others if box.overlaps(other)], counter.get_text()


@pytest.mark.parametrize("scene", ["pathological", "steep_optima"])
def test_the_contour_plot_uses_the_frame(scene):
    """The plot and its colour bar are centred, and the legend does not take a column of its own."""
    view, last = _built("contour", SCENES / f"{scene}.py", 1280, 720)
    fig = view.still(last)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [view.ax.get_tightbbox(renderer), view.colorbar_ax.get_tightbbox(renderer)]
    left, right = min(b.x0 for b in boxes), max(b.x1 for b in boxes)
    assert abs(left - (1280 - right)) < 4  # centred to a few pixels
    legend = view.legend.get_window_extent()
    plot = view.ax.get_window_extent()
    inside = plot.x0 <= legend.x0 and legend.x1 <= plot.x1 and plot.y0 <= legend.y0 and legend.y1 <= plot.y1
    below = legend.y1 <= plot.y0
    assert inside or below


def test_stills_leave_the_counter_out_unless_asked(tiny_scene, tmp_path):
    import anim

    plain = anim.still(tiny_scene, tmp_path / "plain", views=["contour", "surface"], formats=["svg"])
    counted = anim.still(tiny_scene, tmp_path / "counted", views=["contour", "surface"], formats=["svg"],
                         counter=True)
    for path in plain:
        assert "step 11 / 11" not in path.read_text()
    for path in counted:
        assert "step 11 / 11" in path.read_text()


@pytest.mark.parametrize("name", VIEWS)
def test_the_title_overlaps_no_axes(name):
    """A long title stays whole: no panel (the dashboard's 3-D axes, redrawn every frame) covers it."""
    view, last = _built(name, SCENES / "swarm.py", 1280, 720)
    fig = view.still(last)
    title = next(t for t in _texts(fig) if t.get_text() == "Himmelblau from a 20 x 20 grid of starts")
    covered = [ax for ax in fig.axes if title.get_window_extent().overlaps(ax.get_window_extent())]
    assert not covered


SIX = """
import torch
from anim import Optimizer, Scene

scene = Scene(
    name="six", title="Six optimizers", surface=lambda w1, w2: w1 ** 2 + 3 * w2 ** 2, init=(1.5, 1.0),
    steps=10, x_range=(-2, 2), y_range=(-2, 2),
    optimizers=[Optimizer(name, getattr(torch.optim, name), lr=0.1)
                for name in ("SGD", "Adam", "RMSprop", "Adagrad", "Adadelta", "Adamax")],
)
"""


@pytest.mark.parametrize("size", [(1280, 720), (854, 480)], ids=["720p", "480p"])
@pytest.mark.parametrize("name", ["contour", "surface", "dashboard"])  # the grid names each panel instead
def test_every_legend_entry_of_six_optimizers_lies_inside_the_frame_clear_of_the_axes(tmp_path, name, size):
    path = tmp_path / "six.py"
    path.write_text(SIX)
    view, last = _built(name, path, *size)
    fig = view.still(last)
    fig.canvas.draw()
    frame = fig.bbox
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend() is not None)]
    entries = [text for legend in legends for text in legend.get_texts()]
    assert sorted(t.get_text() for t in entries) == sorted(("SGD", "Adam", "RMSprop", "Adagrad", "Adadelta", "Adamax"))
    for text in entries:
        box = text.get_window_extent()
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1, text.get_text()
    for legend in fig.legends:  # a legend of the figure (not one inside a plot's empty corner) covers no axes
        assert not [ax for ax in fig.axes if legend.get_window_extent().overlaps(ax.get_window_extent())]


@pytest.mark.parametrize("scene, loss_left", [("pathological", False), ("steep_optima", False),
                                              ("noisy_sgd", True), ("ill_conditioned", True)])
def test_the_dashboard_panels_and_legend_lie_apart_and_a_wide_window_gives_the_loss_panel_its_empty_room(
        scene, loss_left):
    """Contour panel (with its labels), legend, loss panel (with its labels) and the 3-D axes'
    box: no two overlap, all inside the frame. A wide window leaves the contour panel short; the
    room under it then takes the loss panel, and the 3-D panel the whole right half."""
    view, last = _built("dashboard", SCENES / f"{scene}.py", 1280, 720)
    fig = view.still(last)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legend = fig.legends[0] if fig.legends else view.contour.ax.get_legend()
    boxes = {"contour": view.contour.ax.get_tightbbox(renderer), "loss": view.loss.ax.get_tightbbox(renderer),
             "3-D": view.surface_ax.get_window_extent(renderer)}
    if legend.parent is fig:  # a legend in the contour panel's empty corner lies inside it, by design
        boxes["legend"] = legend.get_window_extent(renderer)
    names = sorted(boxes)
    for i, a in enumerate(names):
        box = boxes[a]
        assert fig.bbox.x0 <= box.x0 and box.x1 <= fig.bbox.x1 and fig.bbox.y0 <= box.y0 and box.y1 <= fig.bbox.y1, a
        for b in names[i + 1:]:
            assert not box.overlaps(boxes[b]), (a, b)
    assert (boxes["loss"].x1 < boxes["3-D"].x0) == loss_left
