"""The tuner: many learning rates as one batched run, each bit-equal to it run alone; every value's
score is the objective of the run the race would draw at it; the survey and rounds; the choice."""

import math

import numpy as np
import pytest
import torch

import anim
from anim import Optimizer, Scene
from anim.compute import trajectory, tuning
from anim.declare.surfaces import booth, rosenbrock
from anim.errors import SceneError

pytorch_optimizer = pytest.importorskip("pytorch_optimizer")

STARTS = [(-2.0, 2.0), (0.5, 0.1), (1.5, -0.5)]


def scene(*optimizers, init=(-2.0, 2.0), steps=40, surface=rosenbrock):
    return Scene(name="tuned", surface=surface, init=init, steps=steps, x_range=(-2, 2), y_range=(-1, 3),
                 optimizers=list(optimizers))


def alone(declared, optimizer, lr):
    """The runs of `optimizer` at `lr`, as the race computes them."""
    return trajectory.compute(tuning._with(declared, [optimizer.tuned_to("lr", lr)]))


LRS = [1e-3, 4e-3, 0.02, 0.09, 0.4, 2.0]  # from crawling to diverging


@pytest.mark.parametrize("optimizer", [
    Optimizer("Adam", torch.optim.Adam, lr=0.01),
    Optimizer("Momentum", torch.optim.SGD, lr=0.01, momentum=0.9, nesterov=True),
    Optimizer("RMSprop", torch.optim.RMSprop, lr=0.01, clip_grad_norm=1.0),
    Optimizer("Lion", pytorch_optimizer.Lion, lr=0.01, weight_decay=0.01),
    Optimizer("AdaBelief", pytorch_optimizer.AdaBelief, lr=0.01, clip_grad_value=0.5),
    Optimizer("noisy", torch.optim.SGD, lr=0.01, grad_noise=2.0, noise_seed=3, clip_grad_norm=5.0),
    Optimizer("StepLR", torch.optim.Adam, lr=0.01,
              scheduler=lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=7, gamma=0.5)),
])
@pytest.mark.parametrize("init", [STARTS[0], STARTS], ids=["one start", "three starts"])
def test_many_learning_rates_as_one_batched_run_equal_each_run_alone_bit_for_bit(optimizer, init):
    declared = scene(optimizer, init=init)
    assert trajectory.batches_lrs(declared, declared.optimizers[0])
    points = trajectory.lr_points(declared, declared.optimizers[0], LRS)
    assert points.shape == (len(LRS), len(declared.init), 40, 3)
    for at, lr in zip(points, LRS):
        for run_points, run in zip(at, alone(declared, declared.optimizers[0], lr)):
            np.testing.assert_array_equal(run_points, run.points)
    assert len({at.tobytes() for at in points}) == len(LRS)  # every learning rate a path of its own


def test_what_cannot_run_as_one_batch_is_run_value_by_value_as_the_race_would():
    for optimizer in (Optimizer("LBFGS", torch.optim.LBFGS, lr=anim.tune(0.01, 1, 6)),
                      Optimizer("Muon", torch.optim.Muon, lr=anim.tune(0.01, 1, 6)),
                      Optimizer("Plateau", torch.optim.Adam, lr=anim.tune(0.01, 1, 6),
                                scheduler=torch.optim.lr_scheduler.ReduceLROnPlateau)):
        declared = scene(optimizer, steps=8)
        _, (found,) = tuning.tune(declared)
        assert not found.batched
        for value, score in zip(found.values, found.scores):
            (run,) = alone(declared, declared.optimizers[0], value)
            assert score == (float(run.points[-1, 2]) if np.isfinite(run.points[-1, 2]) else math.inf)


@pytest.mark.parametrize("objective, minimum, expected", [
    ("final_loss", None, lambda runs: np.mean([float(r.points[-1, 2]) for r in runs])),
    ("distance", (1, 1), lambda runs: np.mean([math.hypot(r.points[-1, 0] - 1, r.points[-1, 1] - 1) for r in runs])),
    ("area", None, lambda runs: np.mean([np.sum(r.points[:, 2], dtype=np.float64) for r in runs])),
    (lambda points: float(np.abs(np.diff(points[:, :2], axis=0)).sum()), None,
     lambda runs: np.mean([float(np.abs(np.diff(r.points[:, :2], axis=0)).sum()) for r in runs])),
])
def test_each_value_scores_its_objective_on_the_runs_the_race_would_draw_averaged_over_starts(
        objective, minimum, expected):
    declared = scene(Optimizer("Adam", torch.optim.Adam, lr=anim.tune(1e-3, 1, 12, objective, minimum),
                               clip_grad_norm=1.0), init=STARTS, steps=30)
    tuned, (found,) = tuning.tune(declared)
    assert found.batched and len(found.values) == 12
    for value, score in zip(found.values, found.scores):
        assert score == pytest.approx(expected(alone(declared, declared.optimizers[0], value)), rel=1e-12)
    assert found.score == found.scores.min() and found.chosen == found.values[np.argmin(found.scores)]
    (race,) = tuned.optimizers
    assert race.hyperparameters["lr"] == found.chosen and race.tuned == ("lr",)
    assert race.label == "Adam" and race.clip_grad_norm == 1.0 and race.color == declared.optimizers[0].color


def test_a_third_is_surveyed_evenly_in_log_and_the_rest_refined_between_the_best_and_their_neighbours():
    declared = anim.tune(1e-4, 10, 60)
    survey = declared.survey()
    assert len(survey) == 20 and survey[0] == 1e-4 and survey[-1] == 10
    np.testing.assert_allclose(np.diff(np.log(survey)), math.log(1e5) / 19, rtol=1e-12)
    _, (found,) = tuning.tune(scene(Optimizer("SGD", torch.optim.SGD, lr=declared), surface=booth, steps=30))
    assert len(found.values) == 60 and len(set(found.values)) == 60 and np.all(np.diff(found.values) > 0)
    assert set(survey) <= set(found.values)
    # the refinements lie between surveyed neighbours of the best surveyed values
    added = sorted(set(found.values) - set(survey))
    scores = dict(zip(found.values, found.scores))
    best_surveyed = sorted(survey, key=lambda v: (scores[v], v))[:tuning.REFINED]
    windows = [(survey[max(i - 1, 0)], survey[min(i + 1, 19)]) for i in map(survey.index, best_surveyed)]
    first_round = added[:0] + [v for v in added if any(a < v < b for a, b in windows)]
    assert len(first_round) >= tuning.REFINED  # one value at least per window, at 60 candidates
    # deterministic: the same values, scores and choice every time
    _, (again,) = tuning.tune(scene(Optimizer("SGD", torch.optim.SGD, lr=declared), surface=booth, steps=30))
    np.testing.assert_array_equal(again.values, found.values)
    np.testing.assert_array_equal(again.scores, found.scores)


def test_refinements_split_each_window_over_both_gaps_and_skip_what_ran():
    values = np.array([1.0, 2.0, 4.0, 8.0])
    scores = np.array([3.0, 1.0, 2.0, 0.5])  # best first: 8 (an end: one gap), 2, 4, 1 (an end)
    new = tuning.refinements(values, scores, budget=100, candidates=300)  # 3 values per window

    def between(a, b, count):
        return list(np.exp(np.linspace(math.log(a), math.log(b), count + 2)[1:-1]))

    expected = [*between(4, 8, 3),                      # 8: all three in its one gap
                *between(1, 2, 2), *between(2, 4, 1),   # 2: two in the left gap, one in the right
                *between(2, 4, 2),                      # 4: two left; its right one, sqrt(32), is 8's already
                *between(1, 2, 3)]                      # 1: all three in its one gap
    np.testing.assert_allclose(new, expected, rtol=1e-12)
    assert len(tuning.refinements(values, scores, budget=2, candidates=300)) == 2
    assert not set(tuning.refinements(values, scores, 100, 300)) & set(values)


def test_a_diverging_value_scores_infinity_and_is_never_chosen():
    _, (found,) = tuning.tune(scene(Optimizer("SGD", torch.optim.SGD, lr=anim.tune(1e-4, 10, 15)), steps=30))
    assert np.isinf(found.scores[-1]) and np.isfinite(found.score) and found.chosen < 10
    assert found.described()["scores"][-1] is None


def test_when_every_value_diverges_the_tuner_says_so():
    with pytest.raises(SceneError) as error:
        tuning.tune(scene(Optimizer("SGD", torch.optim.SGD, lr=anim.tune(5, 50, 4)), steps=30))
    assert str(error.value) == ("optimizers['SGD'].lr: every one of the 2 values of tune(5, 50) diverged or scored no "
                                "finite final_loss; choose another range")


@pytest.mark.slow  # 600 learning rates x 200 updates
def test_the_peer_comparison_job_is_batched_and_beats_the_peers_tpe_score_for_adam():
    """pytorch_optimizer's visualiser's job, smaller: Adam on Rosenbrock, clipped at 1, 200 updates.
    (tests/bench/bench_tune.py runs it at 600 values for Adam and Lion and times it.)"""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    import bench_tune

    declared = bench_tune.scene(bench_tune.peer_score, 600, 200, 1e-4, 2.0)
    adam = tuning._with(declared, declared.optimizers[:1])
    _, (found,) = tuning.tune(adam)
    assert found.batched and len(found.values) == 600
    assert found.score <= bench_tune.PEER_ISSUE["adam_score"]
    (run,) = trajectory.compute(tuning._with(adam, [adam.optimizers[0].tuned_to("lr", found.chosen)]))
    assert bench_tune.peer_score(run.points) == found.score
