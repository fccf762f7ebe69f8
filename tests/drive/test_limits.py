"""Limits with reasons: steps, start points, frames and --jobs are weighed against the memory and
time they would need before any work starts; past a limit, one line with the estimate and the way on."""

import re

import pytest
from click.testing import CliRunner
from conftest import TINY_SCENE

import anim
from anim.drive import limits
from anim.faces.cli import main

ALLOW = "--allow-large (allow_large=True from Python)"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_steps_that_make_too_many_frames_are_refused_before_any_work(scene_file, tmp_path):
    path = scene_file(TINY_SCENE.replace("steps=12", "steps=300_000"))
    expected = (f"error: {path}: steps: 300,000 steps make 300,075 frames a view (3 hours of video at 30 fps; "
                f"about 4 hours to draw and encode here), more than 100,000; give fewer steps or a higher --pace, "
                f"or pass {ALLOW}")
    for command in (("info", path), ("render", path, "-o", tmp_path)):
        result = run(*command)
        assert result.exit_code == 1 and result.output.splitlines() == [expected]
    assert not (tmp_path / "bowl").exists()
    assert run("info", path, "--allow-large").exit_code == 0  # info computes nothing: it says what would be


def test_steps_that_would_take_hours_to_compute_are_refused(scene_file, tmp_path):
    path = scene_file(TINY_SCENE.replace("steps=12", "steps=10_000_000"))
    result = run("trajectories", path, "-o", tmp_path / "runs.csv")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"error: {path}: steps: 10,000,000 steps of 2 runs taken one at a time would take about 3 hours before the "
        f"first frame (the limit is 60 minutes); give fewer steps or start points, or pass {ALLOW}"]


def test_start_points_that_need_more_memory_than_is_free_are_refused(monkeypatch):
    monkeypatch.setattr(limits, "available_memory", lambda: 1e9)
    scene = anim.Scene(name="swarm", surface=lambda w1, w2: w1 ** 2 + w2 ** 2, init=anim.starts.grid(50),
                       x_range=(-1, 1), y_range=(-1, 1), steps=2000,
                       optimizers=[anim.Optimizer("SGD", __import__("torch").optim.SGD, lr=[0.01, 0.1])])
    with pytest.raises(anim.SceneError) as error:
        anim.trajectories(scene)
    assert str(error.value) == (
        "init and steps: 2,500 start points x 2 optimizers x 2,000 steps need about 980 MB of memory for the runs "
        f"and 1.0 GB is free here; give fewer start points or steps, or pass {ALLOW}")
    assert len(anim.info(scene, allow_large=True).outputs) == 4


def test_jobs_past_the_memory_of_this_machine_are_bad_usage(tiny_scene, tmp_path):
    result = run("render", tiny_scene, "-o", tmp_path, "--jobs", "100000")
    assert result.exit_code == 2
    assert re.fullmatch(r"error: jobs: 100000 processes need about 40000\.0 GB of memory \(400 MB each\) and "
                        rf"[\d.]+ [GM]B is free here; use at most \d+, or pass {re.escape(ALLOW)}\n", result.output)
    with pytest.raises(anim.UsageError, match=r"^jobs: 100000 processes need about 40000\.0 GB"):
        anim.render_many([tiny_scene], tmp_path, jobs=100000)
    assert not list(tmp_path.glob("*/manifest.json"))


def test_the_free_memory_is_the_systems_estimate():
    meminfo = dict(line.split(":", 1) for line in open("/proc/meminfo"))
    assert limits.available_memory() == int(meminfo["MemAvailable"].split()[0]) * 1024
