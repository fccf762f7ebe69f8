"""Scene files load into scenes, and every mistake names the file and the line."""

import pytest

from anim.errors import SceneError
from anim.loader import load_scene


def test_scene_file_loads(scene_file):
    scene = load_scene(scene_file("""
        import torch
        from anim import Scene, Optimizer
        scene = Scene(name="ok", surface=lambda a, b: a * b, optimizers=[Optimizer("SGD", torch.optim.SGD, lr=1)])
    """))
    assert scene.name == "ok"


@pytest.mark.parametrize("body, expected", [
    ("x = 1\n", "{path}: defines no `scene`; end the file with scene = anim.Scene(...)"),
    ("scene = 42\n", "{path}: `scene` is a int, not an anim.Scene or anim.Landscape"),
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
