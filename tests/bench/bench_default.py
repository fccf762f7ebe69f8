"""The default render, the render cache's hit and start-up: what a lecturer waits for, in one run.

    python tests/bench/bench_default.py            # 3 rounds of each (about 3 minutes on 2 quiet cores)
    python tests/bench/bench_default.py --rounds 5

Prints, each a median of fresh processes run round by round (interleaved, so the machine's load
falls on all alike), with CPU seconds (the process and every child: ffmpeg, frame workers) beside
wall seconds, since on a shared machine only CPU time holds still:

- `optianim render scenes/pathological.py --no-cache` (the default: both views, MP4 + GIF, 720p)
  against the same with `--jobs 1` and `--jobs 2`, and with `--format mp4` (the GIF's share);
- where its time goes, from one instrumented render in a process of its own: imports, the
  optimizers (load, check, trajectories), the first frame, drawing, waiting on the encoder;
- the cache: the same command run again unchanged (the direct mode), and `anim.render` called
  again in one process (as in a notebook kernel).
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCENE = ROOT / "scenes" / "pathological.py"


def timed(command, env=None):
    """(wall seconds, CPU seconds of it and its children) of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **(env or {})}, cwd=ROOT)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{' '.join(map(str, command))} failed:\n{done.stdout}\n{done.stderr}")
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime), done.stdout


def optianim(*args):
    return [sys.executable, "-m", "anim", *map(str, args)]


BREAKDOWN = r"""
import json, os, resource, sys, time
started, cpu0 = time.perf_counter(), time.process_time()
marks = {}
def mark(name):
    marks[name] = (round(time.perf_counter() - started, 3), round(time.process_time() - cpu0, 3))
from anim.faces import api
from anim.drive import direct, frames, pipeline, progress
import torch
mark("imports")
from anim.write import encode
drawing, waiting = [0.0, 0.0], [0.0, 0.0]
real_frames = frames.LocalDrawer.frames
def frames_timed(self, entries):
    iterator = real_frames(self, entries)
    while True:
        t, c = time.perf_counter(), time.process_time()
        try:
            frame = next(iterator)
        except StopIteration:
            return
        drawing[0] += time.perf_counter() - t; drawing[1] += time.process_time() - c
        yield frame
frames.LocalDrawer.frames = frames_timed
real_write = encode.Encoder.write
def write_timed(self, frame):
    t, c = time.perf_counter(), time.process_time()
    real_write(self, frame)
    waiting[0] += time.perf_counter() - t; waiting[1] += time.process_time() - c
encode.Encoder.write = write_timed
real_prepare = pipeline.prepare
def prepare_timed(*args, **kwargs):
    prepared = real_prepare(*args, **kwargs)
    mark("optimizers")
    return prepared
pipeline.prepare = prepare_timed
def report(event):
    if isinstance(event, progress.FrameDone) and event.done == 1 and "first frame" not in marks:
        mark("first frame")
api.render(sys.argv[1], sys.argv[2], progress=report, cache=False)
mark("done")
children = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"marks": marks, "drawing": drawing, "waiting on the encoder": waiting,
                  "ffmpeg cpu": round(children.ru_utime + children.ru_stime, 3)}))
"""

HIT_IN_PROCESS = r"""
import json, sys, time
import anim
anim.render(sys.argv[1], sys.argv[2])  # drawn, or answered: the cache then holds it
times = []
for _ in range(3):
    started = time.perf_counter()
    anim.render(sys.argv[1], sys.argv[2])
    times.append(time.perf_counter() - started)
print(json.dumps(times))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="optianim-bench-"))
    env = {"XDG_CACHE_HOME": str(scratch / "cache")}
    variants = {"default": [], "--jobs 1": ["--jobs", "1"], "--jobs 2": ["--jobs", "2"],
                "--format mp4 (no GIF)": ["--format", "mp4"]}
    results = {name: [] for name in variants}
    print(f"optianim default render benchmark: {SCENE.name}, {os.cpu_count()} cores, load "
          f"{os.getloadavg()[0]:.1f}, {args.rounds} rounds")
    for round_ in range(args.rounds):
        for name, extra in variants.items():
            wall, cpu, _ = timed(optianim("render", SCENE, "-o", scratch / "out", "--no-cache", *extra), env)
            results[name].append((wall, cpu))
    print(f"{'render':<24}{'wall s':>8}{'CPU s':>8}   (medians; min-max wall)")
    for name, runs in results.items():
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        print(f"{name:<24}{statistics.median(walls):>8.2f}{statistics.median(cpus):>8.2f}   "
              f"{min(walls):.2f}-{max(walls):.2f}")
    default, one = (statistics.median(w for w, _ in results[n]) for n in ("default", "--jobs 1"))
    print(f"default / --jobs 1: {default / one:.2f}x wall")

    _, _, out = timed([sys.executable, "-c", BREAKDOWN, SCENE, scratch / "breakdown"], env)
    found = json.loads(out.strip().splitlines()[-1])
    print("where the default render's time goes (one instrumented run; wall s @ CPU s of the main process):")
    for name, (wall, cpu) in found["marks"].items():
        print(f"  {name:<14} at {wall:6.2f} s @ {cpu:6.2f} s")
    print(f"  drawing frames  {found['drawing'][0]:6.2f} s @ {found['drawing'][1]:6.2f} s")
    print(f"  waiting on ffmpeg {found['waiting on the encoder'][0]:4.2f} s @ "
          f"{found['waiting on the encoder'][1]:6.2f} s (the pipe full: encode-bound)")
    print(f"  ffmpeg's own CPU {found['ffmpeg cpu']:.2f} s (MP4 and GIF of both views, palettes)")
    gif = statistics.median(c for _, c in results["default"]) - statistics.median(
        c for _, c in results["--format mp4 (no GIF)"])
    print(f"  the GIFs' share: {gif:.2f} s CPU (default minus --format mp4)")

    out = scratch / "hit"
    timed(optianim("render", SCENE, "-o", out), env)  # fills the cache
    hits = [timed(optianim("render", SCENE, "-o", out), env)[:2] for _ in range(args.rounds)]
    print(f"cache hit, CLI (unchanged scene rendered again): {statistics.median(w for w, _ in hits):.2f} s wall, "
          f"{statistics.median(c for _, c in hits):.2f} s CPU (median of {args.rounds})")
    _, _, out_text = timed([sys.executable, "-c", HIT_IN_PROCESS, SCENE, out], env)
    again = json.loads(out_text.strip().splitlines()[-1])
    print(f"cache hit, anim.render called again in one process: {statistics.median(again):.3f} s wall (median of 3)")
    wall, cpu, _ = timed(optianim("--help"))
    print(f"optianim --help: {wall:.2f} s wall, {cpu:.2f} s CPU")


if __name__ == "__main__":
    main()
