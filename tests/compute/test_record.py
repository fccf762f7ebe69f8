"""What each optimizer was given and did at every step (grad, update, lr, its state) equals torch
run inline, alone and in a swarm, bit for bit; and the trajectory files carry it."""

import csv
import functools
import inspect
import io
import json

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from conftest import SCENES

from anim import Optimizer, Scene, starts
from anim.compute import trajectory
from anim.declare.loader import load_scene
from anim.faces.cli import main
from anim.surfaces import himmelblau, rosenbrock


def recorded_inline(factory, surface, start, steps, scheduler=None, noise=None, **hyperparameters):
    """torch run by hand from `start`: before each step the point, the gradient the optimizer gets
    (for LBFGS, the one its closure computes first) and the group's lr; after it the step taken
    and every state tensor of the weights' shape. `noise` (a trajectory.GradNoise) is added to
    each gradient the closure computes."""
    weights = torch.nn.Parameter(torch.tensor(start, dtype=torch.float32))
    optimizer = factory([weights], **hyperparameters)
    schedule = scheduler(optimizer) if scheduler else None
    given = []

    def closure():
        optimizer.zero_grad()
        loss = surface(weights[0], weights[1])
        loss.backward()
        if noise is not None:
            noise.add_to(torch, weights)
        given.append(weights.grad.clone())
        return loss

    needs = inspect.signature(optimizer.step).parameters.get("closure")
    step_args = (closure,) if needs is not None and needs.default is inspect.Parameter.empty else ()
    points, grads, updates, lrs, states = [], [], [], [], []
    for _ in range(steps):
        loss = surface(weights[0], weights[1])
        points.append([*weights.detach().tolist(), loss.item()])
        optimizer.zero_grad()
        loss.backward()
        before = weights.detach().clone()
        lrs.append(float(optimizer.param_groups[0]["lr"]))
        given.clear()
        grad = weights.grad.clone()
        optimizer.step(*step_args)
        grads.append((given[0] if step_args else grad).numpy())
        updates.append((weights.detach() - before).numpy())
        states.append({key: value.detach().clone().numpy() for key, value in optimizer.state[weights].items()
                       if torch.is_tensor(value) and value.shape == weights.shape})
        if schedule is not None:
            schedule.step()
    keys = list(dict.fromkeys(key for state in states for key in state))
    state = {key: np.array([s.get(key, [np.nan, np.nan]) for s in states], dtype=np.float32) for key in keys}
    return (np.float32(points), np.array(grads, dtype=np.float32), np.array(updates, dtype=np.float32),
            np.array(lrs), state)


def assert_recorded(run, expected):
    points, grad, update, lr, state = expected
    np.testing.assert_array_equal(run.points, points)
    np.testing.assert_array_equal(run.grad, grad)
    np.testing.assert_array_equal(run.update, update)
    np.testing.assert_array_equal(run.lr, lr)
    assert list(run.state) == list(state)
    for key in state:
        np.testing.assert_array_equal(run.state[key], state[key], err_msg=key)


# Every torch.optim optimizer that can step two dense weights, with options that keep more state,
# and the per-weight state keys each one keeps (the README lists them).
STATE_KEYS = {
    "ASGD": (dict(lr=0.001), ["ax"]),
    "Adadelta": (dict(lr=1.0), ["square_avg", "acc_delta"]),
    "Adafactor": (dict(lr=0.01), ["variance"]),
    "Adagrad": (dict(lr=0.1), ["sum"]),
    "Adam": (dict(lr=0.01), ["exp_avg", "exp_avg_sq"]),
    "Adam amsgrad": (dict(lr=0.01, amsgrad=True), ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"]),
    "AdamW": (dict(lr=0.01), ["exp_avg", "exp_avg_sq"]),
    "Adamax": (dict(lr=0.01), ["exp_avg", "exp_inf"]),
    "LBFGS": (dict(lr=0.5, max_iter=3), ["d", "prev_flat_grad"]),
    "NAdam": (dict(lr=0.01), ["exp_avg", "exp_avg_sq"]),
    "RAdam": (dict(lr=0.01), ["exp_avg", "exp_avg_sq"]),
    "RMSprop": (dict(lr=0.001), ["square_avg"]),
    "RMSprop centered momentum": (dict(lr=0.001, centered=True, momentum=0.5),
                                  ["square_avg", "momentum_buffer", "grad_avg"]),
    "Rprop": (dict(lr=0.01), ["prev", "step_size"]),
    "SGD": (dict(lr=0.001), []),
    "SGD momentum": (dict(lr=0.001, momentum=0.9), ["momentum_buffer"]),
}


@pytest.mark.parametrize("label", STATE_KEYS)
def test_every_torch_optimizer_records_what_torch_run_inline_gives_and_keeps(label):
    hyperparameters, keys = STATE_KEYS[label]
    factory = getattr(torch.optim, label.split()[0])
    scene = Scene(name="every", surface=rosenbrock, init=(-1.5, 2.0), steps=25, x_range=(-2, 2), y_range=(-1, 3),
                  optimizers=[Optimizer(label, factory, **hyperparameters)])
    (run,) = trajectory.compute(scene)
    expected = recorded_inline(factory, rosenbrock, (-1.5, 2.0), 25, **hyperparameters)
    assert_recorded(run, expected)
    assert sorted(run.state) == sorted(keys)
    # update[t] is the step to the next point; the last one is taken too (the loop steps after it)
    np.testing.assert_array_equal(run.update[:-1], np.diff(run.points[:, :2], axis=0))
    assert np.isfinite(run.update[-1]).all() and np.isfinite(run.grad).all()


def test_lbfgs_records_the_noisy_gradient_its_closure_gives_it_first():
    scene = Scene(name="n", surface=rosenbrock, init=(-1.5, 2.0), steps=8, x_range=(-2, 2), y_range=(-1, 3),
                  optimizers=[Optimizer("LBFGS", torch.optim.LBFGS, lr=0.5, max_iter=3, grad_noise=5.0)])
    (run,) = trajectory.compute(scene)
    noise = trajectory.GradNoise(5.0, 0, [0])
    expected = recorded_inline(torch.optim.LBFGS, rosenbrock, (-1.5, 2.0), 8, noise=noise, lr=0.5, max_iter=3)
    assert_recorded(run, expected)


def test_a_scheduler_s_learning_rate_is_recorded_per_update_as_torch_sets_it():
    scheduler = functools.partial(torch.optim.lr_scheduler.StepLR, step_size=5, gamma=0.5)
    scene = Scene(name="s", surface=rosenbrock, init=[(-1.5, 2.0), (0.5, 0.5)], steps=20, x_range=(-2, 2),
                  y_range=(-1, 3), optimizers=[Optimizer("Adam", torch.optim.Adam, lr=0.05, scheduler=scheduler)])
    runs = trajectory.compute(scene)
    for run in runs:
        assert_recorded(run, recorded_inline(torch.optim.Adam, rosenbrock, scene.init[run.run], 20,
                                             scheduler=scheduler, lr=0.05))
        assert list(run.lr[[0, 4, 5, 10, 19]]) == [0.05, 0.05, 0.025, 0.0125, 0.00625]


def test_the_scene_defined_lion_records_its_own_buffer():
    scene = load_scene(SCENES / "custom_optimizer.py")
    lion = scene.optimizers[0]
    run = trajectory.compute(scene)[0]
    assert_recorded(run, recorded_inline(lion.factory, scene.surface, scene.init[0], scene.steps,
                                         **lion.hyperparameters))
    assert list(run.state) == ["momentum"]


SWARMING = ["ASGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop", "Rprop",
            "SGD momentum", "Lion"]


@pytest.mark.parametrize("label", SWARMING)
def test_a_swarm_records_what_each_start_point_records_alone_bit_for_bit(monkeypatch, label):
    """The (2, n) state tensors of a swarm split per run equal each start point run alone."""
    if label == "Lion":
        factory, hyperparameters = load_scene(SCENES / "custom_optimizer.py").optimizers[0].factory, dict(lr=0.1)
    else:
        hyperparameters = STATE_KEYS.get(label, (dict(lr=0.01),))[0]
        factory = getattr(torch.optim, label.split()[0])
    scene = Scene(name="swarm", surface=himmelblau, init=starts.random(6, seed=3), steps=15, x_range=(-5, 5),
                  y_range=(-5, 5), optimizers=[Optimizer(label, factory, **hyperparameters)])
    swarmed = []
    run_swarm = trajectory._run_swarm
    monkeypatch.setattr(trajectory, "_run_swarm", lambda *a: swarmed.append(run_swarm(*a)) or swarmed[-1])
    swarm = trajectory.compute(scene)
    assert len(swarmed) == 1 and swarmed[0] is not None  # it really ran as one
    monkeypatch.setattr(trajectory, "vectorizes", lambda optimizer: False)
    alone = trajectory.compute(scene)
    assert swarm[0].state and list(swarm[0].state) == list(alone[0].state)
    for a, b in zip(swarm, alone):
        assert_recorded(a, (b.points, b.grad, b.update, b.lr, b.state))
    assert len({tuple(run.state[next(iter(run.state))][-1]) for run in swarm}) == len(swarm)  # each its own


MIXED_SCENE = """
    import torch
    from anim import Scene, Optimizer
    scene = Scene(name="mixed", surface=lambda w1, w2: w1 ** 2 + 3 * w2 ** 2, init=[(1.5, -1.0), (-1, 1)],
                  steps=6, x_range=(-2, 2), y_range=(-2, 2),
                  optimizers=[Optimizer("SGD", torch.optim.SGD, lr=0.1, momentum=0.5),
                              Optimizer("Adam", torch.optim.Adam, lr=0.3)])
"""


def test_trajectory_files_carry_grad_update_lr_and_state_per_the_contract(scene_file, tmp_path):
    path = scene_file(MIXED_SCENE)
    runs = trajectory.compute(load_scene(path))
    for suffix in ("npz", "csv", "json"):
        result = CliRunner().invoke(main, ["trajectories", str(path), "-o", str(tmp_path / f"t.{suffix}")])
        assert result.exit_code == 0, result.output
    with np.load(tmp_path / "t.npz") as npz:
        assert sorted(npz.files) == ["diverged_at", "grad", "lr", "optimizer", "points", "run",
                                     "state/exp_avg", "state/exp_avg_sq", "state/momentum_buffer", "update"]
        assert npz["grad"].shape == npz["update"].shape == (4, 6, 2) and npz["lr"].shape == (4, 6)
        assert list(npz["optimizer"]) == ["SGD", "SGD", "Adam", "Adam"]
        for i, run in enumerate(runs):
            for name in ("grad", "update", "lr"):
                np.testing.assert_array_equal(npz[name][i], getattr(run, name))
        np.testing.assert_array_equal(npz["state/momentum_buffer"][:2], [r.state["momentum_buffer"] for r in runs[:2]])
        assert np.isnan(npz["state/momentum_buffer"][2:]).all() and np.isnan(npz["state/exp_avg"][:2]).all()
        np.testing.assert_array_equal(npz["state/exp_avg_sq"][3], runs[3].state["exp_avg_sq"])
    rows = list(csv.reader(io.StringIO((tmp_path / "t.csv").read_text())))
    assert rows[0] == ["optimizer", "run", "step", "w1", "w2", "loss", "grad_w1", "grad_w2", "update_w1",
                       "update_w2", "lr"]
    adam = [row for row in rows[1:] if row[0] == "Adam" and row[1] == "1"]
    np.testing.assert_array_equal(np.float32([row[6:10] for row in adam]),
                                  np.concatenate([runs[3].grad, runs[3].update], axis=1))
    assert {row[10] for row in adam} == {"0.3"}
    document = json.loads((tmp_path / "t.json").read_text())
    sgd = document["runs"][1]
    np.testing.assert_array_equal(np.float32(sgd["grad"]), runs[1].grad)
    np.testing.assert_array_equal(np.float32(sgd["update"]), runs[1].update)
    np.testing.assert_array_equal(np.float32(sgd["state"]["momentum_buffer"]), runs[1].state["momentum_buffer"])
    assert sgd["lr"] == [0.1] * 6 and list(document["runs"][2]["state"]) == ["exp_avg", "exp_avg_sq"]
