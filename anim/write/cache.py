"""The render cache: each view's files kept under a key of everything its frames are made of, reused
when a render would draw the same frames again; bounded in size, least recently used out first."""

import dataclasses
import functools
import hashlib
import json
import os
import shutil
import types
from pathlib import Path

import numpy as np

from anim.errors import UsageError
from anim.write import files
from anim.write.manifest import FileRecord

DEFAULT_MAX_BYTES = 2_000_000_000
# Settings that choose which files are made, not what a file holds: a view's files do not change
# with the other views or formats asked, nor with --jobs (the frames are byte-identical for any), nor
# with where explore.html's script lives or what a deck embeds.
NOT_IN_PIXELS = ("views", "formats", "jobs", "html_script", "pptx_media")
KEY_VERSION = 1  # bumped when the key's recipe changes


def default_folder():
    """$XDG_CACHE_HOME/optianim, else ~/.cache/optianim."""
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "optianim"


def view_key(view, camera_matters, data, timeline, scene, settings, versions):
    """The key of one view's frames: the hash of what reaches its pixels. `data` (the view's
    ViewData: the runs' points, the sampled surface mesh, labels, colours) and every field of
    `scene` and `settings` are walked generically, so a field added later counts without being
    listed here; `timeline` gives each frame's position and camera pose. A view that draws no
    camera (`camera_matters` False) is keyed without it, so moving the camera keeps it cached.
    `versions` names optianim, torch, numpy and matplotlib; the ffmpeg binary (path, size and
    time) and the hash of optianim's own source are added, so a new ffmpeg or an edited optianim
    never reuses files an older one made."""
    kept = {f.name: getattr(settings, f.name) for f in dataclasses.fields(settings) if f.name not in NOT_IN_PIXELS}
    if not camera_matters:
        timeline = dataclasses.replace(timeline, camera=None)
        data = dataclasses.replace(data, camera=None)
        scene = {f.name: getattr(scene, f.name) for f in dataclasses.fields(scene) if f.name != "camera"}
    hasher = hashlib.sha256()
    _feed(hasher, [KEY_VERSION, versions, _ffmpeg_identity(), _source_hash(), view, data, timeline, kept, scene],
          set())
    return hasher.hexdigest()


def _feed(hasher, value, seen):
    """Feed `value` into the hash by content: its type and, recursively, what it holds."""
    if value is None or isinstance(value, (bool, int, float, complex, str, bytes)):
        hasher.update(f"{type(value).__name__}:{value!r};".encode())
        return
    if isinstance(value, np.ndarray) or type(value).__name__ in ("Tensor", "Parameter"):
        array = np.ascontiguousarray(value.detach().cpu().numpy() if hasattr(value, "detach") else value)
        hasher.update(f"array:{array.dtype.str}:{array.shape};".encode())
        hasher.update(array.tobytes())
        return
    if isinstance(value, np.generic):
        return _feed(hasher, value.item(), seen)
    if id(value) in seen:  # a cycle: its place is marked, its content already fed
        hasher.update(b"cycle;")
        return
    seen = seen | {id(value)}
    kind = type(value)
    hasher.update(f"{kind.__module__}.{kind.__qualname__}(".encode())
    if isinstance(value, (list, tuple)):
        for item in value:
            _feed(hasher, item, seen)
    elif isinstance(value, (dict, types.MappingProxyType)):
        for key in sorted(value, key=repr):
            _feed(hasher, key, seen)
            _feed(hasher, value[key], seen)
    elif isinstance(value, (set, frozenset)):
        for item in sorted(value, key=repr):
            _feed(hasher, item, seen)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            _feed(hasher, [f.name, getattr(value, f.name)], seen)
    elif isinstance(value, functools.partial):
        _feed(hasher, [value.func, value.args, value.keywords], seen)
    elif isinstance(value, (type, types.FunctionType, types.BuiltinFunctionType, types.MethodType,
                            types.ModuleType)):
        # What a function or class computes reaches the frames through the runs and the mesh;
        # its name only tells two apart (never its module: a scene file loads under a new one each time).
        hasher.update(getattr(value, "__qualname__", getattr(value, "__name__", "")).encode())
    elif hasattr(value, "__dict__") or hasattr(kind, "__slots__"):
        state = dict(vars(value)) if hasattr(value, "__dict__") else {}
        for slot in getattr(kind, "__slots__", ()):
            if hasattr(value, slot):
                state[slot] = getattr(value, slot)
        _feed(hasher, state, seen)
    else:
        hasher.update(repr(value).encode())
    hasher.update(b");")


def _ffmpeg_identity():
    """The ffmpeg binary the encoder runs, as path, size and modification time (not run: cheap)."""
    import imageio_ffmpeg

    try:
        path = imageio_ffmpeg.get_ffmpeg_exe()
        stat = os.stat(path)
    except (OSError, RuntimeError):
        return None
    return [path, stat.st_size, stat.st_mtime_ns]


@functools.lru_cache(maxsize=1)
def _source_hash():
    """optianim's source as this process imported it (an edit on disk later runs in a new process)."""
    hasher = hashlib.sha256()
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        hasher.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return hasher.hexdigest()


class Cache:
    """Files kept in `folder` as <key>.<format> beside <key>.<format>.json (what the manifest
    records of the file, with its sha256), at most `max_bytes` in all."""

    @classmethod
    def chosen(cls, option):
        """The Cache that anim.render's `cache` keyword asks for: True the default one, a folder
        that one, a Cache itself; None for False (or None)."""
        if option is True:
            return cls()
        if option is False or option is None:
            return None
        if isinstance(option, Cache):
            return option
        if isinstance(option, (str, Path)):
            return cls(option)
        raise UsageError(f"cache: got {option!r}; use True, False or a folder")

    def __init__(self, folder=None, max_bytes=DEFAULT_MAX_BYTES):
        self.folder = Path(folder) if folder is not None else default_folder()
        self.max_bytes = max_bytes

    def _paths(self, key, format):
        entry = self.folder / key[:2] / f"{key}.{format}"
        return entry, entry.with_name(entry.name + ".json")

    def reuse(self, key, view, formats, folder):
        """(temporary path, FileRecord) of each format, copied from the cache beside its final
        path in `folder`, if the cache holds every one whole; else None."""
        copied = []
        try:
            for format in formats:
                entry, facts_path = self._paths(key, format)
                facts = json.loads(facts_path.read_text())
                final = folder / f"{view}.{format}"
                temp = files.temp_path(final)
                copied.append((temp, None))
                shutil.copyfile(entry, temp)
                files.fsync(temp)  # as durable as a file drawn now before it is renamed into place
                record = FileRecord.of(temp, final, view, format, **facts["facts"])
                if record.sha256 != facts["sha256"]:  # damaged in the cache: draw again
                    raise ValueError(entry)
                copied[-1] = (temp, record)
                os.utime(entry)  # recently used
        except (OSError, ValueError, KeyError):
            files.discard(*(temp for temp, _ in copied))
            return None
        return copied

    def store(self, key, finished):
        """Keep copies of a view's finished (temporary path, FileRecord) files under `key`, then trim."""
        for temp, record in finished:
            entry, facts_path = self._paths(key, record.format)
            try:
                entry.parent.mkdir(parents=True, exist_ok=True)
                part = files.temp_path(entry)
                shutil.copyfile(temp, part)
                files.commit(part, entry)
                facts = {k: getattr(record, k) for k in ("frames", "fps", "width", "height", "duration")
                         if getattr(record, k) is not None}
                files.write_bytes(facts_path, json.dumps({"sha256": record.sha256,
                                                          "facts": {**facts, **record.details}}).encode())
            except OSError:  # a cache that cannot be written only costs time
                files.discard(entry)
        self.trim()

    def entries(self):
        """(path, bytes, last used) of every cached file and facts file."""
        found = []
        for path in self.folder.glob("*/*"):
            try:
                stat = path.stat()
            except OSError:
                continue
            found.append((path, stat.st_size, stat.st_mtime))
        return found

    def trim(self):
        """Remove the least recently used files until the cache holds at most max_bytes."""
        entries = [e for e in self.entries() if not e[0].name.endswith(".json")]
        total = sum(size for _, size, _ in entries)
        for path, size, _ in sorted(entries, key=lambda e: e[2]):
            if total <= self.max_bytes:
                break
            files.discard(path, path.with_name(path.name + ".json"))
            total -= size

    def clear(self):
        """Remove everything cached; return the bytes freed."""
        freed = sum(size for _, size, _ in self.entries())
        if self.folder.is_dir():
            shutil.rmtree(self.folder, ignore_errors=True)
        return freed
