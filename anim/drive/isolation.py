"""Each scene of a batch in a fresh process of its own, forked from a server that has imported torch,
matplotlib and optianim once (anim.drive.preload): a scene whose process dies (an exit, a signal,
the OOM killer), hangs past its time limit or is interrupted costs only itself; how it ended is
one line, and nothing it left half-written is kept."""

import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import wait
from pathlib import Path

from anim.drive.outcome import Outcome, SceneFinished, render_scene
from anim.write import files

PRELOAD = ["anim.drive.preload"]
STOP_SECONDS = 10   # after SIGTERM, the time a scene's process has to clean up before it is killed
POLL_SECONDS = 0.2  # how often time limits are looked at while no scene reports anything
UNIX_SOCKET_PATH = 104  # bytes an AF_UNIX socket's path may have (108 on Linux, 104 on macOS)


@dataclass(frozen=True)
class Task:
    """One scene to render in a process of its own: its file, the output root (absolute),
    anim.render's keywords, its frame workers, the folder names it may not take (a batch's own
    files), the name its events and outcome give it (default: the file) and the Dask worker."""

    scene_file: str
    out_root: str
    options: dict
    frame_jobs: int = 1
    reserved: tuple = ()
    label: str = None
    worker: str = None

    @property
    def named(self):
        return self.scene_file if self.label is None else self.label


def run(tasks, at_once, report, timeout=None, finished=None):
    """Render each Task in a fresh process, `at_once` at a time; their Outcomes in order. A
    process that ends without one is reported by how it ended; one running past `timeout`
    seconds is stopped. `finished` (a dict, index -> Outcome) is filled as scenes end, so that a
    caller interrupted meanwhile (KeyboardInterrupt: every scene still running is stopped first)
    knows which did."""
    finished = {} if finished is None else finished
    context = _context()
    alive, keep_alive = context.Pipe(duplex=False)  # a scene's process stops itself when this closes
    files.clean_stale_scratch()
    scratch = files.scratch()
    todo, running = list(range(len(tasks))), {}
    try:
        while todo or running:
            while todo and len(running) < at_once:
                index = todo.pop(0)
                running[index] = _Process(context, tasks[index], alive, scratch / str(index))
            wait([scene.events for scene in running.values()], POLL_SECONDS)
            for index, scene in list(running.items()):
                scene.follow(report, timeout)
                if scene.ended:
                    del running[index]
                    finished[index] = scene.outcome()
                    report(SceneFinished(finished[index]))
    except BaseException:
        for scene in running.values():
            scene.stop("interrupted")
        while running:
            wait([scene.events for scene in running.values()], POLL_SECONDS)
            for index, scene in list(running.items()):
                scene.follow(lambda event: None, None)
                if scene.ended:
                    scene.outcome()
                    del running[index]
        raise
    finally:
        keep_alive.close()
        alive.close()
        shutil.rmtree(scratch, ignore_errors=True)
        for root in {task.out_root for task in tasks}:  # again: an ffmpeg whose process was killed ends later
            _clean(root)
    return [finished[index] for index in range(len(tasks))]


def _context():
    """A forkserver that has imported what every scene needs, where there is one (Linux, macOS)
    and its socket's path fits in the temporary folder; else fresh interpreters (Windows)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        from multiprocessing import util

        socket_path = os.path.join(util.get_temp_dir(), "listener-12345678")  # as the forkserver names it
        if len(os.fsencode(socket_path)) < UNIX_SOCKET_PATH:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD)
            return context
    return multiprocessing.get_context("spawn")


class _Process:
    """A scene's process as the batch sees it: its events, its time, how it ended."""

    def __init__(self, context, task, alive, scratch):
        self.task, self.scratch = task, scratch
        self.events, child_end = context.Pipe(duplex=False)
        self.process = context.Process(target=_main, name=f"optianim {task.named}",
                                       args=(task, child_end, alive, dict(os.environ), str(scratch)))
        self.started = time.monotonic()
        self.began = None        # when its first event came: the scene began (a time limit counts from here)
        self.sent = None         # the Outcome it sent
        self.ended = False       # its end of the pipe closed: the process is gone
        self.stopping = None     # (why, when it is killed if still running)
        self.oom_kills = oom_kills()
        self.process.start()
        child_end.close()

    def follow(self, report, timeout):
        """Pass on its events, see whether it ended, stop it past `timeout`, kill it past its stop."""
        try:
            while self.events.poll():
                kind, payload = self.events.recv()
                self.began = self.began or time.monotonic()
                if kind == "outcome":
                    self.sent = payload
                else:
                    report(payload)
        except (EOFError, OSError):
            self.ended = True
            return
        if timeout and self.stopping is None and self.began and time.monotonic() - self.began > timeout:
            self.stop(f"timed out after {timeout:g} s (--scene-timeout)")
        if self.stopping and time.monotonic() > self.stopping[1]:
            _kill_group(self.process.pid)

    def stop(self, why):
        """Ask the process to end (SIGTERM: it removes its temporary files and stops ffmpeg)."""
        if self.stopping is None and not self.ended:
            self.stopping = (why, time.monotonic() + STOP_SECONDS)
            _signal(self.process.pid, signal.SIGTERM)

    def outcome(self):
        """The Outcome it sent or, if it ended without one, how it ended, its leftovers removed."""
        self.process.join(STOP_SECONDS)
        shutil.rmtree(self.scratch, ignore_errors=True)
        seconds = round(time.monotonic() - self.started, 3)
        if self.sent is not None:  # (even if stopped meanwhile: its files are in place)
            return self.sent
        _kill_group(self.process.pid)  # its frame workers, if any are left
        _clean(self.task.out_root)
        label = self.task.named
        cause = self.stopping[0] if self.stopping else _cause(self.process.exitcode, self.oom_kills)
        if self.began is None and not self.stopping and (self.process.exitcode or 0) > 0:
            cause = (f"its process ended (status {self.process.exitcode}) before the scene began: a script that "
                     "calls render_many runs again in each scene's process unless it is under "
                     "`if __name__ == '__main__':`")
        return Outcome(label, "failed", seconds, error=f"{label}: {cause}; its folder is unchanged",
                       worker=self.task.worker)


def _cause(exitcode, oom_kills_before):
    """How a process that sent no outcome ended, in words."""
    if exitcode is None:
        return "its process did not end"
    if exitcode < 0:
        number = -exitcode
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = "unknown"
        before, after = oom_kills_before, oom_kills()
        if number == signal.SIGKILL and before is not None and after is not None and after > before:
            return f"ran out of memory: the system's OOM killer ended its process (signal {number}, {name})"
        return f"its process was killed by signal {number} ({name})"
    return f"its process exited with status {exitcode} before the scene finished"


def oom_kills():
    """How many processes the kernel's OOM killer has ended in this process's memory cgroup, or None."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    places = []
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controllers == "":  # cgroup v2
            places.append(Path("/sys/fs/cgroup") / path.lstrip("/") / "memory.events")
        elif "memory" in controllers.split(","):  # cgroup v1
            places.append(Path("/sys/fs/cgroup/memory") / path.lstrip("/") / "memory.oom_control")
    for place in places:
        try:
            for entry in place.read_text().splitlines():
                key, _, value = entry.partition(" ")
                if key == "oom_kill":
                    return int(value)
        except (OSError, ValueError):
            continue
    return None


def _clean(out_root):
    """Remove the temporary files of processes that are gone from every folder of `out_root`."""
    try:
        folders = [path for path in Path(out_root).iterdir() if path.is_dir() and not path.is_symlink()]
    except OSError:
        return
    for folder in folders:
        try:
            files.clean_stale(folder)
        except OSError:
            pass


def _signal(pid, number):
    try:
        os.kill(pid, number)
    except (ProcessLookupError, PermissionError, TypeError):
        pass


def _kill_group(pid):
    """Kill a scene's process and every process in its group (its frame workers)."""
    if pid is None:
        return
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):  # (gone; or Windows, with no groups)
        _signal(pid, getattr(signal, "SIGKILL", signal.SIGTERM))


class _Stopped(BaseException):
    """SIGTERM in a scene's process: the render unwinds (temporary files removed, ffmpeg stopped)."""


def _stop(signum, frame):
    raise _Stopped


def _main(task, events, alive, environment, scratch):
    """A scene's process: as if started now by the batch's process (its environment, a scratch
    folder of its own), in a process group of its own (so a stop reaches its frame workers, and
    Ctrl-C is the batch's to handle); sends its events, then its Outcome."""
    if hasattr(os, "setpgrp"):  # (POSIX)
        os.setpgrp()
    os.environ.clear()
    os.environ.update(environment, TMPDIR=scratch)
    os.makedirs(scratch, exist_ok=True)
    tempfile.tempdir = scratch
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop)
    threading.Thread(target=_stop_when_orphaned, args=(alive,), daemon=True).start()
    try:
        outcome = render_scene(task.scene_file, task.out_root, task.options, task.frame_jobs,
                               lambda event: events.send(("event", event)), task.label, task.worker, task.reserved)
        events.send(("outcome", outcome))
    except _Stopped:
        sys.exit(128 + signal.SIGTERM)


def _stop_when_orphaned(alive):
    """The batch's process is gone (nothing holds the other end): stop, as if told to."""
    try:
        alive.recv()
    except (EOFError, OSError):
        pass
    os.kill(os.getpid(), signal.SIGTERM)
