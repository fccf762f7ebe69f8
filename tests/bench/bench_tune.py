"""Tuning benchmark: pytorch_optimizer's own visualiser's job, done by anim.tune.

    python tests/bench/bench_tune.py                       # about 15 s of CPU time
    python tests/bench/bench_tune.py --peer PATH/TO/pytorch_optimizer/examples/visualize_optimizers.py

The job: Adam and Lion on Rosenbrock from (-2, 2), 200 updates (steps=201: the start and the point after
each update, as the peer records them), the gradient norm clipped to 1, 600 candidate learning rates
each, scored by the peer's own score of a path (written out below from its definition: the squared
distance of the last point from the minimum (1, 1), 100 x how far the path left x in [-2, 2], y in
[-1, 3], 0.4 x the mean loss, 0.1 x the mean step per coordinate, 0.2 x (mean - least loss)). The
peer draws 600 values of lr uniformly from (0, 2) by TPE (hyperopt); anim.tune spaces 600 from 1e-4 to
2 (a third evenly in log, the rest in rounds around the best) and runs each round as one batched run.

With --peer, the peer's script is imported from your copy (hyperopt installed) and its search, for
the same two optimizers, is timed in this same run; without it the peer's figures from the issue are
printed for reference (175 s for the two, Adam's best score 2.48). CPU time is printed beside wall
time: on a shared machine the wall clock says more about the other jobs than about the code.
"""

import argparse
import importlib.util
import time
from functools import partial

import numpy as np
import torch

import anim
from anim import Optimizer, Scene
from anim.compute import tuning
from anim.surfaces import rosenbrock

PEER_ISSUE = {"seconds": 175.0, "adam_score": 2.48}  # the issue's measurement of the peer, for reference
START, MINIMUM, X_BOUNDS, Y_BOUNDS = (-2.0, 2.0), (1.0, 1.0), (-2.0, 2.0), (-1.0, 3.0)


def peer_score(points):
    """The peer's score of one path (lower is better), from optianim's recorded points: the 201
    positions and the 200 losses before each update."""
    position, losses = points[:, :2].astype(np.float64), points[:-1, 2].astype(np.float64)
    x, y = position[:, 0], position[:, 1]
    violation = (np.clip(X_BOUNDS[0] - x, 0, None).max() + np.clip(x - X_BOUNDS[1], 0, None).max()
                 + np.clip(Y_BOUNDS[0] - y, 0, None).max() + np.clip(y - Y_BOUNDS[1], 0, None).max())
    distance = (x[-1] - MINIMUM[0]) ** 2 + (y[-1] - MINIMUM[1]) ** 2
    mean, least = losses.mean(), losses.min()
    oscillation = np.abs(np.diff(position, axis=0)).mean()
    return distance + 100 * violation + 0.4 * mean + 0.1 * oscillation + 0.2 * (mean - least)


def scene(objective, candidates, updates, low, high, minimum=None):
    lr = anim.tune(low, high, candidates, objective, minimum)
    return Scene(name="peer", surface=rosenbrock, init=START, steps=updates + 1, x_range=X_BOUNDS, y_range=Y_BOUNDS,
                 optimizers=[Optimizer("Adam", torch.optim.Adam, lr=lr, clip_grad_norm=1.0),
                             Optimizer("Lion", "lion", lr=lr, clip_grad_norm=1.0)])


def race(label, lr, updates):
    """The run of optimizer `label` at learning rate `lr`, as the race draws it."""
    from anim.compute import trajectory

    optimizer = next(o for o in scene("final_loss", 2, updates, 1e-4, 2.0).optimizers if o.label == label)
    return trajectory.compute(tuning._with(scene("final_loss", 2, updates, 1e-4, 2.0),
                                           [optimizer.tuned_to("lr", lr)]))[0]


def timed(function):
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def run_peer(path, candidates, updates):
    """The peer's own search (its objective, TPE, seed), for Adam and Lion: {name: (lr, score)}, wall, cpu."""
    from hyperopt import Trials, fmin, tpe
    from pytorch_optimizer import load_optimizer

    spec = importlib.util.spec_from_file_location("peer_visualizer", path)
    peer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(peer)
    found = {}

    def search():
        for name in ("adam", "lion"):
            objective = partial(peer.objective, criterion=peer.rosenbrock, optimizer_class=load_optimizer(name),
                                initial_state=START, minimum=MINIMUM, x_bounds=X_BOUNDS, y_bounds=Y_BOUNDS,
                                num_iters=updates)
            trials = Trials()
            best = fmin(fn=objective, space=peer.SPECIAL_SEARCH_SPACES.get(name, peer.DEFAULT_SEARCH_SPACES),
                        algo=tpe.suggest, max_evals=candidates, loss_threshold=0.0, rstate=np.random.default_rng(42),
                        catch_eval_exceptions=True, trials=trials, show_progressbar=False)
            found[name] = (best["lr"], min(t["result"]["loss"] for t in trials.trials if "loss" in t["result"]))

    _, wall, cpu = timed(search)
    return found, wall, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=600)
    parser.add_argument("--updates", type=int, default=200)
    parser.add_argument("--low", type=float, default=1e-4)
    parser.add_argument("--high", type=float, default=2.0)
    parser.add_argument("--peer", help="the peer's examples/visualize_optimizers.py, to time its search here too")
    args = parser.parse_args()
    tuning.tune(scene(peer_score, 2, 2, args.low, args.high))  # warm up torch's kernels

    (tuned, tunings), wall, cpu = timed(lambda: tuning.tune(scene(peer_score, args.candidates, args.updates,
                                                                  args.low, args.high)))
    print(f"anim.tune: Adam and Lion, {args.candidates} learning rates each from {args.low:g} to {args.high:g}, "
          f"{args.updates} updates, clipped at 1, Rosenbrock (torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads)")
    print(f"  {wall:7.2f} s wall   {cpu:7.2f} s CPU   (batched: {', '.join(str(t.batched) for t in tunings)})")
    for t in tunings:
        print(f"  {t.label:5s} lr {t.chosen:.5g}   peer's score {t.score:.4f}")
    (_, others), _, _ = timed(lambda: tuning.tune(scene("distance", args.candidates, args.updates, args.low,
                                                        args.high, MINIMUM)))
    for t in others:
        print(f"  ({t.label} tuned by objective 'distance' instead: lr {t.chosen:.5g}, peer's score "
              f"{peer_score(race(t.label, t.chosen, args.updates).points):.4f})")

    if args.peer:
        found, peer_wall, peer_cpu = run_peer(args.peer, args.candidates, args.updates)
        print(f"peer (hyperopt TPE, {args.candidates} trials each):")
        print(f"  {peer_wall:7.2f} s wall   {peer_cpu:7.2f} s CPU")
        for name, (lr, score) in found.items():
            print(f"  {name:5s} lr {lr:.5g}   peer's score {score:.4f}")
        print(f"  anim.tune / peer: {peer_wall / wall:.1f}x faster (wall), {peer_cpu / cpu:.1f}x (CPU)")
    else:
        print(f"peer, as the issue measured it: {PEER_ISSUE['seconds']:.0f} s for the two, Adam's score "
              f"{PEER_ISSUE['adam_score']}; anim.tune is {PEER_ISSUE['seconds'] / wall:.1f}x faster by wall "
              f"time here, {PEER_ISSUE['seconds'] / cpu:.1f}x by CPU time (run with --peer to time it here)")


if __name__ == "__main__":
    main()
