"""Gradient noise (`grad_noise`, `noise_seed`): a clean surface whose optimizers are given noisy
gradients. Each run equals torch run inline with the documented noise added to `p.grad` before
`step()`, alone and in a swarm; the surface the views draw is the clean one."""

import inspect
import json

import numpy as np
import pytest
import torch

import anim
from anim import Optimizer, Scene, starts
from anim.compute import trajectory, window
from anim.drive.settings import Settings
from anim.errors import SceneError
from anim.look.views import VIEWS, view_data
from anim.surfaces import himmelblau, quadratic_bowl

BOWL = quadratic_bowl(condition=10)


def noise_generator(seed, run):
    """The documented generator of start point `run`: the run-th child of SeedSequence(seed)."""
    return np.random.default_rng(np.random.SeedSequence(seed).spawn(run + 1)[run])


def inline(factory, surface, start, steps, grad_noise=0.0, noise_seed=0, run=0, **hyperparameters):
    """One optimizer from one start point, as a torch user adds gradient noise: after backward(),
    std * two standard normals (w1, w2) from the run's generator, in float64 rounded to float32,
    added to p.grad before step(); for a step that takes a closure, to each gradient it computes.
    The point and its (clean) loss are recorded before each update."""
    weights = torch.nn.Parameter(torch.tensor(start, dtype=torch.float32))
    optimizer = factory([weights], **hyperparameters)
    rng = noise_generator(noise_seed, run)

    def add_noise():
        if grad_noise:
            weights.grad += torch.from_numpy((grad_noise * rng.standard_normal(2)).astype(np.float32))

    def closure():
        optimizer.zero_grad()
        loss = surface(weights[0], weights[1])
        loss.backward()
        add_noise()
        return loss

    needs = inspect.signature(optimizer.step).parameters.get("closure")
    needs_closure = needs is not None and needs.default is inspect.Parameter.empty
    points = []
    for _ in range(steps):
        loss = surface(weights[0], weights[1])
        points.append([*weights.detach().tolist(), loss.item()])
        if needs_closure:
            optimizer.step(closure)
            continue
        optimizer.zero_grad()
        loss.backward()
        add_noise()
        optimizer.step()
    return np.array(points, dtype=np.float32)


def bowl_scene(optimizers, init=(-4.0, 1.5), steps=40, **fields):
    return Scene(name="noisy", surface=BOWL, init=init, steps=steps, x_range=(-5, 5), y_range=(-2.5, 2.5),
                 optimizers=optimizers, **fields)


@pytest.mark.parametrize("factory, hyperparameters", [
    (torch.optim.SGD, dict(lr=0.05)),
    (torch.optim.SGD, dict(lr=0.02, momentum=0.9)),
    (torch.optim.Adam, dict(lr=0.1)),
    (torch.optim.LBFGS, dict(lr=0.5, max_iter=3)),  # a closure: noise on each gradient it computes
])
def test_a_noisy_run_equals_torch_run_inline_with_the_documented_noise(factory, hyperparameters):
    scene = bowl_scene([Optimizer("opt", factory, grad_noise=0.5, noise_seed=7, **hyperparameters)])
    run, = trajectory.compute(scene)
    expected = inline(factory, BOWL, (-4.0, 1.5), 40, grad_noise=0.5, noise_seed=7, **hyperparameters)
    np.testing.assert_array_equal(run.points, expected)
    clean = inline(factory, BOWL, (-4.0, 1.5), 40, **hyperparameters)
    assert not np.array_equal(run.points[1:, :2], clean[1:, :2])  # the noise moved it
    # The recorded loss is the clean loss at the recorded point.
    w = torch.from_numpy(run.points[:, :2].copy())
    np.testing.assert_array_equal(run.points[:, 2], BOWL(w[:, 0], w[:, 1]).numpy())


SWARM_OPTIMIZERS = {  # elementwise: they run all start points as one (2, n) torch run
    "SGD": (torch.optim.SGD, dict(lr=0.002, momentum=0.9, nesterov=True)),
    "Adam": (torch.optim.Adam, dict(lr=0.05, amsgrad=True)),
    "RMSprop": (torch.optim.RMSprop, dict(lr=0.01)),
    "Rprop": (torch.optim.Rprop, dict(lr=0.01)),
    "ASGD": (torch.optim.ASGD, dict(lr=0.01)),
    "Adagrad": (torch.optim.Adagrad, dict(lr=0.1)),
}


@pytest.mark.parametrize("name", SWARM_OPTIMIZERS)
def test_a_noisy_swarm_equals_each_start_run_alone_bit_for_bit(monkeypatch, name):
    factory, hyperparameters = SWARM_OPTIMIZERS[name]
    scene = Scene(name="swarm", surface=himmelblau, init=starts.random(24, seed=3), steps=40, x_range=(-5, 5),
                  y_range=(-5, 5), optimizers=[Optimizer(name, factory, grad_noise=2.0, noise_seed=11,
                                                         **hyperparameters)])
    swarms = []
    run_swarm = trajectory._run_swarm
    monkeypatch.setattr(trajectory, "_run_swarm", lambda *a, **k: swarms.append(run_swarm(*a, **k)) or swarms[-1])
    runs = trajectory.compute(scene)
    assert len(swarms) == 1 and swarms[0] is not None  # it ran as one swarm
    assert [run.run for run in runs] == list(range(24))
    for run, start in zip(runs, scene.init):
        np.testing.assert_array_equal(run.points, inline(factory, himmelblau, start, 40, grad_noise=2.0,
                                                         noise_seed=11, run=run.run, **hyperparameters))


def test_the_same_scene_gives_the_same_runs_whatever_the_random_state():
    scene = bowl_scene([Optimizer("SGD", torch.optim.SGD, lr=0.05, grad_noise=1.0)],
                       init=starts.circle(5, radius=1.5))
    first = [run.points for run in trajectory.compute(scene)]
    torch.manual_seed(1234)
    np.random.seed(1234)
    torch.rand(10), np.random.rand(10)
    second = [run.points for run in trajectory.compute(scene)]
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_runs_and_seeds_get_different_noise_and_optimizers_the_same_draws():
    same_start = [(-4.0, 1.5)] * 3
    runs = trajectory.compute(bowl_scene([Optimizer("SGD", torch.optim.SGD, lr=0.05, grad_noise=1.0),
                                          Optimizer("SGD again", torch.optim.SGD, lr=0.05, grad_noise=1.0),
                                          Optimizer("seed 1", torch.optim.SGD, lr=0.05, grad_noise=1.0,
                                                    noise_seed=1)], init=same_start))
    paths = [run.points.tobytes() for run in runs]
    assert len(set(paths[:3])) == 3  # three runs from one start point: three noises
    assert paths[3:6] == paths[:3]  # same seed, same start point index: the same draws
    assert set(paths[6:]).isdisjoint(paths[:3])  # another seed: other draws
    clean = trajectory.compute(bowl_scene([Optimizer("SGD", torch.optim.SGD, lr=0.05)], init=same_start))
    assert len({run.points.tobytes() for run in clean}) == 1


def test_noise_zero_equals_no_noise_exactly(monkeypatch):
    optimizers = [Optimizer("SGD", torch.optim.SGD, lr=0.05, momentum=0.9), Optimizer("Adam", torch.optim.Adam, lr=0.1)]
    init = starts.circle(6, radius=1.5)
    plain = trajectory.compute(bowl_scene(optimizers, init=init))
    zero = [Optimizer(o.label, o.factory, grad_noise=0, **o.hyperparameters) for o in optimizers]
    monkeypatch.setattr(trajectory, "GradNoise", None)  # no noise is drawn at all
    for scene in (bowl_scene(zero, init=init), bowl_scene(optimizers, init=init, grad_noise=0.0)):
        for a, b in zip(plain, trajectory.compute(scene)):
            np.testing.assert_array_equal(a.points, b.points)


def test_a_swept_noise_is_one_optimizer_per_value_and_the_scene_default_is_inherited():
    scene = bowl_scene([Optimizer("SGD", torch.optim.SGD, lr=0.05, grad_noise=[0, 0.5, 2]),
                        Optimizer("Momentum", torch.optim.SGD, lr=0.02, momentum=0.9)], grad_noise=0.25)
    assert [(o.label, o.grad_noise, o.noise_seed) for o in scene.optimizers] == [
        ("SGD grad_noise=0", 0.0, 0), ("SGD grad_noise=0.5", 0.5, 0), ("SGD grad_noise=2", 2.0, 0),
        ("Momentum", 0.25, 0)]
    runs = trajectory.compute(scene)
    for optimizer, run in zip(scene.optimizers, runs):
        expected = inline(torch.optim.SGD, BOWL, (-4.0, 1.5), 40, grad_noise=optimizer.grad_noise,
                          **optimizer.hyperparameters)
        np.testing.assert_array_equal(run.points, expected)
    np.testing.assert_array_equal(runs[0].points, inline(torch.optim.SGD, BOWL, (-4.0, 1.5), 40, lr=0.05))
    swept = bowl_scene([Optimizer("SGD", torch.optim.SGD, lr=[0.01, 0.05], grad_noise=1, noise_seed=[0, 1])])
    assert [o.label for o in swept.optimizers] == [
        "SGD lr=0.01 noise_seed=0", "SGD lr=0.01 noise_seed=1", "SGD lr=0.05 noise_seed=0", "SGD lr=0.05 noise_seed=1"]


def test_the_views_draw_the_clean_surface_and_the_manifest_records_the_noise(tmp_path):
    noisy = bowl_scene([Optimizer("SGD", torch.optim.SGD, lr=0.05, grad_noise=3.0, noise_seed=5),
                        Optimizer("Adam", torch.optim.Adam, lr=0.1)], init=starts.circle(4, radius=1))
    clean = bowl_scene([Optimizer("SGD", torch.optim.SGD, lr=0.05), Optimizer("Adam", torch.optim.Adam, lr=0.1)],
                       init=starts.circle(4, radius=1))
    noisy_runs, clean_runs = trajectory.compute(noisy), trajectory.compute(clean)
    assert not np.array_equal(noisy_runs[0].points, clean_runs[0].points)
    frame = ((-5.0, 5.0), (-2.5, 2.5))
    for view in VIEWS:
        resolution = view_data(clean, clean_runs, frame, view, Settings()).mesh.z.shape[0]
        drawn = view_data(noisy, noisy_runs, frame, view, Settings()).mesh
        np.testing.assert_array_equal(drawn.z, window.sample(BOWL, *frame, resolution).z)
    result = anim.render(noisy, out=tmp_path, views=["contour"], formats=["png"], size="160x96", jobs=1)
    assert [(o["label"], o["grad_noise"], o["noise_seed"]) for o in result.manifest["optimizers"]] == [
        ("SGD", 3.0, 5), ("Adam", 0.0, 0)]
    assert json.loads((result.folder / "manifest.json").read_text())["optimizers"] == result.manifest["optimizers"]


NOISE_HELP = ("use a finite number >= 0 (the standard deviation of the Gaussian noise added to each gradient), "
              "or a list of them to sweep")


@pytest.mark.parametrize("make, message", [
    (lambda: Optimizer("SGD", torch.optim.SGD, lr=0.1, grad_noise=-0.5),
     f"optimizers['SGD'].grad_noise: got -0.5; {NOISE_HELP}"),
    (lambda: Optimizer("SGD", torch.optim.SGD, lr=0.1, grad_noise=float("nan")),
     f"optimizers['SGD'].grad_noise: got nan; {NOISE_HELP}"),
    (lambda: Optimizer("SGD", torch.optim.SGD, lr=0.1, grad_noise=float("inf")),
     f"optimizers['SGD'].grad_noise: got inf; {NOISE_HELP}"),
    (lambda: Optimizer("SGD", torch.optim.SGD, lr=0.1, grad_noise="0.5"),
     f"optimizers['SGD'].grad_noise: got '0.5'; {NOISE_HELP}"),
    (lambda: Optimizer("SGD", torch.optim.SGD, lr=0.1, grad_noise=True),
     f"optimizers['SGD'].grad_noise: got True; {NOISE_HELP}"),
    (lambda: Optimizer("SGD", torch.optim.SGD, lr=0.1, grad_noise=(0, 1)),
     f"optimizers['SGD'].grad_noise: got (0, 1); {NOISE_HELP}"),
    (lambda: Optimizer("SGD", torch.optim.SGD, lr=0.1, grad_noise=[0, -1]),
     f"optimizers['SGD'].grad_noise[1]: got -1; {NOISE_HELP}"),
    (lambda: Optimizer("SGD", torch.optim.SGD, lr=0.1, grad_noise=[]),
     "optimizers['SGD'].grad_noise: an empty list sweeps no value; give one or more"),
    (lambda: Optimizer("SGD", torch.optim.SGD, lr=0.1, noise_seed=1.5),
     "optimizers['SGD'].noise_seed: got 1.5; use a whole number >= 0, or a list of them to sweep"),
    (lambda: Optimizer("SGD", torch.optim.SGD, lr=0.1, noise_seed=-1),
     "optimizers['SGD'].noise_seed: got -1; use a whole number >= 0, or a list of them to sweep"),
    (lambda: bowl_scene([Optimizer("SGD", torch.optim.SGD, lr=0.1)], grad_noise=-1),
     f"grad_noise: got -1; {NOISE_HELP}"),
    (lambda: bowl_scene([Optimizer("SGD", torch.optim.SGD, lr=0.1)], noise_seed=None),
     "noise_seed: got None; use a whole number >= 0, or a list of them to sweep"),
])
def test_a_bad_noise_is_named_with_what_would_be_valid(make, message):
    with pytest.raises(SceneError) as error:
        make()
    assert str(error.value) == message


def test_a_bad_noise_in_a_scene_file_names_the_file_and_line(scene_file):
    path = scene_file("""
        import torch
        from anim import Scene, Optimizer
        scene = Scene(name="x", surface=lambda a, b: a * a + b * b, steps=5,
                      optimizers=[Optimizer("SGD", torch.optim.SGD, lr=0.01, grad_noise=-2)])
    """)
    with pytest.raises(SceneError) as error:
        anim.load(path)
    assert str(error.value) == f"{path}:5: optimizers['SGD'].grad_noise: got -2; {NOISE_HELP}"


def test_the_shipped_scene_equals_torch_inline_and_shows_its_lesson():
    from conftest import SCENES

    from anim.declare.loader import load_scene

    scene = load_scene(SCENES / "noisy_sgd.py")
    runs = {run.label: run.points for run in trajectory.compute(scene)}
    for optimizer in scene.optimizers:
        expected = inline(optimizer.factory, scene.surface, scene.init[0], scene.steps,
                          grad_noise=optimizer.grad_noise, noise_seed=optimizer.noise_seed, **optimizer.hyperparameters)
        np.testing.assert_array_equal(runs[optimizer.label], expected)
    sgd, momentum, exact = (runs[o.label][:, :2] for o in scene.optimizers)
    assert (exact[:, 1] == 0).all() and abs(exact[-1, 0]) < 0.1  # glides along the floor into the minimum

    def turning(path):  # mean angle between successive steps: a zig-zag turns a lot, a smooth path little
        steps = np.diff(path.astype(np.float64), axis=0)
        cos = (steps[1:] * steps[:-1]).sum(axis=1) / np.linalg.norm(steps[1:], axis=1) / np.linalg.norm(steps[:-1], axis=1)
        return np.degrees(np.arccos(np.clip(cos, -1, 1))).mean()

    assert turning(sgd) > 2 * turning(momentum), (turning(sgd), turning(momentum))
