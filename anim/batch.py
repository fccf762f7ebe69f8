"""Renders many scenes at once (files and folders) in worker processes here, or on a Dask cluster
(anim.cluster); reports each scene as it goes and writes batch.json and index.html at the output root."""

import html
import multiprocessing
import os
import queue
import signal
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path

from anim import __version__, files
from anim.errors import AnimError

BATCH_FILE = "batch.json"
INDEX_FILE = "index.html"
FRAME_EVENTS_PER_VIEW = 20  # a scene's progress line moves in 5 % steps: enough, and few messages


@dataclass(frozen=True)
class Outcome:
    """How one scene of a batch ended: `status` "ok" (its files are in out/<folder>/) or "failed"
    (`error`, the one line a render alone would print). `worker` is the Dask worker, if any."""

    scene_file: str
    status: str
    seconds: float
    folder: str = None
    name: str = None
    title: str = None
    error: str = None
    worker: str = None

    @property
    def ok(self):
        return self.status == "ok"

    @property
    def manifest(self):
        return f"{self.folder}/manifest.json" if self.ok else None


@dataclass
class Batch:
    """What render_many did: an Outcome per scene in the order given, the batch.json and
    index.html it wrote at the output root, the notices (version differences) and the time."""

    outcomes: list
    root: Path
    seconds: float
    notices: list = field(default_factory=list)

    @property
    def failed(self):
        return [o for o in self.outcomes if not o.ok]

    @property
    def batch_file(self):
        return self.root / BATCH_FILE

    @property
    def index_file(self):
        return self.root / INDEX_FILE


# The events a batch's progress callback receives (the CLI prints them).
@dataclass(frozen=True)
class Planned:
    """The batch's scene files, and how many render at once with how many frame workers each
    (None for a Dask cluster, whose workers decide)."""

    scene_files: list
    at_once: int = None
    frame_jobs: int = None


@dataclass(frozen=True)
class SceneStarted:
    scene_file: str
    worker: str = None


@dataclass(frozen=True)
class SceneFrames:
    """Frame `done` of `total` of a scene's `view` is drawn (sent in steps, not every frame)."""

    scene_file: str
    view: str
    done: int
    total: int


@dataclass(frozen=True)
class SceneFinished:
    outcome: Outcome


@dataclass(frozen=True)
class Notice:
    """Something the user must know about the whole batch, such as versions that differ on a worker."""

    text: str


def scene_files(paths):
    """The scene files of `paths`: a file as it is, a folder's scene files (as `optianim list`
    finds them), each once. A path that is no scene file fails later as that scene, with the
    loader's message."""
    from anim import library

    found = []
    for path in map(Path, paths):
        if path.is_dir():
            inside = library.scene_paths(path)
            if not inside:
                raise AnimError(f"{path}: a folder with no scene files (*.py)")
            found += inside
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def plan_jobs(jobs, scenes):
    """(scenes rendered at once, frame workers each) for `jobs` processes in all (0/None: one per
    core): as many scenes at once as there are jobs, and the jobs left over, when scenes are
    fewer, shared among them for 3-D frames, so the processes drawing never exceed `jobs`."""
    total = jobs or cores()
    at_once = max(1, min(total, scenes))
    return at_once, max(1, total // at_once)


def cores():
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def render_many(paths, out_root, options, jobs=None, scheduler=None, report=None):
    """Render every scene of `paths` into out_root with the api.render keywords `options`; here
    (`jobs` processes in all) or on the Dask cluster at `scheduler`. Returns the Batch; a failed
    scene is an Outcome, not an exception."""
    report = report or (lambda event: None)
    started = time.perf_counter()
    scenes = scene_files(paths)
    if not scenes:
        raise AnimError("no scene files given")
    out_root = Path(out_root)
    notices = []

    def reporting(event):
        if isinstance(event, Notice):
            notices.append(event.text)
        report(event)

    if scheduler:
        from anim import cluster

        report(Planned([str(p) for p in scenes]))
        outcomes = cluster.render(scenes, out_root, options, scheduler, reporting)
    else:
        outcomes = _render_here(scenes, out_root, options, jobs, reporting)
    outcomes = _same_folder_refused(outcomes)
    batch = Batch(outcomes, out_root, round(time.perf_counter() - started, 3), notices)
    write_batch(batch, scheduler, options.get("theme") or "light")
    return batch


def render_scene(path, out_root, options, jobs, report, label=None, worker=None):
    """Render one scene with api.render; its Outcome. `label` names the scene in events, the
    outcome and its error (default: the path)."""
    from anim import api

    label = str(path) if label is None else label
    started = time.perf_counter()
    report(SceneStarted(label, worker))
    last = {}

    def forward(event):
        done, total = getattr(event, "done", None), getattr(event, "total", None)
        if done is None:
            return
        step = -(-total // FRAME_EVENTS_PER_VIEW)
        if done == total or done - last.get(event.view, 0) >= step:
            last[event.view] = done
            report(SceneFrames(label, event.view, done, total))

    try:
        result = api.render(path, out_root, jobs=jobs, progress=forward, **options)
    except AnimError as exc:
        error = str(exc)
    except Exception as exc:  # a bug in optianim: one line; the scene alone with --debug shows the traceback
        error = f"internal error: {type(exc).__name__}: {exc} (render the scene alone with --debug for details)"
    else:
        return Outcome(label, "ok", _since(started), result.folder.name, result.manifest["scene"],
                       result.manifest["title"], worker=worker)
    return Outcome(label, "failed", _since(started), error=error, worker=worker)


def _since(started):
    return round(time.perf_counter() - started, 3)


def _render_here(scenes, out_root, options, jobs, report):
    """The scenes rendered on this machine: one after the other in this process when only one
    runs at a time, else in worker processes, each with its share of the jobs for 3-D frames."""
    at_once, frame_jobs = plan_jobs(jobs, len(scenes))
    report(Planned([str(p) for p in scenes], at_once, frame_jobs))
    if at_once == 1:
        outcomes = []
        for path in scenes:
            outcomes.append(render_scene(path, out_root, options, frame_jobs, report))
            report(SceneFinished(outcomes[-1]))
        return outcomes
    context = multiprocessing.get_context("spawn")  # as for frames: forking after torch is unsafe
    events = context.Queue()
    pool = ProcessPoolExecutor(at_once, mp_context=context, initializer=_start_scene_worker,
                               initargs=(events, os.getpid()))
    outcomes = {}
    try:
        pending = {pool.submit(_render_in_worker, path, out_root, options, frame_jobs): path for path in scenes}
        while pending:
            done, _ = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
            _drain(events, report)
            for future in done:
                path = pending.pop(future)
                try:
                    outcomes[path] = future.result()
                except Exception as exc:  # the worker process died (killed, out of memory)
                    outcomes[path] = Outcome(str(path), "failed", 0.0,
                                             error=f"{path}: the process rendering it died ({type(exc).__name__}); "
                                                   "its folder is unchanged")
                report(SceneFinished(outcomes[path]))
    except BaseException:
        # Ctrl-C or SIGTERM: stop the scene workers now. A render they leave unfinished changed no
        # file (its temporaries are removed by the next render of that scene).
        for process in list((pool._processes or {}).values()):
            process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return [outcomes[path] for path in scenes]


_events = None  # in a scene worker process: the queue its progress goes to


def _start_scene_worker(events, parent):
    """Ctrl-C is for the main process, which stops the workers; a worker whose main process was
    killed outright exits instead of rendering on."""
    global _events
    _events = events
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def exit_when_orphaned():
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=exit_when_orphaned, daemon=True).start()


def _render_in_worker(path, out_root, options, frame_jobs):
    return render_scene(path, out_root, options, frame_jobs, _events.put)


def _drain(events, report):
    while True:
        try:
            event = events.get_nowait()
        except queue.Empty:
            return
        report(event)


def _same_folder_refused(outcomes):
    """Two scene files with one scene name write one folder: the later one is reported failed."""
    first = {}
    checked = []
    for outcome in outcomes:
        if outcome.ok and outcome.folder in first:
            outcome = Outcome(outcome.scene_file, "failed", outcome.seconds, error=(
                f"{outcome.scene_file}: its scene name {outcome.name!r} is also that of {first[outcome.folder]}; "
                f"both wrote {outcome.folder}/: give each scene its own name"), worker=outcome.worker)
        elif outcome.ok:
            first[outcome.folder] = outcome.scene_file
        checked.append(outcome)
    return checked


def write_batch(batch, scheduler, theme):
    """batch.json and index.html at the output root, each written atomically."""
    from anim.manifest import json_bytes

    document = {
        "optianim": __version__,
        "scheduler": scheduler or None,
        "seconds": batch.seconds,
        "failed": len(batch.failed),
        "notices": batch.notices,
        "scenes": [{**asdict(o), "manifest": o.manifest} for o in batch.outcomes],
    }
    try:
        batch.root.mkdir(parents=True, exist_ok=True)
        files.write_bytes(batch.batch_file, json_bytes(document))
        files.write_bytes(batch.index_file, index_page(batch, theme).encode())
    except OSError as exc:
        raise AnimError(f"cannot write {exc.filename or batch.root}: {exc.strerror or exc}") from exc


def index_page(batch, theme="light"):
    """The output root's page: a link to every scene's preview page, and each failure's message."""
    from anim.page import COLORS, STYLE

    rows = []
    for o in batch.outcomes:
        e = lambda text: html.escape(str(text), quote=True)  # noqa: E731
        if o.ok:
            cell = f'<a href="{e(o.folder)}/index.html">{e(o.title or o.name)}</a>'
            status = "ok"
        else:
            cell, status = e(o.scene_file), f"failed: {e(o.error)}"
        rows.append(f"<tr><td>{cell}</td><td>{e(o.scene_file)}</td><td>{o.seconds:.1f} s</td>"
                    f"<td>{status}</td></tr>")
    done = len(batch.outcomes) - len(batch.failed)
    return ("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<title>optianim batch</title>\n"
            f"<style>{STYLE % COLORS[theme]}</style>\n</head>\n<body>\n<h1>optianim batch</h1>\n"
            f"<p class=\"meta\">{done} of {len(batch.outcomes)} scenes rendered in {batch.seconds:.1f} s "
            f"(<a href=\"{BATCH_FILE}\">{BATCH_FILE}</a>)</p>\n<table>\n"
            "<tr><th>scene</th><th>file</th><th>time</th><th>status</th></tr>\n"
            + "\n".join(rows) + "\n</table>\n</body>\n</html>\n")
