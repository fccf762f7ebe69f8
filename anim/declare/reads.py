"""What a scene read while it loaded and ran: the files it opened and the modules it imported, as the
render cache's direct mode keys on them (their bytes, or a package's installed identity)."""

import contextlib
import hashlib
import importlib.util
import os
import sys
import sysconfig
import threading
from pathlib import Path

_recorders = []  # the recordings in progress (the audit hook cannot be removed: it looks here)
_lock = threading.Lock()
_hooked = False
WRITING = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT


class Reads:
    """The paths read while recording: `files` (opened for reading) and `modules` (imported)."""

    def __init__(self):
        self.files = set()
        self.modules = set()

    def inputs(self, ignore=()):
        """[kind, path, identity] of everything read that can change what a render draws, sorted:
        ['bytes', path, sha256] for a scene's own files (the scene, its helper modules, its data,
        any module outside the Python installation), ['package', folder, (size, mtime)] for an
        installed package (its first file's identity: pip rewrites it on every install). The
        standard library, optianim's own source and the folders in `ignore` are left out (the
        cache keys on Python's and optianim's versions, and `ignore` holds what the render wrote)."""
        found = {}
        skip = [Path(p).resolve() for p in ignore]
        for path in self.files | self.modules:
            path = Path(path)
            if path.suffix == ".pyc":  # the import system reads the cached bytecode: key on the source
                try:
                    path = Path(importlib.util.source_from_cache(str(path)))
                except ValueError:
                    continue
            kind, where = _where(path)
            if kind is None or any(where.is_relative_to(s) for s in skip):
                continue
            if kind == "package":
                found[("package", str(where))] = identity(where)
            elif where.is_file():
                found[("bytes", str(where))] = sha256(where)
        return sorted([kind, path, value] for (kind, path), value in found.items())


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def identity(package):
    """An installed package's identity: the size and modification time of its __init__.py (or the
    module file itself); None if it is gone."""
    path = Path(package)
    first = path / "__init__.py" if path.is_dir() else path
    try:
        stat = first.stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


def unchanged(inputs):
    """Whether every input of `inputs` (Reads.inputs) still has the recorded bytes or identity."""
    for kind, path, value in inputs:
        try:
            now = sha256(path) if kind == "bytes" else identity(path)
        except OSError:
            return False
        if now != value:
            return False
    return True


@contextlib.contextmanager
def recording():
    """Record what is opened for reading and imported in this process while the block runs."""
    global _hooked
    reads = Reads()
    before = set(sys.modules)
    with _lock:
        if not _hooked:
            sys.addaudithook(_audit)
            _hooked = True
        _recorders.append(reads)
    try:
        yield reads
    finally:
        with _lock:
            _recorders.remove(reads)
        imported(set(sys.modules) - before, reads)


def imported(names, reads=None):
    """Note the modules `names` (of sys.modules) as imported: the loader tells the ones a scene
    imported from its folder, which it removes from sys.modules again."""
    for target in [reads] if reads is not None else list(_recorders):
        for name in names:
            file = getattr(sys.modules.get(name), "__file__", None)
            if file:
                target.modules.add(file)


def _audit(event, args):
    if event != "open" or not _recorders:
        return
    path, mode, flags = args
    if not isinstance(path, (str, bytes, os.PathLike)) or isinstance(path, int):
        return
    if (isinstance(mode, str) and any(c in mode for c in "wax+")) or (isinstance(flags, int) and flags & WRITING):
        return
    for reads in list(_recorders):
        reads.files.add(os.fsdecode(path))


_OWN = Path(__file__).resolve().parents[1]  # optianim's package: keyed by its source hash
_STDLIB = [Path(sysconfig.get_paths()[name]).resolve() for name in ("stdlib", "platstdlib")]
_SITES = sorted({Path(sysconfig.get_paths()[name]).resolve() for name in ("purelib", "platlib")}
                | {Path(p).resolve() for p in sys.path if p.endswith(("site-packages", "dist-packages"))},
                key=lambda p: -len(p.parts))
_SYSTEM = [Path("/proc"), Path("/sys"), Path("/dev")]


def _where(path):
    """('bytes', the file) or ('package', an installed package's folder or module), or (None, _)
    for what the cache keys on otherwise (the standard library, optianim, system files)."""
    try:
        path = path.resolve()
    except OSError:
        return None, path
    for site in _SITES:  # first: a virtual environment may live inside another installation
        if path.is_relative_to(site):
            top = path.relative_to(site).parts
            return ("package", site / top[0]) if top and not top[0].endswith((".dist-info", ".pth")) else (None, path)
    if path.is_relative_to(_OWN) or any(path.is_relative_to(p) for p in (*_STDLIB, *_SYSTEM)):
        return None, path
    if "__pycache__" in path.parts:
        return None, path
    return "bytes", path
