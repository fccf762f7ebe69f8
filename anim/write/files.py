"""Atomic output files: write to a temporary name in the target folder, rename into place when complete."""

import contextlib
import errno
import os
import re
import secrets
import shutil
import tempfile
from pathlib import Path

_TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)-[0-9a-f]{8}\.part$")
SCRATCH_PREFIX = "optianim-"
_SCRATCH = re.compile(r"^optianim-(?P<pid>\d+)-")


def temp_path(final):
    """A hidden temporary path beside `final`, tagged with this process id."""
    final = Path(final)
    return final.with_name(f".{final.name}.{os.getpid()}-{secrets.token_hex(4)}.part")


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


SHARED_MEMORY = Path("/dev/shm")  # a tmpfs: files there are memory that processes share


def scratch_folder(shared=False):
    """A temporary folder of this process (a TemporaryDirectory, tagged with its process id), for
    files that are never outputs, in memory if `shared` and the system has /dev/shm: one a killed
    process leaves is removed by `clean_stale_scratch`."""
    place = SHARED_MEMORY if shared and os.access(SHARED_MEMORY, os.W_OK) else None
    return tempfile.TemporaryDirectory(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-", dir=place)


def clean_stale_scratch():
    """Remove the scratch folders of processes that are gone; return their names."""
    removed = []
    for place in dict.fromkeys([Path(tempfile.gettempdir()), SHARED_MEMORY]):
        with contextlib.suppress(OSError):
            for path in place.glob(f"{SCRATCH_PREFIX}*"):
                match = _SCRATCH.match(path.name)
                if match and path.is_dir() and not _alive(int(match["pid"])):
                    shutil.rmtree(path, ignore_errors=True)
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
