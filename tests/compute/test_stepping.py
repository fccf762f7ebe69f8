"""Every optimizer of pytorch_optimizer's registry, schedulefree and torch.optim.Muon, by class or by
name, equals the same optimizer run inline as its authors document it (Hessian optimizers with
create_graph, Schedule-Free with train() and its averaged x, Muon on a 1x2 matrix, closures, d)."""

import warnings

import numpy as np
import pytest
import torch

from anim import Optimizer, Scene
from anim.compute import trajectory
from anim.errors import SceneError
from anim.look.style import legend_label

pytorch_optimizer = pytest.importorskip("pytorch_optimizer")
schedulefree = pytest.importorskip("schedulefree")
from pytorch_optimizer import get_supported_optimizers, load_optimizer  # noqa: E402

REGISTRY = get_supported_optimizers()

# How the authors' docstrings and READMEs use them, written out here apart from anim.compute.stepping:
HESSIAN = {"adahessian", "sophiah"}  # loss.backward(create_graph=True)
USE_MUON = {"muon", "adamuon", "adago", "normuon", "muonclip"}  # [dict(params=matrices, use_muon=True)]
MATRIX = USE_MUON | {"spectralsphere"}  # 2-D weights only
SCHEDULE_FREE = {"schedulefreeadamw", "schedulefreeradam", "schedulefreesgd", "splus"}  # train() before training
CLOSURE = {"lbfgs", "bsam"}  # step(closure), the closure re-evaluating the loss
LOSS_VALUE = {"alig"}  # optimizer.step(lambda: float(loss))
# Hyperparameters they need here: Ranger21 its run length, BSAM its data size (its batched path
# fails on CPU in pytorch_optimizer 4.1), AdaShift a shorter delay, SaRA a threshold above the weights.
HYPERPARAMETERS = {"ranger21": dict(num_iterations=8), "bsam": dict(num_data=100, foreach=False),
                   "adashift": dict(keep_num=3), "sara": dict(threshold=10.0, lr=0.05)}
# Refused before rendering, and why (their plain inline use fails too: checked below).
REFUSED = {
    "lomo": "it needs the model (an nn.Module): it fuses the update into the backward pass",
    "adalomo": "it needs the model (an nn.Module): it fuses the update into the backward pass",
    "adammini": "it needs the model (an nn.Module): it partitions the weights by layer name",
    "distributedmuon": "it is for distributed training only (an initialised process group)",
    "demo": "it is for distributed training only (it exchanges compressed momenta between processes)",
    "lorarite": "it updates LoRA factor pairs (lora_a, lora_b) of a model only; a lone weight is skipped",
}


def bowl(w1, w2):
    return (w1 - 1) ** 2 + 3 * (w2 + 0.5) ** 2 + 0.5 * w1 * w2


def inline(name, factory, surface, start, steps, **hyperparameters):
    """The optimizer from `start` as its documentation shows it, from torch's seed 0: (points,
    params) with the point and loss recorded before each update."""
    torch.manual_seed(0)
    weights = torch.nn.Parameter(torch.tensor(start, dtype=torch.float32).reshape((1, 2) if name in MATRIX else (2,)))
    optimizer = factory([dict(params=[weights], use_muon=True)] if name in USE_MUON else [weights], **hyperparameters)
    if name in SCHEDULE_FREE:
        optimizer.train()

    def closure():
        optimizer.zero_grad()
        loss = surface(*weights.reshape(-1))
        loss.backward()
        return loss

    points = []
    for _ in range(steps):
        loss = surface(*weights.reshape(-1))
        points.append([*weights.detach().reshape(-1).tolist(), loss.item()])
        optimizer.zero_grad()
        with warnings.catch_warnings():  # the documented backward(create_graph=True) warns of a reference cycle
            warnings.simplefilter("ignore", UserWarning)
            loss.backward(create_graph=name in HESSIAN)
        if name in LOSS_VALUE:
            optimizer.step(lambda: float(loss))
        elif name in CLOSURE:
            optimizer.step(closure)
        else:
            optimizer.step()
    return np.array(points, dtype=np.float32), optimizer


def computed(factory, steps=8, init=(1.5, -2.0), surface=bowl, **hyperparameters):
    scene = Scene(name="one", surface=surface, init=init, steps=steps, x_range=(-3, 3), y_range=(-3, 3),
                  optimizers=[Optimizer("it", factory, **hyperparameters)])
    trajectory.check_optimizers(scene)
    trajectory.check_first_steps(scene)
    return trajectory.compute(scene)


@pytest.mark.parametrize("name", REGISTRY)
def test_every_registry_optimizer_by_name_equals_its_documented_inline_use_or_is_refused_with_the_reason(name):
    hyperparameters = HYPERPARAMETERS.get(name, {})
    if name in REFUSED:
        with pytest.raises(SceneError) as error:
            computed(name, **hyperparameters)
        assert str(error.value) == f"optimizers['it']: {load_optimizer(name).__name__} cannot step two weights: " \
                                   f"{REFUSED[name]}"
        try:  # and it really cannot: it fails, or leaves the weights where they were
            points, _ = inline(name, load_optimizer(name), bowl, (1.5, -2.0), 3)
        except Exception:
            return
        assert np.array_equal(points[0], points[-1]), f"{name} is refused but steps"
        return
    (run,) = computed(name, **hyperparameters)
    expected, _ = inline(name, load_optimizer(name), bowl, (1.5, -2.0), 8, **hyperparameters)
    np.testing.assert_array_equal(run.points, expected)
    assert not np.array_equal(run.points[0, :2], run.points[-1, :2]), "it did not move"


def test_the_registry_is_counted_and_each_refusal_is_in_the_code():
    assert len(REGISTRY) == 128 and set(REFUSED) <= set(REGISTRY)


@pytest.mark.parametrize("factory", [pytorch_optimizer.Lion, "pytorch_optimizer.Lion", "LION", "lion"])
def test_a_class_and_its_names_are_the_same_optimizer(factory):
    (run,) = computed(factory, lr=0.05)
    np.testing.assert_array_equal(run.points, inline("lion", pytorch_optimizer.Lion, bowl, (1.5, -2.0), 8, lr=0.05)[0])


@pytest.mark.parametrize("name", ["adahessian", "sophiah"])
def test_hessian_optimizers_get_create_graph_and_fail_without_it(name):
    (run,) = computed(name)
    np.testing.assert_array_equal(run.points, inline(name, load_optimizer(name), bowl, (1.5, -2.0), 8)[0])
    with pytest.raises(RuntimeError, match="does not require grad"):  # what a plain backward() gives them
        weights = torch.nn.Parameter(torch.tensor([1.5, -2.0]))
        optimizer = load_optimizer(name)([weights])
        bowl(*weights).backward()
        optimizer.step()


@pytest.mark.parametrize("factory, name", [
    (schedulefree.AdamWScheduleFree, "schedulefreeadamw"), (schedulefree.SGDScheduleFree, "schedulefreesgd"),
    (schedulefree.RAdamScheduleFree, "schedulefreeradam"), ("schedulefreeadamw", "schedulefreeadamw"),
])
def test_schedule_free_records_y_where_the_gradient_is_taken_and_x_where_eval_puts_the_weights(factory, name):
    cls = load_optimizer(factory) if isinstance(factory, str) else factory
    (run,) = computed(factory, steps=12, lr=0.3)
    points, _ = inline(name, cls, bowl, (1.5, -2.0), 12, lr=0.3)
    np.testing.assert_array_equal(run.points, points)
    assert run.extras["x"].shape == (12, 2)
    for k in (0, 1, 5, 11):  # x before update k: k steps inline, then eval(), as the docs evaluate
        _, optimizer = inline(name, cls, bowl, (1.5, -2.0), k, lr=0.3)
        optimizer.eval()
        np.testing.assert_array_equal(run.extras["x"][k], optimizer.param_groups[0]["params"][0].detach().numpy())
    assert not np.array_equal(run.extras["x"][11], run.points[11, :2])  # x is not y


def test_schedulefree_refuses_to_step_without_train():
    weights = torch.nn.Parameter(torch.tensor([1.5, -2.0]))
    optimizer = schedulefree.AdamWScheduleFree([weights])
    bowl(*weights).backward()
    with pytest.raises(Exception, match="train mode"):
        optimizer.step()


@pytest.mark.parametrize("factory, name", [(torch.optim.Muon, "torch-muon"), ("muon", "muon"), ("normuon", "normuon")])
def test_muon_runs_on_the_point_as_a_1x2_matrix_and_the_legend_says_so(factory, name):
    (run,) = computed(factory, steps=10, lr=0.05)
    if name == "torch-muon":
        torch.manual_seed(0)
        weights = torch.nn.Parameter(torch.tensor([[1.5, -2.0]]))
        optimizer = torch.optim.Muon([weights], lr=0.05)
        expected = []
        for _ in range(10):
            loss = bowl(weights[0, 0], weights[0, 1])
            expected.append([*weights.detach().reshape(-1).tolist(), loss.item()])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        expected = np.array(expected, dtype=np.float32)
    else:
        expected, _ = inline(name, load_optimizer(name), bowl, (1.5, -2.0), 10, lr=0.05)
    np.testing.assert_array_equal(run.points, expected)
    assert run.note == "1x2 matrix"
    assert legend_label("Muon", [run]) == "Muon\n(1x2 matrix)"


@pytest.mark.parametrize("name", ["prodigy", "dadaptadam", "dadaptsgd"])
def test_step_size_estimators_export_the_d_each_update_used(name):
    (run,) = computed(name, steps=10)
    ds = []
    weights = torch.nn.Parameter(torch.tensor([1.5, -2.0]))
    optimizer = load_optimizer(name)([weights])
    for _ in range(10):
        optimizer.zero_grad()
        bowl(*weights).backward()
        optimizer.step()
        ds.append(float(optimizer.param_groups[0]["d"]))
    np.testing.assert_array_equal(run.extras["d"], ds)
    assert ds[-1] > ds[0]  # it grew its estimate: the lesson to show


def test_closures_are_given_as_documented_and_the_noise_goes_into_what_they_compute():
    (alig,) = computed("alig")
    np.testing.assert_array_equal(alig.points, inline("alig", load_optimizer("alig"), bowl, (1.5, -2.0), 8)[0])
    (noisy,) = computed("bsam", grad_noise=0.5, noise_seed=3, **HYPERPARAMETERS["bsam"])
    torch.manual_seed(0)
    weights = torch.nn.Parameter(torch.tensor([1.5, -2.0]))
    optimizer = load_optimizer("bsam")([weights], **HYPERPARAMETERS["bsam"])
    noise = trajectory.GradNoise(0.5, 3, [0])  # README: the noise goes into each gradient the closure computes

    def closure():
        optimizer.zero_grad()
        loss = bowl(*weights)
        loss.backward()
        weights.grad.add_(torch.from_numpy(noise.draw()).reshape(2))
        return loss

    expected = []
    for _ in range(8):
        loss = bowl(*weights)
        expected.append([*weights.detach().tolist(), loss.item()])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step(closure)
    np.testing.assert_array_equal(noisy.points, np.array(expected, dtype=np.float32))
    assert not np.array_equal(noisy.points, computed("bsam", **HYPERPARAMETERS["bsam"])[0].points)


def test_library_optimizers_in_a_swarm_run_start_by_start_each_as_alone():
    starts = [(1.5, -2.0), (-1.0, 1.0), (2.0, 2.0)]
    for factory, name in [("soap", "soap"), ("muon", "muon"), ("schedulefreeadamw", "schedulefreeadamw")]:
        runs = computed(factory, init=starts, steps=6)
        assert not trajectory.vectorizes(Optimizer("x", load_optimizer(factory)))
        for run, start in zip(runs, starts):
            np.testing.assert_array_equal(run.points, inline(name, load_optimizer(factory), bowl, start, 6)[0])


@pytest.mark.parametrize("name, hyperparameters", [("lion", {}), ("lion", dict(weight_decay=0.1)),
                                                   ("adabelief", {}), ("adabelief", dict(rectify=False))])
def test_lion_and_adabelief_run_a_swarm_as_one_and_each_start_equals_it_alone(name, hyperparameters):
    starts = [(1.5, -2.0), (-1.0, 1.0), (2.0, 2.0), (0.1, -0.3)]
    assert trajectory.vectorizes(Optimizer("x", load_optimizer(name), **hyperparameters))
    runs = computed(name, init=starts, steps=12, **hyperparameters)
    for run, start in zip(runs, starts):
        expected, _ = inline(name, load_optimizer(name), bowl, start, 12, **hyperparameters)
        np.testing.assert_array_equal(run.points, expected)


@pytest.mark.parametrize("name, option", [("lion", "use_gc"), ("lion", "cautious"), ("lion", "adanorm"),
                                          ("adabelief", "adanorm")])
def test_options_that_reduce_over_a_whole_tensor_run_start_by_start(name, option):
    assert not trajectory.vectorizes(Optimizer("x", load_optimizer(name), **{option: True}))
