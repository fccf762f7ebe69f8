"""Overlay arrows and the effective-step panel: what a frame shows, mapped through the figure's own
transforms; the scale stated on the frame is the one drawn; bad overlay names and missing state."""

import re

import numpy as np
import pytest
from click.testing import CliRunner
from matplotlib.legend import Legend

from anim.drive import pipeline
from anim.drive.settings import Settings
from anim.drive.timeline import Frame
from anim.faces.cli import main
from anim.look import arrows
from anim.look.views import view_class, view_data

# One red SGD path with momentum on a bowl: its arrows cross open, blue-free viridis.
RED = """
    import torch
    from anim import Scene, Optimizer
    scene = Scene(name="red", surface=lambda w1, w2: w1 ** 2 + 4 * w2 ** 2, init=(-1.6, 1.2), steps=10,
                  x_range=(-2, 2), y_range=(-2, 2),
                  optimizers=[Optimizer("SGD", torch.optim.SGD, lr=0.05, momentum=0.5, color="#ff0000")],
                  overlays=["update"])
"""


def _view(path, name, overlays=None, size=(640, 360), trail=0):
    prepared = pipeline.prepare(path)
    settings = Settings(views=(name,), width=size[0], height=size[1], overlays=overlays, trail=trail)
    runs, view_window = pipeline._framed(prepared)
    data = view_data(prepared.scene, runs, view_window, name, settings)
    return view_class(name)(data, *size), runs


def _red_near(pixels, ax, point, radius=1):
    x, y = ax.transData.transform(point)
    row, col = round(pixels.shape[0] - y), round(x)
    patch = pixels[row - radius:row + radius + 1, col - radius:col + radius + 1, :3].astype(int)
    return bool((np.abs(patch - [255, 0, 0]).max(axis=2) < 60).any())


def _stated_scale(fig):
    titles = [legend.get_title().get_text() for legend in fig.findobj(Legend)]
    scales = [re.fullmatch(r"arrows at ([\d.e-]+)× length", title) for title in titles]
    (scale,) = [float(match[1]) for match in scales if match]
    return scale


@pytest.mark.parametrize("position", [3.0, 4.5])
def test_the_update_arrow_runs_from_the_head_to_the_stated_scale_and_no_further(scene_file, position):
    view, (run,) = _view(scene_file(RED), "contour")
    scale = _stated_scale(view.fig)
    plain, _ = _view(scene_file(RED, "plain.py"), "contour", overlays=())
    step, share = int(position), position - int(position)
    head = run.shown_at(position)[-1, :2]
    update = run.update[step] + share * (run.update[step + 1] - run.update[step])  # glides with the head
    frame = Frame(0, position, 30, 0)
    with_arrows, without = np.array(view.frame(frame)), np.array(plain.frame(frame))
    ax = view.ax
    for along in (0.45, 0.7):  # on the shaft, clear of the head marker and the arrow head
        assert _red_near(with_arrows, ax, head + along * scale * update)
        assert not _red_near(without, ax, head + along * scale * update)
    assert not _red_near(with_arrows, ax, head + 1.35 * scale * update, radius=2)  # it ends at its scale
    tails, vectors, _, _ = view.panel.arrows._arrows(position)
    np.testing.assert_allclose(tails, [head])
    np.testing.assert_allclose(vectors, [scale * update], rtol=1e-6)
    assert scale == arrows._nice_below(scale)  # a 1-2-5 number


def test_every_overlay_draws_in_its_own_style_and_the_key_names_them(scene_file):
    view, (run,) = _view(scene_file(RED), "contour", overlays=("gradient", "update", "momentum", "momentum_buffer"))
    layer = view.panel.arrows
    layer._set(3.0)
    assert len(layer.shafts.get_segments()) == 8  # a halo under each of the 4 shafts
    assert len({str(style) for style in layer.shafts.get_linestyles()[4:]}) == 4
    (key,) = [legend for legend in view.fig.findobj(Legend) if legend.get_title().get_text().startswith("arrows")]
    assert [t.get_text() for t in key.get_texts()] == ["gradient: −lr·∇L", "update: the step taken",
                                                        "momentum: −lr·m", f"state momentum_buffer, "
                                                        f"×{arrows._scale_text(view.panel.arrows.overlay.scales['momentum_buffer'])}"]
    # gradient and momentum are the steps they would cause: -lr times them
    overlay = layer.overlay
    np.testing.assert_allclose(overlay.arrows[("SGD", 0)]["gradient"] / overlay.scales["step"], -0.05 * run.grad)
    np.testing.assert_allclose(overlay.arrows[("SGD", 0)]["momentum"] / overlay.scales["step"],
                               -0.05 * run.state["momentum_buffer"])


def test_with_a_trail_the_arrows_behind_the_head_fade(scene_file):
    view, _ = _view(scene_file(RED), "contour", overlays=("update",), trail=3)
    layer = view.panel.arrows
    (run,) = view.panel.runs
    tails, _, _, alphas = layer._arrows(5.0)
    # the head's arrow, then those at points 3 and 4, two and one update behind it, fainter with age
    np.testing.assert_array_equal(tails, run.points[[5, 3, 4], :2])
    np.testing.assert_allclose(alphas, [1.0, 1 / 3, 2 / 3])


def test_an_unknown_overlay_lists_what_the_scene_can_draw(tiny_scene, scene_file, tmp_path):
    result = CliRunner().invoke(main, ["render", str(tiny_scene), "-o", str(tmp_path), "--overlay", "velocity"])
    assert result.exit_code == 2
    assert result.output == ("error: overlays: 'velocity' is not an overlay this scene can draw; use gradient, "
                             "update, momentum, or a state key its optimizers keep: exp_avg, exp_avg_sq\n")
    path = scene_file(RED.replace('overlays=["update"]', 'overlays=["exp_avg"]'))
    result = CliRunner().invoke(main, ["render", str(path), "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output == (f"error: {path}:7: overlays: 'exp_avg' is not an overlay this scene can draw; use "
                             "gradient, update, momentum, or a state key its optimizers keep: momentum_buffer\n")


def test_an_overlay_an_optimizer_lacks_is_skipped_for_it_with_one_note(tiny_scene, tmp_path, render):
    rendered = render(tiny_scene, tmp_path, "--overlay", "momentum", "--overlay", "exp_avg_sq", "--view", "grid",
                      "--view", "surface", "--format", "png", "--size", "320x180")
    notes = [line for line in rendered.output.splitlines() if "note: overlay" in line]
    assert notes == [
        "  note: overlay momentum: SGD has no first-moment buffer (momentum_buffer, exp_avg, momentum): not drawn "
        "for them",
        "  note: overlay exp_avg_sq: SGD has no state 'exp_avg_sq': not drawn for them",
        "  note: overlays are drawn on the contour, dashboard and grid views, not on the 3-D surface"]
    assert rendered.manifest["settings"]["overlays"] == ["momentum", "exp_avg_sq"]


def test_the_inside_view_draws_sgd_s_effective_step_at_its_learning_rate(scene_file):
    view, (run,) = _view(scene_file(RED.replace("momentum=0.5, ", "")), "inside")
    pixels = np.array(view.frame(Frame(0, 9.0, 30, 0)))
    ax = view.panel.ax
    assert ax.get_yscale() == "log"
    for step in (2, 5, 8):
        assert _red_near(pixels, ax, (step, 0.05))  # |update_i| / |grad_i| = lr for plain SGD
        assert not _red_near(pixels, ax, (step, 0.2), radius=2)
    early = np.array(view.frame(Frame(0, 3.0, 30, 0)))
    assert not _red_near(early, ax, (6, 0.05), radius=2)  # it grows with the timeline


def test_the_dashboard_and_grid_draw_the_arrows_and_the_effective_step_panel(scene_file):
    path = scene_file(RED)
    dashboard, (run,) = _view(path, "dashboard", size=(1280, 720))
    assert dashboard.inside is not None
    pixels = np.array(dashboard.frame(Frame(0, 3.0, 30, 0)))
    scale = dashboard.contour.arrows.overlay.scales["step"]
    head, ax = run.points[3, :2], dashboard.contour.ax
    assert _red_near(pixels, ax, head + 0.6 * scale * run.update[3])
    assert not _red_near(pixels, ax, head + 1.35 * scale * run.update[3], radius=2)
    labels = [t.get_text() for legend in dashboard.fig.legends for t in legend.get_texts()]
    assert f"update ×{arrows._scale_text(scale)}" in labels
    grid, _ = _view(path, "grid")
    pixels = np.array(grid.frame(Frame(0, 3.0, 30, 0)))
    assert _red_near(pixels, grid.panels[0].ax, head + 0.6 * grid.panels[0].arrows.overlay.scales["step"] *
                     run.update[3])


def test_the_inside_view_draws_the_learning_rate_a_scheduler_changes(scene_file):
    scheduled = RED.replace('momentum=0.5, color="#ff0000"', 'color="#ff0000", scheduler=lambda o: '
                            'torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.1)')
    view, (run,) = _view(scene_file(scheduled), "inside")
    ((_, _, lr),) = view.panel.series
    np.testing.assert_array_equal(lr, run.lr)
    np.testing.assert_allclose(run.lr[[0, 2, 3, 6]], [0.05, 0.05, 0.005, 0.0005])
    view.frame(Frame(0, 6.0, 30, 0))
    w1, w2, lr_line = view.panel.lines
    x, y = lr_line.get_data()
    np.testing.assert_array_equal(x, np.arange(7))
    np.testing.assert_array_equal(y, run.lr[:7])  # drawn up to the frame's step
    unscheduled, _ = _view(scene_file(RED, "plain.py"), "inside")
    assert unscheduled.panel.series[0][2] is None  # a constant lr is not drawn
