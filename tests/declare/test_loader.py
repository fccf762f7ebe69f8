"""Scene files load into scenes, every mistake names the file and the line, and what a scene does to
the process (an exit, a chdir, reading sys.argv) stays in it."""

import os
import sys

import pytest

from anim.declare.loader import load_scene
from anim.errors import SceneError


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
    ("from anim import Scene\n\nscene = Scene(name='a', surface=pow, optimizers=[], steps=3)\n",
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


def test_a_missing_scene_file_is_told_the_closest_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "scenes").mkdir()
    (tmp_path / "scenes" / "rosenbrock.py").write_text("")
    (tmp_path / "lecture8.py").write_text("")
    for given, message in [
        ("scenes/rosenbrok.py", "scenes/rosenbrok.py: no such file (did you mean scenes/rosenbrock.py?)"),
        ("elsewhere/pathological.py", "elsewhere/pathological.py: no such file (a shipped scene has that name: "
                                      "give pathological alone)"),
        ("elsewhere/mine.py", "elsewhere/mine.py: no such file"),
        ("lectur8", "lectur8: no such file, nor a shipped scene (did you mean lecture8.py?)"),
        ("himmelblu", "himmelblu: no such file, nor a shipped scene (did you mean himmelblau?)"),
        ("zzz", "zzz: no such file, nor a shipped scene (optianim list shows the shipped scenes)"),
    ]:
        with pytest.raises(SceneError) as error:
            load_scene(given)
        assert str(error.value) == message


def _course(root, name, height):
    """A folder holding common.py (a bowl of the given height) and scene.py importing it."""
    folder = root / name
    folder.mkdir()
    (folder / "common.py").write_text(f"def bowl(w1, w2):\n    return {height} * (w1 ** 2 + w2 ** 2)\n")
    (folder / "scene.py").write_text(
        "import torch\nfrom anim import Scene, Optimizer\nfrom common import bowl\n\n"
        f"scene = Scene(name={name!r}, surface=bowl, optimizers=[Optimizer('SGD', torch.optim.SGD, lr=0.1)])\n")
    return folder / "scene.py"


def test_a_scene_imports_the_modules_beside_it_and_nothing_leaks(tmp_path):
    import sys

    import torch

    path_before, common_before = list(sys.path), sys.modules.get("common")
    first, second = _course(tmp_path, "one", 1), _course(tmp_path, "two", 2)
    one, two = load_scene(first), load_scene(second)  # each its own common.py, in one process
    point = torch.tensor(1.0), torch.tensor(1.0)
    assert (one.surface(*point).item(), two.surface(*point).item()) == (2.0, 4.0)
    assert load_scene(first).surface(*point).item() == 2.0
    assert sys.path == path_before
    assert sys.modules.get("common") is common_before
    # A module of that name imported before (here: by the user) does not stand in for the scene's own.
    sys.modules["common"] = type(sys)("common")
    try:
        assert load_scene(second).surface(*point).item() == 4.0
        assert not hasattr(sys.modules["common"], "bowl")
    finally:
        del sys.modules["common"]


@pytest.mark.parametrize("body, line, call", [
    ("import sys\n\nsys.exit(0)\n", 3, "sys.exit(0)"),
    ("x = 1\nexit(3)\n", 2, "sys.exit(3)"),
    ("import os\nos._exit(1)\n", 2, "os._exit(1)"),
    ("import helper  # its argparse wants --lr, and a scene runs with no arguments\n", 1, "sys.exit(2)"),
])
def test_a_scene_that_exits_is_a_scene_error_and_optianim_goes_on(scene_file, body, line, call, capsys):
    scene_file("import argparse\nparser = argparse.ArgumentParser()\nparser.add_argument('--lr', required=True)\n"
               "parser.parse_args()\n", "helper.py")
    path = scene_file(body)
    with pytest.raises(SceneError) as error:
        load_scene(path)
    assert str(error.value) == (f"{path}:{line}: the scene exits ({call}) while optianim runs it; a scene file "
                                "defines `scene` and must not end the process")
    assert os._exit.__module__ == "posix" and sys.argv[0] != str(path)  # both as they were


def test_a_scene_sees_no_arguments_and_its_chdir_is_undone(scene_file, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.setattr(sys, "argv", ["optianim", "render", "course/", "--jobs", "2"])
    path = scene_file(f"""
        import argparse, os, sys, torch
        from anim import Scene, Optimizer
        args = argparse.ArgumentParser().parse_args()  # a helper's argparse: optianim's own options are not its
        os.chdir({str(elsewhere)!r})  # the idiom os.chdir(os.path.dirname(__file__))
        scene = Scene(name=os.path.basename(os.getcwd()) + "-" + os.path.basename(sys.argv[0]), surface=lambda a, b: a * b,
                      optimizers=[Optimizer("SGD", torch.optim.SGD, lr=1)])
    """)
    before = os.getcwd()
    assert load_scene(path).name == "elsewhere-scene.py"
    assert os.getcwd() == before and sys.argv == ["optianim", "render", "course/", "--jobs", "2"]
