"""A render writes what the manifest and `info` promise, read back from the files themselves."""

import csv
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

import probe
from anim import trajectory
from anim.cli import main
from anim.loader import load_scene
from conftest import ROOT, SCENES


def info_table(scene, *options):
    result = CliRunner().invoke(main, ["info", str(scene), *options])
    assert result.exit_code == 0, result.output
    rows = {}
    for line in result.output.splitlines():
        match = re.match(r"^(\w+\.\w+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)s\s+(\d+)x(\d+)$", line)
        if match:
            name, frames, fps, duration, width, height = match.groups()
            rows[name] = dict(frames=int(frames), fps=float(fps), duration=float(duration),
                              width=int(width), height=int(height))
        still = re.match(r"^(\w+\.png)\s+1\s+-\s+-\s+(\d+)x(\d+)$", line)
        if still:
            rows[still[1]] = dict(frames=1, width=int(still[2]), height=int(still[3]))
    return rows


def check_outputs(folder, scene_path, info):
    """Every animation file: decoded frames == manifest == info; codec, size, rate as promised."""
    manifest = json.loads((folder / "manifest.json").read_text())
    records = {r["file"]: r for r in manifest["files"]}
    assert set(records) == set(info) | {"trajectories.csv", "index.html"}
    for name, promised in info.items():
        path, record = folder / name, records[name]
        data = path.read_bytes()
        assert record["bytes"] == len(data) and record["sha256"] == hashlib.sha256(data).hexdigest()
        if name.endswith(".png"):
            with Image.open(path) as image:
                assert (image.format, image.size) == ("PNG", (record["width"], record["height"]))
                assert image.mode == ("RGBA" if record["alpha"] else "RGB")
            assert (record["width"], record["height"]) == (promised["width"], promised["height"])
            continue
        assert probe.decoded_frames(path) == record["frames"] == promised["frames"], name
        assert (record["width"], record["height"]) == (promised["width"], promised["height"])
        stream = probe.stream(path)
        assert (stream.width, stream.height) == (record["width"], record["height"])
        if name.endswith(".mp4"):
            assert (stream.codec, stream.profile, stream.pix_fmt) == ("h264", "High", "yuv420p")
            assert stream.fps == record["fps"] == promised["fps"]
            assert record["width"] % 2 == 0 and record["height"] % 2 == 0
            boxes = probe.mp4_top_level_boxes(path)
            assert boxes.index("moov") < boxes.index("mdat"), "not faststart"
        elif name.endswith(".webm"):
            assert stream.codec == record["codec"] == "vp9"
            assert probe.alpha_mode(path) == (record["pix_fmt"] == "yuva420p")
            assert stream.fps == record["fps"] == promised["fps"]
        else:
            loop, delays, images = probe.gif_facts(path)
            assert loop == 0 and images == record["frames"] and min(delays) >= 2
            assert sum(delays) / 100 == pytest.approx(record["duration"], abs=0.02)
    page = (folder / "index.html").read_text()
    for name in info:  # the preview page shows every file, by its relative name
        assert f'src="{name}"' in page, name
    assert manifest["scene_sha256"] == hashlib.sha256(scene_path.read_bytes()).hexdigest()
    assert {"torch", "matplotlib", "ffmpeg"} <= set(manifest["versions"])
    return manifest


def test_render_small_scene_contract(tmp_path, tiny_scene):
    options = ["--size", "320x180", "--fps", "20"]
    result = CliRunner().invoke(main, ["render", str(tiny_scene), "-o", str(tmp_path), *options])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "bowl"
    info = info_table(tiny_scene, *options)
    # 0.5 s and 2 s holds at 20 fps; 11 updates at 30 updates per second take 8 frames.
    assert info["contour.mp4"]["frames"] == 10 + 8 + 40
    manifest = check_outputs(folder, tiny_scene, info)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["contour.mp4", "contour.gif", "surface.mp4", "surface.gif", "trajectories.csv", "manifest.json",
         "index.html"])
    # The CSV holds exactly the trajectories, in the documented columns.
    runs = trajectory.compute(load_scene(tiny_scene))
    with open(folder / "trajectories.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["optimizer", "run", "step", "w1", "w2", "loss"]
    assert len(rows) == 1 + 2 * 12
    table = np.array([[float(v) for v in row[3:]] for row in rows[1:]], dtype=np.float32)
    np.testing.assert_array_equal(table, np.concatenate([r.points for r in runs]))
    assert [row[:3] for row in rows[1:3]] == [["SGD", "0", "0"], ["SGD", "0", "1"]]
    assert [r["optimizer"] for r in manifest["runs"]] == ["SGD", "Adam"]
    assert "ready contour.mp4" in result.output and "ready trajectories.csv" in result.output
    assert result.output.splitlines()[-1].startswith("  done in ")


def test_view_and_format_selection(tmp_path, tiny_scene):
    options = ["--view", "contour", "--format", "gif", "--size", "200x120"]
    result = CliRunner().invoke(main, ["render", str(tiny_scene), "-o", str(tmp_path), *options])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "bowl"
    assert sorted(p.name for p in folder.iterdir()) == ["contour.gif", "index.html", "manifest.json",
                                                        "trajectories.csv"]
    check_outputs(folder, tiny_scene, info_table(tiny_scene, *options))


def test_surface_frames_are_byte_identical_for_any_number_of_jobs(tmp_path, tiny_scene):
    written = []
    for jobs in ("1", "2"):
        out = tmp_path / jobs
        result = CliRunner().invoke(main, ["render", str(tiny_scene), "-o", str(out), "--view", "surface",
                                           "--format", "mp4", "--size", "256x144", "--jobs", jobs])
        assert result.exit_code == 0, result.output
        written.append((out / "bowl" / "surface.mp4").read_bytes())
    assert written[0] == written[1]


def test_rerender_replaces_files_and_leaves_no_temporaries(tmp_path, tiny_scene):
    folder = tmp_path / "bowl"
    folder.mkdir()
    stale = folder / ".contour.mp4.999999999-0123abcd.part"
    stale.write_bytes(b"left by a killed render")
    mine = folder / f".contour.mp4.{os.getpid()}-0123abcd.part"  # a live process's: kept
    mine.write_bytes(b"being written")
    (folder / "contour.mp4").write_bytes(b"an old render")
    (folder / "surface.gif").write_bytes(b"not asked for this time")
    args = ["render", str(tiny_scene), "-o", str(tmp_path), "--size", "160x96", "--format", "mp4"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "removed .contour.mp4.999999999-0123abcd.part, left by an interrupted render" in result.output
    assert probe.decoded_frames(folder / "contour.mp4") > 0
    assert (folder / "surface.gif").read_bytes() == b"not asked for this time"
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == [mine.name]


def test_a_failure_in_the_second_view_changes_nothing(tmp_path, tiny_scene, monkeypatch):
    args = ["render", str(tiny_scene), "-o", str(tmp_path), "--size", "160x96", "--jobs", "1"]
    assert CliRunner().invoke(main, args).exit_code == 0
    folder = tmp_path / "bowl"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    from anim.render.surface import SurfaceView

    def failing_frame(self, f):
        if f.index == 20:
            raise RuntimeError("the 3-D view broke")
        return original(self, f)

    original = SurfaceView.frame
    monkeypatch.setattr(SurfaceView, "frame", failing_frame)
    (tiny_scene).write_text(tiny_scene.read_text().replace("lr=0.1", "lr=0.05"))  # new trajectories
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1].startswith("internal error: RuntimeError: the 3-D view broke")
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_frames_ignore_the_scene_files_matplotlib_style(tmp_path, scene_file):
    path = scene_file("""
        import matplotlib.pyplot as plt
        import torch
        from anim import Scene, Optimizer
        plt.style.use("dark_background")
        plt.rcParams["lines.linewidth"] = 9
        scene = Scene(name="styled", surface=lambda a, b: a * a + b * b, init=(1, 1), steps=6,
                      x_range=(-2, 2), y_range=(-2, 2), optimizers=[Optimizer("SGD", torch.optim.SGD, lr=0.1)])
    """)
    written = []
    for jobs in ("1", "2"):
        result = CliRunner().invoke(main, ["render", str(path), "-o", str(tmp_path / jobs), "--view", "surface",
                                           "--format", "mp4", "--size", "160x96", "--jobs", jobs])
        assert result.exit_code == 0, result.output
        written.append((tmp_path / jobs / "styled" / "surface.mp4").read_bytes())
    assert written[0] == written[1]


def test_manifest_is_strict_json_even_when_a_run_diverges(tmp_path, scene_file):
    path = scene_file("""
        import torch
        from anim import Scene, Optimizer
        scene = Scene(name="boom", surface=lambda a, b: torch.exp(a) + b ** 2, init=[(1, 1), (0, 0)], steps=30,
                      x_range=(-3, 3), y_range=(-3, 3),
                      optimizers=[Optimizer("SGD", torch.optim.SGD, lr=1e6), Optimizer("Adam", torch.optim.Adam, lr=0.1)])
    """)
    result = CliRunner().invoke(main, ["render", str(path), "-o", str(tmp_path), "--size", "160x96"])
    assert result.exit_code == 0, result.output
    # it leaves the view at once and overflows later: reported once, for what stopped it first
    assert "note: SGD (run 0) left the view at step 1 (far outside it)" in result.output
    assert "diverged" not in result.output

    def refuse(constant):
        raise AssertionError(f"{constant} in manifest.json")

    manifest = json.loads((tmp_path / "boom" / "manifest.json").read_text(), parse_constant=refuse)
    runs = {(r["optimizer"], r["run"]): r for r in manifest["runs"]}
    assert runs[("SGD", 0)]["diverged_at"] is not None and runs[("Adam", 0)]["diverged_at"] is None
    check_outputs(tmp_path / "boom", path, info_table(path, "--size", "160x96"))


def test_real_subprocess_render_of_the_steep_optima_scene(tmp_path):
    command = [sys.executable, "-m", "anim", "render", str(SCENES / "steep_optima.py"), "-o", str(tmp_path),
               "--size", "320x180", "--view", "contour"]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    check_outputs(tmp_path / "steep_optima", SCENES / "steep_optima.py",
                  info_table(SCENES / "steep_optima.py", "--size", "320x180", "--view", "contour"))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["pathological", "steep_optima"])
def test_default_render_of_the_lecture_scenes(tmp_path, name):
    scene = SCENES / f"{name}.py"
    optianim = Path(sys.executable).parent / "optianim"  # the installed console script
    result = subprocess.run([str(optianim), "render", str(scene), "-o", str(tmp_path)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    manifest = check_outputs(tmp_path / name, scene, info_table(scene))
    sizes = {r["file"]: (r["width"], r["height"]) for r in manifest["files"] if r.get("width")}
    assert sizes == {"contour.mp4": (1280, 720), "surface.mp4": (1280, 720),
                     "contour.gif": (960, 540), "surface.gif": (960, 540)}
