"""Draws a view's frames in the order asked for, in this process or in worker processes."""

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

FRAMES_PER_TASK = 4

_worker_views = {}  # in a worker process: the views it has built, by the key of their render
_keys = itertools.count()


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
    def __init__(self, workers, view):
        self.workers, self.view = workers, view

    def frames(self, entries):
        entries = list(entries)
        pool, jobs = self.workers.pool, self.workers.jobs
        pending = deque()
        starts = iter(range(0, len(entries), FRAMES_PER_TASK))
        try:
            while True:
                try:  # (a pool whose worker died refuses new tasks too)
                    # Two tasks per worker in flight: enough to stay busy, memory bounded.
                    for start in itertools.islice(starts, 2 * jobs - len(pending)):
                        pending.append(pool.submit(_draw, *self.view, entries[start:start + FRAMES_PER_TASK]))
                    if not pending:
                        return
                    drawn = pending.popleft().result()
                except BrokenProcessPool as exc:
                    raise RenderError(
                        "a worker process drawing frames died (out of memory, killed, or started from "
                        "a script without `if __name__ == '__main__':`); try --jobs 1") from exc
                yield from drawn
        finally:
            for future in pending:
                future.cancel()


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


def _draw(key, view_class, data, width, height, entries):
    import numpy as np

    if key not in _worker_views:
        _worker_views.clear()  # one render at a time: drop the views of earlier ones
        _worker_views[key] = view_class(data, width, height)
    view = _worker_views[key]
    return [np.array(view.frame(entry)) for entry in entries]
