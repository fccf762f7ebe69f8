"""Bad numbers, bad folders, a broken ffmpeg and two renders at once: a clear message, nothing lost."""

import csv
import hashlib
import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

import probe
from anim.cli import main
from conftest import ROOT, fake_ffmpeg

RAVINE_WITH_A_BAD_RATE = """
    import torch
    from anim import Scene, Optimizer

    scene = Scene(
        name="ravine", title="One learning rate far too big",
        surface=lambda w1, w2: torch.tanh(w1) ** 2 + 0.01 * torch.abs(w1) + torch.sigmoid(w2),
        init=(5, 5), steps=40, x_range="auto", y_range="auto",
        optimizers=[
            Optimizer("SGD lr=1e6", torch.optim.SGD, lr=1e6, color="red"),
            Optimizer("Momentum SGD", torch.optim.SGD, lr=10, momentum=0.9, color="blue"),
            Optimizer("Adagrad", torch.optim.Adagrad, lr=10, color="white"),
            Optimizer("RMSprop", torch.optim.RMSprop, lr=10, color="green"),
            Optimizer("Adam", torch.optim.Adam, lr=10, color="black"),
        ],
    )
"""


def render(*args):
    return CliRunner().invoke(main, ["render", *[str(a) for a in args]])


def test_a_learning_rate_far_too_big_is_a_lesson_not_a_crash(scene_file, tmp_path):
    """SGD at lr=1e6 on the ravine jumps 10,000 units at its first update (tanh keeps it finite)."""
    path = scene_file(RAVINE_WITH_A_BAD_RATE, "ravine.py")
    result = render(path, "-o", tmp_path, "--size", "320x180", "--format", "mp4")
    assert result.exit_code == 0, result.output
    assert ("  note: SGD lr=1e6 (run 0) left the view at step 1 (far outside it): drawn up to there; "
            "trajectories.csv has every value") in result.output.splitlines()
    folder = tmp_path / "ravine"
    manifest = json.loads((folder / "manifest.json").read_text())
    left = {r["optimizer"]: r["left_view_at"] for r in manifest["runs"]}
    assert left == {"SGD lr=1e6": 1, "Momentum SGD": None, "Adagrad": None, "RMSprop": None, "Adam": None}
    # The window fits the runs that stayed, not the one that flew 10,000 units off.
    assert -100 < manifest["x_range"][0] < manifest["x_range"][1] < 100
    with open(folder / "trajectories.csv", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["optimizer"] == "SGD lr=1e6"]
    assert len(rows) == 40 and abs(float(rows[1]["w1"])) > 1000  # the real values, not the drawn ones
    probe.check_decoded_frames(folder, manifest["files"])


def test_a_surface_nan_on_part_of_the_view_is_drawn_blank_and_said(scene_file, tmp_path):
    path = scene_file("""
        import torch
        from anim import Scene, Optimizer
        scene = Scene(name="half", surface=lambda w1, w2: torch.sqrt(w1) + (w2 - 0.5) ** 2,
                      init=(1.5, 1.5), steps=30, x_range=(-1, 2), y_range=(-1, 2),
                      optimizers=[Optimizer("SGD", torch.optim.SGD, lr=0.1, color="red")])
    """)
    result = render(path, "-o", tmp_path, "--size", "320x180", "--format", "png")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "  note: the surface is not finite (NaN or inf) on 33.3% of the view: left blank" in lines
    assert "  note: SGD (run 0) diverged at step 26: drawn up to there" in lines  # it walked into the NaN
    blank = json.loads((tmp_path / "half" / "manifest.json").read_text())["surface_not_finite"]
    assert blank == {"contour": pytest.approx(1 / 3, abs=0.01), "surface": pytest.approx(1 / 3, abs=0.01)}


def test_a_failing_ffmpeg_fails_the_render_in_one_line_and_keeps_the_earlier_files(tiny_scene, tmp_path,
                                                                                    monkeypatch):
    options = ["-o", tmp_path / "out", "--size", "160x96", "--format", "mp4"]
    assert render(tiny_scene, *options).exit_code == 0
    folder = tmp_path / "out" / "bowl"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    fake = fake_ffmpeg(tmp_path, 'cat > /dev/null; echo "Unknown encoder libx264" >&2; exit 3\n')
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(fake))
    result = render(tiny_scene, *options)
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == "error: ffmpeg failed (exit 3) writing contour.mp4: Unknown encoder libx264"
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # and no temporary left


def test_a_missing_ffmpeg_is_one_clear_line(tiny_scene, tmp_path, monkeypatch):
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(tmp_path / "no-ffmpeg-here"))
    result = render(tiny_scene, "-o", tmp_path, "--size", "160x96", "--format", "mp4")
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        f"error: cannot start ffmpeg ({tmp_path / 'no-ffmpeg-here'}): "
        f"[Errno 2] No such file or directory: '{tmp_path / 'no-ffmpeg-here'}'")
    assert list((tmp_path / "bowl").iterdir()) == []


def test_two_renders_of_the_same_scene_at_once_end_with_complete_valid_files(tiny_scene, tmp_path):
    command = [sys.executable, "-m", "anim", "render", str(tiny_scene), "-o", str(tmp_path), "--size", "160x96",
               "--jobs", "1"]
    processes = [subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
    for process in processes:
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr
    folder = tmp_path / "bowl"
    manifest = json.loads((folder / "manifest.json").read_text())
    for record in manifest["files"]:
        data = (folder / record["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == record["sha256"], record["file"]
    probe.check_decoded_frames(folder, manifest["files"])
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []


@pytest.fixture
def unwritable(tmp_path):
    """unwritable(with_folder) -> a folder no one may write into (holding an empty `bowl` folder
    if asked): a read-only file system for root, who may write anywhere else; else chmod 555."""
    place = tmp_path / "readonly"
    place.mkdir()
    mounted = []

    def make(with_folder):
        if with_folder:
            (place / "bowl").mkdir()
        if os.geteuid() != 0:
            for folder in (place / "bowl", place):
                if folder.exists():
                    folder.chmod(0o555)
            return place
        # tmpfs is mounted empty: fill it, then make it read-only.
        for options in (["-t", "tmpfs", "-o", "size=1m", "tmpfs"], ["-o", "remount,ro"]):
            result = subprocess.run(["mount", *options, str(place)], capture_output=True, text=True)
            if result.returncode != 0:
                pytest.skip(f"as root, a read-only folder needs mount: {result.stderr.strip()}")
            mounted[:] = [place]
            if with_folder and options[0] == "-t":
                (place / "bowl").mkdir()
        return place

    yield make
    for folder in mounted:
        subprocess.run(["umount", str(folder)], check=True)
    for folder in (place / "bowl", place):
        if folder.exists():
            folder.chmod(0o755)


def test_an_output_root_that_cannot_be_written_is_one_clear_line(tiny_scene, unwritable):
    out = unwritable(with_folder=False)
    result = render(tiny_scene, "-o", out, "--size", "160x96", "--format", "mp4")
    assert result.exit_code == 1
    reason = "Read-only file system" if os.geteuid() == 0 else "Permission denied"
    assert result.output.splitlines()[-1] == f"error: cannot create output folder {out / 'bowl'}: {reason}"


def test_an_output_folder_that_is_not_writable_is_one_clear_line(tiny_scene, unwritable):
    out = unwritable(with_folder=True)
    result = render(tiny_scene, "-o", out, "--size", "160x96", "--format", "mp4")
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        f"error: output folder {out / 'bowl'} is not writable; choose another with -o")


def test_the_view_keeps_runs_that_travel_while_others_barely_move():
    """Half the runs stuck at the start (steep optima's SGD) and half travelling: nobody ran off."""
    import numpy as np

    from anim import window as windows
    from anim.trajectory import Run

    steps = np.linspace(0, 1, 20, dtype=np.float32)[:, None]
    travel = np.hstack([steps, -steps, steps])
    stuck = np.hstack([steps * 1e-4, steps * 0, steps])
    runs = [Run(f"r{i}", "red", 0, travel if i % 2 else stuck) for i in range(6)]
    scene = type("AutoScene", (), {"x_range": "auto", "y_range": "auto"})()
    window = windows.view_window(scene, runs)
    assert window[0][1] > 1 and window[1][0] < -1
    assert [windows.left_view_step(run, window) for run in runs] == [None] * 6
