"""Landscape benchmark: the loss on a 51 x 51 grid of a plane through the shipped spirals MLP's
weights (4,482 parameters, 1,000 points), vmapped in chunks against the naive loop.

    python tests/bench/bench_landscape.py              # about half a minute on 2 cores
    python tests/bench/bench_landscape.py --threads 1 --sample 400

The target is the vmapped grid under 5 s here. The baseline loads each grid point's weights into
the model (vector_to_parameters) and evaluates it, timed on a sample of the grid's points in this
same process and scaled to all of them; the ratio is printed, not asserted, and the two agree.
"""

import argparse
import time
from pathlib import Path

import numpy as np
import torch

import anim
from anim.compute import plane

SCENE = Path(__file__).resolve().parents[2] / "scenes" / "spirals_mlp.py"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=51, help="grid points per side")
    parser.add_argument("--sample", type=int, default=300, help="grid points timed in the naive loop")
    parser.add_argument("--repeat", type=int, default=2, help="vmapped grids; the fastest counts")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's own)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    scene = anim.load(SCENE)
    X, y = scene.data
    torch.manual_seed(0)
    model = scene.model()
    weights = [p.detach().clone() for p in model.parameters()]
    center = torch.cat([w.reshape(-1) for w in weights]).numpy()
    directions = plane.random_directions(weights).astype(np.float32)
    side = np.linspace(-1, 1, args.side, dtype=np.float32)
    a, b = np.meshgrid(side, side)
    points = np.column_stack([a.ravel(), b.ravel()])
    print(f"{center.size:,} parameters, {len(X):,} examples, {len(points):,} grid points, "
          f"{torch.get_num_threads()} torch threads")

    timings, grid = [], None
    for _ in range(args.repeat):
        surface = plane.LossOnPlane(model, X, y, scene.loss, center, directions, args.side)
        started = time.perf_counter()
        grid = surface(torch.from_numpy(a), torch.from_numpy(b)).numpy()
        timings.append(time.perf_counter() - started)
    vmapped = min(timings)
    print(f"vmapped ({surface.chunk} points a chunk, batched={surface.batched}): {vmapped:.2f} s "
          f"(runs: {', '.join(f'{t:.2f}' for t in timings)})")

    chosen = np.random.default_rng(0).choice(len(points), size=min(args.sample, len(points)), replace=False)
    started = time.perf_counter()
    naive = plane.naive_losses(model, X, y, scene.loss, center, directions, points[chosen])
    naive_time = (time.perf_counter() - started) * len(points) / len(chosen)
    print(f"naive loop: {naive_time:.2f} s for the grid (timed on {len(chosen)} points, scaled)")
    print(f"ratio naive / vmapped: {naive_time / vmapped:.1f}x; target vmapped < 5 s: "
          f"{'met' if vmapped < 5 else 'NOT met'}")
    gap = float(np.max(np.abs(grid.ravel()[chosen] - naive) / np.abs(naive)))
    print(f"largest relative difference vmapped vs naive on the sample: {gap:.1e}")


if __name__ == "__main__":
    main()
