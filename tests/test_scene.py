"""Scene files load into validated scenes, and every mistake names the file and the field."""

import pytest
import torch

from anim import Camera, Optimizer, Scene
from anim.errors import SceneError
from anim.loader import load_scene


def bowl(w1, w2):
    return w1 ** 2 + w2 ** 2


def make(**changes):
    fields = dict(name="s", surface=bowl, optimizers=[Optimizer("SGD", torch.optim.SGD, lr=0.1)])
    fields.update(changes)
    return Scene(**fields)


def test_defaults_and_normalisation():
    scene = make(init=(5, 5), x_range=(-1, 2))
    assert scene.init == ((5.0, 5.0),)
    assert scene.x_range == (-1.0, 2.0) and scene.y_range == "auto"
    assert scene.title == "s" and scene.steps == 100
    assert scene.optimizers[0].color is not None
    assert scene.camera.pose(0.0) == (30.0, -60.0) and scene.camera.pose(1.0) == (30.0, 300.0)
    assert Camera(elevation=(10, 50), azimuth=0).pose(0.5) == (30.0, 0.0)


@pytest.mark.parametrize("changes, message", [
    (dict(steps=0), "steps: got 0; use a whole number of updates >= 1"),
    (dict(steps=2.5), "steps: got 2.5; use a whole number of updates >= 1"),
    (dict(x_range=(2, 1)), "x_range: low must be below high, got (2, 1)"),
    (dict(y_range=(1, 1)), "y_range: low must be below high, got (1, 1)"),
    (dict(x_range="wide"), "x_range: got 'wide'; use a (low, high) pair of numbers or one of 'auto', 'symmetric'"),
    (dict(init=(1, 2, 3)), "init[0]: got 1; a start point is a pair of numbers (w1, w2)"),
    (dict(init=("a", 1)), "init[0]: got 'a'; a start point is a pair of numbers (w1, w2)"),
    (dict(init="origin"), "init: got 'origin'; use a start point (w1, w2), a non-empty list of them, "
                           "or anim.starts.grid(n), random(n, seed) or circle(n, radius)"),
    (dict(init=[(1, 2), (float("nan"), 0)]), "init[1]: got (nan, 0); a start point is a pair of numbers (w1, w2)"),
    (dict(x_range=(0, float("inf"))), "x_range: got (0, inf); use a (low, high) pair of numbers, 'auto' or 'symmetric'"),
    (dict(optimizers=[]), "optimizers: declare at least one anim.Optimizer(label, factory, ...)"),
    (dict(optimizers=[Optimizer("A", torch.optim.SGD, lr=1), Optimizer("A", torch.optim.Adam)]),
     "optimizers[1]: duplicate label 'A'; labels must be unique"),
    (dict(optimizers=["SGD"]), "optimizers[0]: got 'SGD'; use anim.Optimizer(label, factory, ...)"),
    (dict(surface=3), "surface: got 3; use a function loss(w1, w2) of two tensors"),
    (dict(name="my scene"), "name: got 'my scene'; use letters, digits, '-', '_' or '.' (it names the output folder)"),
    (dict(camera=(30, 60)), "camera: got (30, 60); use anim.Camera(elevation=..., azimuth=...)"),
    (dict(color_scale="logarithmic"), "color_scale: got 'logarithmic'; use one of 'linear', 'log'"),
])
def test_invalid_fields_are_named(changes, message):
    with pytest.raises(SceneError) as error:
        make(**changes)
    assert str(error.value) == message


def test_optimizer_factory_must_be_callable():
    with pytest.raises(SceneError, match=r"optimizers\['SGD'\]: factory 'sgd' is not callable"):
        Optimizer("SGD", "sgd", lr=1)


def test_scene_file_loads(scene_file):
    scene = load_scene(scene_file("""
        import torch
        from anim import Scene, Optimizer
        scene = Scene(name="ok", surface=lambda a, b: a * b, optimizers=[Optimizer("SGD", torch.optim.SGD, lr=1)])
    """))
    assert scene.name == "ok"


@pytest.mark.parametrize("body, expected", [
    ("x = 1\n", "{path}: defines no `scene`; end the file with scene = anim.Scene(...)"),
    ("scene = 42\n", "{path}: `scene` is a int, not an anim.Scene"),
    ("import torch\n\ndef f(:\n    pass\n", "{path}:3: syntax error: invalid syntax"),
    ("import not_a_module_anywhere\n", "{path}:1: ModuleNotFoundError: No module named 'not_a_module_anywhere'"),
    ("x = 1\nraise RuntimeError('boom')\n", "{path}:2: RuntimeError: boom"),
    ("from anim import Scene\n\nscene = Scene(name='a', surface=abs, optimizers=[], steps=3)\n",
     "{path}:3: optimizers: declare at least one anim.Optimizer(label, factory, ...)"),
    ("from anim import Scene\n\nscene = Scene(name='a', surface=abs, optimizers=[], xrange=(0, 1))\n",
     "{path}:3: TypeError: Scene.__init__() got an unexpected keyword argument 'xrange' (did you mean x_range?)"),
    ("from anim import Camera\n\ncamera = Camera(tilt=30)\n",
     "{path}:3: TypeError: Camera.__init__() got an unexpected keyword argument 'tilt' "
     "(its fields: elevation, azimuth)"),
])
def test_scene_file_errors_name_file_and_line(scene_file, body, expected):
    path = scene_file(body)
    with pytest.raises(SceneError) as error:
        load_scene(path)
    assert str(error.value) == expected.format(path=path)


def test_missing_folder_and_wrong_suffix(tmp_path):
    for path, message in [(tmp_path / "nope.py", "no such file"),
                          (tmp_path, "is a folder; give a scene file such as scenes/pathological.py"),
                          (tmp_path / "scene.txt", "a scene file is a Python file ending in .py")]:
        if path.suffix == ".txt":
            path.write_text("scene = None\n")
        with pytest.raises(SceneError) as error:
            load_scene(path)
        assert str(error.value) == f"{path}: {message}"


def test_legend_says_where_runs_diverged_or_left_the_view():
    import numpy as np

    from anim.render.style import legend_label
    from anim.trajectory import Run

    def run(diverged=None, left=None):
        return Run("SGD", "red", 0, np.zeros((9, 3), np.float32), diverged, left)

    assert legend_label("SGD", [run()]) == "SGD"
    assert legend_label("SGD", [run(diverged=7)]) == "SGD\n(diverged at step 7)"
    assert legend_label("SGD", [run(left=3)]) == "SGD\n(left the view at step 3)"
    assert legend_label("SGD", [run(2), run(1), run()]) == "SGD\n(2 of 3 runs diverged)"
    assert legend_label("SGD", [run(2), run(left=4)]) == "SGD\n(1 of 2 runs diverged, 1 of 2 left the view)"
    # A run that leaves the view and diverges later is drawn up to where it left: so says the legend.
    assert legend_label("SGD", [run(diverged=68, left=57)]) == "SGD\n(left the view at step 57)"
    assert legend_label("SGD", [run(diverged=5, left=7)]) == "SGD\n(diverged at step 5)"


def test_a_log_color_scale_spaces_levels_and_colours_by_decades_above_the_minimum():
    import numpy as np

    from anim.window import Mesh
    from anim.render.style import surface_colors

    z = np.array([[2.0, 3.0], [10.0, 10002.0]])  # minimum 2, span 10^4
    levels, norm = surface_colors(Mesh(np.arange(2.0), np.arange(2.0), z), "log")
    assert levels[0] == 2.0 and levels[-1] == 10002.0
    np.testing.assert_allclose(levels[1:] - 2, np.geomspace(1.0, 1e4, 24))  # first level 10^-4 of the span up
    # colours: the minimum darkest, the maximum brightest, each decade an equal share between
    np.testing.assert_allclose(norm([2.0, 10002.0]), [0, 1], atol=1e-12)
    np.testing.assert_allclose(norm([2 + 10 - 1, 2 + 1000 - 1]), [0.25, 0.75], atol=1e-4)
    levels, norm = surface_colors(Mesh(np.arange(2.0), np.arange(2.0), z), "linear")
    assert norm(6002.0) == 0.6 and np.allclose(np.diff(levels), levels[1] - levels[0])
