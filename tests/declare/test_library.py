"""The scene library: every shipped scene renders, the surfaces are the classic ones, list and new."""

import json
from pathlib import Path
import os

import probe
import pytest
import torch
from click.testing import CliRunner
from conftest import SCENES

import anim
from anim import surfaces
from anim.declare import library
from anim.faces.cli import main

SHIPPED = sorted(p.name for p in SCENES.glob("*.py"))
TRAINS_A_NETWORK = {"spirals_mlp.py"}  # a Landscape: trained and its plane evaluated, too long for the quick suite
GRID_SCENES = {"swarm.py", "lr_sweep.py", "modern_optimizers.py"}  # they declare views=["grid"]


@pytest.mark.parametrize("name", [pytest.param(name, marks=pytest.mark.slow) if name in TRAINS_A_NETWORK else name
                                  for name in SHIPPED])
def test_every_shipped_scene_renders(tmp_path, name):
    # At 10 fps the paths still reach every point (3 updates a frame at the default pace) in a third of the frames.
    result = CliRunner().invoke(main, ["render", str(SCENES / name), "-o", str(tmp_path), "--size", "160x96",
                                       "--format", "mp4", "--fps", "10", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    manifest = json.loads(next(tmp_path.glob("*/manifest.json")).read_text())
    probe.check_decoded_frames(tmp_path / manifest["scene"], manifest["files"])
    views = ["grid"] if name in GRID_SCENES else ["contour", "surface"]
    assert manifest["settings"]["views"] == views
    assert [f["view"] for f in manifest["files"] if f["view"]] == views


@pytest.mark.parametrize("name", SHIPPED)
def test_info_checks_every_shipped_scene_and_plans_its_views(name):
    result = CliRunner().invoke(main, ["info", str(SCENES / name), "--quality", "low"])
    assert result.exit_code == 0, result.output
    header = next(i for i, line in enumerate(result.output.splitlines()) if line.split() == [
        "file", "frames", "fps", "duration", "size"])
    planned = [line.split()[0] for line in result.output.splitlines()[header + 1:]]
    views = ["grid"] if name in GRID_SCENES else ["contour", "surface"]
    assert planned == [f"{view}.{fmt}" for view in views for fmt in ("mp4", "gif")]


def test_info_checks_the_networks_guides_landscape_as_written(tmp_path):
    section = (SCENES.parent / "docs" / "guides" / "networks.md").read_text()
    code = section[section.index("```python\n") + len("```python\n"):section.index("```\n", section.index("```python"))]
    (tmp_path / "spirals.py").write_text(code)
    result = CliRunner().invoke(main, ["info", str(tmp_path / "spirals.py")])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == ("spirals: An MLP on two spirals; 3 optimizers x the model's initial "
                                             "weights, 200 recorded points (199 updates between them)")


@pytest.mark.parametrize("name", ["swarm.py", "lr_sweep.py"])
def test_the_swarm_and_sweep_scenes_render_as_small_multiples(tmp_path, name):
    result = CliRunner().invoke(main, ["render", str(SCENES / name), "-o", str(tmp_path), "--size", "320x180",
                                       "--view", "grid", "--format", "mp4", "--format", "png"])
    assert result.exit_code == 0, result.output
    manifest = json.loads(next(tmp_path.glob("*/manifest.json")).read_text())
    video = next(r for r in manifest["files"] if r["file"] == "grid.mp4")
    assert probe.decoded_frames(tmp_path / manifest["scene"] / "grid.mp4") == video["frames"]
    panels = {run["optimizer"] for run in manifest["runs"]}
    assert len(panels) == (2 if name == "swarm.py" else 4)


@pytest.mark.parametrize("surface, minimum, value", [
    (surfaces.rosenbrock, (1, 1), 0), (surfaces.himmelblau, (3, 2), 0),
    (surfaces.himmelblau, (-2.805118, 3.131312), 0), (surfaces.beale, (3, 0.5), 0),
    (surfaces.rastrigin, (0, 0), 0), (surfaces.ackley, (0, 0), 0), (surfaces.booth, (1, 3), 0),
    (surfaces.six_hump_camel, (0.0898, -0.7126), -1.0316), (surfaces.quadratic_bowl(25), (0, 0), 0),
])
def test_surfaces_have_their_documented_minima(surface, minimum, value):
    point = torch.tensor(minimum, dtype=torch.float64, requires_grad=True)
    loss = surface(point[0], point[1])
    loss.backward()
    assert loss.item() == pytest.approx(value, abs=1e-4)
    assert point.grad.abs().max().item() < 2e-3  # a stationary point
    for step in ((0.05, 0), (0, 0.05), (-0.05, 0), (0, -0.05)):  # and a minimum
        assert surface(point[0] + step[0], point[1] + step[1]).item() > loss.item()


def test_saddles_are_stationary_but_not_minima():
    for saddle in (surfaces.saddle, surfaces.monkey_saddle):
        point = torch.zeros(2, requires_grad=True)
        saddle(point[0], point[1]).backward()
        assert point.grad.abs().max() == 0
        assert min(saddle(torch.tensor(x), torch.tensor(y)).item() for x, y in [(0.1, 0), (-0.1, 0), (0, 0.1)]) < 0


def test_a_bowl_with_a_condition_below_one_is_refused():
    with pytest.raises(ValueError, match="condition must be >= 1, got 0.5"):
        surfaces.quadratic_bowl(0.5)


def test_list_shows_each_scene_with_its_docstring_line(tmp_path):
    (tmp_path / "a.py").write_text('"""Shows a thing.\n\nMore text."""\nscene = None\n')
    (tmp_path / "b.py").write_text("scene = None\n")
    (tmp_path / "c.py").write_text("def f(:\n")
    (tmp_path / "_helpers.py").write_text('"""Not a scene."""\n')
    (tmp_path / "common.py").write_text('"""Helpers the scenes import."""\ndef bowl(w1, w2):\n    return w1 ** 2\n')
    os.mkfifo(tmp_path / "pipe.py")  # read, it would wait for a writer forever
    result = CliRunner().invoke(main, ["list", str(tmp_path)])
    assert result.exit_code == 0
    assert result.output == "a.py  Shows a thing.\nb.py  (no docstring)\nc.py  (syntax error at line 1)\n"


def test_every_shipped_scene_says_what_it_shows():
    result = CliRunner().invoke(main, ["list", str(SCENES)])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert [line.split()[0] for line in lines] == SHIPPED
    assert not any("(no docstring)" in line for line in lines)


def test_new_writes_a_template_that_renders_and_never_overwrites(tmp_path):
    result = CliRunner().invoke(main, ["new", "my_scene", "-d", str(tmp_path)])
    assert result.exit_code == 0, result.output
    path = tmp_path / "my_scene.py"
    assert result.output == f"wrote {path}; render it with: optianim render {path}\n"
    rendered = CliRunner().invoke(main, ["render", str(path), "-o", str(tmp_path / "out"), "--size", "160x96",
                                         "--format", "png"])
    assert rendered.exit_code == 0, rendered.output
    assert (tmp_path / "out" / "my_scene" / "contour.png").is_file()
    again = CliRunner().invoke(main, ["new", "my_scene", "-d", str(tmp_path)])
    assert again.exit_code == 1
    assert again.output == f"error: {path} already exists; choose another name or remove it\n"
    bad = CliRunner().invoke(main, ["new", "9lives", "-d", str(tmp_path)])
    assert bad.exit_code == 2 and bad.output.startswith("error: scene name '9lives': use letters, digits and '_'")


def test_the_shipped_scenes_are_the_source_trees_here():
    assert library.shipped_folder() == SCENES
    assert library.shipped_names() == [name.removesuffix(".py") for name in SHIPPED]


def test_a_bare_name_is_a_file_here_else_the_shipped_scene(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert library.find_scene("pathological") == library.Found(SCENES / "pathological.py")
    assert library.find_scene("pathological.py") == library.Found(SCENES / "pathological.py")
    assert library.find_scene("scenes/pathological.py").path == Path("scenes/pathological.py")  # a path: as given
    assert library.find_scene("mine").path == Path("mine")  # no such scene: the loader says so
    (tmp_path / "pathological.py").write_text("")
    assert library.find_scene("pathological") == library.Found(Path("pathological.py"), SCENES / "pathological.py")
    assert library.find_scene("pathological.py") == library.Found(Path("pathological.py"))


def test_list_shows_the_shipped_scenes_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"the scenes shipped with optianim ({SCENES}):"
    assert [line.split()[0] for line in lines[1:-1]] == SHIPPED
    assert lines[-1] == ("render one by name (optianim render pathological), or start from a copy "
                         "(optianim new NAME --from pathological)")
    (tmp_path / "scenes").mkdir()  # a folder of one's own is what list shows here
    (tmp_path / "scenes" / "mine.py").write_text('"""Mine."""\nscene = None\n')
    assert CliRunner().invoke(main, ["list"]).output == "mine.py  Mine.\n"


def test_a_shipped_scene_renders_by_name_and_a_file_here_wins_said_in_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = ["--size", "160x96", "--format", "png", "--view", "contour"]
    result = CliRunner().invoke(main, ["render", "booth", *args])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "booth: Booth: a tilted bowl, minimum at (1, 3) -> media/booth"
    assert result.stderr == ""
    (tmp_path / "booth.py").write_text((SCENES / "booth.py").read_text().replace('title="Booth', 'title="My booth'))
    result = CliRunner().invoke(main, ["render", "booth", *args])
    assert result.exit_code == 0, result.output
    assert result.stderr == f"note: booth is booth.py in this folder, not the shipped scene {SCENES / 'booth.py'}\n"
    assert result.stdout.splitlines()[0].startswith("booth: My booth: a tilted bowl")


def test_new_from_a_shipped_scene_copies_it_under_the_new_name(tmp_path):
    result = CliRunner().invoke(main, ["new", "lecture8", "-d", str(tmp_path), "--from", "pathological"])
    assert result.exit_code == 0, result.output
    path = tmp_path / "lecture8.py"
    assert result.output == f"wrote {path} from pathological; render it with: optianim render {path}\n"
    original = (SCENES / "pathological.py").read_text()
    assert path.read_text() == original.replace('name="pathological"', 'name="lecture8"', 1)
    assert anim.load(path).name == "lecture8"  # it renders into media/lecture8/, beside the original's


@pytest.mark.parametrize("args, message", [
    (["new", "lecture8.py"], "error: scene name 'lecture8.py': drop the .py (optianim new lecture8 writes lecture8.py)"),
    (["new", "course/lecture8"], "error: scene name 'course/lecture8': give the folder with -d: "
                                 "optianim new lecture8 -d course"),
    (["new", "l8", "--from", "pathologcal"], "error: --from pathologcal: no such scene file or shipped scene "
                                             "(did you mean pathological?)"),
])
def test_new_says_what_to_type_instead(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, args)
    assert (result.exit_code, result.output) == (1 if "--from" in args else 2, message + "\n")
    assert list(tmp_path.iterdir()) == []
