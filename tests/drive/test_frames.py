"""Frames drawn here or in worker processes are the same pixels, in the order asked for."""

import os
import signal

import pytest

from anim.drive.settings import Settings
from anim.drive.timeline import timeline
from anim.errors import RenderError


def test_surface_frames_are_byte_identical_for_any_number_of_jobs(tmp_path, tiny_scene, render, null_encoder):
    for jobs in ("1", "2"):
        render(tiny_scene, tmp_path / jobs, "--view", "surface", "--format", "mp4", "--size", "256x144",
               "--jobs", jobs)
    here, in_workers = null_encoder
    assert here.frames == in_workers.frames == 87 and set(here.shapes) == {(144, 256, 4)}
    assert here.digests == in_workers.digests
    assert len(set(here.digests)) > here.frames // 2  # the camera moves: frames differ


def test_the_default_is_one_process_on_two_cores_and_every_core_but_the_encoders_on_more(monkeypatch):
    from anim.drive import frames

    for cores, expected in ((1, 1), (2, 1), (4, 3), (16, 15)):
        monkeypatch.setattr(frames, "cores", lambda cores=cores: cores)
        assert frames.frame_jobs() == expected and frames.frame_jobs(2) == 2


def test_workers_hand_frames_over_in_shared_memory_not_pickled(tmp_path, tiny_scene):
    import numpy as np

    from anim.drive import frames, pipeline
    from anim.drive.settings import Settings
    from anim.drive.timeline import timeline
    from anim.look.views import view_class, view_data

    prepared = pipeline.prepare(tiny_scene)
    runs, window = pipeline._framed(prepared)
    settings = Settings(views=("surface",), width=128, height=96)
    data = view_data(prepared.scene, runs, window, "surface", settings)
    entries = [timeline(prepared.scene, settings).frame(i) for i in (0, 40, 86)]
    ring_path = tmp_path / "ring.npy"
    ring = np.lib.format.open_memmap(ring_path, mode="w+", dtype=np.uint8, shape=(5, 96, 128, 4))
    # What crosses the pipe back is a count; the pixels are in the ring, where the main process reads them.
    assert frames._draw(7, view_class("surface"), data, 128, 96, entries, str(ring_path), 2) == 3
    here = frames.LocalDrawer(view_class("surface"), data, 128, 96)
    assert [bytes(ring[2 + i]) for i in range(3)] == [bytes(np.array(f)) for f in here.frames(entries)]
    with frames.Workers(2) as workers:
        drawer = workers.drawer(view_class("surface"), data, 128, 96)
        pooled = [bytes(f) for f in drawer.frames(entries * 3)]
        assert not list(files_in_shared_memory())  # the ring is gone once the frames are read
    assert pooled == [bytes(np.array(f)) for f in here.frames(entries * 3)]


def files_in_shared_memory():
    import os
    from pathlib import Path

    return Path("/dev/shm").glob(f"optianim-{os.getpid()}-*")
def test_a_frame_worker_killed_is_one_message_saying_what_to_do(tiny_scene):
    """Killed before the first frame or between frames (the pool then refuses new tasks too)."""
    from anim.drive import pipeline
    from anim.drive.frames import Workers
    from anim.look.views import view_class, view_data

    prepared = pipeline.prepare(tiny_scene)
    runs, view_window = pipeline._framed(prepared)
    settings = Settings(views=("surface",), width=160, height=96)
    data = view_data(prepared.scene, runs, view_window, "surface", settings)
    entries = list(timeline(prepared.scene, settings))
    for killed_after in (0, 8):
        with Workers(2) as workers:
            frames = workers.drawer(view_class("surface"), data, 160, 96).frames(entries)
            for _ in range(killed_after):
                next(frames)
            victim = next(iter(workers.pool._processes.values()))
            os.kill(victim.pid, signal.SIGKILL)
            victim.join()
            with pytest.raises(RenderError) as error:
                list(frames)
        assert str(error.value) == (
            "a worker process drawing frames died (out of memory, killed, or started from a script without "
            "`if __name__ == '__main__':`); try --jobs 1")
