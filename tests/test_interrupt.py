"""Killing a render mid-way never leaves a partial file under a final name, nor touches earlier outputs."""

import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT


def _render(scene, out):
    """A small render to the end, in a process of its own."""
    return subprocess.run([sys.executable, "-m", "anim", "render", str(scene), "-o", str(out), "--size", "160x96"],
                          cwd=ROOT, capture_output=True, text=True)


def _start(scene, out):
    # (with a GIF budget, the GIF's lossless frames are a temporary file of their own too)
    command = [sys.executable, "-m", "anim", "render", str(scene), "-o", str(out), "--size", "640x360",
               "--gif-max-mb", "50"]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_temporaries(folder, process, timeout=60):
    """Return once the render is writing (a temporary file exists), i.e. mid-render."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"render ended before it could be interrupted: {process.communicate()}")
        if folder.is_dir() and any(p.name.endswith(".part") for p in folder.iterdir()):
            return
        time.sleep(0.02)
    pytest.fail("render never started writing")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_interrupted_render_keeps_earlier_outputs(tmp_path, tiny_scene, sig):
    first = _render(tiny_scene, tmp_path)
    assert first.returncode == 0, first.stderr
    folder = tmp_path / "bowl"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    process = _start(tiny_scene, tmp_path)
    _wait_for_temporaries(folder, process)
    process.send_signal(sig)
    _, stderr = process.communicate(timeout=60)

    after = {p.name: p.read_bytes() for p in folder.iterdir() if not p.name.startswith(".")}
    assert after == before  # not one byte of the earlier render changed
    leftovers = [p.name for p in folder.iterdir() if p.name.startswith(".")]
    if sig in (signal.SIGINT, signal.SIGTERM):
        assert process.returncode == 128 + sig, stderr
        word = "interrupted" if sig == signal.SIGINT else "terminated"
        assert stderr.strip().splitlines()[-1] == (
            f"{word}: the render in progress changed no file (files of scenes already done are kept)")
        assert "Traceback" not in stderr
        assert leftovers == []
    else:
        assert process.returncode == -signal.SIGKILL
        # A killed process cannot clean up; the next render removes what it left.
        again = _render(tiny_scene, tmp_path)
        assert again.returncode == 0, again.stderr
        for name in leftovers:
            assert f"removed {name}, left by an interrupted render" in again.stdout
        assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []
