"""Landscape scenes: training equals torch run inline, the plane and its coordinates, the loss on
the plane (vmapped = loaded point by point), exports, the manifest and terminal, bad input."""

import csv
import warnings
import io
import json

import numpy as np
import pytest
import torch
from torch import nn

import anim
from anim import Landscape, Optimizer, datasets
from anim.compute import plane, training
from anim.drive import pipeline
from anim.write import export
from anim.errors import SceneError

F = torch.nn.functional


def mlp():
    return nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))


DATA = datasets.two_moons(64, seed=1)


def tiny(**changes):
    fields = dict(name="moons", model=mlp, data=DATA, loss=F.cross_entropy, steps=6,
                  optimizers=[Optimizer("SGD", torch.optim.SGD, lr=0.5, momentum=0.9),
                              Optimizer("Adam", torch.optim.Adam, lr=0.05)])
    fields.update(changes)
    return Landscape(**fields)


def inline(factory, steps, batch_size=None, **hyperparameters):
    """What a user writes: the model from seed 0, the optimizer, record before each update."""
    X, y = DATA
    torch.manual_seed(0)
    model = mlp()
    optimizer = factory(model.parameters(), **hyperparameters)
    generator = torch.Generator().manual_seed(0)
    order, used = torch.randperm(len(X), generator=generator) if batch_size else None, 0
    weights, losses = [], []
    for _ in range(steps):
        weights.append(torch.cat([p.detach().reshape(-1) for p in model.parameters()]).numpy().copy())
        full = F.cross_entropy(model(X), y)
        losses.append(full.item())
        if batch_size:
            if used + batch_size > len(X):
                order, used = torch.randperm(len(X), generator=generator), 0
            chosen = order[used:used + batch_size]
            used += batch_size
            loss = F.cross_entropy(model(X[chosen]), y[chosen])
        else:
            loss = full
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return np.array(weights), np.array(losses, dtype=np.float32)


@pytest.mark.parametrize("batch_size", [None, 24])
def test_trajectories_equal_training_inline(batch_size):
    trained = training.compute(tiny(batch_size=batch_size, steps=8))
    for i, (factory, hyperparameters) in enumerate([(torch.optim.SGD, dict(lr=0.5, momentum=0.9)),
                                                    (torch.optim.Adam, dict(lr=0.05))]):
        weights, losses = inline(factory, 8, batch_size, **hyperparameters)
        assert np.array_equal(trained.projection.weights[i], weights)
        assert np.array_equal(trained.runs[i].points[:, 2], losses)
    # every optimizer started from the same weights: the centre, at the plane's origin
    assert np.array_equal(trained.projection.weights[0, 0], trained.projection.weights[1, 0])
    assert np.array_equal(trained.projection.center, trained.projection.weights[0, 0])
    assert trained.scene.init == ((0.0, 0.0),)


def test_surface_at_the_origin_is_the_loss_at_the_centre():
    trained = training.compute(tiny(data=lambda: DATA))  # data may be a function returning (X, y)
    surface = trained.scene.surface
    model = mlp()
    torch.nn.utils.vector_to_parameters(torch.from_numpy(trained.projection.center), model.parameters())
    with torch.no_grad():
        expected = F.cross_entropy(model(DATA[0]), DATA[1]).item()
    assert surface.batched
    assert surface.at([[0.0, 0.0]]).item() == pytest.approx(expected, rel=1e-6, abs=0)
    # and the recorded loss at step 0 (the centre) is the true loss there
    assert trained.runs[0].points[0, 2] == pytest.approx(expected, rel=1e-6)
    assert trained.runs[0].plane_loss[0] == pytest.approx(expected, rel=1e-6)


def test_vmapped_grid_equals_the_naive_loop():
    trained = training.compute(tiny())
    surface, projection = trained.scene.surface, trained.projection
    a, b = np.meshgrid(np.linspace(-2, 3, 7, dtype=np.float32), np.linspace(-1, 1, 6, dtype=np.float32))
    grid = surface(torch.from_numpy(a), torch.from_numpy(b)).numpy()
    naive = plane.naive_losses(mlp(), *DATA, F.cross_entropy, projection.center, projection.directions,
                               np.column_stack([a.ravel(), b.ravel()])).reshape(a.shape)
    assert grid.shape == a.shape
    np.testing.assert_allclose(grid, naive, rtol=2e-6, atol=0)
    assert not np.array_equal(grid[0, 0], grid[-1, -1])  # the grid is not one value


def test_a_loss_vmap_cannot_batch_is_evaluated_point_by_point():
    def loss(output, y):  # .item() cannot run under vmap
        return F.cross_entropy(output, y) * (1.0 + 0 * float(output.sum().item() > -1e30))

    trained = training.compute(tiny(loss=loss))
    surface, projection = trained.scene.surface, trained.projection
    points = np.array([[0.0, 0.0], [1.0, -0.5]], dtype=np.float32)
    values = surface.at(points).numpy()
    assert not surface.batched
    np.testing.assert_allclose(values, plane.naive_losses(mlp(), *DATA, loss, projection.center,
                                                          projection.directions, points), rtol=2e-6)


def linear():
    return nn.Linear(1, 1)  # two parameters: every path lies in any plane of two independent directions


LINE_DATA = (torch.linspace(-1, 1, 16)[:, None], 3 * torch.linspace(-1, 1, 16)[:, None] + 0.5)


def test_a_path_in_the_plane_is_recovered_with_no_off_plane_distance():
    d1, d2 = torch.tensor([2.0, 0.0]), torch.tensor([1.0, 1.0])  # not orthogonal, not unit
    trained = training.compute(Landscape(name="line", model=linear, data=LINE_DATA, loss=F.mse_loss, steps=10,
                                         optimizers=[Optimizer("SGD", torch.optim.SGD, lr=0.3)], plane=(d1, d2)))
    run, projection = trained.runs[0], trained.projection
    deltas = projection.weights[0].astype(np.float64) - projection.center
    a, b = run.points[:, 0], run.points[:, 1]
    np.testing.assert_allclose(np.column_stack([2 * a + b, b]), deltas, atol=1e-6)
    assert np.abs(deltas).max() > 0.5  # it did move
    assert np.all(run.off_plane <= 1e-6)
    np.testing.assert_allclose(run.plane_loss, run.points[:, 2], rtol=1e-5)


def test_plane_coordinates_are_least_squares():
    rng = np.random.default_rng(0)
    directions = rng.normal(size=(2, 50))
    coords = rng.normal(size=(9, 2))
    off = rng.normal(size=(9, 50))
    off -= (off @ directions.T) @ np.linalg.solve(directions @ directions.T, directions)  # orthogonal to the plane
    found, distance = plane.coordinates(coords @ directions + off, directions)
    np.testing.assert_allclose(found, coords, atol=1e-12)
    np.testing.assert_allclose(distance, np.linalg.norm(off, axis=1), rtol=1e-12)


def test_pca_plane_holds_the_paths_and_says_how_well():
    trained = training.compute(tiny(steps=20))
    projection = trained.projection
    assert projection.kind == "pca"
    np.testing.assert_allclose(projection.directions @ projection.directions.T, np.eye(2), atol=1e-6)
    first, second = projection.explained
    assert 0 < second <= first and first + second <= 1 + 1e-9
    # the share explained is what the coordinates keep of the squared distances
    deltas = projection.weights.reshape(-1, projection.center.size).astype(np.float64) - projection.center
    kept = sum(float(np.sum(run.points[:, :2].astype(np.float64) ** 2)) for run in trained.runs)
    assert kept / float(np.sum(deltas ** 2)) == pytest.approx(first + second, rel=1e-4)


def conv_net():
    return nn.Sequential(nn.Conv2d(1, 3, 3), nn.BatchNorm2d(3), nn.Flatten(), nn.Linear(3 * 4 * 4, 2))


def test_filter_normalisation_gives_each_filter_the_weights_filter_norm():
    torch.manual_seed(0)
    weights = [p.detach().clone() for p in conv_net().parameters()]
    pair = plane.random_directions(weights)
    assert pair.shape == (2, sum(w.numel() for w in weights))
    for direction in pair:
        start = 0
        for weight in weights:
            piece = torch.from_numpy(direction[start:start + weight.numel()]).reshape(weight.shape)
            start += weight.numel()
            if weight.dim() <= 1:  # biases and batch-norm scales and shifts stay put
                assert not piece.any()
                continue
            np.testing.assert_allclose(piece.flatten(1).norm(dim=1), weight.flatten(1).norm(dim=1), rtol=1e-5)
    assert not np.allclose(pair[0], pair[1])
    assert np.array_equal(pair, plane.random_directions(weights))  # seeded


def test_the_centre_may_be_an_optimizers_last_weights():
    trained = training.compute(tiny(center="Adam"))
    projection = trained.projection
    assert projection.center_of == "last weights of Adam"
    assert np.array_equal(projection.center, projection.weights[1, -1])
    np.testing.assert_allclose(trained.runs[1].points[-1, :2], 0, atol=1e-6)  # Adam ends at the origin
    assert trained.scene.init != ((0.0, 0.0),)  # and the shared start lies elsewhere on the plane


def test_random_plane_through_a_landscape():
    trained = training.compute(tiny(plane="random"))
    projection = trained.projection
    assert projection.kind == "random" and projection.explained is None
    for run, weights in zip(trained.runs, projection.weights.astype(np.float64)):
        # off_plane: the distance from the plane over the run's path length, by hand
        a, b = run.points[:, 0, None], run.points[:, 1, None]
        moved = weights - projection.center
        residual = moved - a * projection.directions[0] - b * projection.directions[1]
        length = np.linalg.norm(np.diff(weights, axis=0), axis=1).sum()
        np.testing.assert_allclose(run.off_plane, np.linalg.norm(residual, axis=1) / length, rtol=1e-4, atol=1e-7)
        assert run.off_plane[-1] > 0.01
        # the coordinates are the least-squares ones: the residual is orthogonal to both directions
        np.testing.assert_allclose(residual @ projection.directions.T.astype(np.float64), 0,
                                   atol=1e-5 * np.abs(moved).sum())


def test_render_writes_plane_columns_npz_manifest_and_terminal_lines(tmp_path, null_encoder):
    from click.testing import CliRunner

    from anim.faces.cli import main

    path = tmp_path / "moons.py"
    path.write_text("import torch\nfrom torch import nn\nfrom anim import Landscape, Optimizer, datasets\n"
                    "scene = Landscape(name='moons', model=lambda: nn.Sequential(nn.Linear(2, 8), nn.Tanh(), "
                    "nn.Linear(8, 2)), data=datasets.two_moons(64, seed=1), loss=torch.nn.functional.cross_entropy, "
                    "steps=6, resolution=9, optimizers=[Optimizer('SGD', torch.optim.SGD, lr=0.5, momentum=0.9), "
                    "Optimizer('Adam', torch.optim.Adam, lr=0.05)])\n")
    result = CliRunner().invoke(main, ["render", str(path), "-o", str(tmp_path / "out"), "--view", "contour",
                                       "--format", "png", "--size", "320x180"])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / "moons"
    manifest = json.loads((folder / "manifest.json").read_text())
    described = manifest["plane"]
    assert described["kind"] == "pca" and described["center"] == "initial weights"
    assert described["parameters"] == 42 and described["examples"] == 64
    first, second = described["explained_variance"]
    assert f"explaining {first:.1%} + {second:.1%}" in result.output
    assert f"off it by {described['max_off_plane']['value']:.1%} of its path's length" in result.output
    rows = list(csv.reader(io.StringIO((folder / "trajectories.csv").read_text())))
    assert rows[0] == ["optimizer", "run", "step", "w1", "w2", "loss", "grad_w1", "grad_w2", "update_w1", "update_w2",
                       "lr", "plane_loss", "off_plane", "pc1", "pc2"]
    assert all(row[13:15] == row[3:5] for row in rows[1:])  # the plane coordinates under their own names
    assert described["axes"] == [f"PC1 ({100 * first:.1f} % of the path's variance)",
                                 f"PC2 ({100 * second:.1f} % of the path's variance)"]
    computed = anim.trajectories(path)
    npz = tmp_path / "t.npz"
    computed.write(npz)
    with np.load(npz) as arrays:
        weights, center, directions = arrays["weights"], arrays["center"], arrays["directions"]
        assert weights.shape == (2, 6, 42) and center.shape == (42,) and directions.shape == (2, 42)
        assert weights.dtype == center.dtype == directions.dtype == np.float32
        # anyone can recompute the plane coordinates and the off-plane figures from them
        deltas = weights.astype(np.float64) - center
        coords, distance = plane.coordinates(deltas.reshape(-1, 42), directions.astype(np.float64))
        np.testing.assert_allclose(coords.reshape(2, 6, 2), arrays["points"][:, :, :2], atol=1e-6)
        np.testing.assert_allclose(arrays["off_plane"].max(), described["max_off_plane"]["value"], rtol=1e-6)
    runs = json.loads((computed.to_json(tmp_path / "t.json"), (tmp_path / "t.json").read_text())[1])["runs"]
    assert runs[1]["optimizer"] == "Adam" and len(runs[1]["plane_loss"]) == len(runs[1]["off_plane"]) == 6
    by_row = {(r[0], int(r[2])): r for r in rows[1:]}
    sgd = computed.points[0]
    assert float(by_row[("SGD", 5)][3]) == pytest.approx(float(sgd[5, 0]))
    assert float(by_row[("SGD", 5)][11]) == pytest.approx(float(npz_value(npz, "plane_loss")[0, 5]))


def npz_value(path, key):
    with np.load(path) as arrays:
        return arrays[key]


def test_loss_panel_draws_the_plane_loss_dashed_beside_the_true_loss():
    import matplotlib.pyplot as plt

    from anim.drive.timeline import Frame
    from anim.look.loss import LossPanel

    trained = training.compute(tiny())
    fig, ax = plt.subplots()
    panel = LossPanel(ax, trained.runs, 6, "loss")
    panel.show(Frame(0, 5.0, 30, 0))
    dashed = [line for line in panel.lines if line.get_linestyle() == "--"]
    solid = [line for line in panel.lines if line.get_linestyle() == "-"]
    assert len(dashed) == len(solid) == 2
    assert ax.get_ylabel() == "loss: solid\non plane: dashed"  # said beside the curves, not over them
    for run, true, on_plane in zip(trained.runs, solid, dashed):
        np.testing.assert_array_equal(true.get_ydata(), run.points[:, 2])
        np.testing.assert_array_equal(on_plane.get_ydata(), run.plane_loss)
    plt.close(fig)


@pytest.mark.parametrize("changes, message", [
    (dict(model=lambda: nn.Linear(3, 2)),
     "model: fails on data X of shape (64, 2) (RuntimeError: mat1 and mat2 shapes cannot be multiplied (64x2 and "
     "3x2)); X must have the shape the model's first layer takes"),
    (dict(model=lambda: nn.Linear(2, 1)),
     "loss: fails on the model's output of shape (64, 1) and y of shape (64,)"),
    (dict(data=(DATA[0], DATA[1][:10])), "data: X has 64 rows but y has 10; give one target per example"),
    (dict(data=(DATA[0].long(), DATA[1])), "data: X is of type torch.int64; use floating-point inputs (X.float())"),
    (dict(loss=lambda out, y: F.cross_entropy(out, y, reduction="none")),
     "loss: must return one value for the batch, got a tensor of shape (64,); use a mean (reduction='mean')"),
    (dict(plane=(torch.zeros(42), torch.zeros(41))),
     "plane: direction 2 has 41 values; the model has 42 parameters (give them in parameters() order, flattened)"),
    (dict(plane=(torch.ones(42), 2 * torch.ones(42))), "plane: the two directions are zero or parallel"),
    (dict(optimizers=[Optimizer("SGD", torch.optim.SGD, lr=0.0)]),
     "plane: 'pca' needs paths that move, and no optimizer moved from the centre"),
    (dict(batch_size=65), "batch_size: 65 is more than the 64 examples"),
    (dict(center=torch.zeros(5)), "center: has 5 values; the model has 42 parameters"),
    (dict(data=lambda: (DATA[0][:, :1], DATA[1])), "model: fails on data X of shape (64, 1)"),
])
def test_bad_input_gets_one_clear_message(changes, message):
    with pytest.raises(SceneError) as error:
        pipeline.prepare(tiny(**changes))
    assert str(error.value).startswith(message), str(error.value)


@pytest.mark.parametrize("changes, message", [
    (dict(model=mlp()), "model: got a module object; use a function returning a fresh torch.nn.Module"),
    (dict(plane="pcaa"), "plane: got 'pcaa'; use 'pca', 'random' or a pair of direction tensors (d1, d2)"),
    (dict(center="Nesterov"), "center: got 'Nesterov', which is no optimizer's label; use one of 'SGD', 'Adam'"),
    (dict(batch_size=0), "batch_size: got 0; use None (full batch) or a whole number of examples >= 1"),
    (dict(data=DATA[0]), "data: got a tensor of shape (64, 2); use (X, y)"),
])
def test_bad_fields_are_refused_when_declared(changes, message):
    with pytest.raises(SceneError) as error:
        tiny(**changes)
    assert str(error.value).startswith(message), str(error.value)


def test_a_path_that_stays_on_one_line_spans_no_pca_plane():
    # one weight: every path is on one line through the centre
    with pytest.raises(SceneError, match="plane: 'pca' found the paths on one line through the centre"):
        training.compute(Landscape(name="line", model=lambda: nn.Linear(1, 1, bias=False), data=LINE_DATA,
                                   loss=F.mse_loss, steps=5, optimizers=[Optimizer("SGD", torch.optim.SGD, lr=0.1)]))


def test_import_anim_stays_free_of_torch():
    import subprocess
    import sys

    code = "import sys, anim; anim.Landscape; print('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "False"


def test_datasets_are_seeded_and_shaped():
    X, y = datasets.spirals(100, arms=3)
    assert X.shape == (100, 2) and X.dtype == torch.float32 and set(y.tolist()) == {0, 1, 2}
    assert torch.equal(datasets.spirals(100, arms=3)[0], X)
    X2, y2 = datasets.two_moons(50, seed=3)
    assert X2.shape == (50, 2) and y2.sum() == 25
    assert not torch.equal(datasets.two_moons(50, seed=4)[0], X2)


# Landscapes step through anim.compute.stepping, as surfaces do: each optimizer against its
# documented use on the MLP, written out inline here.

def documented(build, steps, create_graph=False, closure=False, train=False, clip=None):
    """The model from seed 0, the optimizers `build(model)` returns (a list), then per step: record,
    zero_grad, backward, (clip), step each (the first with a closure re-evaluating the loss)."""
    X, y = DATA
    torch.manual_seed(0)
    model = mlp()
    optimizers = build(model)
    if train:
        optimizers[0].train()

    def again():
        optimizers[0].zero_grad()
        value = F.cross_entropy(model(X), y)
        value.backward()
        return value

    weights, losses = [], []
    for _ in range(steps):
        weights.append(torch.cat([p.detach().reshape(-1) for p in model.parameters()]).numpy().copy())
        loss = F.cross_entropy(model(X), y)
        losses.append(loss.item())
        for optimizer in optimizers:
            optimizer.zero_grad()
        with warnings.catch_warnings():  # the documented backward(create_graph=True) warns of a reference cycle
            warnings.simplefilter("ignore", UserWarning)
            loss.backward(create_graph=create_graph)
        if clip:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizers[0].step(*((again,) if closure else ()))
        for optimizer in optimizers[1:]:
            optimizer.step()
    return np.array(weights), np.array(losses, dtype=np.float32), optimizers


def trained_alone(optimizer, steps=6, **changes):
    # (that it warns of nothing is checked in a fresh process: torch warns of a reference cycle once per
    # process; tests/faces/test_cli.py)
    return training.compute(tiny(optimizers=[optimizer, Optimizer("SGD", torch.optim.SGD, lr=0.5)], steps=steps,
                                 **changes))


def assert_trained_as(trained, weights, losses):
    np.testing.assert_array_equal(trained.projection.weights[0], weights)
    np.testing.assert_array_equal(trained.runs[0].points[:, 2], losses)


def test_schedule_free_on_a_landscape_records_y_and_the_averaged_x_as_its_documented_loop():
    schedulefree = pytest.importorskip("schedulefree")
    trained = trained_alone(Optimizer("SF", schedulefree.AdamWScheduleFree, lr=0.05), steps=8)
    build = lambda model: [schedulefree.AdamWScheduleFree(model.parameters(), lr=0.05)]  # noqa: E731
    weights, losses, _ = documented(build, 8, train=True)
    assert_trained_as(trained, weights, losses)  # y, where the gradient is taken, as on a surface
    for k in (0, 3, 7):  # x before update k: k steps of the documented loop, then eval()
        _, _, (optimizer,) = documented(build, k, train=True)
        optimizer.eval()
        x = torch.cat([p.detach().reshape(-1) for p in optimizer.param_groups[0]["params"]]).numpy()
        np.testing.assert_array_equal(trained.projection.averaged[0, k], x)
    assert np.isnan(trained.projection.averaged[1]).all()  # SGD has no x
    x_on_plane = plane.coordinates(trained.projection.averaged[0].astype(np.float64) - trained.projection.center,
                                   trained.projection.directions.astype(np.float64))[0]
    np.testing.assert_allclose(trained.runs[0].extras["x"], x_on_plane, rtol=1e-6)


@pytest.mark.parametrize("name", ["sophiah", "adahessian"])
def test_hessian_optimizers_on_a_landscape_follow_seed_0_exactly_and_twice_alike(name):
    load_optimizer = pytest.importorskip("pytorch_optimizer").load_optimizer
    trained = trained_alone(Optimizer("H", name, lr=0.05))
    weights, losses, _ = documented(lambda model: [load_optimizer(name)(model.parameters(), lr=0.05)], 6,
                                    create_graph=True)
    assert_trained_as(trained, weights, losses)
    np.testing.assert_array_equal(trained_alone(Optimizer("H", name, lr=0.05)).projection.weights, trained.projection.weights)


def test_lbfgs_on_a_landscape_is_given_a_closure_as_documented():
    trained = trained_alone(Optimizer("LBFGS", torch.optim.LBFGS, lr=0.5), steps=4)
    weights, losses, _ = documented(lambda model: [torch.optim.LBFGS(model.parameters(), lr=0.5)], 4, closure=True)
    assert_trained_as(trained, weights, losses)


def test_torch_muon_steps_the_weight_matrices_and_adamw_the_rest_as_its_docstring_shows():
    trained = trained_alone(Optimizer("Muon", torch.optim.Muon, lr=0.05))

    def build(model):
        matrices = [p for p in model.parameters() if p.ndim == 2]
        others = [p for p in model.parameters() if p.ndim != 2]
        return [torch.optim.Muon(matrices, lr=0.05), torch.optim.AdamW(others, lr=3e-4, weight_decay=0.01)]

    assert_trained_as(trained, *documented(build, 6)[:2])


def test_pytorch_optimizers_muon_gets_its_matrices_in_a_use_muon_group_and_the_rest_in_its_adamw_group():
    muon = pytest.importorskip("pytorch_optimizer").Muon
    trained = trained_alone(Optimizer("Muon", muon, lr=0.05))

    def build(model):
        matrices = [p for p in model.parameters() if p.ndim >= 2]
        others = [p for p in model.parameters() if p.ndim < 2]
        return [muon([dict(params=matrices, use_muon=True), dict(params=others, use_muon=False)], lr=0.05)]

    assert_trained_as(trained, *documented(build, 6)[:2])


def test_a_clipped_optimizer_on_a_landscape_clips_every_parameters_gradient_together():
    trained = trained_alone(Optimizer("Adam", torch.optim.Adam, lr=0.05, clip_grad_norm=0.1))
    weights, losses, _ = documented(lambda model: [torch.optim.Adam(model.parameters(), lr=0.05)], 6, clip=0.1)
    assert_trained_as(trained, weights, losses)
    assert not np.array_equal(trained.projection.weights[0],
                              trained_alone(Optimizer("Adam", torch.optim.Adam, lr=0.05)).projection.weights[0])


@pytest.mark.parametrize("plane_kind", ["pca", "random", "given"])
def test_a_landscapes_axes_are_named_by_its_plane_in_every_view_the_csv_and_json_never_w1_w2(plane_kind):
    from anim.compute import window
    from anim.drive.settings import Settings
    from anim.look.views import view_class, view_data

    given = plane_kind if plane_kind != "given" else (torch.ones(42), torch.arange(42.0))
    prepared = pipeline.prepare(tiny(plane=given))
    projection = prepared.projection
    if plane_kind == "pca":
        first, second = projection.explained
        assert projection.axes == (f"PC1 ({100 * first:.1f} % of the path's variance)",
                                   f"PC2 ({100 * second:.1f} % of the path's variance)")
        assert projection.short_axes == (f"PC1 ({100 * first:.1f} %)", f"PC2 ({100 * second:.1f} %)")
        assert projection.columns == ("pc1", "pc2")
    else:
        assert projection.axes == projection.short_axes == ("direction 1", "direction 2")
        assert projection.columns == ("direction_1", "direction_2")
    settings = Settings(width=320, height=180)
    frame = window.view_window(prepared.scene, prepared.runs)
    labels = {}
    for name in ("contour", "surface", "dashboard", "grid"):
        view = view_class(name)(view_data(prepared.scene, prepared.runs, frame, name, settings, projection), 320, 180)
        from matplotlib.text import Text

        texts = [t.get_text() for t in view.fig.findobj(Text)]
        texts += [t.get_text() for panel in (getattr(view, "panel", None), getattr(view, "surface", None))
                  if hasattr(panel, "box") for t in panel.box.axis_labels]
        labels[name] = texts
        assert not any("w_1" in t or "w_2" in t for t in texts), (name, texts)
    assert set(projection.axes) <= set(labels["contour"])
    assert set(projection.short_axes) <= set(labels["surface"]) & set(labels["dashboard"])
    assert projection.short_axes[0] in labels["grid"]
    header = export.to_csv(prepared.runs, projection).decode().splitlines()[0].split(",")
    assert header[-2:] == list(projection.columns)
    assert json.loads(export.to_json(prepared.runs, "moons", projection))["axes"] == list(projection.axes)
