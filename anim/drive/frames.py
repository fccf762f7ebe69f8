"""Draws a view's frames in the order asked for, in this process or in worker processes that hand
them over in shared memory; and how many processes a render's frames are worth."""

import contextlib
import itertools
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from anim.errors import RenderError
from anim.write import files

FRAMES_PER_TASK = 4
# ffmpeg's encode of a view's formats (H.264 and the GIF) costs more CPU per frame than drawing it
# (a 3-D frame at 720p: 17.9 ms against 13.3): it takes a core of its own.
ENCODER_CORES = 1

_worker_views = {}  # in a worker process: the views it has built, by the key of their render
_worker_frames = {}  # in a worker process: the shared frame ring it draws into, by its path
_keys = itertools.count()


def cores():
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def frame_jobs(requested=None):
    """The processes that draw a render's frames: as `requested`, else every core but the
    encoder's. One means this process: on two cores, worker processes would only compete with
    ffmpeg (and each pays its own imports and view build)."""
    return requested or max(1, cores() - ENCODER_CORES)


class LocalDrawer:
    """Draws a view's frames in this process; each array is valid until the next is drawn."""

    def __init__(self, view_class, data, width, height):
        self.view = view_class(data, width, height)

    def frames(self, entries):
        for entry in entries:
            yield self.view.frame(entry)


class Workers:
    """Processes that draw frames, started at once (or, if not `eager`, by `start`, when frames
    are to be drawn) so that their start-up overlaps other work.

    Frames depend only on their timeline entry, so the pixels are the same for any number of
    workers, and they come back in the order asked for.
    """

    def __init__(self, jobs, eager=True):
        self.jobs = jobs
        self.pool = None
        if eager:
            self.start()

    def start(self):
        """Start the processes, unless they run already or one process is all there is."""
        if self.jobs > 1 and self.pool is None:
            # 'spawn' workers import matplotlib afresh: forking a process that has run torch is unsafe.
            self.pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=multiprocessing.get_context("spawn"),
                                            initializer=_start_worker)
            for _ in range(self.jobs):
                self.pool.submit(_warm_up)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        return False

    def drawer(self, view_class, data, width, height):
        """Something whose frames(entries) yields the view's pixels: in the workers if it pays."""
        if self.jobs <= 1 or not view_class.PARALLEL:
            return LocalDrawer(view_class, data, width, height)
        self.start()
        return _PoolDrawer(self, (next(_keys), view_class, data, width, height))


class _PoolDrawer:
    """Frames drawn by the worker processes into a ring of frame slots in shared memory (a file in
    /dev/shm): a task's frames are read in place, never pickled. Tasks in flight, and the one
    being read, each own their slots."""

    def __init__(self, workers, view):
        self.workers, self.view = workers, view

    def frames(self, entries):
        import numpy as np

        entries = list(entries)
        pool, jobs = self.workers.pool, self.workers.jobs
        _, _, _, width, height = self.view
        tasks = 2 * jobs + 1  # two in flight per worker, and the one whose frames are being read
        pending = deque()
        starts = iter(range(0, len(entries), FRAMES_PER_TASK))
        with files.scratch_folder(shared=True) as scratch:
            path = os.path.join(scratch, "frames")
            ring = np.lib.format.open_memmap(path, mode="w+", dtype=np.uint8,
                                             shape=(tasks * FRAMES_PER_TASK, height, width, 4))
            free = deque(range(tasks))
            try:
                reading = None
                while True:
                    if reading is not None:
                        free.append(reading)  # its frames were all consumed
                    try:  # (a pool whose worker died refuses new tasks too)
                        for start in itertools.islice(starts, min(len(free), 2 * jobs - len(pending))):
                            slot = free.popleft()
                            chunk = entries[start:start + FRAMES_PER_TASK]
                            pending.append((slot, pool.submit(_draw, *self.view, chunk, path,
                                                              slot * FRAMES_PER_TASK)))
                        if not pending:
                            return
                        reading, future = pending.popleft()
                        count = future.result()
                    except BrokenProcessPool as exc:
                        raise RenderError(
                            "a worker process drawing frames died (out of memory, killed, or started from "
                            "a script without `if __name__ == '__main__':`); try --jobs 1") from exc
                    first = reading * FRAMES_PER_TASK
                    yield from ring[first:first + count]
            finally:
                for _, future in pending:
                    future.cancel()
                for _, future in pending:  # a task still drawing writes into the ring: let it end first
                    with contextlib.suppress(Exception):
                        future.result()
                del ring


def _start_worker():
    """Ctrl-C is for the main process, which stops the workers itself (and prints no traceback);
    and a worker whose main process was killed outright exits instead of lingering."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()

    def exit_when_orphaned():
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=exit_when_orphaned, daemon=True).start()


def _warm_up():
    import mpl_toolkits.mplot3d  # noqa: F401  (the import is the point: it takes most of a second)

    import anim.look.contour  # noqa: F401
    import anim.look.threed  # noqa: F401


def _draw(key, view_class, data, width, height, entries, path, first):
    """Draw `entries` into the shared ring at `path`, from slot `first` on; return how many."""
    import numpy as np

    if key not in _worker_views:
        _worker_views.clear()  # one render at a time: drop the views of earlier ones
        _worker_views[key] = view_class(data, width, height)
    if path not in _worker_frames:
        _worker_frames.clear()
        _worker_frames[path] = np.load(path, mmap_mode="r+")
    view, ring = _worker_views[key], _worker_frames[path]
    for index, entry in enumerate(entries):
        ring[first + index] = view.frame(entry)
    return len(entries)
