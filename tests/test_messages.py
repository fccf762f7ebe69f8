"""Messages a lecturer reads: one line each that says what to do (a start point outside a fixed
window, a numpy surface, an optimizer object given as factory, multi-line reprs)."""

import json

import torch
from click.testing import CliRunner

import anim
from anim.cli import main


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


OUTSIDE = """
    import torch
    from anim import Scene, Optimizer
    scene = Scene(name="outside", surface=lambda w1, w2: w1 ** 2 + w2 ** 2, init={init}, steps=5,
                  x_range=(-2, 2), y_range=(-2, 2),
                  optimizers=[Optimizer("SGD", torch.optim.SGD, lr=0.1, color="red")])
"""


def test_a_start_point_outside_a_fixed_window_is_a_note_and_in_the_manifest(scene_file, tmp_path):
    path = scene_file(OUTSIDE.format(init="(5, 0.5)"))
    result = run("render", path, "-o", tmp_path, "--size", "160x96", "--format", "png", "--view", "contour")
    assert result.exit_code == 0, result.output
    assert ("  note: start point 0 (5, 0.5) lies outside the view window w1 in (-2, 2), w2 in (-2, 2): "
            "widen x_range or move it") in result.output.splitlines()
    manifest = json.loads((tmp_path / "outside" / "manifest.json").read_text())
    assert manifest["starts_outside"] == [{"run": 0, "start": [5.0, 0.5]}]


def test_several_start_points_outside_are_one_note(scene_file, tmp_path):
    path = scene_file(OUTSIDE.format(init="[(0, 0), (5, 5), (1, -3)]"))
    result = run("render", path, "-o", tmp_path, "--size", "160x96", "--format", "png", "--view", "contour")
    assert result.exit_code == 0, result.output
    notes = [line for line in result.output.splitlines() if "outside the view window" in line]
    assert notes == ["  note: 2 start points lie outside the view window w1 in (-2, 2), w2 in (-2, 2), "
                     "the first 1 (5, 5): widen x_range and y_range or move them"]


def test_render_says_which_start_points_lie_outside_and_none_inside(tmp_path):
    def scene(init):
        return anim.Scene(name="outside", surface=lambda w1, w2: w1 ** 2 + w2 ** 2, init=init, steps=5,
                          x_range=(-2, 2), y_range=(-2, 2),
                          optimizers=[anim.Optimizer("SGD", torch.optim.SGD, lr=0.1)])

    options = dict(out=tmp_path, views=["contour"], formats=["png"], size=(160, 96))
    result = anim.render(scene([(0, 0), (-2, 2), (0, 2.5)]), **options)  # an edge is inside
    assert result.starts_outside == [(2, (0.0, 2.5))]
    assert result.manifest["starts_outside"] == [{"run": 2, "start": [0.0, 2.5]}]
    result = anim.render(scene([(0, 0), (1, -1)]), **options)
    assert result.starts_outside == [] and result.manifest["starts_outside"] == []
