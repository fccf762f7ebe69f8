"""The package as a user installs it: the wheel holds every layer and the shipped scenes, and, in a
fresh virtual environment, from an empty folder, `optianim list`, `render pathological` and
`info spirals_mlp` work with nothing of this repository around."""

import json
import os
import shutil
import subprocess
import sys
import zipfile

import probe
import pytest
from conftest import ROOT, SCENES

tomllib = pytest.importorskip("tomllib", reason="tomllib is Python 3.11's")

TORCH = "torch==2.13.0"  # the pin of the Makefile: pip's configured index holds its CPU wheel


def test_the_wheel_lists_every_package_of_the_source_and_maps_the_scenes_in():
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    packages = {".".join(path.parent.relative_to(ROOT).parts) for path in (ROOT / "anim").rglob("__init__.py")}
    assert set(setuptools["packages"]) == packages | {"anim.scenes"}
    assert setuptools["package-dir"] == {"anim.scenes": "scenes"}


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh virtual environment with the built wheel installed (torch pinned), and an empty folder."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"  # a copy: building writes build/ and *.egg-info beside the sources
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for name in ("anim", "scenes"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", root / "dist", source)
    [wheel] = (root / "dist").glob("optianim-*.whl")
    venv = root / "venv"
    run(sys.executable, "-m", "venv", venv)
    run(venv / "bin" / "python", "-m", "pip", "install", "--no-compile", "--disable-pip-version-check", TORCH, wheel)
    empty = root / "empty"
    empty.mkdir()
    return wheel, venv, empty


def run(*args, cwd=None):
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, cwd=cwd,
                            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.mark.slow  # a wheel built and installed with torch into a new environment, then a render: over a minute
def test_the_wheel_installed_anywhere_lists_renders_and_checks_the_shipped_scenes(installed):
    wheel, venv, empty = installed
    with zipfile.ZipFile(wheel) as archive:
        shipped = {name.removeprefix("anim/scenes/"): archive.read(name) for name in archive.namelist()
                   if name.startswith("anim/scenes/")}
    assert shipped == {path.name: path.read_bytes() for path in SCENES.glob("*.py")}

    optianim = venv / "bin" / "optianim"
    listed = run(optianim, "list", cwd=empty).stdout.splitlines()
    assert listed[0].startswith("the scenes shipped with optianim (") and "site-packages" in listed[0]
    assert [line.split()[0] for line in listed[1:-1]] == sorted(path.name for path in SCENES.glob("*.py"))

    rendered = run(optianim, "render", "pathological", "--quality", "low", cwd=empty)
    assert rendered.stdout.splitlines()[0] == "pathological: Pathological curvature -> media/pathological"
    manifest = json.loads((empty / "media" / "pathological" / "manifest.json").read_text())
    assert [f["file"] for f in manifest["files"] if f["view"]] == ["contour.mp4", "contour.gif", "surface.mp4",
                                                                  "surface.gif"]
    probe.check_decoded_frames(empty / "media" / "pathological", manifest["files"])

    checked = run(optianim, "info", "spirals_mlp", cwd=empty)
    assert checked.stdout.splitlines()[0].startswith("spirals_mlp: An MLP on two spirals")
    assert sorted(p.name for p in empty.iterdir()) == ["media"]  # nothing else written here
