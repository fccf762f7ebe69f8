"""The render cache: each view's files kept under a key of everything its frames are made of, and
each render's record of what it read (the direct mode: a render answered before torch loads);
bounded in size, least recently used out first; never the reason a render fails."""

import dataclasses
import functools
import hashlib
import json
import os
import shutil
import types
from pathlib import Path

from anim.errors import CacheError, UsageError
from anim.write import files
from anim.write.manifest import FileRecord

DEFAULT_MAX_MB = 500
MAX_MB_VARIABLE = "OPTIANIM_CACHE_MB"  # the cache's bound in MB, if not the default
# Settings that choose which files are made, not what a file holds: a view's files do not change
# with the other views or formats asked, nor with --jobs (the frames are byte-identical for any), nor
# with where explore.html's script lives or what a deck embeds.
NOT_IN_PIXELS = ("views", "formats", "jobs", "html_script", "pptx_media")
KEY_VERSION = 2  # bumped when a key's recipe or an entry's layout changes
VIEWS, DIRECT = "views", "direct"  # the cache's two kinds of entry, a folder each


def default_folder():
    """$XDG_CACHE_HOME/optianim, else ~/.cache/optianim."""
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "optianim"


def default_max_bytes():
    """The bound: $OPTIANIM_CACHE_MB megabytes, else DEFAULT_MAX_MB; UsageError for a bad value."""
    given = os.environ.get(MAX_MB_VARIABLE)
    if not given:
        return DEFAULT_MAX_MB * 1_000_000
    try:
        megabytes = float(given)
    except ValueError:
        megabytes = -1
    if not megabytes >= 0:
        raise UsageError(f"{MAX_MB_VARIABLE}: got {given!r}; use a number of megabytes >= 0 (0 keeps nothing)")
    return int(megabytes * 1_000_000)


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
    _feed(hasher, [KEY_VERSION, versions, _ffmpeg_identity(), source_hash(), view, data, timeline, kept, scene],
          set())
    return hasher.hexdigest()


def direct_key(scene_file, out_root, settings, versions):
    """The key of a whole render in the direct mode, known before the scene runs: the scene file's
    path, the output root, every setting but --jobs, `versions` (installed packages, read from
    their metadata), the ffmpeg binary and optianim's source. Its entry records what the last
    render read (anim.declare.reads), to be checked before it is trusted."""
    kept = {f.name: getattr(settings, f.name) for f in dataclasses.fields(settings) if f.name != "jobs"}
    recipe = [KEY_VERSION, DIRECT, str(Path(scene_file).resolve()), str(Path(out_root).resolve()), kept, versions,
              _ffmpeg_identity(), source_hash()]
    return hashlib.sha256(json.dumps(recipe, sort_keys=True, default=repr).encode()).hexdigest()


def _feed(hasher, value, seen):
    """Feed `value` into the hash by content: its type and, recursively, what it holds."""
    import numpy as np  # here, not at import: the direct mode answers without numpy's arrays

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
def source_hash():
    """optianim's source as this process imported it (an edit on disk later runs in a new process)."""
    hasher = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*.py")):
        hasher.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return hasher.hexdigest()


@dataclasses.dataclass(frozen=True)
class Info:
    """What `optianim cache info` shows: where the cache is, what it holds, its bound."""

    folder: Path
    bytes: int
    views: int      # view entries (a view's files in one set of formats)
    renders: int    # direct-mode records
    max_bytes: int


class Cache:
    """Files kept in `folder`: views/<key[:2]>/<key>.<format> beside <key>.<format>.json (what the
    manifest records of the file, with its sha256), and direct/<key[:2]>/<key>.json (a render's
    record: what it read, what it wrote), at most `max_bytes` in all.

    Nothing here fails a render: a cache that cannot be read or written, or holds something
    damaged or of the wrong shape, is a miss, and `notices` gets one line saying so."""

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

    def __init__(self, folder=None, max_bytes=None):
        self.folder = Path(folder) if folder is not None else default_folder()
        self.max_bytes = default_max_bytes() if max_bytes is None else max_bytes
        self.notices = []  # at most one line: the first problem met (the others are alike)

    def _trouble(self, what, exc=None):
        if not self.notices:
            reason = f" ({exc.strerror or exc})" if isinstance(exc, OSError) else f" ({exc})" if exc else ""
            self.notices.append(f"render cache {self.folder}: {what}{reason}; rendering without it")

    def _paths(self, key, format):
        entry = self.folder / VIEWS / key[:2] / f"{key}.{format}"
        return entry, entry.with_name(entry.name + ".json")

    def _record_path(self, key):
        return self.folder / DIRECT / key[:2] / f"{key}.json"

    # ------------------------------------------------------------------ views
    def reuse(self, key, view, formats, folder):
        """(temporary path, FileRecord) of each format, copied from the cache beside its final
        path in `folder`, if the cache holds every one whole; else None."""
        copied = []
        try:
            for format in formats:
                entry, facts_path = self._paths(key, format)
                if not facts_path.exists():
                    raise LookupError(entry)  # not cached: a plain miss
                facts = json.loads(facts_path.read_text())
                if not isinstance(facts, dict) or not isinstance(facts.get("facts"), dict):
                    raise ValueError(f"{facts_path.name} is not a cache entry")
                final = folder / f"{view}.{format}"
                temp = files.temp_path(final)
                copied.append((temp, None))
                shutil.copyfile(entry, temp)
                files.fsync(temp)  # as durable as a file drawn now before it is renamed into place
                record = FileRecord.of(temp, final, view, format, **facts["facts"])
                if record.sha256 != facts.get("sha256"):
                    raise ValueError(f"{entry.name} is damaged")
                copied[-1] = (temp, record)
                _touch(entry)  # recently used
        except LookupError:
            files.discard(*(temp for temp, _ in copied))
            return None
        except Exception as exc:  # unreadable, damaged or the wrong shape: draw again, and say so
            files.discard(*(temp for temp, _ in copied))
            self._trouble("an entry could not be read", exc if isinstance(exc, OSError) else str(exc))
            return None
        return copied

    def store(self, key, finished):
        """Keep copies of a view's finished (temporary path, FileRecord) files under `key`, then trim."""
        for temp, record in finished:
            entry, facts_path = self._paths(key, record.format)
            facts = {k: getattr(record, k) for k in ("frames", "fps", "width", "height", "duration")
                     if getattr(record, k) is not None}
            self._keep(entry, lambda part, temp=temp: shutil.copyfile(temp, part))
            self._keep(facts_path, json.dumps({"sha256": record.sha256, "facts": {**facts, **record.details}}).encode())
        self.trim()

    def _keep(self, path, content):
        """Write `path` through a temporary beside it (`content`: bytes, or a function writing the
        temporary's path); a failure (a full disk, no right to write) leaves no part behind."""
        part = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            part = files.temp_path(path)
            if callable(content):
                content(part)
            else:
                part.write_bytes(content)
            files.commit(part, path)
            return True
        except OSError as exc:
            if part is not None:
                files.discard(part)
            self._trouble("could not keep a file", exc)
            return False

    # ------------------------------------------------------------------ direct mode
    def answer(self, key):
        """The record `remember` kept under `key`, a dict; None if there is none or it is damaged."""
        path = self._record_path(key)
        try:
            record = json.loads(path.read_text())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            self._trouble("a render's record could not be read", exc if isinstance(exc, OSError) else "not JSON")
            return None
        if not isinstance(record, dict) or record.get("version") != KEY_VERSION:
            self._trouble("a render's record has the wrong shape")
            return None
        _touch(path)
        return record

    def remember(self, key, record):
        """Keep a render's `record` (JSON-able) under `key`, then trim."""
        self._keep(self._record_path(key), json.dumps({**record, "version": KEY_VERSION}).encode())
        self.trim()

    def spoiled(self, what):
        """Say that something the cache answered could not be used (one line, see `notices`)."""
        self._trouble(what)

    # ------------------------------------------------------------------ bound, info, clear
    def entries(self):
        """(path, bytes, last used) of every file the cache holds, temporaries of live renders aside."""
        found = []
        for kind in (VIEWS, DIRECT):
            for path in (self.folder / kind).glob("*/*"):
                if path.name.endswith(".part"):
                    continue
                try:
                    stat = path.stat()
                except OSError:
                    continue
                found.append((path, stat.st_size, stat.st_mtime))
        return found

    def trim(self):
        """Remove what was used least recently until the cache holds at most max_bytes; and the
        temporaries of renders that were killed while writing into it."""
        try:
            for sub in (self.folder / kind for kind in (VIEWS, DIRECT)):
                for folder in sub.glob("*"):
                    files.clean_stale(folder)
            entries = self.entries()
            total = sum(size for _, size, _ in entries)
            for path, size, _ in sorted(entries, key=lambda e: e[2]):
                if total <= self.max_bytes:
                    break
                files.discard(path)
                total -= size
                if path.parent.parent.name == VIEWS and not path.name.endswith(".json"):
                    facts = path.with_name(path.name + ".json")
                    total -= _size(facts)
                    files.discard(facts)
        except OSError as exc:
            self._trouble("could not be trimmed", exc)

    def info(self):
        entries = self.entries()
        views = sum(1 for p, _, _ in entries if p.parent.parent.name == VIEWS and not p.name.endswith(".json"))
        renders = sum(1 for p, _, _ in entries if p.parent.parent.name == DIRECT)
        return Info(self.folder, sum(size for _, size, _ in entries), views, renders, self.max_bytes)

    def clear(self):
        """Remove everything cached; return the bytes freed. CacheError naming the first file
        that could not be removed (the cache is then not empty, and says so)."""
        freed = sum(size for _, size, _ in self.entries())
        if not self.folder.exists():
            return 0
        failures = []
        shutil.rmtree(self.folder, onerror=lambda _function, path, info: failures.append((path, info[1])))
        if failures or self.folder.exists():
            path, exc = failures[0] if failures else (self.folder, None)
            reason = getattr(exc, "strerror", None) or exc or "still there"
            raise CacheError(f"could not clear the render cache {self.folder}: {path}: {reason}")
        return freed


def _touch(path):
    try:
        os.utime(path)
    except OSError:  # a cache we may read but not write: it is still used, only not reordered
        pass


def _size(path):
    try:
        return path.stat().st_size
    except OSError:
        return 0
