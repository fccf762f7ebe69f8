"""A render writes what the manifest and `info` promise, read back from the files themselves."""

import csv
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

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
    return rows


def check_outputs(folder, scene_path, info):
    """Every animation file: decoded frames == manifest == info; codec, size, rate as promised."""
    manifest = json.loads((folder / "manifest.json").read_text())
    records = {r["file"]: r for r in manifest["files"]}
    assert set(records) == set(info) | {"trajectories.csv"}
    for name, promised in info.items():
        path, record = folder / name, records[name]
        data = path.read_bytes()
        assert record["bytes"] == len(data) and record["sha256"] == hashlib.sha256(data).hexdigest()
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
        else:
            loop, delays, images = probe.gif_facts(path)
            assert loop == 0 and images == record["frames"] and min(delays) >= 2
            assert sum(delays) / 100 == pytest.approx(record["duration"], abs=0.02)
    assert manifest["scene_sha256"] == hashlib.sha256(scene_path.read_bytes()).hexdigest()
    assert {"torch", "matplotlib", "ffmpeg"} <= set(manifest["versions"])
    return manifest


def test_render_small_scene_contract(tmp_path, tiny_scene):
    options = ["--size", "320x180", "--fps", "20"]
    result = CliRunner().invoke(main, ["render", str(tiny_scene), "-o", str(tmp_path), *options])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "bowl"
    info = info_table(tiny_scene, *options)
    assert info["contour.mp4"]["frames"] == 10 + 12 + 40
    manifest = check_outputs(folder, tiny_scene, info)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["contour.mp4", "contour.gif", "surface.mp4", "surface.gif", "trajectories.csv", "manifest.json"])
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
    assert "wrote contour.mp4" in result.output and "wrote trajectories.csv" in result.output


def test_view_and_format_selection(tmp_path, tiny_scene):
    options = ["--view", "contour", "--format", "gif", "--size", "200x120"]
    result = CliRunner().invoke(main, ["render", str(tiny_scene), "-o", str(tmp_path), *options])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "bowl"
    assert sorted(p.name for p in folder.iterdir()) == ["contour.gif", "manifest.json", "trajectories.csv"]
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
    args = ["render", str(tiny_scene), "-o", str(tmp_path), "--size", "160x96", "--format", "mp4"]
    stale = tmp_path / "bowl" / ".contour.mp4.999999999-0123abcd.part"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"left by a killed render")
    for _ in range(2):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
    assert "removed .contour.mp4.999999999-0123abcd.part" in result.output or not stale.exists()
    assert [p.name for p in (tmp_path / "bowl").iterdir() if p.name.startswith(".")] == []


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
