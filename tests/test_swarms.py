"""Swarms of start points, sweeps of hyperparameters, schedulers and the grid view: each run equals
torch run inline from its start point, and the views render them."""

import csv
import functools
import inspect
import json

import numpy as np
import probe
import pytest
import torch
from click.testing import CliRunner
from conftest import SCENES

from anim import Optimizer, Scene, starts
from anim.compute import trajectory
from anim.declare.loader import load_scene
from anim.errors import SceneError
from anim.faces.cli import main
from anim.look.multiples import layout_cells
from anim.surfaces import himmelblau, quadratic_bowl, rosenbrock


def inline(factory, surface, start, steps, scheduler=None, **hyperparameters):
    """One optimizer from one start point, written out as torch users write it: the point and
    its loss recorded before each update, the scheduler (if any) stepped after it."""
    weights = torch.nn.Parameter(torch.tensor(start, dtype=torch.float32))
    optimizer = factory([weights], **hyperparameters)
    schedule = scheduler(optimizer) if scheduler else None

    def closure():  # for an optimizer whose step requires one (LBFGS): it re-evaluates the loss
        optimizer.zero_grad()
        loss = surface(weights[0], weights[1])
        loss.backward()
        return loss

    needs_closure = inspect.signature(optimizer.step).parameters.get("closure")
    step_args = (closure,) if needs_closure and needs_closure.default is inspect.Parameter.empty else ()
    points = []
    for _ in range(steps):
        loss = surface(weights[0], weights[1])
        points.append([*weights.detach().tolist(), loss.item()])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step(*step_args)
        if isinstance(schedule, torch.optim.lr_scheduler.ReduceLROnPlateau):
            schedule.step(loss.item())
        elif schedule is not None:
            schedule.step()
    return np.array(points, dtype=np.float32)


def swarm_scene(optimizers, init=None, surface=himmelblau, steps=40):
    return Scene(name="swarm", surface=surface, init=init or starts.random(24, seed=3), steps=steps,
                 x_range=(-5, 5), y_range=(-5, 5), optimizers=optimizers)


def test_grid_spreads_n_by_n_points_over_the_window_row_by_row():
    points = Scene(name="g", surface=himmelblau, init=starts.grid(3), x_range=(-3, 3), y_range=(0, 6),
                   optimizers=[Optimizer("SGD", torch.optim.SGD, lr=0.01)]).init
    assert points == tuple((x, y) for y in (1.0, 3.0, 5.0) for x in (-2.0, 0.0, 2.0))


def test_random_points_are_the_same_for_a_seed_and_inside_the_ranges():
    first = starts.random(50, seed=7, x=(0, 1), y=(10, 20)).points()
    assert first == starts.random(50, seed=7, x=(0, 1), y=(10, 20)).points()
    assert first != starts.random(50, seed=8, x=(0, 1), y=(10, 20)).points()
    assert len(first) == 50 and all(0 <= x <= 1 and 10 <= y <= 20 for x, y in first)


def test_circle_points_start_on_the_right_and_go_around():
    points = starts.circle(4, radius=2, center=(1, -1)).points()
    np.testing.assert_allclose(points, [(3, -1), (1, 1), (-1, -1), (1, -3)], atol=1e-12)


@pytest.mark.parametrize("init, message", [
    (starts.grid(5), "init: starts.grid(5) spreads over the window, which is fitted to the paths; give x_range "
                     "and y_range as (low, high), or the generator x=(low, high) and y=(low, high)"),
    (lambda: starts.grid(0), "starts.grid: got n=0; use a whole number >= 1"),
    (lambda: starts.random(3, seed=1.5), "starts.random: seed: got 1.5; use a whole number"),
    (lambda: starts.grid(3, x=(1, -1)), "starts.grid: x: got (1, -1); use a (low, high) pair of numbers, "
                                        "low below high"),
    (lambda: starts.circle(3, radius=0), "starts.circle: radius: got 0; use a number > 0"),
])
def test_bad_generators_say_what_would_be_valid(init, message):
    with pytest.raises(SceneError) as error:
        Scene(name="bad", surface=himmelblau, init=init() if callable(init) else init,
              optimizers=[Optimizer("SGD", torch.optim.SGD, lr=0.01)])
    assert str(error.value) == message


def torch_optimizers():
    """Every optimizer class torch.optim offers, by name (not the base class): read from torch
    itself, so neither a list of the code's nor one of the tests' can leave one out."""
    return {name: value for name, value in vars(torch.optim).items()
            if inspect.isclass(value) and issubclass(value, torch.optim.Optimizer)
            and value is not torch.optim.Optimizer}


def why_it_cannot_step_two_dense_weights(factory, shape=(2,)):
    """None if `factory` builds on one Parameter of two weights (with lr=0.01 if it has no default)
    and takes a step from their dense gradient; else torch's reason."""
    weights = torch.nn.Parameter(torch.tensor([1.0, -2.0]).reshape(shape))
    try:
        try:
            optimizer = factory([weights])
        except TypeError:  # no default learning rate
            optimizer = factory([weights], lr=0.01)

        def closure():
            optimizer.zero_grad()
            loss = (weights ** 2).sum()
            loss.backward()
            return loss

        closure()
        optimizer.step(closure)  # every torch.optim step takes a closure; LBFGS needs it
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


# What README says (Optimizer, Swarms): the optimizers whose update treats each weight alone run
# all start points as one torch run on a (2, n) weight ...
DOCUMENTED_VECTORIZED = {"ASGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop",
                         "Rprop", "SGD"}
# ... these run start point by start point, their update coupling the weights ...
DOCUMENTED_START_BY_START = {
    "LBFGS": "a line search over all the weights at once, and its step needs a closure",
    "Adafactor": "a factored second moment, and an update clipped by its RMS over all the weights",
}
# ... these step matrices only, so they run start by start on the point as a 1x2 matrix
# (tests/compute/test_stepping.py checks them against torch run inline) ...
MATRIX_ONLY = {"Muon": "orthogonalises a matrix update"}
# ... and these cannot step two dense weights at all (refused before rendering: test_trajectory.py).
CANNOT_STEP = {"SparseAdam": "sparse gradients only"}

STEPPING = sorted(name for name, factory in torch_optimizers().items()
                  if why_it_cannot_step_two_dense_weights(factory) is None)
SWARM_HYPERPARAMETERS = {  # lr=0.01 unless said here; options that take other code paths
    "SGD": dict(lr=0.002, momentum=0.9, nesterov=True), "Adam": dict(lr=0.05, amsgrad=True),
    "Adadelta": dict(lr=1.0), "LBFGS": dict(lr=0.5, max_iter=3),
}


def test_every_torch_optimizer_runs_or_is_excluded_for_a_stated_reason():
    names = set(torch_optimizers())
    cannot = {name: why_it_cannot_step_two_dense_weights(factory) for name, factory in torch_optimizers().items()}
    cannot = {name: why for name, why in cannot.items() if why is not None}
    assert set(cannot) == set(CANNOT_STEP) | set(MATRIX_ONLY), f"cannot step two dense weights: {cannot}"
    assert all(why_it_cannot_step_two_dense_weights(getattr(torch.optim, name), (1, 2)) is None for name in MATRIX_ONLY)
    # A new torch.optim optimizer fails here until it is placed: run as one swarm or start by start.
    assert DOCUMENTED_VECTORIZED.isdisjoint(DOCUMENTED_START_BY_START)
    assert (names - set(CANNOT_STEP) - set(MATRIX_ONLY) == DOCUMENTED_VECTORIZED | set(DOCUMENTED_START_BY_START)), \
        sorted(names)


@pytest.mark.parametrize("name", STEPPING)
def test_a_swarm_equals_each_start_run_alone_bit_for_bit(monkeypatch, name):
    """For every torch.optim optimizer that can step two dense weights: the 24 runs of a swarm
    equal torch run inline from each start point alone, bit for bit; and the swarm ran as one
    torch run exactly for the optimizers documented as vectorized."""
    hyperparameters = SWARM_HYPERPARAMETERS.get(name, dict(lr=0.01))
    factory = getattr(torch.optim, name)
    scene = swarm_scene([Optimizer(name, factory, **hyperparameters)])
    calls = {"swarm": [], "one": 0}
    run_swarm, run_one = trajectory._run_swarm, trajectory._run_one

    def spy_swarm(*args, **kwargs):
        calls["swarm"].append(run_swarm(*args, **kwargs))
        return calls["swarm"][-1]

    def spy_one(*args, **kwargs):
        calls["one"] += 1
        return run_one(*args, **kwargs)

    monkeypatch.setattr(trajectory, "_run_swarm", spy_swarm)
    monkeypatch.setattr(trajectory, "_run_one", spy_one)
    runs = trajectory.compute(scene)
    assert [run.run for run in runs] == list(range(24))
    for run, start in zip(runs, scene.init):
        np.testing.assert_array_equal(run.points, inline(factory, himmelblau, start, 40, **hyperparameters))
    assert len({tuple(run.points[-1, :2]) for run in runs}) > 4  # they went different ways
    as_one = calls["one"] == 0 and len(calls["swarm"]) == 1 and calls["swarm"][0] is not None
    ran = "as one swarm" if as_one else f"{calls['one']} start points one by one"
    if name in DOCUMENTED_VECTORIZED:
        assert as_one, f"{name} is documented to run as one swarm, but ran {ran}"
    else:
        assert calls["one"] == 24, f"{name} is documented to run start by start, but ran {ran}"


def test_optimizers_that_are_not_elementwise_run_start_by_start(monkeypatch):
    class Plain(torch.optim.SGD):  # a scene's own class that does not say it is elementwise
        pass

    scene = swarm_scene([Optimizer("L-BFGS", torch.optim.LBFGS, lr=0.5, max_iter=3),
                         Optimizer("Plain", Plain, lr=0.01)], init=[(1, 1), (-2, 3), (4, -4)], steps=5)
    monkeypatch.setattr(trajectory, "_run_swarm", None)  # calling it would fail the test
    runs = trajectory.compute(scene)
    assert [(r.label, r.run) for r in runs] == [("L-BFGS", 0), ("L-BFGS", 1), ("L-BFGS", 2),
                                                ("Plain", 0), ("Plain", 1), ("Plain", 2)]
    for run in runs[3:]:
        np.testing.assert_array_equal(run.points, inline(Plain, himmelblau, scene.init[run.run], 5, lr=0.01))


def test_the_shipped_custom_optimizer_equals_itself_run_inline_alone_and_in_a_swarm():
    scene = load_scene(SCENES / "custom_optimizer.py")
    lion = scene.optimizers[0]
    assert lion.factory.__module__ != "torch.optim" and trajectory.vectorizes(lion)
    runs = trajectory.compute(scene)
    expected = inline(lion.factory, scene.surface, scene.init[0], scene.steps, **lion.hyperparameters)
    np.testing.assert_array_equal(runs[0].points, expected)
    # Lion moves each weight by exactly lr per update (no weight decay here).
    np.testing.assert_allclose(np.abs(np.diff(expected[:, :2], axis=0)), 0.1, rtol=1e-5)
    swarm = swarm_scene([lion], surface=scene.surface, steps=30)
    for run, start in zip(trajectory.compute(swarm), swarm.init):
        np.testing.assert_array_equal(run.points, inline(lion.factory, scene.surface, start, 30,
                                                         **lion.hyperparameters))


SCHEDULERS = {
    "StepLR": functools.partial(torch.optim.lr_scheduler.StepLR, step_size=10, gamma=0.3),
    "ExponentialLR": lambda optimizer: torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.95),
    "OneCycleLR": functools.partial(torch.optim.lr_scheduler.OneCycleLR, max_lr=0.05, total_steps=40),
    "CosineAnnealingLR": functools.partial(torch.optim.lr_scheduler.CosineAnnealingLR, T_max=40),
    "ReduceLROnPlateau": functools.partial(torch.optim.lr_scheduler.ReduceLROnPlateau, patience=2, factor=0.5),
}


@pytest.mark.parametrize("name", SCHEDULERS)
def test_a_scheduler_declared_per_optimizer_equals_torch_run_inline(name):
    scheduler = SCHEDULERS[name]
    scene = swarm_scene([Optimizer("Adam", torch.optim.Adam, lr=0.05, scheduler=scheduler),
                         Optimizer("SGD", torch.optim.SGD, lr=0.002)], init=[(-1.5, 2.0), (0.5, 0.5), (1, -1)],
                        surface=rosenbrock)
    runs = trajectory.compute(scene)
    for run in runs:
        if run.label == "Adam":
            expected = inline(torch.optim.Adam, rosenbrock, scene.init[run.run], 40, scheduler=scheduler, lr=0.05)
            unscheduled = inline(torch.optim.Adam, rosenbrock, scene.init[run.run], 40, lr=0.05)
            assert not np.array_equal(expected, unscheduled)  # the scheduler changed the path
        else:
            expected = inline(torch.optim.SGD, rosenbrock, scene.init[run.run], 40, lr=0.002)
        np.testing.assert_array_equal(run.points, expected)


@pytest.mark.parametrize("scheduler, message", [
    ("StepLR", "optimizers['SGD'].scheduler: got 'StepLR'; use a function of the torch optimizer, such as "
               "functools.partial(torch.optim.lr_scheduler.StepLR, step_size=30)"),
    (torch.optim.lr_scheduler.StepLR, "optimizers['SGD'].scheduler: failed on the optimizer (TypeError: "
                                      "StepLR.__init__() missing 1 required positional argument: 'step_size'); "
                                      "give its arguments with functools.partial(StepLR, ...)"),
    (lambda optimizer: 3, "optimizers['SGD'].scheduler: returned 3, which has no step(); "
                          "return a torch.optim.lr_scheduler object"),
    # The optimizer has a step() too: stepped as its scheduler it would update twice a step.
    (lambda optimizer: optimizer, "optimizers['SGD'].scheduler: returned the optimizer itself; "
                                  "return a torch.optim.lr_scheduler object built on it"),
])
def test_a_bad_scheduler_is_named_before_rendering(scheduler, message):
    with pytest.raises(SceneError) as error:
        scene = swarm_scene([Optimizer("SGD", torch.optim.SGD, lr=0.01, scheduler=scheduler)])
        trajectory.check_first_steps(scene)
    assert str(error.value) == message


def test_a_list_of_values_sweeps_one_optimizer_per_combination_labelled_by_it():
    scene = Scene(name="sweep", surface=quadratic_bowl(10), init=(-3, 1), steps=20, x_range=(-4, 4),
                  y_range=(-2, 2), optimizers=[
                      Optimizer("SGD", torch.optim.SGD, lr=[0.01, 0.1], momentum=[0.0, 0.9]),
                      Optimizer("Adam", torch.optim.Adam, lr=0.1, betas=(0.8, 0.9))])
    labels = [o.label for o in scene.optimizers]
    assert labels == ["SGD lr=0.01 momentum=0", "SGD lr=0.01 momentum=0.9", "SGD lr=0.1 momentum=0",
                      "SGD lr=0.1 momentum=0.9", "Adam"]
    assert len({o.color for o in scene.optimizers}) == 5
    runs = trajectory.compute(scene)
    for optimizer, run in zip(scene.optimizers, runs):
        assert run.label == optimizer.label
        expected = inline(optimizer.factory, scene.surface, (-3, 1), 20, **optimizer.hyperparameters)
        np.testing.assert_array_equal(run.points, expected)
    assert runs[3].points[-1, 0] != runs[2].points[-1, 0]  # momentum made a difference


@pytest.mark.parametrize("optimizers, message", [
    ([Optimizer("SGD", torch.optim.SGD, lr=[0.1, 0.1])], "optimizers[0]: duplicate label 'SGD lr=0.1'; "
                                                         "labels must be unique"),
    (lambda: [Optimizer("SGD", torch.optim.SGD, lr=[])], "optimizers['SGD'].lr: an empty list sweeps no value; "
                                                         "give one or more"),
])
def test_bad_sweeps_are_named(optimizers, message):
    with pytest.raises(SceneError) as error:
        swarm_scene(optimizers() if callable(optimizers) else optimizers)
    assert str(error.value) == message


@pytest.mark.parametrize("panels, frame_aspect, window_aspect, expected", [
    (1, 1.6, 1.0, (1, 1)), (2, 1.6, 1.0, (1, 2)), (3, 1.6, 1.0, (1, 3)), (4, 1.6, 2.0, (2, 2)),
    (6, 1.6, 1.0, (2, 3)), (9, 1.6, 1.0, (3, 3)), (4, 1.6, 0.25, (1, 4)),
])
def test_grid_layout_draws_each_panel_largest(panels, frame_aspect, window_aspect, expected):
    assert layout_cells(panels, frame_aspect, 1.0, window_aspect)[:2] == expected


def test_a_swarm_sweep_renders_in_the_grid_and_dashboard_views(tmp_path, scene_file):
    path = scene_file("""
        import torch
        from anim import Scene, Optimizer, starts
        from anim.surfaces import himmelblau

        scene = Scene(name="swept", surface=himmelblau, init=starts.grid(5), steps=12, x_range=(-5, 5),
                      y_range=(-5, 5), optimizers=[Optimizer("SGD", torch.optim.SGD, lr=[0.001, 0.01, 0.05])])
    """)
    result = CliRunner().invoke(main, ["render", str(path), "-o", str(tmp_path), "--size", "320x180",
                                       "--view", "grid", "--view", "dashboard", "--format", "mp4", "--format", "png",
                                       "--jobs", "1"])
    assert result.exit_code == 0, result.output
    # lr=0.05 overshoots Himmelblau's walls from most of the 25 starts: one note for all of them
    assert "  note: SGD lr=0.05: " in result.output and " runs left the view, the first at step " in result.output
    folder = tmp_path / "swept"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert len(manifest["runs"]) == 75
    for record in manifest["files"]:
        if record["file"].endswith(".mp4"):
            assert probe.decoded_frames(folder / record["file"]) == record["frames"]
            stream = probe.stream(folder / record["file"])
            assert (stream.width, stream.height) == (320, 180)
    with open(folder / "trajectories.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 3 * 25 * 12
    assert sorted({int(row["run"]) for row in rows}) == list(range(25))
    assert [row["optimizer"] for row in rows[::25 * 12]] == ["SGD lr=0.001", "SGD lr=0.01", "SGD lr=0.05"]


def test_optimizers_a_swarm_would_change_run_start_by_start():
    """fused kernels round differently for many weights; a closure or a noisy surface is per start."""
    class SignDescent(torch.optim.Optimizer):  # says it is elementwise, but wants a closure
        elementwise = True

        def __init__(self, params, lr=0.01):
            super().__init__(params, dict(lr=lr))

        @torch.no_grad()
        def step(self, closure):
            with torch.enable_grad():
                closure()
            for weight in self.param_groups[0]["params"]:
                weight.sub_(self.param_groups[0]["lr"] * torch.sign(weight.grad))

    def noisy(w1, w2):
        return himmelblau(w1, w2) + 0.5 * torch.randn_like(w1) * w1

    init = [(1.0, 1.0), (-2.0, 3.0), (4.0, -4.0)]
    scene = swarm_scene([Optimizer("Sign", SignDescent, lr=0.05),
                         Optimizer("Adam", torch.optim.Adam, lr=0.05, fused=True)], init=init, steps=15)
    noisy_scene = swarm_scene([Optimizer("SGD", torch.optim.SGD, lr=0.005)], init=init, surface=noisy, steps=15)
    runs = trajectory.compute(scene) + trajectory.compute(noisy_scene)
    assert len(runs) == 9
    for run in runs[:3]:  # as from its start alone (which gives a closure, as for LBFGS)
        alone = swarm_scene([scene.optimizers[0]], init=[init[run.run]], steps=15)
        np.testing.assert_array_equal(run.points, trajectory.compute(alone)[0].points)
    assert not np.array_equal(runs[0].points[-1], runs[0].points[0])
    for run in runs[3:6]:
        np.testing.assert_array_equal(run.points, inline(torch.optim.Adam, himmelblau, init[run.run], 15, lr=0.05,
                                                         fused=True))
    for run in runs[6:]:
        torch.manual_seed(0)  # each start alone draws its noise from seed 0
        np.testing.assert_array_equal(run.points, inline(torch.optim.SGD, noisy, init[run.run], 15, lr=0.005))


def test_a_sweep_label_keeps_values_apart_and_a_list_meant_as_one_value_is_explained():
    labels = [o.label for o in Optimizer("SGD", torch.optim.SGD, lr=[0.1234567, 0.1234568, 0.5]).expanded()]
    assert labels == ["SGD lr=0.1234567", "SGD lr=0.1234568", "SGD lr=0.5"]
    scene = swarm_scene([Optimizer("Adam", torch.optim.Adam, betas=[0.9, 0.999])])
    with pytest.raises(SceneError) as error:
        trajectory.check_optimizers(scene)
    assert str(error.value) == (
        "optimizers['Adam betas=0.9']: Adam rejected its hyperparameters: 'float' object is not subscriptable "
        "(betas given as a list sweeps one value per item; give a tuple for one value, such as betas=(0.9, 0.999))")


def test_a_long_sweep_from_one_start_keeps_the_bold_look_and_a_swarm_turns_thin():
    from anim.look import style

    def runs(labels, starts_each):
        return [trajectory.Run(label, "red", i, np.zeros((2, 3), np.float32))
                for label in labels for i in range(starts_each)]

    assert style.path_look(runs([f"SGD lr={i}" for i in range(20)], 1)) is style.FEW
    assert style.path_look(runs(["SGD", "Adam"], 8)) is style.FEW
    few, many = style.path_look(runs(["SGD", "Adam"], 9)), style.path_look(runs(["SGD"], 1000))
    assert few.swarm and many.swarm and few.halo_width == 0 and few.marker_size == 0
    assert few.alpha == 0.6 and many.alpha == 0.285 and many.path_width < few.path_width


def test_a_run_that_leaves_the_view_and_diverges_later_is_reported_once(tmp_path, scene_file):
    path = scene_file("""
        import torch
        from anim import Scene, Optimizer
        scene = Scene(name="away", surface=lambda a, b: -a ** 2 + b ** 2, init=(0.5, 0.5), steps=135,
                      x_range=(-1, 1), y_range=(-1, 1), optimizers=[Optimizer("SGD", torch.optim.SGD, lr=0.5)])
    """)
    result = CliRunner().invoke(main, ["render", str(path), "-o", str(tmp_path), "--size", "160x96", "--format", "png",
                                       "--view", "contour"])
    assert result.exit_code == 0, result.output
    notes = [line for line in result.output.splitlines() if "note:" in line]
    assert notes == ["  note: SGD (run 0) left the view at step 3 (far outside it): drawn up to there; "
                     "trajectories.csv has every value"]
    run, = json.loads((tmp_path / "away" / "manifest.json").read_text())["runs"]
    assert (run["left_view_at"], run["diverged_at"]) == (3, 65)  # the loss -w1^2 overflows float32 at 2^64


def test_trajectories_makes_its_folder_and_refuses_a_file_in_the_way_before_computing(tmp_path):
    result = CliRunner().invoke(main, ["trajectories", str(SCENES / "lr_sweep.py"), "-o",
                                       str(tmp_path / "a" / "x.csv")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "a" / "x.csv").read_text().startswith("optimizer,run,step,w1,w2,loss,")
    (tmp_path / "file").write_text("")
    result = CliRunner().invoke(main, ["trajectories", str(SCENES / "swarm.py"), "-o",
                                       str(tmp_path / "file" / "x.csv")])
    assert result.exit_code == 1
    assert result.output == f"error: cannot create the folder of {tmp_path / 'file' / 'x.csv'}: File exists\n"


def test_swarms_drawn_together_point_to_the_grid_view(tmp_path):
    args = ["render", str(SCENES / "swarm.py"), "-o", str(tmp_path), "--size", "160x96", "--format", "png"]
    result = CliRunner().invoke(main, args + ["--view", "contour"])
    assert result.exit_code == 0, result.output
    assert ("  note: the swarms of 2 optimizers overlap in each view; --view grid draws one panel per optimizer"
            in result.output.splitlines())
    assert "note:" not in CliRunner().invoke(main, args).output  # the scene's own view: the grid


@pytest.mark.parametrize("name", STEPPING)
def test_a_noisy_swarm_equals_the_same_scene_run_start_by_start_bit_for_bit(monkeypatch, name):
    """With grad_noise, every start point still gets what it gets alone: each of the 24 runs of
    the swarm equals that start point run by itself (the code's start-by-start path, which
    tests/test_noise.py checks against torch run inline with the documented noise)."""
    hyperparameters = SWARM_HYPERPARAMETERS.get(name, dict(lr=0.01))
    scene = swarm_scene([Optimizer(name, getattr(torch.optim, name), grad_noise=3.0, noise_seed=2,
                                   **hyperparameters)])
    swarm = trajectory.compute(scene)
    monkeypatch.setattr(trajectory, "vectorizes", lambda optimizer: False)
    alone = trajectory.compute(scene)
    assert [run.run for run in swarm] == [run.run for run in alone] == list(range(24))
    for a, b in zip(swarm, alone):
        np.testing.assert_array_equal(a.points, b.points)
    clean = trajectory.compute(swarm_scene([Optimizer(name, getattr(torch.optim, name), **hyperparameters)]))
    assert not any(np.array_equal(a.points, b.points) for a, b in zip(swarm, clean))  # the noise moved them
