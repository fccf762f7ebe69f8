"""Batch benchmark: the same scenes rendered one after the other (--jobs 1), with `--jobs 2` here, and on
a 2-worker Dask cluster started on this machine; scenes per minute, CPU seconds and the ratios, in one run.

    python tests/bench/bench_batch.py                        # 6 shipped scenes, low preset, contour, MP4
    python tests/bench/bench_batch.py --scenes 12 --view contour --view surface --format mp4 --format gif
    python tests/bench/bench_batch.py --scheduler tcp://HOST:8786   # a running cluster instead of a local one

Each mode is one `optianim render` process over a folder holding the scenes (copies of scenes/*.py),
timed from its start to its exit, so process start-up, imports and the scene processes' start-up are
in every number. CPU is user + system time of that process and of every process under it, the scene
processes forked by its process server included (on Linux this script adopts the orphans it leaves,
as a subreaper, to count them); for Dask, the workers' CPU over the run. On a machine others are
using, wall time says more about them than about optianim: compare the CPU columns there. The
local cluster's workers are started and have imported optianim before the timer starts, as a
long-lived cluster would have (its start-up is printed apart).
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def adopt_orphans():
    """Become the subreaper of what this script starts (Linux): a process orphaned under it (the
    scene process server a render leaves behind) comes back to it, so its CPU time can be counted."""
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def optianim(*args, env=None, workers=()):
    """(wall seconds, CPU seconds) of `optianim render ARGS`: the process and every process under it
    (and the CPU the Dask `workers` processes spent meanwhile)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    far = sum(_cpu(worker) for worker in workers)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "anim", "render", *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}, cwd=ROOT)  # this tree's anim
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"optianim render failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    if not workers:  # the orphans it left (its scene process server), reaped once they end
        while True:
            try:
                os.waitpid(-1, 0)
            except ChildProcessError:
                break
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return seconds, cpu + sum(_cpu(worker) for worker in workers) - far


def _cpu(pid):
    """CPU seconds of a process and every process under it, living or ended (Dask's nanny, worker and
    its scene processes)."""
    import psutil

    total = 0.0
    root = psutil.Process(pid)
    for process in [root, *root.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system + times.children_user + times.children_system
    return total


class LocalCluster:
    """`dask scheduler` and `workers` x `dask worker --nthreads 1` on 127.0.0.1, stopped on exit."""

    def __init__(self, folder, workers):
        self.folder, self.workers, self.processes = Path(folder), workers, []

    def __enter__(self):
        import distributed

        started = time.perf_counter()
        dask = Path(sys.executable).with_name("dask")
        address_file = self.folder / "scheduler.json"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        common = ["--no-dashboard", "--host", "127.0.0.1"]
        log = open(self.folder / "dask.log", "w")
        self.processes.append(subprocess.Popen([str(dask), "scheduler", "--port", "0", "--scheduler-file",
                                                str(address_file), *common], env=env, stdout=log, stderr=log))
        while not address_file.exists():
            time.sleep(0.1)
        for _ in range(self.workers):
            self.processes.append(subprocess.Popen([str(dask), "worker", "--scheduler-file", str(address_file),
                                                    "--nthreads", "1", *common], env=env, stdout=log, stderr=log))
        self.address = json.loads(address_file.read_text())["address"]
        with distributed.Client(self.address) as client:
            client.wait_for_workers(self.workers, timeout=120)
            client.run(lambda: __import__("anim.drive.pipeline"))  # warm: torch and matplotlib imported
        self.start_seconds = time.perf_counter() - started
        return self

    def __exit__(self, *exc):
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", type=int, default=6, help="how many shipped scenes (repeated if fewer)")
    parser.add_argument("--quality", default="low")
    parser.add_argument("--view", action="append", dest="views")
    parser.add_argument("--format", action="append", dest="formats")
    parser.add_argument("--scheduler", help="a running Dask scheduler to measure instead of a local cluster")
    args = parser.parse_args()
    options = ["--quality", args.quality, "--no-cache"]  # every mode draws every frame
    for view in args.views or ["contour"]:
        options += ["--view", view]
    for fmt in args.formats or ["mp4"]:
        options += ["--format", fmt]

    with tempfile.TemporaryDirectory(prefix="optianim-bench-") as temp:
        temp = Path(temp)
        course = temp / "course"
        course.mkdir()
        shipped = [p for p in sorted((ROOT / "scenes").glob("*.py")) if not p.name.startswith("_")]
        chosen = [shipped[i % len(shipped)] for i in range(args.scenes)]
        for i, path in enumerate(chosen):  # a copy renamed so that repeats get folders of their own
            text = path.read_text()
            copy = course / f"{i:02d}_{path.name}"
            copy.write_text(text.replace('name="', f'name="b{i:02d}_', 1))
        print(f"{len(chosen)} scenes ({', '.join(p.stem for p in chosen)}), {' '.join(options)}")

        adopted = adopt_orphans()
        rows = [("one after the other (--jobs 1)", *optianim(course, "-o", temp / "seq", *options, "--jobs", "1"))]
        rows.append(("--jobs 2 on this machine", *optianim(course, "-o", temp / "jobs2", *options, "--jobs", "2")))
        if args.scheduler:
            rows.append((f"Dask at {args.scheduler}", *optianim(course, "-o", temp / "dask", *options, "--scheduler",
                                                                 args.scheduler), ))
        else:
            with LocalCluster(temp, 2) as cluster:
                print(f"local Dask cluster (scheduler + 2 workers) up and warm in {cluster.start_seconds:.1f} s")
                rows.append(("Dask, 2 local workers", *optianim(course, "-o", temp / "dask", *options, "--scheduler",
                                                                 cluster.address,
                                                                 workers=[p.pid for p in cluster.processes[1:]])))
        same = all((temp / "seq" / f.relative_to(temp / mode)).read_bytes() == f.read_bytes()
                   for mode in ("jobs2", "dask") for f in (temp / mode).rglob("*.mp4"))
        base, base_cpu = rows[0][1:]
        print("\n| mode | seconds | scenes/minute | speed-up (wall) | CPU s | CPU s / scene | CPU vs --jobs 1 |\n"
              "|---|---|---|---|---|---|---|")
        for name, seconds, cpu in rows:
            print(f"| {name} | {seconds:.1f} | {60 * len(chosen) / seconds:.1f} | {base / seconds:.2f}x | {cpu:.1f} | "
                  f"{cpu / len(chosen):.2f} | {cpu / base_cpu:.2f}x |")
        print(f"\nload average {os.getloadavg()[0]:.1f} at the end; scene processes' CPU counted: {adopted}")
        print(f"every MP4 of --jobs 2 and Dask byte-identical to --jobs 1: {same}")
    shutil.rmtree(temp, ignore_errors=True)


if __name__ == "__main__":
    main()
