"""Overlay benchmark: the contour view's per-frame drawing cost with two overlay arrows against
without, measured side by side in one process (encoding left out: it is the same for both).

    python tests/bench/bench_overlays.py [SCENE] [--frames N] [--rounds R]

Each round draws the same frames without overlays, then with `gradient` and `update` (and, for a
first-moment scene, the cost with `momentum` too); the best round of each is reported, and the ratio.
"""

import argparse
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _view(prepared, overlays, size):
    from anim.drive import pipeline
    from anim.drive.settings import Settings
    from anim.look.views import view_class, view_data

    settings = Settings(views=("contour",), width=size[0], height=size[1], overlays=overlays)
    runs, view_window = pipeline._framed(prepared)
    return view_class("contour")(view_data(prepared.scene, runs, view_window, "contour", settings), *size)


def per_frame_ms(prepared, overlays, frames, size):
    from anim.drive.timeline import Frame

    view = _view(prepared, overlays, size)
    steps = prepared.scene.steps
    entries = [Frame(i, (steps - 1) * i / (frames - 1), 30, 0) for i in range(frames)]
    started = time.perf_counter()
    for entry in entries:
        view.frame(entry)
    return 1000 * (time.perf_counter() - started) / frames


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("scene", nargs="?", default=str(ROOT / "scenes" / "momentum_explained.py"))
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--size", default="1280x720")
    args = parser.parse_args()
    from anim.drive import pipeline

    size = tuple(int(v) for v in args.size.split("x"))
    prepared = pipeline.prepare(args.scene)
    configs = {"no overlays": (), "gradient + update": ("gradient", "update")}
    best = {name: float("inf") for name in configs}
    for _ in range(args.rounds):
        for name, overlays in configs.items():
            best[name] = min(best[name], per_frame_ms(prepared, overlays, args.frames, size))
    base = best["no overlays"]
    print(f"{Path(args.scene).name}, contour {size[0]}x{size[1]}, {args.frames} frames, best of {args.rounds}:")
    for name, ms in best.items():
        print(f"  {name:<20} {ms:6.2f} ms/frame  {ms / base:5.2f}x")


if __name__ == "__main__":
    main()
