"""Render benchmark: optianim against the naive FuncAnimation.save baseline and the encoder's floor.

    python tests/bench/bench_render.py            # the full table (about 10 minutes on 2 cores)
    python tests/bench/bench_render.py --quick    # 720p only, shorter runs: a smoke check
    python tests/bench/bench_render.py --quick --view surface   # one view

Every number comes from this run: each measurement is a fresh subprocess (so imports, memory and
caches do not leak between them), and the table prints ratios of times measured side by side.
Marginal ms/frame = (time at the long length - time at the short length) / the frame difference,
so start-up cost cancels out. On a shared machine wall time follows the other users' load, so the
table also gives CPU ms/frame: the processor time of the measuring process and every process it
started (ffmpeg, render workers), user plus system, marginal the same way; its ratios hold
however busy the machine is (the naive script and the floor are one process plus ffmpeg, optianim
uses one process per core: CPU time adds theirs up). Peak memory is the largest resident set of the measuring process or
of any process it started (ffmpeg, render workers).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCENE = ROOT / "scenes" / "pathological.py"
FPS = 30
X264 = ["-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p"]  # what optianim's encoder uses


# ----------------------------------------------------------------------------------------------
# One measurement, run in its own process: `bench_render.py --one KIND VIEW WxH FRAMES OUT`.

def _settings(view, size, jobs=0):
    from anim.drive.settings import Settings

    width, height = size
    return Settings(views=(view,), formats=("mp4",), width=width, height=height, fps=FPS,
                    hold_start=0.0, hold_end=0.0, jobs=jobs)


def _prepared(frames):
    """The scene run for `frames` updates: no holds, so every frame adds a step to every path."""
    from dataclasses import replace

    from anim.compute import trajectory
    from anim.drive import pipeline

    prepared = pipeline.prepare(SCENE)
    scene = replace(prepared.scene, steps=frames)
    return replace(prepared, scene=scene, runs=trajectory.compute(scene))


def measure_optianim(view, size, frames, out, jobs=0):
    started = time.perf_counter()
    from anim.drive import pipeline, progress
    from anim.drive.frames import Workers, frame_jobs

    prepared = _prepared(frames)
    settings = _settings(view, size, jobs)
    first = []

    def first_frame(event):
        if isinstance(event, progress.FrameDone) and event.done == 1:
            first.append(time.perf_counter() - started)

    render_start = time.perf_counter()
    with Workers(frame_jobs(settings.jobs)) as workers:  # as `optianim render` chooses: one process on 2 cores
        pipeline.render_prepared(prepared, out, settings, first_frame, workers)
    return {"seconds": time.perf_counter() - render_start, "first_frame": first[0]}


def _view_data(view, prepared):
    from anim.compute import window
    from anim.look.views import view_data

    frame = window.view_window(prepared.scene, prepared.runs)
    return view_data(prepared.scene, prepared.runs, frame, view, _settings(view, (1280, 720)))


def measure_floor(view, size, frames, out):
    """The same raw frames, already in memory, through the same encode: the fastest possible."""
    import numpy as np

    from anim.drive.frames import LocalDrawer
    from anim.drive.timeline import Timeline
    from anim.look.views import view_class
    from anim.write import encode

    prepared = _prepared(frames)
    scene = prepared.scene
    width, height = size
    distinct = min(frames, 100)  # at most 100 frames in memory (830 MB at 1080p), cycled
    line = Timeline(frames, scene.steps, 0, scene.camera)
    picked = [line.frame(i * frames // distinct) for i in range(distinct)]
    drawer = LocalDrawer(view_class(view), _view_data(view, prepared), width, height)
    kept = [np.array(pixels) for pixels in drawer.frames(picked)]
    started = time.perf_counter()
    with encode.Encoder({"mp4": Path(out) / "floor.mp4"}, encode.Shape(width, height, FPS)) as encoder:
        for index in range(frames):
            encoder.write(kept[index % distinct])
    return {"seconds": time.perf_counter() - started}


def measure_naive(view, size, frames, out):
    """What a user writes without optianim: matplotlib's FuncAnimation.save, full redraw per frame."""
    import imageio_ffmpeg
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.animation import FFMpegWriter, FuncAnimation

    prepared = _prepared(frames)
    data = _view_data(view, prepared)
    mesh = data.mesh
    width, height = size
    plt.rcParams["animation.ffmpeg_path"] = imageio_ffmpeg.get_ffmpeg_exe()
    fig = plt.figure(figsize=(width / 100, height / 100), dpi=100)
    if view == "contour":
        ax = fig.add_subplot()
        filled = ax.contourf(mesh.x, mesh.y, mesh.z, levels=24, cmap="viridis")
        ax.contour(mesh.x, mesh.y, mesh.z, levels=12, colors="white", linewidths=0.5, alpha=0.45)
        fig.colorbar(filled, ax=ax, label="loss")
        ax.set_aspect("equal")
    else:
        ax = fig.add_subplot(projection="3d", computed_zorder=False)
        x, y = np.meshgrid(mesh.x, mesh.y)
        ax.plot_surface(x, y, mesh.z, cmap="viridis", rcount=len(mesh.y), ccount=len(mesh.x),
                        linewidth=0, antialiased=False)
        ax.set_zlabel("loss")
    ax.set_xlabel(r"$w_1$")
    ax.set_ylabel(r"$w_2$")
    ax.set_title(data.title)
    paths = []
    for run in data.runs:
        if view == "contour":
            path, = ax.plot([], [], color=run.color, marker="o", ms=4, label=run.label)
            head, = ax.plot([], [], color=run.color, marker="o", ms=10)
        else:
            path, = ax.plot([], [], [], color=run.color, lw=2.2, label=run.label, zorder=4)
            head, = ax.plot([], [], [], color=run.color, marker="o", ms=10, zorder=5)
        paths.append((run, path, head))
    fig.legend(loc="upper right")

    def update(index):
        step = min(index, data.steps - 1)  # one update per frame, as optianim does
        for run, path, head in paths:
            shown = run.points[: step + 1]
            if view == "contour":
                path.set_data(shown[:, 0], shown[:, 1])
                head.set_data(shown[-1:, 0], shown[-1:, 1])
            else:
                path.set_data_3d(shown[:, 0], shown[:, 1], shown[:, 2])
                head.set_data_3d(shown[-1:, 0], shown[-1:, 1], shown[-1:, 2])
        if view == "surface":
            ax.view_init(30, -60 + 360 * index / max(frames - 1, 1))

    animation = FuncAnimation(fig, update, frames=frames, blit=False)
    started = time.perf_counter()
    animation.save(Path(out) / "naive.mp4", writer=FFMpegWriter(fps=FPS, codec="libx264", extra_args=X264))
    return {"seconds": time.perf_counter() - started}


def run_one(kind, view, size, frames, out, jobs):
    width, height = (int(v) for v in size.split("x"))
    measure = {"optianim": lambda: measure_optianim(view, (width, height), frames, out, jobs),
               "floor": lambda: measure_floor(view, (width, height), frames, out),
               "naive": lambda: measure_naive(view, (width, height), frames, out)}[kind]
    result = measure()
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    result["peak_mb"] = max(own.ru_maxrss, children.ru_maxrss) / 1024
    result["cpu"] = sum(usage.ru_utime + usage.ru_stime for usage in (own, children))
    print(json.dumps(result))


# ----------------------------------------------------------------------------------------------
# The driver: runs every measurement in a subprocess and prints the table.

def measure(kind, view, size, frames, jobs=0):
    out = Path(os.environ.get("TMPDIR", "/tmp")) / f"optianim-bench-{os.getpid()}"
    out.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, __file__, "--one", kind, view, size, str(frames), str(out), str(jobs)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def startup():
    optianim = Path(sys.executable).parent / "optianim"
    times = []
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run([str(optianim), "--help"], capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="720p only, 50 and 150 frames")
    parser.add_argument("--view", action="append", choices=("contour", "surface"),
                        help="only this view (repeatable); default both")
    parser.add_argument("--one", nargs=6, metavar=("KIND", "VIEW", "WxH", "FRAMES", "OUT", "JOBS"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        kind, view, size, frames, out, jobs = args.one
        run_one(kind, view, size, int(frames), out, int(jobs))
        return
    sizes = ["1280x720"] if args.quick else ["1280x720", "1920x1080"]
    short, long = (50, 150) if args.quick else (100, 600)
    cores = os.cpu_count()
    print(f"optianim render benchmark: {SCENE.name}, MP4, {short} and {long} frames, {cores} cores")
    print(f"optianim --help: {startup() * 1000:.0f} ms (best of 5)")
    header = (f"{'view':<8} {'size':<10} {'naive':>8} {'optianim':>9} {'floor':>7} "
              f"{'naive/optianim':>15} {'optianim/floor':>15} {'peak MB':>8} {'1st frame':>10} "
              f"{'CPU: naive':>11} {'optianim':>9} {'floor':>7} {'naive/optianim':>15}")
    print(f"ms/frame marginal (wall, then CPU); peak MB of the optianim run at {long} frames; "
          f"1st frame: from process start, scene of {short} updates")
    print(header)
    for size in sizes:
        for view in args.view or ("contour", "surface"):
            marginal, cpu, peaks, first = {}, {}, 0, 0
            for kind in ("naive", "optianim", "floor"):
                a, b = measure(kind, view, size, short), measure(kind, view, size, long)
                marginal[kind] = (b["seconds"] - a["seconds"]) / (long - short) * 1000
                cpu[kind] = (b["cpu"] - a["cpu"]) / (long - short) * 1000
                if kind == "optianim":
                    peaks, first = b["peak_mb"], a["first_frame"]
            print(f"{view:<8} {size:<10} {marginal['naive']:>8.1f} {marginal['optianim']:>9.1f} "
                  f"{marginal['floor']:>7.1f} {marginal['naive'] / marginal['optianim']:>14.1f}x "
                  f"{marginal['optianim'] / marginal['floor']:>14.2f}x {peaks:>8.0f} {first:>9.2f}s "
                  f"{cpu['naive']:>11.1f} {cpu['optianim']:>9.1f} {cpu['floor']:>7.1f} "
                  f"{cpu['naive'] / cpu['optianim']:>14.1f}x")
    if not args.quick:
        print("jobs: surface view, 1280x720, ms/frame marginal")
        by_jobs = {}
        for jobs in (1, cores):
            a = measure("optianim", "surface", "1280x720", short, jobs)
            b = measure("optianim", "surface", "1280x720", long, jobs)
            by_jobs[jobs] = (b["seconds"] - a["seconds"]) / (long - short) * 1000
            print(f"  --jobs {jobs}: {by_jobs[jobs]:.1f}")
        print(f"  speed-up with {cores} jobs: {by_jobs[1] / by_jobs[cores]:.2f}x")
        print("memory: contour view, 1280x720, peak MB at 300 and 3000 frames")
        small = measure("optianim", "contour", "1280x720", 300)["peak_mb"]
        large = measure("optianim", "contour", "1280x720", 3000)["peak_mb"]
        print(f"  {small:.0f} MB -> {large:.0f} MB: {large / small:.2f}x")


if __name__ == "__main__":
    main()
