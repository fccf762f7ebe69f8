"""One scene of a batch, here or on a Dask worker: how it is rendered and reported (its Outcome,
and the events a batch's progress callback receives)."""

import time
from dataclasses import dataclass
from pathlib import Path

from anim.drive import direct
from anim.drive.settings import from_keywords
from anim.errors import AnimError

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


# The events a batch's progress callback receives (the CLI prints them).
@dataclass(frozen=True)
class Planned:
    """The batch's scene files, and how many render at once with how many frame workers each
    (None for a Dask cluster, whose workers decide); the files it skipped, and why."""

    scene_files: list
    at_once: int = None
    frame_jobs: int = None
    skipped: list = ()  # (path, why) of each file of the folders given that is no scene file


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


def render_scene(path, out_root, options, jobs, report, label=None, worker=None, reserved=()):
    """Render one scene as anim.render would with the keywords `options`; its Outcome. `label`
    names the scene in events, the outcome and its error (default: the path); its folder may
    not be one of the names in `reserved`."""
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

    from anim.write.cache import Cache  # here: a batch's own process, which renders nothing, never imports it

    try:
        keywords = {name: value for name, value in options.items() if name not in ("cache", "debug", "allow_large")}
        result = direct.render(Path(path), Path(out_root), from_keywords(jobs=jobs, **keywords), forward,
                               Cache.chosen(options.get("cache", True)), options.get("allow_large", False), reserved)
    except AnimError as exc:
        named = str(exc).startswith((label, str(path)))
        error = str(exc) if named else f"{label}: {exc}"  # each line of a batch names its scene
    except MemoryError as exc:
        error = f"{label}: ran out of memory (MemoryError{': ' + str(exc) if str(exc) else ''}); render it alone " \
                "to see where, with fewer start points, steps or pixels"
    except Exception as exc:  # a bug in optianim: one line; the scene alone with --debug shows the traceback
        error = f"{label}: internal error: {type(exc).__name__}: {exc} (render the scene alone with --debug for details)"
    else:
        return Outcome(label, "ok", _since(started), result.folder.name, result.manifest["scene"],
                       result.manifest["title"], worker=worker)
    return Outcome(label, "failed", _since(started), error=error, worker=worker)


def _since(started):
    return round(time.perf_counter() - started, 3)
