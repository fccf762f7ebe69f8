"""Messages a lecturer reads: one line each that says what to do (a start point outside a fixed
window, a numpy surface, an optimizer object given as factory, multi-line reprs)."""

import json

import numpy as np
import pytest
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


NUMPY_SURFACE = ("surface: must use torch operations (torch.sin, torch.exp, ...), not numpy, "
                 "so that the optimizers get gradients")


@pytest.mark.parametrize("surface", [
    "np.sin(w1) + w2 ** 2",                                 # numpy functions on the tensors
    "np.sin(w1.numpy()) + w2 ** 2",                         # the tensors made numpy
    "np.sin(w1.numpy()) + np.cos(w2.numpy())",              # a numpy array returned
    "torch.from_numpy(np.sin(w1.numpy())) + w2 ** 2",       # and back
    "torch.sin(w1) + (np.exp(w2) if w2.dim() == 0 else torch.exp(w2))",  # numpy in the runs alone
])
def test_a_numpy_surface_is_told_to_use_torch_in_one_line(scene_file, tmp_path, surface):
    path = scene_file(f"""
        import numpy as np
        import torch
        from anim import Scene, Optimizer
        def loss(w1, w2):
            return {surface}
        scene = Scene(name="np", surface=loss, steps=3, optimizers=[Optimizer("SGD", torch.optim.SGD, lr=0.1)])
    """)
    for args in (["info", path], ["render", path, "-o", tmp_path], ["trajectories", path, "-o", tmp_path / "t.csv"]):
        result = run(*args)
        assert (result.exit_code, result.output) == (1, f"error: {path}: {NUMPY_SURFACE}\n")
    assert list(tmp_path.iterdir()) == [path]


def test_numpy_in_an_lbfgs_closure_is_told_to_use_torch(scene_file):
    """The closure is the surface's third call: after the check on a mesh and the first update's loss."""
    path = scene_file("""
        import numpy as np
        import torch
        from anim import Scene, Optimizer
        calls = []
        def loss(w1, w2):
            calls.append(1)
            return (np.square(w1) if len(calls) == 3 else w1 ** 2) + w2 ** 2
        scene = Scene(name="np", surface=loss, steps=3, optimizers=[Optimizer("LBFGS", torch.optim.LBFGS)])
    """)
    result = run("info", path)
    assert (result.exit_code, result.output) == (1, f"error: {path}: {NUMPY_SURFACE}\n")


def test_numpy_on_a_tensor_that_needs_gradients_in_the_scene_file_names_the_line(scene_file):
    path = scene_file("""
        import numpy as np
        import torch
        print(np.sin(torch.ones(2, requires_grad=True)))
    """)
    result = run("info", path)
    assert (result.exit_code, result.output) == (
        1, f"error: {path}:4: numpy was called on a tensor that needs gradients: use torch operations "
           "(torch.sin, torch.exp, ...), not numpy, so that the optimizers get gradients\n")


def test_the_api_raises_the_numpy_message_for_a_scene_built_in_python():
    scene = anim.Scene(name="np", surface=lambda w1, w2: np.cos(w1) + w2 ** 2, steps=3,
                       optimizers=[anim.Optimizer("Adam", torch.optim.Adam, lr=0.1)])
    for call in (anim.info, anim.trajectories):
        with pytest.raises(anim.SceneError) as caught:
            call(scene)
        assert str(caught.value) == NUMPY_SURFACE
