"""Atomic output files: write to a temporary name in the target folder, rename into place when
complete; one render at a time in a folder (a lock); scratch folders that outlive no process."""

import contextlib
import errno
import hashlib
import os
import re
import secrets
import shutil
import tempfile
from pathlib import Path


_TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)-[0-9a-f]{8}\.part$")
SCRATCH_PREFIX = "optianim-"
_SCRATCH = re.compile(rf"^{SCRATCH_PREFIX}(?P<pid>\d+)-")
NAME_MAX = 255  # bytes in a file name on Linux and macOS file systems
_TAG = len(".") + len(".4194304-0123abcd.part")  # what temp_path adds to a name, the longest pid


def temp_path(final):
    """A hidden temporary path beside `final`, tagged with this process id. A name too long to
    take the tag is cut (ending with a hash of the whole name, so two long names stay apart)."""
    final = Path(final)
    name = final.name
    if len(os.fsencode(name)) + _TAG > NAME_MAX:
        digest = hashlib.sha256(os.fsencode(name)).hexdigest()[:12]
        name = os.fsencode(name)[:NAME_MAX - _TAG - 13].decode(errors="ignore") + "~" + digest
    return final.with_name(f".{name}.{os.getpid()}-{secrets.token_hex(4)}.part")


def commit(temp, final):
    """Move a complete temporary file into place (atomic on one file system)."""
    os.replace(temp, final)


def commit_all(pairs):
    """Move every complete (temporary, final) file into place, or none of them: if a rename
    fails, the finals already replaced get their old contents back (kept meanwhile as hard
    links), so a folder never mixes the files of two renders. Raises OSError naming the final."""
    for _, final in pairs:  # the one failure a rename cannot undo cheaply: caught before any
        if os.path.isdir(final):
            raise IsADirectoryError(errno.EISDIR, "a folder is in the way", str(final))
    saved, placed = [], []  # (backup, final) of replaced old files; finals that are new
    try:
        for temp, final in pairs:
            if os.path.exists(final):
                backup = temp_path(final)
                with contextlib.suppress(OSError):  # no hard links here: no way back for this one
                    os.link(final, backup)
                    saved.append((backup, final))
            else:
                placed.append(final)
            try:
                os.replace(temp, final)
            except OSError as exc:
                raise type(exc)(exc.errno, exc.strerror, str(final)) from exc
    except BaseException:
        for backup, final in saved:
            os.replace(backup, final)
        discard(*placed)
        raise
    finally:
        discard(*(backup for backup, _ in saved))


def discard(*paths):
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def write_temp(final, data):
    """Write `data` to a complete, synced temporary file beside `final`; return its path."""
    temp = temp_path(final)
    try:
        with open(temp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException as exc:
        discard(temp)
        if isinstance(exc, OSError):  # name the file asked for, not its temporary (a write error names none)
            raise type(exc)(exc.errno, exc.strerror, str(final)) from exc
        raise
    return temp


def write_bytes(final, data):
    """Write `data` to `final` so that readers see the old file or the new one, never a part."""
    commit(write_temp(final, data), final)


def fsync(path):
    """Flush a file written by another process to the disk before it is renamed into place."""
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def clean_stale(folder):
    """Remove temporary files left in `folder` by renders whose process is gone; return their names."""
    removed = []
    for path in Path(folder).glob(".*.part"):
        match = _TEMP.match(path.name)
        if match and not _alive(int(match["pid"])):
            discard(path)
            removed.append(path.name)
    return removed


def _alive(pid):
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def locked(folder):
    """Hold `folder` for one render's writes: another render into it meanwhile (another process)
    waits here until this one is done, so the folder never mixes the files of two renders. (An
    advisory lock on the folder itself, so nothing is left in it; none where the OS has no flock.)"""
    try:
        import fcntl
    except ImportError:  # Windows
        yield
        return
    handle = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # releases the lock


SHARED_MEMORY = Path("/dev/shm")  # a tmpfs: files there are memory that processes share


def scratch(parent=None, shared=False):
    """A new scratch folder for files that are never outputs (in `parent`; else in memory if
    `shared` and the system has /dev/shm; else the system's temporary folder), named for this
    process, so that one a killed process leaves is removed by the next (clean_stale_scratch)."""
    if parent is None and shared and os.access(SHARED_MEMORY, os.W_OK):
        parent = SHARED_MEMORY
    return Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-", dir=parent))


@contextlib.contextmanager
def scratch_folder(shared=False):
    """A scratch folder for the block, removed after it (see scratch)."""
    folder = scratch(shared=shared)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def clean_stale_scratch(parent=None):
    """Remove the scratch folders of optianim processes that are gone (in `parent`, else in the
    system's temporary folder and in /dev/shm); return their names."""
    places = [Path(parent)] if parent else list(dict.fromkeys([Path(tempfile.gettempdir()), SHARED_MEMORY]))
    removed = []
    for place in places:
        with contextlib.suppress(OSError):
            for path in place.iterdir():
                match = _SCRATCH.match(path.name)
                if match and not _alive(int(match["pid"])) and path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                    removed.append(path.name)
    return removed
