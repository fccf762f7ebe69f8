"""Renders a batch's scenes on a Dask cluster (the `dask` extra): ships each scene's source and the
local modules it imports, renders it in a worker's temporary folder, commits the returned files here."""

import ast
import contextlib
import importlib.metadata
import json
import logging
import multiprocessing
import os
import platform
import queue
import threading
import time
import uuid
import warnings
from dataclasses import dataclass, replace
from pathlib import Path

from anim.declare.scene import one_line
from anim.drive.outcome import Notice, Outcome, SceneFinished, SceneFrames, SceneStarted, render_scene
from anim.drive.settings import SCHEDULER_TIMEOUT
from anim.errors import AnimError, SceneError, UsageError
from anim.version import __version__
from anim.write import files
from anim.write.manifest import MANIFEST_FILE, json_bytes

TOPIC = "optianim-progress"
COMPARED = ("torch", "numpy", "matplotlib", "imageio-ffmpeg")
_one_scene_at_a_time = threading.Lock()  # in a worker: matplotlib, sys.path and the loader are per process


@dataclass(frozen=True)
class Package:
    """What a worker needs to render a scene file: its text and the local modules it imports
    (path relative to the scene's folder -> text; the scene file first), and its name here."""

    scene_file: str
    texts: dict


@dataclass(frozen=True)
class Shipped:
    """What comes back from a worker: the outcome, the finished files (name -> bytes, the
    manifest last) and the worker's versions."""

    outcome: Outcome
    files: dict
    versions: dict


def package(path):
    """The scene file's text and the .py modules of its folder that it imports, directly or
    through each other (`import helpers`, `from helpers import x`; a package folder whole),
    found by reading the import statements, not by running the file."""
    path = Path(path)
    folder = path.parent
    texts = {path.name: path.read_text()}
    todo = [path.name]
    while todo:
        for relative in _local_imports(folder / todo.pop(), folder):
            if relative not in texts:
                texts[relative] = (folder / relative).read_text()
                todo.append(relative)
    return Package(str(path), texts)


def _local_imports(path, folder):
    try:
        tree = ast.parse(path.read_text())
    except (SyntaxError, ValueError):
        return []  # the worker's loader reports it, as here
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    found = []
    for top in dict.fromkeys(name.partition(".")[0] for name in names):
        if (folder / f"{top}.py").is_file():
            found.append(f"{top}.py")
        elif (folder / top / "__init__.py").is_file():
            found += [p.relative_to(folder).as_posix() for p in sorted((folder / top).rglob("*.py"))]
    return found


def versions():
    """What makes a render's bytes: Python, optianim and the packages that draw and encode."""
    found = {"python": platform.python_version(), "optianim": __version__}
    for name in COMPARED:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = None
    return found


def render(scenes, out_root, options, scheduler, report, timeout=None, finished=None, scene_timeout=None):
    """Render `scenes` on the cluster at `scheduler` (see `reach`); their Outcomes, in order,
    also put into `finished` (index -> Outcome) as they end. Each scene's files are committed
    into out_root as its worker returns them, all at once or none. Dask's own log lines are kept
    out of the terminal unless options["debug"]."""
    import distributed

    timeout = timeout or SCHEDULER_TIMEOUT
    finished = {} if finished is None else finished
    with _dask_quiet(options.get("debug", False)):
        try:
            client = distributed.Client(scheduler, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise AnimError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        with client:
            _render_on(client, scenes, out_root, options, report, finished, scene_timeout)
    return [finished[index] for index in range(len(scenes))]


def reach(scheduler, timeout=None):
    """Connect to `scheduler` and ask who it is, all within `timeout` seconds (in a thread of its
    own, so that it works where an event loop already runs, as in a notebook): a UsageError for
    an address that is no Dask address, an AnimError for one that does not answer, or not as a
    Dask scheduler, or when Dask is not installed."""
    import asyncio

    try:
        import distributed.comm
    except ImportError:
        raise AnimError("--scheduler needs Dask's distributed package: pip install 'optianim[dask]'") from None
    timeout = timeout or SCHEDULER_TIMEOUT

    async def ask():
        comm = await distributed.comm.connect(scheduler, timeout=timeout)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    answer = {}

    def run():
        try:
            answer["identity"] = asyncio.run(asyncio.wait_for(ask(), timeout))
        except BaseException as exc:  # noqa: BLE001 (reported below, in the caller's thread)
            answer["error"] = exc

    thread = threading.Thread(target=run, daemon=True, name="optianim-dask-probe")
    thread.start()
    thread.join(timeout + 1)
    error, identity = answer.get("error"), answer.get("identity")
    where = f"the Dask scheduler at {scheduler}"
    if isinstance(error, ValueError):  # (the parser's: missing port, unknown scheme)
        raise UsageError(f"scheduler: {scheduler!r} is not a Dask address ({error}); give tcp://HOST:PORT")
    if thread.is_alive() or isinstance(error, (asyncio.TimeoutError, TimeoutError)):
        raise AnimError(f"cannot reach {where}: no answer within {timeout:g} s (--scheduler-timeout)")
    if isinstance(error, OSError):
        raise AnimError(f"cannot reach {where}: {one_line(error)}")
    if error is not None or not isinstance(identity, dict) or identity.get("type") != "Scheduler":
        what = f"a Dask {identity['type']}" if isinstance(identity, dict) and "type" in identity else "something else"
        raise AnimError(f"{scheduler} answers, but as {what}, not as a Dask scheduler; give the scheduler's address "
                        "(tcp://HOST:8786 by default)")


@contextlib.contextmanager
def _dask_quiet(debug):
    """Dask's own log lines (and its warnings) stay out of the terminal, unless `debug`."""
    if debug:
        yield
        return
    handlers = [handler for name, logger in list(logging.Logger.manager.loggerDict.items())
                if isinstance(logger, logging.Logger) and name.partition(".")[0] in ("distributed", "tornado", "bokeh")
                for handler in logger.handlers]
    levels = [handler.level for handler in handlers]
    for handler in handlers:
        handler.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", module="distributed")
            yield
    finally:
        for handler, level in zip(handlers, levels):
            handler.setLevel(level)


def _render_on(client, scenes, out_root, options, report, outcomes, scene_timeout):
    """The scenes rendered on the cluster of `client`; their Outcomes into `outcomes` (by index)."""
    events = queue.Queue()
    client.subscribe_topic(TOPIC, lambda event: events.put(event[1]))
    here, told = versions(), set()
    futures = {}
    try:
        for index, path in enumerate(scenes):
            try:
                shipping = package(path) if path.suffix == ".py" and path.is_file() else None
            except OSError as exc:
                outcomes[index] = Outcome(str(path), "failed", 0.0, error=f"cannot read {exc.filename}: {exc.strerror}")
                report(SceneFinished(outcomes[index]))
                continue
            if shipping is None:  # no .py file: the loader's own message, without a worker
                outcomes[index] = _refused_here(path)
                report(SceneFinished(outcomes[index]))
                continue
            key = f"optianim-{path.stem}-{uuid.uuid4().hex[:8]}"
            futures[client.submit(render_package, shipping, options, scene_timeout, key=key, pure=False)] = index
        while futures:
            _forward(events, report)
            for future in [f for f in futures if f.done()]:
                index = futures.pop(future)
                outcomes[index] = _collected(future, scenes[index], out_root, here, told, report)
                report(SceneFinished(outcomes[index]))
            time.sleep(0.05)
        _forward(events, report)
    finally:
        if futures:  # interrupted: nothing more to render
            client.cancel(list(futures))


def _refused_here(path):
    from anim.declare.loader import load_scene

    try:
        load_scene(path)
    except SceneError as exc:
        return Outcome(str(path), "failed", 0.0, error=str(exc))
    raise AssertionError(f"{path} loaded though it is no .py file")


def _forward(events, report):
    while True:
        try:
            message = events.get_nowait()
        except queue.Empty:
            return
        if message.get("event") == "started":
            report(SceneStarted(message["scene_file"], message["worker"]))
        else:
            report(SceneFrames(message["scene_file"], message["view"], message["done"], message["total"]))


def _collected(future, path, out_root, here, told, report):
    """The outcome of a finished future, its files committed into out_root."""
    from distributed import KilledWorker

    try:
        shipped = future.result()
    except KilledWorker:
        return Outcome(str(path), "failed", 0.0, error=(
            f"{path}: the Dask workers rendering it died, each time it was tried (out of memory?); "
            "see the workers' logs; its folder is unchanged"))
    except ModuleNotFoundError as exc:
        return Outcome(str(path), "failed", 0.0, error=(
            f"{path}: a Dask worker cannot import {exc.name}: install optianim {__version__} there"))
    except Exception as exc:
        return Outcome(str(path), "failed", 0.0, error=f"{path}: the Dask worker failed: {type(exc).__name__}: {exc}")
    outcome = shipped.outcome
    differ = [f"{name} {shipped.versions.get(name)} (here {version})"
              for name, version in here.items() if shipped.versions.get(name) != version]
    if differ and outcome.worker not in told:
        told.add(outcome.worker)
        report(Notice(f"worker {outcome.worker} has " + ", ".join(differ)
                      + ": its files may differ from a render here"))
    if not outcome.ok:
        return outcome
    try:
        _commit(Path(out_root) / outcome.folder, shipped.files)
    except OSError as exc:
        return replace(outcome, status="failed",
                       error=f"cannot write {exc.filename or out_root}: {exc.strerror or exc}")
    return outcome


def _commit(folder, contents):
    """Write the files under temporary names in `folder`, then rename them all into place."""
    folder.mkdir(parents=True, exist_ok=True)
    files.clean_stale(folder)
    pairs = []
    try:
        with files.locked(folder):
            for name, data in contents.items():
                pairs.append((files.write_temp(folder / name, data), folder / name))
            files.commit_all(pairs)
    except BaseException:
        files.discard(*(temp for temp, _ in pairs))
        raise


def render_package(shipping, options, scene_timeout=None):
    """On a worker: write the scene and its modules into a temporary folder, render there (one
    scene at a time per worker process, frames drawn in one process), return the files.
    Messages and the manifest name the scene file as the client knows it. The scene renders in
    a fresh process of its own (anim.drive.isolation), so one that dies or runs past
    `scene_timeout` costs neither the worker nor other scenes; where the worker may not start
    processes (a nanny's daemonic worker), in the worker itself, Dask retrying it elsewhere."""
    from distributed import get_worker

    worker = get_worker()
    with _one_scene_at_a_time, files.scratch_folder() as temp:
        source = Path(temp) / "scene"
        for relative, text in shipping.texts.items():
            (source / relative).parent.mkdir(parents=True, exist_ok=True)
            (source / relative).write_text(text)
        scene_path = source / next(iter(shipping.texts))

        def report(event):
            if isinstance(event, SceneStarted):
                worker.log_event(TOPIC, {"event": "started", "scene_file": event.scene_file, "worker": event.worker})
            elif isinstance(event, SceneFrames):
                worker.log_event(TOPIC, {"event": "frames", "scene_file": event.scene_file, "view": event.view,
                                         "done": event.done, "total": event.total})

        if multiprocessing.current_process().daemon:
            outcome = render_scene(scene_path, Path(temp) / "out", options, 1, report, shipping.scene_file,
                                   worker.address)
        else:
            from anim.drive import isolation

            task = isolation.Task(str(scene_path), str(Path(temp) / "out"), options, 1, label=shipping.scene_file,
                                  worker=worker.address)
            outcome, = isolation.run([task], 1, report, scene_timeout)
        if not outcome.ok:
            here = str(Path(shipping.scene_file).parent)
            error = outcome.error.replace(str(scene_path), shipping.scene_file).replace(
                str(source) + os.sep, "" if here == "." else here + os.sep)
            return Shipped(replace(outcome, error=error), {}, versions())
        folder = Path(temp) / "out" / outcome.folder
        contents = {p.name: p.read_bytes() for p in sorted(folder.iterdir())
                    if p.is_file() and p.name != MANIFEST_FILE and not p.name.startswith(".")}
        manifest = json.loads((folder / MANIFEST_FILE).read_text())
        manifest["scene_file"] = shipping.scene_file  # as a render of that path here records it
        contents[MANIFEST_FILE] = json_bytes(manifest)  # last: a folder with a manifest is complete
        return Shipped(outcome, contents, versions())
