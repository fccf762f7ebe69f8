"""Runs each optimizer from each start point exactly like the lecture's `train_curve`."""

import inspect
import math
from dataclasses import dataclass

import numpy as np

from anim.errors import SceneError


@dataclass(frozen=True)
class Run:
    """One optimizer from one start point: points[t] = (w1, w2, loss) before update t."""

    label: str
    color: str
    run: int
    points: np.ndarray
    diverged_at: object = None  # first step whose point or loss is not finite, or None
    left_view_at: object = None  # first (finite) step far outside the view window, or None

    @property
    def stopped_at(self):
        """The first step not drawn: where the run diverged or left the view, whichever came first."""
        stops = [s for s in (self.diverged_at, self.left_view_at) if s is not None]
        return min(stops) if stops else None

    def ended(self, position):
        """Whether the drawn path has reached where the run diverged or left the view."""
        return self.stopped_at is not None and position >= self.stopped_at - 1

    def shown(self, step):
        """Points 0..step, stopping before `stopped_at` (such a path is drawn up to where it left)."""
        end = step + 1 if self.stopped_at is None else min(step + 1, self.stopped_at)
        return self.points[:end]

    def shown_at(self, position):
        """The drawn path at a fractional `position`: points 0..floor(position), then a head
        partway to the next point (none past where the run diverged or left the view)."""
        step = math.floor(position)
        points = self.shown(step)
        fraction = position - step
        if fraction == 0 or len(points) <= step or step + 1 >= len(self.shown(step + 1)):
            return points
        head = points[step] + fraction * (self.points[step + 1] - points[step])
        return np.concatenate([points, head[None]])


def compute(scene):
    """Every optimizer from every start point, in scene order: a list of Run in float32.

    Each run starts from the same random state, so a stochastic surface or optimizer gives the
    same trajectories every time (and in `render` and `trajectories` alike).
    """
    import torch  # here, not at module level: Run must unpickle in render workers without torch

    runs = []
    for optimizer in scene.optimizers:
        for run, start in enumerate(scene.init):
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(0)
                runs.append(_run_one(torch, scene, optimizer, run, start, torch.float32))
    return runs


def check_optimizers(scene):
    """Build every optimizer once on a throw-away parameter, so bad hyperparameters fail early."""
    import torch

    for optimizer in scene.optimizers:
        _build(optimizer, torch.nn.Parameter(torch.zeros(2)))


def check_first_steps(scene):
    """Take each optimizer's first update from the first start point, as a render will: the
    surface must be differentiable there, and the optimizer must be able to step (SparseAdam,
    for one, cannot take the dense gradient of two weights)."""
    import torch

    for optimizer in scene.optimizers:
        _run_one(torch, scene, optimizer, 0, scene.init[0], torch.float32, steps=1)


def _build(optimizer, weights):
    try:
        return optimizer.factory([weights], **optimizer.hyperparameters)
    except (TypeError, ValueError) as exc:
        name = getattr(optimizer.factory, "__name__", "the factory")
        raise SceneError(f"{_field(optimizer)}: {name} rejected its hyperparameters: {exc}") from exc


def _field(optimizer):
    return f"optimizers[{optimizer.label!r}]"


def _run_one(torch, scene, optimizer, run, start, dtype, steps=None):
    weights = torch.nn.Parameter(torch.tensor(start, dtype=dtype))
    torch_optimizer = _build(optimizer, weights)
    step_args = ()
    if _step_needs_closure(torch_optimizer):  # e.g. LBFGS, which re-evaluates the loss itself

        def closure():
            torch_optimizer.zero_grad()
            loss = scene.surface(weights[0], weights[1])
            loss.backward()
            return loss

        step_args = (closure,)
    steps = scene.steps if steps is None else steps
    points = np.empty((steps, 3), dtype=np.float32)
    with torch.enable_grad():
        for step in range(steps):
            loss = _evaluate(torch, scene, weights, optimizer, step)
            points[step, :2] = weights.detach().numpy()
            points[step, 2] = loss.item()
            torch_optimizer.zero_grad()
            loss.backward()
            try:
                torch_optimizer.step(*step_args)
            except Exception as exc:
                raise SceneError(f"{_field(optimizer)}: step {step} failed: "
                                 f"{type(exc).__name__}: {exc}") from exc
    finite = np.isfinite(points).all(axis=1)
    diverged_at = None if finite.all() else int(np.argmin(finite))
    return Run(optimizer.label, optimizer.color, run, points, diverged_at)


def _step_needs_closure(torch_optimizer):
    try:
        parameter = inspect.signature(torch_optimizer.step).parameters.get("closure")
    except (TypeError, ValueError):
        return False
    return parameter is not None and parameter.default is inspect.Parameter.empty


def _evaluate(torch, scene, weights, optimizer, step):
    try:
        loss = scene.surface(weights[0], weights[1])
    except Exception as exc:
        raise SceneError(f"surface: raised {type(exc).__name__}: {exc} at step {step} "
                         f"of {_field(optimizer)}") from exc
    if not isinstance(loss, torch.Tensor) or loss.numel() != 1:
        raise SceneError(f"surface: must return one torch value for scalar w1, w2; got {loss!r}")
    if not loss.requires_grad:
        raise SceneError("surface: the loss does not depend on w1, w2 through torch operations "
                         "(not differentiable); use torch functions, not numpy or math")
    return loss.reshape(())
