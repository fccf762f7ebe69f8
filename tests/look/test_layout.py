"""The frame is laid out for a lecture hall: text large enough, the counter clear of every label;
every text inside the frame and clear of every other and of the legend, at 16:9, 1:1 and 9:16;
the plot as large as its window's shape allows."""

import functools

import matplotlib.text
import numpy as np
import pytest
from conftest import SCENES
from matplotlib.transforms import Bbox

from anim.compute import window
from anim.drive import pipeline
from anim.drive.settings import Settings
from anim.drive.timeline import timeline
from anim.look.style import MIN_TEXT_SHARE, look
from anim.look.views import view_class, view_data

VIEWS = ("contour", "surface", "dashboard", "grid")


@functools.lru_cache(maxsize=4)
def _prepared(scene_path):
    return pipeline.prepare(scene_path)


def _built(name, scene_path, width, height):
    prepared = _prepared(scene_path)
    settings = Settings(views=(name,), width=width, height=height)
    data = view_data(prepared.scene, prepared.runs, window.view_window(prepared.scene, prepared.runs), name, settings)
    view = view_class(name)(data, width, height)
    line = timeline(prepared.scene, settings)
    return view, line.frame(len(line) - 1)


def _texts(fig):
    """Every piece of text the figure shows, laid out: a tick's label only where the tick lies in
    its axis' view (matplotlib keeps, and does not draw, labels of ticks just beyond it). Drawn in
    the views' look, as a render draws (how many ticks fit depends on the tick labels' size)."""
    with look():
        fig.canvas.draw()
    hidden = set()
    for ax in fig.axes:
        for axis, coordinate in ((ax.xaxis, 0), (ax.yaxis, 1)):
            low, high = sorted(axis.get_view_interval())
            slack = 1e-9 * (high - low)
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not low - slack <= tick.get_loc() <= high + slack:
                    hidden.update({id(tick.label1), id(tick.label2)})
    return [t for t in fig.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text().strip()
            and id(t) not in hidden and t.get_window_extent().width > 0]


@pytest.mark.parametrize("size", [(1280, 720), (854, 480)], ids=["720p", "480p"])
@pytest.mark.parametrize("name", VIEWS)
def test_every_text_is_at_least_a_fortieth_of_the_frame_height(name, size):
    view, last = _built(name, SCENES / "pathological.py", *size)
    fig = view.still(last)  # every artist an ordinary one, the counter and the 3-D title and legend too
    smallest = min(_texts(fig), key=lambda t: t.get_fontsize())
    pixels = smallest.get_fontsize() * fig.dpi / 72
    assert pixels >= MIN_TEXT_SHARE * min(size) - 0.01, (smallest.get_text(), pixels)


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
    _texts(fig)  # drawn in the views' look
    frame = fig.bbox
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend() is not None)]
    entries = [text for legend in legends for text in legend.get_texts()]
    labels = [t.get_text().split("  ")[0].split("\n")[0] for t in entries]  # the label, before its settings
    assert sorted(labels) == sorted(("SGD", "Adam", "RMSprop", "Adagrad", "Adadelta", "Adamax", "lowest on grid"))
    for text in entries:
        box = text.get_window_extent()
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1, text.get_text()
    for legend in fig.legends:  # a legend of the figure (not one inside a plot's empty corner) covers no axes
        assert not [ax for ax in fig.axes if legend.get_window_extent().overlaps(ax.get_window_extent())]


@pytest.mark.parametrize("scene, loss_left", [("pathological", False), ("steep_optima", False),
                                              ("noisy_sgd", False), ("ill_conditioned", False)])
def test_the_dashboard_panels_and_legend_lie_apart_and_a_wide_window_gives_the_loss_panel_its_empty_room(
        scene, loss_left):
    """Contour panel (with its labels), legend, loss panel (with its labels) and the 3-D axes'
    box: no two overlap, all inside the frame. A wide window leaves the contour panel short; the
    room under it then takes the loss panel, and the 3-D panel the whole right half."""
    view, last = _built("dashboard", SCENES / f"{scene}.py", 1280, 720)
    fig = view.still(last)
    _texts(fig)  # drawn in the views' look
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


# ---- every text in the frame, apart: every shipped scene, at 16:9, 1:1 and 9:16 ---------------------

SIZES = {"16:9": (1280, 720), "1:1": (720, 720), "9:16": (720, 1280)}
GRID_SCENES = ("swarm", "lr_sweep", "modern_optimizers")  # scenes made for --view grid
FAST = ("rosenbrock", "lr_sweep")  # checked in every run; the rest are slow


def _stills():
    """(scene, view, size) for each default view of every shipped scene (grid too where the scene is
    made for it), at each size; the heavy ones marked slow."""
    cases = []
    for path in sorted(SCENES.glob("*.py")):
        views = ("contour", "surface") + (("grid",) if path.stem in GRID_SCENES else ())
        for view in views:
            for size in SIZES:
                marks = () if path.stem in FAST and (view != "surface" or size == "16:9") else (pytest.mark.slow,)
                cases.append(pytest.param(path.stem, view, size, marks=marks, id=f"{path.stem}-{view}-{size}"))
    return cases


def text_boxes(view, fig):
    """[(what, pixel Bbox)] of every text the still shows: matplotlib's texts, and the 3-D box's
    tick and axis labels (pasted as pixels, placed by its layout at the still's pose)."""
    boxes = [(t.get_text(), t.get_window_extent()) for t in _texts(fig)
             if not (t.axes is not None and t.axes.name == "3d")]  # mplot3d's own axes are not drawn
    panels = [p for p in (getattr(view, "panel", None), getattr(view, "surface", None)) if hasattr(p, "box")]
    for panel in panels:
        laid = panel.box.layout(fig.canvas.get_renderer().points_to_pixels, panel.box._sprite_size)
        boxes += [(text.get_text(), Bbox.from_extents(*rect)) for (text, _), rect in zip(laid["texts"], laid["rects"])]
    return boxes


def _legends(fig):
    return [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend() is not None)]


@pytest.mark.parametrize("scene, view, size", _stills())
def test_every_text_lies_inside_the_frame_clear_of_every_other_text_and_of_the_legend(scene, view, size):
    width, height = SIZES[size]
    built, last = _built(view, SCENES / f"{scene}.py", width, height)
    fig = built.still(last)
    texts = text_boxes(built, fig)
    frame = fig.bbox
    for what, box in texts:
        assert frame.x0 - 1 <= box.x0 and box.x1 <= frame.x1 + 1 and frame.y0 - 1 <= box.y0 and box.y1 <= frame.y1 + 1, \
            (what, box)
    shrunk = [(what, box.padded(-1)) for what, box in texts]  # anti-aliased edges may touch
    for k, (what, box) in enumerate(shrunk):
        others = [other for other, box2 in shrunk[k + 1:] if box.overlaps(box2)]
        assert not others, (what, others)
    for legend in _legends(fig):
        own = {id(t) for t in legend.get_texts()} | {id(legend.get_title())}
        area = legend.get_window_extent().padded(-1)
        strangers = [t.get_text() for t in _texts(fig) if id(t) not in own and t.get_window_extent().overlaps(area)
                     and not (t.axes is not None and t.axes.name == "3d")]
        assert not strangers, strangers
        plots = [ax for ax in fig.axes if ax.name != "3d" and ax.get_legend() is not legend
                 and ax.bbox.overlaps(area)]
        assert not plots, "a legend over a plot"  # the paths are drawn inside the plots' axes


def _plot_share(view, name, camera):
    """The largest share of the frame's width or height the plot covers: the contour axes, the
    grid's panels together (with the titles that name them), or the 3-D box with its ticks and
    labels over the camera's whole path."""
    fig = view.fig
    width, height = fig.bbox.width, fig.bbox.height
    if name == "surface":
        from anim.look.threed import fit_poses

        panel, renderer = view.panel, fig.canvas.get_renderer()
        points = []
        for elevation, azimuth in fit_poses(camera):
            panel.pose(elevation, azimuth)
            laid = panel.box.layout(renderer.points_to_pixels, panel.box._sprite_size)
            rects = np.array(laid["rects"]).reshape(-1, 4)
            points += [laid["hull"], rects[:, :2], rects[:, 2:]]
        points = np.vstack(points)
        w, h = np.ptp(points, axis=0)
    elif name == "grid":  # the small multiples as a block: the panels with their titles
        boxes = [panel.ax.bbox for panel in view.panels] + [panel.ax.title.get_window_extent() for panel in view.panels]
        w = max(b.x1 for b in boxes) - min(b.x0 for b in boxes)
        h = max(b.y1 for b in boxes) - min(b.y0 for b in boxes)
    else:
        w, h = view.ax.bbox.width, view.ax.bbox.height
    return max(w / width, h / height)


@pytest.mark.parametrize("scene, view", [("rosenbrock", "contour"), ("ill_conditioned", "contour"),
                                         ("himmelblau", "contour"), ("lr_sweep", "grid"),
                                         ("modern_optimizers", "grid"), ("rosenbrock", "surface"),
                                         ("booth", "surface")])
@pytest.mark.parametrize("size", ["16:9", "9:16"])
def test_the_plot_covers_most_of_the_frame_along_the_side_its_shape_fills(scene, view, size):
    """A square window in a 16:9 frame spans the frame's height, a wide one in 9:16 its width:
    at least 80 % of it, the legend and colour bar in the room the shape leaves."""
    built, _ = _built(view, SCENES / f"{scene}.py", *SIZES[size])
    assert _plot_share(built, view, _prepared(SCENES / f"{scene}.py").scene.camera) >= 0.8


@pytest.mark.parametrize("size", list(SIZES))
def test_a_square_window_in_a_wide_frame_has_its_legend_beside_it_and_in_a_tall_frame_under_it(size):
    built, last = _built("contour", SCENES / "rosenbrock.py", *SIZES[size])
    fig = built.still(last)
    _texts(fig)  # drawn in the views' look
    legend, plot = built.legend.get_window_extent(), built.ax.get_tightbbox(fig.canvas.get_renderer())
    if size == "16:9":
        assert legend.x0 > plot.x1  # beside
    elif size == "9:16":
        assert legend.y1 < plot.y0  # under
    assert not legend.overlaps(built.ax.bbox)


LONG_TITLE = "A long title of fifty-two characters, too long to fit"


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("name", VIEWS)
def test_a_long_title_wraps_or_shrinks_to_fit_and_never_runs_under_the_counter(tmp_path, name, size):
    path = tmp_path / "long.py"
    path.write_text(SIX.replace('title="Six optimizers"', f"title={LONG_TITLE!r}"))
    built, last = _built(name, path, *SIZES[size])
    fig = built.still(last)
    texts = _texts(fig)
    title = next(t for t in texts if " ".join(t.get_text().split()) == LONG_TITLE)
    counter = next(t for t in texts if t.get_text().startswith("step "))
    box = title.get_window_extent()
    assert fig.bbox.x0 <= box.x0 and box.x1 <= fig.bbox.x1
    assert not box.overlaps(counter.get_window_extent())
    assert title.get_text().count("\n") <= 1
    assert title.get_fontsize() * fig.dpi / 72 >= MIN_TEXT_SHARE * min(SIZES[size]) - 0.01


def test_a_title_that_cannot_fit_is_an_error_naming_it(tmp_path):
    from click.testing import CliRunner

    from anim.faces.cli import main

    path = tmp_path / "long.py"
    path.write_text(SIX.replace('title="Six optimizers"', f"title={'A very long title ' * 20!r}"))
    result = CliRunner().invoke(main, ["still", str(path), "-o", str(tmp_path), "--view", "contour",
                                       "--format", "png", "--size", "720x720"])
    assert result.exit_code == 1
    assert result.output.startswith(f"error: {path}: title: 'A very long title A very long title")
    assert result.output.endswith("does not fit a 720-pixel-wide frame, even on two lines at 13 points; shorten it\n")
