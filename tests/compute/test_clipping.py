"""Gradient clipping: exactly torch.nn.utils.clip_grad_norm_ / clip_grad_value_ then step(), run inline,
alone and in a 1,000-start swarm; the raw and the clipped gradient recorded, exported and drawn."""

import csv
import io
import json
import math

import numpy as np
import pytest
import torch

from anim import Optimizer, Scene, starts
from anim.compute import clipping, trajectory
from anim.declare.surfaces import rosenbrock
from anim.errors import SceneError
from anim.look import arrows, inside
from anim.write import export

pytorch_optimizer = pytest.importorskip("pytorch_optimizer")

# The peer comparison's optimizers (pytorch_optimizer's visualiser clips the norm to 1).
OPTIMIZERS = [(torch.optim.Adam, dict(lr=0.05)), (pytorch_optimizer.Lion, dict(lr=0.01)),
              (pytorch_optimizer.AdaBelief, dict(lr=0.05))]
PEERS = OPTIMIZERS + [(torch.optim.AdamW, dict(lr=0.1)), (pytorch_optimizer.Ranger, dict(lr=0.5))]  # the peer's five


def inline(factory, start, steps, clip, **hyperparameters):
    """What a user writes: backward, clip_grad_norm_ (or clip_grad_value_), step; the point and loss
    recorded before each update, with the gradient before and after clipping."""
    torch.manual_seed(0)
    weights = torch.nn.Parameter(torch.tensor(start, dtype=torch.float32))
    optimizer = factory([weights], **hyperparameters)
    points, raw, used = [], [], []
    for _ in range(steps):
        loss = rosenbrock(*weights)
        points.append([*weights.detach().tolist(), loss.item()])
        optimizer.zero_grad()
        loss.backward()
        raw.append(weights.grad.detach().clone().numpy())
        clip(weights)
        used.append(weights.grad.detach().clone().numpy())
        optimizer.step()
    return np.array(points, dtype=np.float32), np.array(raw), np.array(used)


def by_norm(max_norm, norm_type=2.0):
    return lambda weights: torch.nn.utils.clip_grad_norm_([weights], max_norm, norm_type)


def scene(factory, init=(-2.0, 2.0), steps=201, **declared):
    return Scene(name="clipped", surface=rosenbrock, init=init, steps=steps, x_range=(-2, 2), y_range=(-1, 3),
                 optimizers=[Optimizer("it", factory, **declared)])


@pytest.mark.parametrize("factory, hyperparameters", PEERS)
def test_a_clipped_run_equals_clip_grad_norm_then_step_inline_bit_for_bit(factory, hyperparameters):
    (run,) = trajectory.compute(scene(factory, clip_grad_norm=1.0, **hyperparameters))
    points, raw, used = inline(factory, (-2.0, 2.0), 201, by_norm(1.0), **hyperparameters)
    np.testing.assert_array_equal(run.points, points)
    np.testing.assert_array_equal(run.grad, raw)  # the gradient before clipping ...
    np.testing.assert_array_equal(run.clipped_grad, used)  # ... and the one the step used
    np.testing.assert_array_equal(run.grad[0], [-1606, -400])
    np.testing.assert_allclose(run.clipped_grad[0], [-0.9703554, -0.24168254])
    assert not np.array_equal(run.points, trajectory.compute(scene(factory, **hyperparameters))[0].points)


@pytest.mark.slow  # 1,000 inline runs each
@pytest.mark.parametrize("factory, hyperparameters", OPTIMIZERS)
def test_in_a_1000_start_swarm_each_clipped_start_equals_it_run_inline_alone(factory, hyperparameters):
    swarm = scene(factory, init=starts.random(1000, seed=0, x=(-2, 2), y=(-1, 3)), steps=15, clip_grad_norm=1.0,
                  **hyperparameters)
    assert trajectory.vectorizes(swarm.optimizers[0])  # one torch run: the clipping is per column
    runs = trajectory.compute(swarm)
    for run, start in zip(runs, swarm.init):
        points, raw, used = inline(factory, start, 15, by_norm(1.0), **hyperparameters)
        np.testing.assert_array_equal(run.points, points)
        np.testing.assert_array_equal(run.grad, raw)
        np.testing.assert_array_equal(run.clipped_grad, used)


@pytest.mark.parametrize("declared, clip", [
    (dict(clip_grad_norm=0.37, clip_norm_type=1.0), by_norm(0.37, 1.0)),
    (dict(clip_grad_norm=2.0, clip_norm_type=math.inf), by_norm(2.0, math.inf)),
    (dict(clip_grad_value=0.5), lambda weights: torch.nn.utils.clip_grad_value_([weights], 0.5)),
])
def test_other_norms_and_value_clipping_alone_and_in_a_swarm(declared, clip):
    init = [(-2.0, 2.0), (0.5, 0.1), (1.2, 1.5), (-0.5, -0.5)]
    runs = trajectory.compute(scene(torch.optim.Adam, init=init, steps=20, lr=0.05, **declared))
    for run, start in zip(runs, init):
        points, raw, used = inline(torch.optim.Adam, start, 20, clip, lr=0.05)
        np.testing.assert_array_equal(run.points, points)
        np.testing.assert_array_equal(run.clipped_grad, used)


def test_the_column_clipper_equals_torch_on_every_column_at_any_magnitude():
    generator = torch.Generator().manual_seed(0)
    scales = 10.0 ** (torch.rand(5000, generator=generator) * 60 - 30)
    grad = torch.randn(2, 5000, generator=generator) * scales
    grad[:, :10], grad[:, 10:20], grad[0, 20:30], grad[0, 30:40] = 1e20, 0.0, math.inf, math.nan
    for declared in (dict(clip_grad_norm=1.0), dict(clip_grad_norm=0.37, clip_norm_type=3.0),
                     dict(clip_grad_norm=2.5, clip_norm_type=math.inf), dict(clip_grad_value=0.5)):
        optimizer = Optimizer("it", torch.optim.SGD, lr=0.1, **declared)
        weights = torch.nn.Parameter(torch.zeros(2, 5000))
        weights.grad = grad.clone()
        clipping.column_clipper(torch, optimizer, weights)()
        for column in range(5000):
            alone = torch.nn.Parameter(torch.zeros(2))
            alone.grad = grad[:, column].clone()
            clipping.clipper(torch, optimizer, [alone])()
            assert torch.equal(alone.grad.view(torch.int32), weights.grad[:, column].view(torch.int32)), column


def test_noise_is_added_before_clipping_and_a_closure_clips_what_it_computes():
    (noisy,) = trajectory.compute(scene(torch.optim.SGD, steps=10, lr=0.01, grad_noise=50.0, clip_grad_norm=1.0))
    noise = trajectory.GradNoise(50.0, 0, [0])
    expected, _, _ = inline(torch.optim.SGD, (-2.0, 2.0), 10,
                            lambda w: (w.grad.add_(torch.from_numpy(noise.draw()).reshape(2)), by_norm(1.0)(w)), lr=0.01)
    np.testing.assert_array_equal(noisy.points, expected)
    (lbfgs,) = trajectory.compute(scene(torch.optim.LBFGS, steps=5, lr=0.5, clip_grad_norm=1.0))
    torch.manual_seed(0)
    weights = torch.nn.Parameter(torch.tensor([-2.0, 2.0]))
    optimizer = torch.optim.LBFGS([weights], lr=0.5)

    def closure():
        optimizer.zero_grad()
        loss = rosenbrock(*weights)
        loss.backward()
        torch.nn.utils.clip_grad_norm_([weights], 1.0)
        return loss

    points = []
    for _ in range(5):
        points.append([*weights.detach().tolist(), rosenbrock(*weights).item()])
        optimizer.step(closure)
    np.testing.assert_array_equal(lbfgs.points, np.array(points, dtype=np.float32))
    assert np.linalg.norm(lbfgs.clipped_grad[0]) == pytest.approx(1.0, rel=1e-5)


def test_the_gradient_arrow_and_the_effective_step_use_the_clipped_gradient():
    (run,) = trajectory.compute(scene(torch.optim.SGD, steps=6, lr=0.001, clip_grad_norm=1.0))
    np.testing.assert_array_equal(arrows.vectors(run, "gradient"), -run.lr[:, None] * run.clipped_grad)
    # plain SGD's update is lr times the gradient it used: its effective step is lr, clipped or not
    np.testing.assert_allclose(inside.effective_steps(run)[:5], 0.001, rtol=1e-3)


def test_csv_appends_the_clipped_gradient_beside_the_raw_one_and_json_npz_hold_it():
    clipped, plain = trajectory.compute(Scene(
        name="two", surface=rosenbrock, init=(-2.0, 2.0), steps=3,
        optimizers=[Optimizer("Adam", torch.optim.Adam, lr=0.05, clip_grad_norm=1.0),
                    Optimizer("SGD", torch.optim.SGD, lr=1e-4)]))
    rows = list(csv.reader(io.StringIO(export.to_csv([clipped, plain]).decode())))
    assert rows[0] == list(export.CSV_COLUMNS) + ["clipped_grad_w1", "clipped_grad_w2"]
    assert rows[1][6:8] == ["-1606", "-400"] and np.float32(rows[1][11]) == clipped.clipped_grad[0, 0]
    assert np.float32(rows[1][12]) == clipped.clipped_grad[0, 1]
    assert rows[4][11:13] == rows[4][6:8]  # a run that does not clip used its gradient as it was
    document = json.loads(export.to_json([clipped, plain], "two"))
    assert "clipped_grad" in document["runs"][0] and "clipped_grad" not in document["runs"][1]
    with np.load(io.BytesIO(export.to_npz([clipped, plain]))) as npz:
        np.testing.assert_array_equal(npz["clipped_grad"][0], clipped.clipped_grad)
    assert export.to_csv([plain]).decode().splitlines()[0] == ",".join(export.CSV_COLUMNS)  # nobody clips: as before


@pytest.mark.parametrize("declared, message", [
    (dict(clip_grad_norm=1.0, clip_grad_value=1.0), "optimizers['it']: give clip_grad_norm or clip_grad_value, not both"),
    (dict(clip_grad_norm=0), "optimizers['it'].clip_grad_norm: got 0; use a finite number > 0 (the gradient is clipped "
                             "to it before each step), None for no clipping, or a list of numbers to sweep"),
    (dict(clip_grad_value="1"), "optimizers['it'].clip_grad_value: got '1'; use a finite number > 0 (the gradient is "
                                "clipped to it before each step), None for no clipping, or a list of numbers to sweep"),
    (dict(clip_grad_norm=1.0, clip_norm_type=-1), "optimizers['it'].clip_norm_type: got -1; use a number > 0 (2.0, "
                                                  "the Euclidean norm, by default) or math.inf"),
    (dict(clip_norm_type=1.0), "optimizers['it'].clip_norm_type: applies to clip_grad_norm, which is not given"),
])
def test_bad_clipping_is_refused_when_declared(declared, message):
    with pytest.raises(SceneError) as error:
        Optimizer("it", torch.optim.SGD, lr=0.1, **declared)
    assert str(error.value) == message


def test_clipping_sweeps_and_says_how_it_clips():
    swept = scene(torch.optim.SGD, lr=0.01, clip_grad_norm=[0.5, 1]).optimizers
    assert [o.label for o in swept] == ["it clip_grad_norm=0.5", "it clip_grad_norm=1"]
    assert [o.clip_grad_norm for o in swept] == [0.5, 1.0] and swept[0].clipping == "clipped at 0.5"
    assert Optimizer("x", torch.optim.SGD, clip_grad_norm=1, clip_norm_type=math.inf).clipping == \
        "clipped at 1 (inf-norm)"
    assert Optimizer("x", torch.optim.SGD, clip_grad_value=0.25).clipping == "values clipped at 0.25"
    assert Optimizer("x", torch.optim.SGD).clipping is None
