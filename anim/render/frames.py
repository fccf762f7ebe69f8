"""Yields a view's frames in timeline order, drawn in this process or in worker processes."""

import multiprocessing
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from anim.errors import RenderError

FRAMES_PER_TASK = 4

_worker_view = None  # the view a worker process built once, by _start_worker


def frames(view_class, data, width, height, timeline, jobs=1):
    """Every frame of `timeline` as an RGBA array, in order, drawn by `jobs` processes.

    With one job the arrays are views of one canvas, valid until the next frame is drawn.
    Frames depend only on their timeline entry, so the pixels are the same for any `jobs`.
    """
    if jobs <= 1 or len(timeline) <= FRAMES_PER_TASK:
        view = view_class(data, width, height)
        for frame in timeline:
            yield view.frame(frame)
        return
    yield from _frames_in_workers(view_class, data, width, height, timeline, jobs)


def _frames_in_workers(view_class, data, width, height, timeline, jobs):
    chunks = [list(range(i, min(i + FRAMES_PER_TASK, len(timeline))))
              for i in range(0, len(timeline), FRAMES_PER_TASK)]
    # 'spawn' workers import matplotlib afresh: forking a process that has run torch is unsafe.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_start_worker,
                             initargs=(view_class, data, width, height)) as pool:
        pending = deque()
        next_chunk = 0
        try:
            while next_chunk < len(chunks) or pending:
                # Keep two tasks per worker in flight: enough to stay busy, memory bounded.
                while next_chunk < len(chunks) and len(pending) < 2 * jobs:
                    entries = [timeline.frame(i) for i in chunks[next_chunk]]
                    pending.append(pool.submit(_draw, entries))
                    next_chunk += 1
                try:
                    drawn = pending.popleft().result()
                except BrokenProcessPool as exc:
                    raise RenderError(
                        "a worker process drawing frames died (out of memory, killed, or started from "
                        "a script without `if __name__ == '__main__':`); try --jobs 1") from exc
                yield from drawn
        finally:
            for future in pending:
                future.cancel()


def _start_worker(view_class, data, width, height):
    global _worker_view
    _worker_view = view_class(data, width, height)


def _draw(entries):
    import numpy as np

    return [np.array(_worker_view.frame(entry)) for entry in entries]
