"""The README stays short (at most 250 lines) and every command and Python block in it runs as written:
`optianim ...` lines and Python blocks run in a scratch folder whose scenes/ is the repository's,
and each `make` line names a target the Makefile has (its recipes are what `make test` and CI run)."""

import contextlib
import io
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SCENES

README = ROOT / "README.md"


def blocks(language):
    return re.findall(rf"^```{language}\n(.*?)^```", README.read_text(), flags=re.S | re.M)


def commands(tool):
    """The command lines of the README's sh blocks that start with `tool`, comments taken off."""
    lines = [line.split("#", 1)[0].strip() for block in blocks("sh") for line in block.splitlines()]
    return [line for line in lines if line.split(" ", 1)[0] == tool]


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    (tmp_path / "scenes").symlink_to(SCENES, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_readme_is_at_most_250_lines():
    assert len(README.read_text().splitlines()) <= 250


def test_every_make_command_names_a_target_of_the_makefile():
    made = commands("make")
    assert made == ["make render", "make test"]
    for command in made:
        dry = subprocess.run(["make", "-n", *shlex.split(command)[1:]], cwd=ROOT, capture_output=True, text=True)
        assert dry.returncode == 0, dry.stderr


@pytest.mark.slow
def test_every_optianim_command_runs_as_written(scratch):
    executable = Path(sys.executable).parent / "optianim"
    env = dict(os.environ, PATH=f"{executable.parent}{os.pathsep}{os.environ['PATH']}")
    run = commands("optianim")
    assert len(run) == 5, run
    for command in run:
        done = subprocess.run(shlex.split(command), cwd=scratch, env=env, capture_output=True, text=True,
                              timeout=1200)
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    media = scratch / "media"
    assert {p.name for p in (media / "my_scene").iterdir()} >= {"contour.mp4", "surface.mp4", "contour.gif",
                                                                "surface.gif", "manifest.json", "index.html"}
    assert {"explore.html", "deck.pptx", "contour.gif", "surface.gif"} <= {p.name for p in (media / "pathological").iterdir()}
    assert (media / "pathological" / "deck.pptx").read_bytes()[:2] == b"PK"  # a zip, as every .pptx


def test_every_python_block_runs_as_written(scratch):
    shown = io.StringIO()
    python = blocks("python")
    assert len(python) == 2
    with contextlib.redirect_stdout(shown):
        for block in python:
            exec(compile(block, str(README), "exec"), {"__name__": "readme"})
    expected = re.search(r"print\(.*\)\s+# (.*)", python[1]).group(1)
    assert shown.getvalue() == expected + "\n"


def test_the_tests_section_names_the_command_ci_runs():
    """.ci/run's command, and the pytest line of the Makefile's target it makes, as the README writes them."""
    ci = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line and not line.startswith(("#", "set ", "cd "))]
    assert ci == ["make test"]
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^test:.*\n\t(.*)\n", makefile, flags=re.M).group(1)
    tests = README.read_text().split("## Tests", 1)[1]
    assert "`make test`" in tests and f"`{recipe.replace('$(PY)', '.venv/bin/python')}`" in tests
