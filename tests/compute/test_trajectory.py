"""Trajectories equal torch.optim run inline the lecture's way, and match updates computed by hand."""

import math

import numpy as np
import pytest
import torch
from conftest import SCENES

from anim.compute import trajectory
from anim.compute.trajectory import DIVERGED, LEFT_VIEW, Run, Stop
from anim.declare.loader import load_scene

LECTURE_SETTINGS = {
    # scene -> the learning rate and start point lecture 6 uses for all six optimizers
    "pathological": dict(lr=10, init=[5, 5]),
    "steep_optima": dict(lr=0.05, init=[0, 0]),
}


def lecture_runs(curve, lr, init):
    """Lecture 6's train_curve, written out again: point and loss recorded before each update."""
    factories = {
        "SGD": lambda p: torch.optim.SGD(p, lr=lr),
        "Momentum SGD": lambda p: torch.optim.SGD(p, lr=lr, momentum=0.9),
        "Nesterov": lambda p: torch.optim.SGD(p, lr=lr, momentum=0.9, nesterov=True),
        "Adagrad": lambda p: torch.optim.Adagrad(p, lr=lr),
        "RMSprop": lambda p: torch.optim.RMSprop(p, lr=lr, alpha=0.1),
        "Adam": lambda p: torch.optim.Adam(p, lr=lr),
    }
    runs = {}
    for label, make in factories.items():
        weights = torch.nn.Parameter(torch.FloatTensor(init), requires_grad=True)
        optimizer = make([weights])
        points = []
        for _ in range(100):
            loss = curve(weights[0], weights[1])
            points.append(torch.cat([weights.data.detach(), loss.unsqueeze(dim=0).detach()], dim=0))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        runs[label] = torch.stack(points).numpy()
    return runs


@pytest.mark.parametrize("name", sorted(LECTURE_SETTINGS))
def test_scene_trajectories_equal_the_lecture_bit_for_bit(name):
    scene = load_scene(SCENES / f"{name}.py")
    expected = lecture_runs(scene.surface, **LECTURE_SETTINGS[name])
    runs = trajectory.compute(scene)
    assert [r.label for r in runs] == list(expected)
    for run in runs:
        assert run.points.dtype == np.float32
        assert run.points.shape == (100, 3)
        np.testing.assert_array_equal(run.points, expected[run.label], err_msg=run.label)
        assert run.diverged_at is None


def _ravine_gradient(w1, w2):
    t = math.tanh(w1)
    s = 1 / (1 + math.exp(-w2))
    return (2 * t * (1 - t * t) + 0.01 * math.copysign(1, w1), s * (1 - s))


def test_first_sgd_and_adam_updates_match_hand_computation():
    scene = load_scene(SCENES / "pathological.py")
    runs = {r.label: r.points for r in trajectory.compute(scene)}
    g1, g2 = _ravine_gradient(5.0, 5.0)
    loss0 = math.tanh(5.0) ** 2 + 0.05 + 1 / (1 + math.exp(-5.0))
    # Step 0 is the start, with the loss there.
    np.testing.assert_allclose(runs["SGD"][0], [5.0, 5.0, loss0], rtol=1e-6)
    # SGD: w <- w - lr * g.
    np.testing.assert_allclose(runs["SGD"][1, :2], [5.0 - 10 * g1, 5.0 - 10 * g2], rtol=1e-5)
    # Adam's first step: m_hat = g and v_hat = g^2, so w <- w - lr * g / (|g| + eps).
    eps = 1e-8
    np.testing.assert_allclose(runs["Adam"][1, :2],
                               [5.0 - 10 * g1 / (abs(g1) + eps), 5.0 - 10 * g2 / (abs(g2) + eps)],
                               rtol=1e-5)


def test_several_start_points_give_one_run_each_in_scene_order(scene_file):
    from anim.declare.loader import load_scene as load

    scene = load(scene_file("""
        import torch
        from anim import Scene, Optimizer
        scene = Scene(name="two", surface=lambda a, b: a ** 2 + b ** 2, init=[(1, 1), (-2, 0.5)],
                      steps=5, optimizers=[Optimizer("SGD", torch.optim.SGD, lr=0.1),
                                           Optimizer("Adam", torch.optim.Adam, lr=0.1)])
    """))
    runs = trajectory.compute(scene)
    assert [(r.label, r.run) for r in runs] == [("SGD", 0), ("SGD", 1), ("Adam", 0), ("Adam", 1)]
    np.testing.assert_array_equal(runs[1].points[0], np.float32([-2, 0.5, 4.25]))
    # SGD on a^2 + b^2 with lr 0.1 shrinks each coordinate by 0.8 per step.
    np.testing.assert_allclose(runs[1].points[3, :2], np.float32([-2, 0.5]) * 0.8 ** 3, rtol=1e-6)


def test_divergence_is_recorded_with_the_first_non_finite_step(scene_file):
    scene = load_scene(scene_file("""
        import torch
        from anim import Scene, Optimizer
        scene = Scene(name="boom", surface=lambda a, b: torch.exp(a) + b ** 2, init=(1, 1), steps=30,
                      optimizers=[Optimizer("SGD", torch.optim.SGD, lr=1e6)])
    """))
    run, = trajectory.compute(scene)
    assert run.diverged_at is not None
    assert np.isfinite(run.points[: run.diverged_at]).all()
    assert not np.isfinite(run.points[run.diverged_at]).all()


def test_optimizers_that_need_a_closure_get_one(scene_file):
    scene = load_scene(scene_file("""
        import torch
        from anim import Scene, Optimizer
        scene = Scene(name="lbfgs", surface=lambda a, b: (a - 1) ** 2 + 2 * (b + 0.5) ** 2, init=(3, 2),
                      steps=4, optimizers=[Optimizer("L-BFGS", torch.optim.LBFGS, lr=1, max_iter=5)])
    """))
    run, = trajectory.compute(scene)
    weights = torch.nn.Parameter(torch.tensor([3.0, 2.0]))
    optimizer = torch.optim.LBFGS([weights], lr=1, max_iter=5)

    def closure():
        optimizer.zero_grad()
        loss = scene.surface(weights[0], weights[1])
        loss.backward()
        return loss

    expected = []
    for _ in range(4):
        expected.append([*weights.detach().tolist(), scene.surface(weights[0], weights[1]).item()])
        optimizer.step(closure)
    np.testing.assert_array_equal(run.points, np.float32(expected))
    np.testing.assert_allclose(run.points[-1], [1, -0.5, 0], atol=1e-4)  # a quadratic: solved


EVERY_OPTIMIZER = ["ASGD", "Adadelta", "Adafactor", "Adagrad", "Adam", "AdamW", "Adamax", "LBFGS", "NAdam",
                   "RAdam", "RMSprop", "Rprop", "SGD"]


@pytest.mark.parametrize("name", EVERY_OPTIMIZER)
def test_every_torch_optimizer_equals_torch_run_inline(scene_file, name):
    """Each torch.optim optimizer that can step two weights gives, bit for bit, what torch gives
    run by hand (LBFGS with a closure that re-evaluates the loss)."""
    from anim.surfaces import rosenbrock

    scene = load_scene(scene_file(f"""
        import torch
        from anim import Scene, Optimizer
        from anim.surfaces import rosenbrock
        scene = Scene(name="every", surface=rosenbrock, init=(-1.5, 2.0), steps=30, x_range=(-2, 2),
                      y_range=(-1, 3), optimizers=[Optimizer("{name}", torch.optim.{name}, lr=0.01)])
    """))
    (run,) = trajectory.compute(scene)
    weights = torch.nn.Parameter(torch.tensor([-1.5, 2.0]))
    optimizer = getattr(torch.optim, name)([weights], lr=0.01)

    def closure():
        optimizer.zero_grad()
        loss = rosenbrock(weights[0], weights[1])
        loss.backward()
        return loss

    expected = []
    for _ in range(30):
        loss = rosenbrock(weights[0], weights[1])
        expected.append([*weights.detach().tolist(), loss.item()])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step(closure) if name == "LBFGS" else optimizer.step()
    np.testing.assert_array_equal(run.points, np.array(expected, dtype=np.float32))
    assert not np.array_equal(run.points[0], run.points[-1])  # it moved


@pytest.mark.parametrize("name, message", [
    ("SparseAdam", "optimizers['SparseAdam']: SparseAdam cannot step two weights: it takes sparse gradients only "
                   "(those of nn.Embedding(sparse=True))"),
])
def test_optimizers_that_cannot_step_two_weights_say_so_before_rendering(scene_file, name, message):
    from anim.drive.pipeline import checked
    from anim.errors import SceneError

    path = scene_file(f"""
        import torch
        from anim import Scene, Optimizer
        scene = Scene(name="x", surface=lambda a, b: a * a + b * b, steps=5,
                      optimizers=[Optimizer("{name}", torch.optim.{name}, lr=0.01)])
    """)
    with pytest.raises(SceneError) as error:
        checked(path)
    assert str(error.value) == f"{path}:5: {message}"  # the line of its Optimizer(...)


def test_a_head_partway_is_interpolated_and_never_passes_a_divergence():
    points = np.array([[0, 0, 1], [2, 4, 3], [np.inf, 0, np.nan]], dtype=np.float32)
    run = Run("SGD", "red", 0, points, diverged_at=2)
    np.testing.assert_array_equal(run.shown_at(0.25), [[0, 0, 1], [0.5, 1, 1.5]])
    np.testing.assert_array_equal(run.shown_at(1.0), points[:2])
    np.testing.assert_array_equal(run.shown_at(1.5), points[:2])  # the next point is not drawable


@pytest.mark.parametrize("diverged_at, left_view_at, stop", [
    (None, None, None),
    (7, None, Stop(DIVERGED, 7)),
    (None, 3, Stop(LEFT_VIEW, 3)),
    (68, 57, Stop(LEFT_VIEW, 57)),  # left the view first, overflowed later: drawn up to where it left
    (5, 7, Stop(DIVERGED, 5)),
    (4, 4, Stop(DIVERGED, 4)),      # a tie counts as diverged
])
def test_a_run_stops_being_drawn_where_it_first_diverged_or_left_the_view(diverged_at, left_view_at, stop):
    points = np.arange(300, dtype=np.float32).reshape(100, 3)
    run = Run("SGD", "red", 0, points, diverged_at, left_view_at)
    assert run.stop == stop
    end = 100 if stop is None else stop.step
    np.testing.assert_array_equal(run.shown(99), points[:end])
    assert run.ended(end - 1) == (stop is not None) and not run.ended(end - 2)


def test_n_updates_of_a_script_that_records_the_start_and_each_new_point_are_steps_n_plus_1():
    # pytorch_optimizer's visualiser (and most scripts): the start, then the point after each of N
    # updates: N + 1 points. optianim records one point before each update: steps=N+1 draws the same.
    from anim import Optimizer, Scene
    from anim.declare.surfaces import rosenbrock

    updates = 5
    weights = torch.nn.Parameter(torch.tensor([-2.0, 2.0]))
    optimizer = torch.optim.Adam([weights], lr=0.1)
    path = [weights.detach().clone()]
    for _ in range(updates):
        optimizer.zero_grad()
        rosenbrock(*weights).backward()
        optimizer.step()
        path.append(weights.detach().clone())
    scene = Scene(name="n", surface=rosenbrock, init=(-2.0, 2.0), steps=updates + 1,
                  optimizers=[Optimizer("Adam", torch.optim.Adam, lr=0.1)])
    (run,) = trajectory.compute(scene)
    np.testing.assert_array_equal(run.points[:, :2], torch.stack(path).numpy())
