"""Killing a render mid-way never leaves a partial file under a final name, nor touches earlier outputs;
an interrupted batch stops every scene, cleans up and says in batch.json what was done."""

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from conftest import ROOT, TINY_SCENE

HANG = 300  # seconds: bounds a hang only; nothing here is judged by how long it takes


def _render(scene, out, env=None):
    """A small render to the end, in a process of its own."""
    return subprocess.run([sys.executable, "-m", "anim", "render", str(scene), "-o", str(out), "--size", "160x96"],
                          cwd=ROOT, capture_output=True, text=True, timeout=HANG, env=env)


# `python -m anim`, except that the render's frame callback (the report that draws the progress
# bar) holds the render once the contour view's third frame has gone to ffmpeg: it says so on
# stdout, then waits for a signal. ffmpeg is running then, its output files open (a frame is larger
# than a pipe's buffer, so three were written only as ffmpeg read them).
HELD_AT_FRAME = 3
HELD = f"""
import signal, sys
from anim.drive import progress
from anim.faces import cli

report = cli._Progress.__call__

def held(self, event):
    report(self, event)
    if isinstance(event, progress.FrameDone) and event.done == {HELD_AT_FRAME}:
        print(f"held at {{event.view}} frame {{event.done}} of {{event.total}}", flush=True)
        while True:
            signal.pause()  # until the test's signal

cli._Progress.__call__ = held
sys.argv[0] = "optianim"
cli.main()
"""


def _start_held(scene, out, env=None):
    # (with a GIF budget, the GIF's lossless frames are a temporary file of their own too)
    command = [sys.executable, "-c", HELD, "render", str(scene), "-o", str(out), "--size", "640x360",
               "--gif-max-mb", "50"]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _wait_until_held(process):
    """Read the render's stdout up to the line saying it is held mid-encode: an event, not a clock."""
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout] + [lines.put("")],
                     daemon=True).start()
    seen = []
    while True:
        try:
            line = lines.get(timeout=HANG)
        except queue.Empty:
            pytest.fail(f"the render printed nothing for {HANG} s (hung?) after: {seen}")
        if not line:
            process.wait(timeout=HANG)
            pytest.fail(f"render ended before it could be interrupted: {seen} {process.stderr.read()}")
        seen.append(line)
        if line.startswith("held at contour frame "):
            return


def _temporaries(folder):
    """The final names whose temporary files are in `folder` (.NAME.PID-XXXXXXXX.part)."""
    return sorted(p.name[1:].rsplit(".", 2)[0] for p in folder.iterdir() if p.name.endswith(".part"))


@pytest.fixture(scope="module")
def first_render(tmp_path_factory):
    """(scene, output root) of a small render of conftest's tiny bowl, both views, done once."""
    root = tmp_path_factory.mktemp("interrupt")
    scene = root / "bowl.py"
    scene.write_text(textwrap.dedent(TINY_SCENE))
    first = _render(scene, root / "out")
    assert first.returncode == 0, first.stderr
    return scene, root / "out"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_interrupted_render_keeps_earlier_outputs(tmp_path, first_render, sig):
    scene, rendered = first_render
    shutil.copytree(rendered, tmp_path, dirs_exist_ok=True)
    folder = tmp_path / "bowl"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    scratch = tmp_path / "tmp"  # the system's temporary folder, as the render sees it
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    process = _start_held(scene, tmp_path, env)
    try:
        _wait_until_held(process)
        # mid-render: the trajectories written, the contour view's files being written by ffmpeg
        assert _temporaries(folder) == ["contour.gif", "contour.gif-frames.mkv", "contour.mp4",
                                        "trajectories.csv"]
        process.send_signal(sig)
        process.wait(timeout=HANG)
        stderr = process.stderr.read()  # a few lines: they fitted in the pipe
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    after = {p.name: p.read_bytes() for p in folder.iterdir() if not p.name.startswith(".")}
    scratch_left = [p.name for p in scratch.iterdir() if p.name.startswith("optianim-")]  # (torch keeps its own)
    assert after == before  # not one byte of the earlier render changed
    leftovers = [p.name for p in folder.iterdir() if p.name.startswith(".")]
    if sig in (signal.SIGINT, signal.SIGTERM):
        assert process.returncode == 128 + sig, stderr
        word = "interrupted" if sig == signal.SIGINT else "terminated"
        assert stderr.strip().splitlines()[-1] == (
            f"{word}: the render in progress changed no file (files of scenes already done are kept)")
        assert "Traceback" not in stderr
        assert leftovers == [] and scratch_left == []
    else:
        assert process.returncode == -signal.SIGKILL
        assert [name.split("-")[:2] for name in scratch_left] == [["optianim", str(process.pid)]]
        # A killed process cannot clean up; the next render removes what it left, its scratch folder too.
        again = _render(scene, tmp_path, env)
        assert again.returncode == 0, again.stderr
        for name in leftovers:
            assert f"removed {name}, left by an interrupted render" in again.stdout
        assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []
        assert [p.name for p in scratch.iterdir() if p.name.startswith("optianim-")] == []


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_batch_stops_every_scene_cleans_up_and_says_what_was_done(tmp_path, sig):
    marks = tmp_path / "marks"
    marks.mkdir()
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    mark = f"import os\nopen(os.path.join({str(marks)!r}, os.path.basename(__file__) + '-' + str(os.getpid())), 'w').close()\n"
    course = tmp_path / "course"
    course.mkdir()
    tiny = textwrap.dedent(TINY_SCENE)
    (course / "a_done.py").write_text(tiny.replace('name="bowl"', 'name="a_done"'))
    (course / "b_hangs.py").write_text(mark + "import time\ntime.sleep(3600)\nscene = None\n")
    (course / "c_slow.py").write_text(mark + tiny.replace('name="bowl"', 'name="c_slow"').replace("steps=12", "steps=3000"))
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "anim", "render", str(course), "-o", str(out), "--jobs", "2",
                                "--quality", "low", "--size", "160x96", "--view", "contour", "--format", "mp4"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "TMPDIR": str(scratch)})
    try:
        assert process.stdout.readline() == "3 scenes, 2 at a time, 1 process each for 3-D frames\n"
        done = process.stdout.readline()
        assert done.startswith("ok "), (done, process.wait(timeout=HANG), process.stderr.read())  # a_done.py
        while not list((out / "c_slow").glob(".contour.mp4.*.part")):  # c_slow.py is being encoded
            assert process.poll() is None
            time.sleep(0.05)
        pids = {name.split("-")[0]: int(name.split("-")[1]) for name in (p.name for p in marks.iterdir())}
        process.send_signal(sig)
        stdout, stderr = process.communicate(timeout=HANG)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 128 + sig, stderr
    word = "interrupted" if sig == signal.SIGINT else "terminated"
    assert stderr.splitlines()[-1] == (f"{word}: the render in progress changed no file (files of scenes already "
                                       "done are kept)")
    assert "Traceback" not in stderr and "leaked" not in stderr, stderr
    listed = json.loads((out / "batch.json").read_text())
    assert [(Path(s["scene_file"]).name, s["status"], s["error"]) for s in listed["scenes"]] == [
        ("a_done.py", "ok", None),
        ("b_hangs.py", "failed", f"{course / 'b_hangs.py'}: interrupted before it finished; its folder is unchanged"),
        ("c_slow.py", "failed", f"{course / 'c_slow.py'}: interrupted before it finished; its folder is unchanged")]
    assert sorted(str(p.relative_to(out)) for p in out.rglob(".*")) == []
    assert [p.name for p in scratch.iterdir() if p.name.startswith("optianim-")] == []
    assert not any(_alive(pid) for pid in pids.values()) and set(pids) == {"b_hangs.py", "c_slow.py"}
