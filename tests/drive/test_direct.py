"""The render cache's direct mode: an unchanged scene file is answered before torch or matplotlib
load; a changed scene, helper module, data file, optianim version or output renders again."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from anim.drive import direct

pytestmark = pytest.mark.render_cache
OPTIONS = ["--size", "96x64", "--fps", "5", "--view", "contour", "--format", "mp4", "--jobs", "1"]
SCENE = """
    import numpy as np
    import torch
    from anim import Scene, Optimizer
    from helper import bowl

    start = tuple(np.loadtxt(__file__.replace("scene.py", "start.txt")))
    scene = Scene(name="direct", surface=bowl, init=start, steps=6, x_range=(-2, 2), y_range=(-2, 2),
                  optimizers=[Optimizer("SGD", torch.optim.SGD, lr=0.1, color="red")])
"""


@pytest.fixture
def course(tmp_path):
    """write(helper=..., start=...) -> scene.py beside helper.py (its surface) and start.txt (its start)."""
    folder = tmp_path / "course"
    folder.mkdir()

    def write(helper="def bowl(w1, w2):\n    return w1 ** 2 + 3 * w2 ** 2\n", start="1.5 -1.0"):
        (folder / "helper.py").write_text(helper)
        (folder / "start.txt").write_text(start + "\n")
        (folder / "scene.py").write_text(textwrap.dedent(SCENE))
        return folder / "scene.py"

    return write


def reused(output):
    return {line.split()[1] for line in output.splitlines() if "unchanged: reused from the render cache" in line}


ALL = {"trajectories.csv", "contour.mp4", "description.txt", "contour.vtt", "index.html"}


def test_an_unchanged_scene_file_is_answered_without_importing_torch_or_matplotlib(course, tmp_path):
    scene, out = course(), tmp_path / "out"
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    subprocess.run([sys.executable, "-m", "anim", "render", scene, "-o", out, *OPTIONS], env=env, check=True,
                   capture_output=True)
    before = {p.name: p.stat().st_mtime_ns for p in (out / "direct").iterdir()}
    probe = ("import sys\nfrom anim.faces.cli import main\n"
             f"main(['render', {str(scene)!r}, '-o', {str(out)!r}, *{OPTIONS!r}], standalone_mode=False)\n"
             "print(sorted(m for m in ('torch', 'matplotlib', 'mpl_toolkits') if m in sys.modules))\n")
    again = subprocess.run([sys.executable, "-c", probe], env=env, check=True, capture_output=True, text=True)
    assert again.stdout.splitlines()[-1] == "[]", again.stdout
    assert reused(again.stdout) == ALL
    assert {p.name: p.stat().st_mtime_ns for p in (out / "direct").iterdir()} == before  # nothing written


def test_a_changed_helper_module_data_file_or_optianim_version_renders_again(course, tmp_path, render,
                                                                                monkeypatch):
    out = tmp_path / "out"
    first = render(course(), out, *OPTIONS)
    assert reused(first.output) == set()
    assert reused(render(course(), out, *OPTIONS).output) == ALL
    # A comment in the helper: read again, so the scene runs; its frames are the same (the view cache).
    commented = "# a comment\ndef bowl(w1, w2):\n    return w1 ** 2 + 3 * w2 ** 2\n"
    assert reused(render(course(helper=commented), out, *OPTIONS).output) == {"contour.mp4"}
    assert reused(render(course(helper=commented), out, *OPTIONS).output) == ALL
    # The helper's surface changed: a new picture.
    steeper = "def bowl(w1, w2):\n    return 2 * w1 ** 2 + 3 * w2 ** 2\n"
    assert reused(render(course(helper=steeper), out, *OPTIONS).output) == set()
    assert reused(render(course(helper=steeper, start="1.0 -1.0"), out, *OPTIONS).output) == set()  # the data
    assert reused(render(course(helper=steeper, start="1.0 -1.0"), out, *OPTIONS).output) == ALL
    monkeypatch.setattr(direct, "__version__", "99.0")  # another optianim: its record is not trusted
    assert "trajectories.csv" not in reused(render(course(helper=steeper, start="1.0 -1.0"), out, *OPTIONS).output)


def test_an_output_changed_or_removed_since_is_rendered_again(course, tmp_path, render):
    out = tmp_path / "out"
    first = render(course(), out, *OPTIONS)
    drawn = (first.folder / "contour.mp4").read_bytes()
    (first.folder / "contour.mp4").unlink()
    again = render(course(), out, *OPTIONS)
    assert "trajectories.csv" not in reused(again.output) and "contour.mp4" in reused(again.output)
    assert (first.folder / "contour.mp4").read_bytes() == drawn
    (first.folder / "manifest.json").write_text("{}")
    render(course(), out, *OPTIONS)
    assert json.loads((first.folder / "manifest.json").read_text())["scene"] == "direct"


def test_a_render_record_of_the_wrong_shape_is_a_miss_and_one_warning(course, tmp_path, render):
    out = tmp_path / "out"
    render(course(), out, *OPTIONS)
    [record] = Path(os.environ["XDG_CACHE_HOME"]).glob("optianim/direct/*/*.json")
    for wrong in ('{"version": 2, "inputs": 3}', "[1, 2]", "not json {"):
        record.write_text(wrong)
        again = render(course(), out, *OPTIONS)
        assert "trajectories.csv" not in reused(again.output)
        warnings = [line for line in again.output.splitlines() if line.startswith("warning:")]
        assert len(warnings) == 1 and "render cache" in warnings[0], again.output
