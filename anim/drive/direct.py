"""The render cache's direct mode (as ccache's): a scene file's render answered from the record of what
the last render of it read and wrote, checked before torch or matplotlib are imported."""

import hashlib
import json
import platform
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from anim.declare import reads
from anim.drive import progress
from anim.drive.result import Result
from anim.version import __version__
from anim.write import files
from anim.write.cache import direct_key
from anim.write.manifest import MANIFEST_FILE, FileRecord

# The packages whose release changes what a render draws or writes, read from their metadata (no import).
VERSIONED = ("torch", "numpy", "matplotlib", "imageio-ffmpeg", "pillow")


@dataclass(frozen=True)
class Named:
    """The scene as a render answered by the cache knows it, for progress.Started: its name and title."""

    name: str
    title: str


def versions():
    """optianim's, Python's and VERSIONED's versions, without importing any of them."""
    found = {"optianim": __version__, "python": platform.python_version()}
    for name in VERSIONED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def render(source, out_root, settings, report=progress.ignore, cache=None, allow_large=False, reserved=()):
    """anim.drive.pipeline.render, answered by `cache` (an anim.write.cache.Cache, or None) when
    `source` is a scene file whose last render with these settings and versions read exactly
    the bytes it would read now and whose files are still in place, unchanged: then nothing is
    imported, run or written. Otherwise the render runs, recording what it reads, and the cache
    keeps that record for the next. What the cache could not do is one progress.Notice.
    `allow_large` and `reserved` are pipeline.render's."""
    try:
        key = _key(source, out_root, settings) if cache is not None else None
        answered = key and _answer(cache, key, report)
        if answered:
            return answered
        from anim.drive import pipeline  # matplotlib now, and torch with the scene

        if key is None:
            return pipeline.render(source, out_root, settings, report, cache, allow_large, reserved)
        with reads.recording() as read:
            result = pipeline.render(source, out_root, settings, report, cache, allow_large, reserved)
        try:
            _remember(cache, key, Path(source), read, result)
        except (OSError, TypeError, ValueError) as exc:  # the render is done: only the next one is slower
            cache.spoiled(f"the render could not be recorded ({exc})")
        return result
    finally:
        for text in cache.notices if cache is not None else ():
            report(progress.Notice(text))


def _key(source, out_root, settings):
    if not isinstance(source, (str, Path)) or not Path(source).is_file():
        return None  # a Scene built in Python: keyed by what it computes (anim.write.cache.view_key) only
    return direct_key(source, out_root, settings, versions())


def _answer(cache, key, report):
    """The Result of the render `cache` recorded under `key`, if what it read and wrote is unchanged."""
    record = cache.answer(key)
    if record is None:
        return None
    try:
        if not reads.unchanged(record["inputs"]):
            return None
        folder = Path(record["folder"])
        written = [_file_record(entry) for entry in record["files"]]
        manifest = folder / MANIFEST_FILE
        if not all(_holds(path, sha256) for path, sha256 in [(r.path, r.sha256) for r in written]
                   + [(manifest, record["manifest_sha256"])]):
            return None  # a file was changed or removed: render again (the view cache may hold its frames)
        said = record["said"]
        result = Result(folder, written, json.loads(manifest.read_text()), masked=dict(said["masked"]),
                        removed_temps=files.clean_stale(folder),
                        starts_outside=[(i, tuple(point)) for i, point in said["starts_outside"]],
                        color_notes=list(said["color_notes"]), plane=said["plane"],
                        overlay_notes=list(said["overlay_notes"]), stops=[tuple(stop) for stop in said["stops"]],
                        swarms=int(said["swarms"]), reused=True)
        scene = Named(record["scene"]["name"], record["scene"]["title"])
    except OSError:
        return None
    except (KeyError, TypeError, ValueError, AttributeError):
        cache.spoiled("a render's record has the wrong shape")
        return None
    report(progress.Started(scene, folder))
    for file in written:
        report(progress.FileDone(file, reused=True))
    return result


def _remember(cache, key, scene_file, read, result):
    """Keep what the render read (the scene file always) and wrote, for `_answer`."""
    inputs = read.inputs(ignore=[result.folder, cache.folder])
    scene_file = str(scene_file.resolve())
    if not any(path == scene_file for _, path, _ in inputs):
        inputs.append(["bytes", scene_file, reads.sha256(scene_file)])
    manifest = result.folder / MANIFEST_FILE
    cache.remember(key, {
        "inputs": inputs,
        "folder": str(result.folder),
        "scene": {"name": result.manifest["scene"], "title": result.manifest["title"]},
        "files": [_file_entry(record) for record in result.files],
        "manifest_sha256": hashlib.sha256(manifest.read_bytes()).hexdigest(),
        "said": {"masked": {view: float(share) for view, share in result.masked.items()}, "starts_outside": [[i, [float(v) for v in point]]
                                                             for i, point in result.starts_outside],
                 "color_notes": list(result.color_notes), "plane": result.plane,
                 "overlay_notes": list(result.overlay_notes),
                 "stops": [[str(label), int(run), int(step), str(why)] for label, run, step, why in result.stops],
                 "swarms": int(result.swarms)},
    })


def _file_entry(record):
    return {"path": str(record.path), "view": record.view, "format": record.format, "bytes": record.bytes,
            "sha256": record.sha256, "frames": record.frames, "fps": record.fps, "width": record.width,
            "height": record.height, "duration": record.duration, "details": record.details}


def _file_record(entry):
    return FileRecord(Path(entry["path"]), entry["view"], entry["format"], int(entry["bytes"]), str(entry["sha256"]),
                      entry["frames"], entry["fps"], entry["width"], entry["height"], entry["duration"],
                      dict(entry["details"]))


def _holds(path, sha256):
    """Whether the file at `path` holds exactly the bytes whose hash is `sha256`."""
    try:
        return reads.sha256(path) == sha256
    except OSError:
        return False
