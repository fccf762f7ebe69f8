"""Trains a Landscape's model with each optimizer from the same initial weights, finds the plane
they share and projects every recorded point onto it: a planar Scene, its runs and the Projection."""

import contextlib
from dataclasses import dataclass

import numpy as np

from anim.compute import clipping, dynamo, stepping
from anim.compute.trajectory import Run, build_scheduler, rejection_hint
from anim.declare.scene import Scene, brief, one_line
from anim.errors import SceneError


@dataclass(frozen=True)
class PlaneRun(Run):
    """A Run of a landscape: points[t] = (a, b, loss) with (a, b) the plane coordinates of the
    weights before update t and loss the true full-batch loss there; `plane_loss[t]` the loss at
    their projection onto the plane, `off_plane[t]` their distance from the plane divided by the
    run's path length in weight space."""

    plane_loss: np.ndarray = None
    off_plane: np.ndarray = None


@dataclass(frozen=True)
class Projection:
    """How the plane was made and how well it holds the paths. `center` [P] and `directions`
    [2, P] are float32 in the model's parameters() order; `weights` [runs, steps, P] every
    recorded weight vector; `explained` PCA's share of the paths' squared distance from the
    centre per direction (None for other planes); `averaged` [runs, steps, P] Schedule-Free's
    averaged weights x, where eval() would put the model, recorded with each point (NaN for
    runs of other optimizers; None when no run has them)."""

    kind: str
    center: np.ndarray
    directions: np.ndarray
    weights: np.ndarray
    explained: object
    center_of: str  # "initial weights", "last weights of <label>" or "given centre"
    examples: int
    batched: bool   # the surface was evaluated under vmap (False: point by point)
    averaged: object = None

    @property
    def axes(self):
        """What the plane's two coordinates are, for the views' axes, the manifest and the CSV: a PCA
        plane's principal components with the share of the paths' variance (their squared distance
        from the centre) each holds, else its two directions."""
        if self.explained is not None:
            return tuple(f"PC{i} ({100 * share:.1f} % of the path's variance)"
                         for i, share in enumerate(self.explained, 1))
        return ("direction 1", "direction 2")

    @property
    def short_axes(self):
        """The axes as a small panel labels them: PC1 (87.3 %), or direction 1."""
        if self.explained is not None:
            return tuple(f"PC{i} ({100 * share:.1f} %)" for i, share in enumerate(self.explained, 1))
        return self.axes

    @property
    def columns(self):
        """The CSV's names for the plane coordinates (w1, w2 under their own names): pc1, pc2 or
        direction_1, direction_2."""
        return ("pc1", "pc2") if self.explained is not None else ("direction_1", "direction_2")

    def described(self, runs):
        """The manifest's `plane`: its kind, the explained variance, the largest off-plane
        distance and the largest gap between the true and the plane loss, with where they are."""
        def worst(values):
            best = None
            for run in runs:
                finite = np.flatnonzero(np.isfinite(values(run)))
                if len(finite):
                    step = int(finite[np.argmax(values(run)[finite])])
                    if best is None or values(run)[step] > best[0]:
                        best = (float(values(run)[step]), run.label, step)
            return None if best is None else {"value": best[0], "optimizer": best[1], "step": best[2]}

        return {
            "kind": self.kind, "axes": list(self.axes), "csv_columns": list(self.columns),
            "center": self.center_of, "parameters": int(self.center.size),
            "examples": self.examples,
            "explained_variance": None if self.explained is None else [round(v, 6) for v in self.explained],
            "max_off_plane": worst(lambda run: run.off_plane),
            "max_loss_gap": worst(lambda run: np.abs(run.plane_loss - run.points[:, 2])),
            "surface_batched": self.batched,
        }


@dataclass(frozen=True)
class Trained:
    scene: Scene
    runs: list
    projection: Projection


def check(landscape):
    """What can fail before training, failing the same way: the data, the model on it, the loss
    of its output, the plane's size, each optimizer's first update."""
    import torch

    dynamo.defer()
    X, y = _data(torch, landscape)
    with _from_seed_0(torch):
        model = _model(torch, landscape)
    _loss(torch, landscape, model, X, y)
    count = sum(p.numel() for p in model.parameters())
    _center_given(landscape, count)
    if not isinstance(landscape.plane, str):
        from anim.compute.plane import check_directions

        check_directions(landscape.plane, count)
    for optimizer in landscape.optimizers:
        _train(torch, landscape, optimizer, X, y, None, steps=1)


def compute(landscape):
    """Train, find the plane, project: the Trained landscape (a Scene of the plane for the views)."""
    import torch

    from anim.compute import plane

    dynamo.defer()

    X, y = _data(torch, landscape)
    with _from_seed_0(torch):
        model = _model(torch, landscape)
    initial = _flat(torch, model)
    recorded = [_train(torch, landscape, optimizer, X, y, initial) for optimizer in landscape.optimizers]
    weights = np.stack([w for w, _, _ in recorded])
    losses = np.stack([loss for _, loss, _ in recorded])
    count = initial.numel()
    center, center_of = _center(landscape, initial.double().numpy(), weights, count)
    deltas = weights.reshape(-1, count).astype(np.float64) - center
    explained = None
    if landscape.plane == "pca":
        directions, explained = plane.pca_directions(deltas)
    elif landscape.plane == "random":
        with torch.no_grad():
            torch.nn.utils.vector_to_parameters(torch.as_tensor(center, dtype=torch.float32), model.parameters())
            directions = plane.random_directions([p.detach().clone() for p in model.parameters()])
    else:
        directions = plane.check_directions(landscape.plane, count)
    center32, directions32 = center.astype(np.float32), directions.astype(np.float32)
    coords, distance = plane.coordinates(deltas, directions32.astype(np.float64))
    coords = coords.reshape(len(recorded), landscape.steps, 2)
    distance = distance.reshape(len(recorded), landscape.steps)
    surface = plane.LossOnPlane(model, X, y, landscape.loss, center32, directions32, landscape.resolution)
    plane_loss = surface.at(coords.reshape(-1, 2)).numpy().reshape(len(recorded), landscape.steps)
    runs = []
    for i, optimizer in enumerate(landscape.optimizers):
        points = np.column_stack([coords[i], losses[i]]).astype(np.float32)
        finite = np.isfinite(points).all(axis=1)
        extras = dict(recorded[i][2])
        if "x" in extras:  # Schedule-Free's averaged weights: on the plane, like the points
            extras["x"] = plane.coordinates(extras["x"].astype(np.float64) - center,
                                            directions32.astype(np.float64))[0].astype(np.float32)
        runs.append(PlaneRun(optimizer.label, optimizer.color, 0, points,
                             None if finite.all() else int(np.argmin(finite)), extras=extras,
                             plane_loss=plane_loss[i], off_plane=_relative(distance[i], weights[i])))
    start = tuple(float(v) for v in coords[0, 0])
    scene = Scene(name=landscape.name, title=landscape.title, surface=surface, optimizers=landscape.optimizers,
                  init=start, steps=landscape.steps, x_range=landscape.x_range, y_range=landscape.y_range,
                  camera=landscape.camera, zlabel=landscape.zlabel, color_scale=landscape.color_scale,
                  views=landscape.views, minima=landscape.minima, legend=landscape.legend)
    averaged = None
    if any("x" in extras for _, _, extras in recorded):
        averaged = np.full(weights.shape, np.nan, dtype=np.float32)
        for row, (_, _, extras) in zip(averaged, recorded):
            if "x" in extras:
                row[:] = extras["x"]
    projection = Projection(landscape.plane if isinstance(landscape.plane, str) else "given", center32,
                            directions32, weights, explained, center_of, len(X), surface.batched, averaged)
    return Trained(scene, runs, projection)


def _relative(distance, weights):
    """Distances from the plane divided by the run's path length (sum of its steps' lengths in
    weight space); 0 where both are 0."""
    steps = np.diff(weights.astype(np.float64), axis=0)
    steps = steps[np.isfinite(steps).all(axis=1)]
    length = float(np.sqrt(np.einsum("ij,ij->i", steps, steps)).sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(distance == 0, 0.0, distance / length).astype(np.float32)


@contextlib.contextmanager
def _from_seed_0(torch):
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        yield


def _data(torch, landscape):
    data = landscape.data
    if callable(data):
        try:
            data = data()
        except Exception as exc:
            raise SceneError(f"data: the function raised {type(exc).__name__}: {one_line(exc)}") from exc
    if not (isinstance(data, (tuple, list)) and len(data) == 2):
        raise SceneError(f"data: got {brief(data)}; use (X, y), two tensors with one row per example")
    X, y = data
    for name, value in (("X", X), ("y", y)):
        if not isinstance(value, torch.Tensor):
            raise SceneError(f"data: {name} is {brief(value)}; use a torch tensor (torch.as_tensor(...))")
        if value.dim() == 0:
            raise SceneError(f"data: {name} is a single value; use one row per example")
    if len(X) != len(y):
        raise SceneError(f"data: X has {len(X)} rows but y has {len(y)}; give one target per example")
    if not X.is_floating_point():
        raise SceneError(f"data: X is of type {X.dtype}; use floating-point inputs (X.float())")
    if landscape.batch_size is not None and landscape.batch_size > len(X):
        raise SceneError(f"batch_size: {landscape.batch_size} is more than the {len(X)} examples; "
                         "use at most that, or None for the full batch")
    return X, y


def _model(torch, landscape):
    try:
        model = landscape.model()
    except Exception as exc:
        raise SceneError(f"model: raised {type(exc).__name__}: {one_line(exc)}") from exc
    if not isinstance(model, torch.nn.Module):
        raise SceneError(f"model: returned {brief(model)}; return a torch.nn.Module")
    parameters = list(model.parameters())
    if not parameters or not all(p.requires_grad for p in parameters):
        raise SceneError("model: has no trainable parameters")
    if any(p.dtype != torch.float32 for p in parameters):
        raise SceneError("model: its parameters must be float32 (as torch creates them)")
    return model


def _loss(torch, landscape, model, X, y):
    """The loss of the model's output on (X, y), one value that depends on the parameters."""
    try:
        output = model(X)
    except Exception as exc:
        raise SceneError(f"model: fails on data X of shape {tuple(X.shape)} ({type(exc).__name__}: "
                         f"{one_line(exc)}); X must have the shape the model's first layer takes") from exc
    try:
        loss = landscape.loss(output, y)
    except Exception as exc:
        shape = tuple(output.shape) if isinstance(output, torch.Tensor) else type(output).__name__
        raise SceneError(f"loss: fails on the model's output of shape {shape} and y of shape {tuple(y.shape)} "
                         f"({type(exc).__name__}: {one_line(exc)}); the model's output must be what the "
                         "loss takes with y") from exc
    if not isinstance(loss, torch.Tensor) or loss.numel() != 1:
        raise SceneError(f"loss: must return one value for the batch, got {brief(loss)}; use a mean "
                         "(reduction='mean')")
    if not loss.requires_grad:
        raise SceneError("loss: does not depend on the model's parameters through torch operations")
    return loss.reshape(())


def _flat(torch, model):
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()]).clone()


def _center(landscape, initial, weights, count):
    """The plane's centre as float64 [P], and what it is."""
    center = landscape.center
    if center is None:
        return initial, "initial weights"
    if isinstance(center, str):
        i = [o.label for o in landscape.optimizers].index(center)
        finite = np.flatnonzero(np.isfinite(weights[i]).all(axis=1))
        return weights[i, finite[-1]].astype(np.float64), f"last weights of {center}"
    return _center_given(landscape, count), "given centre"


def _center_given(landscape, count):
    center = landscape.center
    if center is None or isinstance(center, str):
        return None
    values = np.asarray(getattr(center, "detach", lambda: center)(), dtype=np.float64).reshape(-1)
    if values.size != count or not np.isfinite(values).all():
        raise SceneError(f"center: has {values.size:,} values; the model has {count:,} parameters "
                         "(give them finite, in parameters() order, flattened)")
    return values


def _train(torch, landscape, optimizer, X, y, initial, steps=None):
    """One optimizer from the initial weights (model() right after torch.manual_seed(0)), stepped
    as its authors document it (anim.compute.stepping: Muon's matrices, create_graph, closures,
    Schedule-Free's train(), clipping): the weights [steps, P] and the full-batch loss [steps]
    before each update, float32, and the per-step extras (Schedule-Free's x as [steps, P], d)."""
    steps = landscape.steps if steps is None else steps
    field = f"optimizers[{optimizer.label!r}]"
    with _from_seed_0(torch):
        model = _model(torch, landscape)
        parameters = list(model.parameters())
        if initial is not None and not torch.equal(_flat(torch, model), initial):
            raise SceneError("model: returned different weights after the same torch.manual_seed(0); it must "
                             "draw them from torch's random state alone, so every optimizer starts alike")
        given, rest = stepping.network_params(optimizer.factory, parameters)
        try:
            torch_optimizer = optimizer.factory(given, **optimizer.hyperparameters)
        except (TypeError, ValueError) as exc:
            name = getattr(optimizer.factory, "__name__", "the factory")
            raise SceneError(f"{field}: {name} rejected its hyperparameters: {one_line(exc)}"
                             f"{rejection_hint(optimizer, exc)}") from exc
        _, step_scheduler = build_scheduler(torch, optimizer, torch_optimizer)
        batches = _batches(torch, len(X), landscape.batch_size)
        batch = [X, y]  # the examples of this step's update (a closure re-evaluates their loss)
        how = stepping.Stepping(torch_optimizer, parameters, lambda: landscape.loss(model(batch[0]), batch[1]),
                                clip=clipping.clipper(torch, optimizer, parameters),
                                companion=stepping.companion(torch, rest))
        weights = np.empty((steps, sum(p.numel() for p in parameters)), dtype=np.float32)
        losses = np.empty(steps, dtype=np.float32)
        before, after = [], []
        with torch.enable_grad():
            how.begin()
            for step in range(steps):
                weights[step] = _flat(torch, model).numpy()
                before.append(how.extras_before())
                if landscape.batch_size is None:
                    loss = _loss(torch, landscape, model, X, y)
                    losses[step] = loss.item()
                else:
                    with torch.no_grad():
                        losses[step] = float(landscape.loss(model(X), y))
                    chosen = next(batches)
                    batch[:] = X[chosen], y[chosen]
                    loss = _loss(torch, landscape, model, *batch)
                how.backward(loss)
                try:
                    how.step(*how.step_args(loss))
                    if step_scheduler is not None:
                        step_scheduler(losses[step])
                except Exception as exc:
                    raise SceneError(f"{field}: step {step} failed: {type(exc).__name__}: {one_line(exc)}") from exc
                after.append(how.extras_after())
    return weights, losses, {**stepping.stack_extras(before), **stepping.stack_extras(after)}


def _batches(torch, examples, batch_size):
    """Minibatch indexes forever: each epoch a permutation drawn from torch.Generator().manual_seed(0),
    cut into batches of batch_size (an incomplete last batch is dropped)."""
    if batch_size is None:
        return None

    def generate():
        generator = torch.Generator().manual_seed(0)
        while True:
            order = torch.randperm(examples, generator=generator)
            for start in range(0, examples - batch_size + 1, batch_size):
                yield order[start:start + batch_size]

    return generate()

