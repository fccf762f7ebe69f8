"""The 3-D view's light, depth and layout: shading that keeps the colour map's colours and hues,
paths the surface hides found from the camera, labels that never collide or leave the frame."""

import dataclasses
import re

import numpy as np
import pytest
from matplotlib import colors as mcolors

from anim.compute import window
from anim.drive import pipeline
from anim.drive.settings import Settings
from anim.drive.timeline import timeline
from anim.look.box3d import tick_values
from anim.look.views import view_class, view_data

# A flat plain (w1 < 0) beside a ramp (w1 > 0), and a tall narrow hill at (0, -1.2) with a path
# running behind it at ground level.
RAMP = """
    import torch
    from anim import Camera, Optimizer, Scene

    def loss(w1, w2):
        return 2 * torch.relu(w1) + 6 * torch.exp(-(w1 ** 2 + (w2 + 1.2) ** 2) / 0.08)

    scene = Scene(name="ramp", title="Ramp and hill", surface=loss, init=(-1.5, 1.5), steps=8,
                  x_range=(-2, 2), y_range=(-2, 2),
                  optimizers=[Optimizer("SGD", torch.optim.SGD, lr=0.1, color="#ff0000")],
                  camera=Camera(elevation=25, azimuth=(0, 360)))
"""


def built(scene_path, theme="light", width=640, height=360):
    prepared = pipeline.prepare(scene_path)
    settings = Settings(views=("surface",), width=width, height=height, fps=10, theme=theme)
    frame = window.view_window(prepared.scene, prepared.runs)
    data = view_data(prepared.scene, window.mark_exits(prepared.runs, frame), frame, "surface", settings)
    return view_class("surface")(data, width, height), timeline(prepared.scene, settings)


@pytest.fixture(scope="module")
def ramp(tmp_path_factory):
    import textwrap

    path = tmp_path_factory.mktemp("ramp") / "ramp.py"
    path.write_text(textwrap.dedent(RAMP))
    return path


def test_shading_darkens_slopes_turned_from_the_light_keeps_flat_ground_true_and_never_changes_hue(ramp):
    view, _ = built(ramp)
    field = view.panel.field
    base = field._colors
    x = (field._x[:-1] + field._x[1:]) / 2
    flat, ramp_cells = x < -0.2, x > 0.2  # columns of cells
    far_from_hill = np.abs((field._y[:-1] + field._y[1:]) / 2 + 1.2) > 0.8
    for azimuth in (0, 90, 180, 270):
        shaded = field.shaded(30, azimuth)
        ground = shaded[np.ix_(far_from_hill, flat)]
        # the colour bar's colour, to well under one level of 8 bits (the hill's foot is not quite flat)
        assert np.abs(ground - base[np.ix_(far_from_hill, flat)]).max() < 0.5 / 255
        hsv_base, hsv = (mcolors.rgb_to_hsv(c[..., :3]) for c in (base, shaded))
        coloured = hsv_base[..., 1] > 0.05
        hue_change = np.abs(hsv[..., 0] - hsv_base[..., 0])
        assert np.all(np.minimum(hue_change, 1 - hue_change)[coloured] < 1e-6)
    # The light turns with the camera: from one side the ramp is turned away from it and drawn
    # darker than the colour map, from another it faces it more squarely than the ground, lighter.
    true = base[np.ix_(far_from_hill, ramp_cells)][..., :3].sum()
    sums = [field.shaded(30, azimuth)[np.ix_(far_from_hill, ramp_cells)][..., :3].sum() for azimuth in (0, 90, 180, 270)]
    assert min(sums) < 0.8 * true and max(sums) > true


def test_a_frame_shows_flat_ground_in_the_colour_maps_own_colour(ramp):
    view, line = built(ramp)
    f = dataclasses.replace(line.frame(0), azimuth=-60.0, elevation=30.0)
    frame = np.array(view.frame(f))
    field = view.panel.field
    point = np.array([[-1.0, 1.0, 0.0]])  # on the plain, far from the path (it starts at (-1.5, 1.5))
    px, py = view.panel.box._screen(point)[0]
    pixel = frame[frame.shape[0] - int(round(py)), int(round(px)), :3].astype(int)
    j, i = np.searchsorted(field._x, -1.0) - 1, np.searchsorted(field._y, 1.0) - 1
    expected = np.round(field._colors[i, j, :3] * 255).astype(int)
    assert np.abs(pixel - expected).max() <= 1, (pixel, expected)  # Agg fills the quads unblended


def test_the_surface_hides_a_point_behind_a_hill_from_the_camera_and_not_from_the_other_side(ramp):
    view, _ = built(ramp)
    panel = view.panel
    behind = [0.0, -1.85, 0.0]  # on the ground beyond the hill, seen along w2
    top = [0.0, -1.2, 6.0]      # the hill's summit
    before = [0.0, -0.4, 0.0]   # on the ground in front of the hill
    for azimuth, hidden in ((90, [True, False, False]), (-90, [False, False, True])):
        panel.pose(15, azimuth)
        assert list(panel.field.hidden(np.array([behind, top, before]), 15, azimuth)) == hidden, azimuth


def test_stretches_of_a_path_the_surface_hides_are_drawn_dashed_apart_and_change_as_the_camera_turns(ramp):
    view, line = built(ramp)
    panel = view.panel
    last = line.frame(len(line) - 1)
    # A made-up path on the surface, over the hill along w2 (its summit at w2 = -1.2).
    w2 = np.linspace(-0.2, -2.0, 19)
    shown = [np.column_stack([np.zeros_like(w2), w2, 6 * np.exp(-(w2 + 1.2) ** 2 / 0.08)])]
    for azimuth, beyond in ((90, lambda y: y < -1.2), (-90, lambda y: y > -1.2)):
        panel.pose(15, azimuth)
        panel._depth(shown, dataclasses.replace(last, elevation=15, azimuth=azimuth))
        hidden = np.concatenate(panel.hidden._segments3d)
        seen = np.concatenate(panel.paths._segments3d)
        # the far side of the hill is hidden (dashed, faint), the near side and the summit seen
        assert np.all(beyond(hidden[:, 1])) and np.any(beyond(hidden[:, 1] - 0.5)), azimuth
        assert np.any(~beyond(seen[:, 1])) and np.all(~beyond(seen[:, 1] + np.where(beyond(0), -0.25, 0.25)))


def _layout(view, elevation, azimuth):
    panel = view.panel
    panel.pose(elevation, azimuth)
    return panel.box.layout(view.fig.canvas.get_renderer().points_to_pixels, panel.box._sprite_size)


def test_labels_never_touch_each_other_from_any_pose_even_with_an_edge_seen_end_on(ramp):
    view, _ = built(ramp, "light", 854, 480)
    for azimuth in range(0, 360, 15):
        for elevation in (2, 15, 30, 60, 89):
            rects = _layout(view, elevation, azimuth)["rects"]
            assert len(rects) >= 3 + 3  # the three axis labels and at least one tick an axis
            for k, (x0, y0, x1, y1) in enumerate(rects):
                for a0, b0, a1, b1 in rects[k + 1:]:
                    assert x1 <= a0 or a1 <= x0 or y1 <= b0 or b1 <= y0, (azimuth, elevation)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_along_the_camera_path_the_box_and_labels_stay_in_the_frame_and_clear_of_the_legend(ramp, theme):
    from anim.look.threed import _leftmost_between

    view, line = built(ramp, theme, 854, 480)
    legend, inside = view.legend.get_window_extent(), view.panel.region
    for f in line:  # every pose of the camera's turn
        laid = _layout(view, f.elevation, f.azimuth)
        assert len(laid["rects"]) >= 3 + 2 * 3  # the three axis labels and at least two ticks an axis
        for x0, y0, x1, y1 in laid["rects"]:
            assert inside.x0 <= x0 and x1 <= inside.x1 and inside.y0 <= y0 and y1 <= inside.y1
            assert x1 <= legend.x0 or legend.x1 <= x0 or y1 <= legend.y0 or legend.y1 <= y0, f.azimuth
        hull = laid["hull"]
        assert np.all((hull >= [inside.x0, inside.y0]) & (hull <= [inside.x1, inside.y1]))
        # The box's outline (the hull of its corners) stays right of the legend over the legend's height.
        leftmost = _leftmost_between(hull, legend.y0, legend.y1)
        assert leftmost is None or leftmost > legend.x1, f.azimuth


@pytest.mark.parametrize("low, high", [(2.999, 3.001), (-3.0, 3.0), (0.0, 1e6), (-0.5, 0.5)])
def test_tick_labels_on_any_range_are_distinct_and_never_minus_zero(low, high):
    ticks, labels = tick_values(low, high)
    assert len(ticks) >= 2 and len(set(labels)) == len(labels)
    assert "\u22120" not in [label.rstrip("0.") or "0" for label in labels if float(
        label.replace("\u2212", "-")) == 0]


def test_a_vector_still_strokes_each_quad_in_its_own_colour_so_no_seams_show(tmp_path, tiny_scene):
    import anim

    (svg,) = anim.still(tiny_scene, tmp_path, views=["surface"], formats=["svg"])
    text = svg.read_text()
    styles = re.findall(r"fill: (#[0-9a-f]{6}); stroke: (#[0-9a-f]{6})", text)
    assert sum(fill == stroke for fill, stroke in styles) > 1000  # the mesh's quads


def test_a_run_starting_outside_the_window_draws_nothing_in_3d_and_the_render_goes_on(tmp_path):
    """Found by the property test: a fixed y_range that leaves the only start point out gave the
    depth test an empty path (IndexError)."""
    import torch

    import anim

    scene = anim.Scene(name="outside", surface=lambda w1, w2: w1, init=[(0.0, 0.0)], steps=1, x_range="auto",
                       y_range=(1.0, 1.5), optimizers=[anim.Optimizer("Adagrad", torch.optim.Adagrad, lr=0.1)])
    result = anim.render(scene, tmp_path, views=["surface"], formats=["png"], size="160x96", cache=False)
    assert [record.format for record in result.files if record.view == "surface"] == ["png"]
    assert result.starts_outside == [(0, (0.0, 0.0))]
