"""Renders a batch's scenes on a Dask cluster (the `dask` extra): ships each scene's source and the
local modules it imports, renders it in a worker's temporary folder, commits the returned files here."""

import ast
import importlib.metadata
import json
import os
import platform
import queue
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

from anim.drive.outcome import Notice, Outcome, SceneFinished, SceneFrames, SceneStarted, render_scene
from anim.errors import AnimError, SceneError
from anim.version import __version__
from anim.write import files
from anim.write.manifest import MANIFEST_FILE, json_bytes

TOPIC = "optianim-progress"
COMPARED = ("torch", "numpy", "matplotlib", "imageio-ffmpeg")
CONNECT_SECONDS = 20
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


def render(scenes, out_root, options, scheduler, report):
    """Render `scenes` on the cluster at `scheduler`; their Outcomes, in order. Each scene's
    files are committed into out_root as its worker returns them, all at once or none."""
    try:
        import distributed
    except ImportError:
        raise AnimError("--scheduler needs Dask's distributed package: pip install 'optianim[dask]'") from None
    try:
        client = distributed.Client(scheduler, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise AnimError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    with client:
        events = queue.Queue()
        client.subscribe_topic(TOPIC, lambda event: events.put(event[1]))
        here, told = versions(), set()
        outcomes, futures = {}, {}
        try:
            for path in scenes:
                try:
                    shipping = package(path) if path.suffix == ".py" and path.is_file() else None
                except OSError as exc:
                    shipping, outcomes[path] = None, Outcome(str(path), "failed", 0.0,
                                                             error=f"cannot read {exc.filename}: {exc.strerror}")
                if path in outcomes:
                    report(SceneFinished(outcomes[path]))
                elif shipping is None:  # no .py file: the loader's own message, without a worker
                    outcomes[path] = _refused_here(path)
                    report(SceneFinished(outcomes[path]))
                else:
                    key = f"optianim-{path.stem}-{uuid.uuid4().hex[:8]}"
                    futures[client.submit(render_package, shipping, options, key=key, pure=False)] = path
            while futures:
                _forward(events, report)
                for future in [f for f in futures if f.done()]:
                    path = futures.pop(future)
                    outcome = _collected(future, path, out_root, here, told, report)
                    outcomes[path] = outcome
                    report(SceneFinished(outcome))
                time.sleep(0.05)
            _forward(events, report)
        finally:
            if futures:  # interrupted: nothing more to render
                client.cancel(list(futures))
    return [outcomes[path] for path in scenes]


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
        for name, data in contents.items():
            pairs.append((files.write_temp(folder / name, data), folder / name))
        files.commit_all(pairs)
    except BaseException:
        files.discard(*(temp for temp, _ in pairs))
        raise


def render_package(shipping, options):
    """On a worker: write the scene and its modules into a temporary folder, render there (one
    scene at a time per worker process, frames drawn in it), return the files. Messages and the
    manifest name the scene file as the client knows it."""
    from distributed import get_worker

    worker = get_worker()
    with _one_scene_at_a_time, tempfile.TemporaryDirectory(prefix="optianim-") as temp:
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

        outcome = render_scene(scene_path, Path(temp) / "out", options, 1, report, shipping.scene_file,
                               worker.address)
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
