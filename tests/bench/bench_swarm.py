"""Swarm benchmark: 1,000 start points x 6 optimizers x 200 steps, vectorized against one by one.

    python tests/bench/bench_swarm.py             # about a minute on 2 cores
    python tests/bench/bench_swarm.py --starts 200 --sample 20

The target is the vectorized run under 5 s here. The baseline is the same scene run start point by
start point (what `compute` does for optimizers that are not elementwise), timed on a sample of
start points in this same process and scaled to all of them; the ratio is printed, not asserted.
"""

import argparse
import dataclasses
import time

import torch

from anim import Optimizer, Scene, starts
from anim.compute import trajectory
from anim.surfaces import himmelblau

LECTURE_SIX = [  # lecture 6's optimizers, at learning rates that suit Himmelblau
    Optimizer("SGD", torch.optim.SGD, lr=0.005),
    Optimizer("Momentum SGD", torch.optim.SGD, lr=0.002, momentum=0.9),
    Optimizer("Nesterov", torch.optim.SGD, lr=0.002, momentum=0.9, nesterov=True),
    Optimizer("Adagrad", torch.optim.Adagrad, lr=0.5),
    Optimizer("RMSprop", torch.optim.RMSprop, lr=0.05),
    Optimizer("Adam", torch.optim.Adam, lr=0.1),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--sample", type=int, default=40, help="start points per optimizer timed one by one")
    parser.add_argument("--repeat", type=int, default=3, help="vectorized runs; the fastest counts")
    args = parser.parse_args()
    scene = Scene(name="bench", surface=himmelblau, init=starts.random(args.starts, seed=0), steps=args.steps,
                  x_range=(-5, 5), y_range=(-5, 5), optimizers=LECTURE_SIX)
    trajectory.compute(dataclasses.replace(scene, steps=2))  # warm up torch's kernels

    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        runs = trajectory.compute(scene)
        times.append(time.perf_counter() - started)
    vectorized = min(times)
    assert len(runs) == args.starts * len(LECTURE_SIX)

    sample = dataclasses.replace(scene, init=scene.init[:args.sample])
    started = time.perf_counter()
    for optimizer in sample.optimizers:
        for run, start in enumerate(sample.init):
            trajectory._run_one(torch, sample, optimizer, run, start)
    one_by_one = (time.perf_counter() - started) / args.sample * args.starts

    runs_total = args.starts * len(LECTURE_SIX)
    print(f"swarm: {args.starts} start points x {len(LECTURE_SIX)} optimizers x {args.steps} steps "
          f"({runs_total} runs, torch {torch.__version__}, {torch.get_num_threads()} threads)")
    print(f"  vectorized   {vectorized:8.2f} s   (fastest of {args.repeat}; target < 5 s)")
    print(f"  one by one   {one_by_one:8.2f} s   (timed on {args.sample} starts per optimizer, scaled)")
    print(f"  speed-up     {one_by_one / vectorized:8.1f} x")


if __name__ == "__main__":
    main()
