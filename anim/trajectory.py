"""Runs each optimizer from each start point exactly like the lecture's `train_curve`."""

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


def compute(scene, double=False):
    """Every optimizer from every start point, in scene order: a list of Run (float32 unless double)."""
    import torch  # here, not at module level: Run must unpickle in render workers without torch

    dtype = torch.float64 if double else torch.float32
    return [
        _run_one(scene, optimizer, run, start, dtype)
        for optimizer in scene.optimizers
        for run, start in enumerate(scene.init)
    ]


def _run_one(scene, optimizer, run, start, dtype):
    import torch

    field = f"optimizers[{optimizer.label!r}]"
    weights = torch.nn.Parameter(torch.tensor(start, dtype=dtype))
    try:
        torch_optimizer = optimizer.factory([weights], **optimizer.hyperparameters)
    except (TypeError, ValueError) as exc:
        name = getattr(optimizer.factory, "__name__", "the factory")
        raise SceneError(f"{field}: {name} rejected its hyperparameters: {exc}") from exc
    points = np.empty((scene.steps, 3), dtype=np.float64 if dtype == torch.float64 else np.float32)
    with torch.enable_grad():
        for step in range(scene.steps):
            loss = _evaluate(scene, weights, field, step)
            points[step, :2] = weights.detach().numpy()
            points[step, 2] = loss.item()
            torch_optimizer.zero_grad()
            loss.backward()
            try:
                torch_optimizer.step()
            except Exception as exc:
                raise SceneError(f"{field}: step {step} failed: {type(exc).__name__}: {exc}") from exc
    finite = np.isfinite(points).all(axis=1)
    diverged_at = None if finite.all() else int(np.argmin(finite))
    return Run(optimizer.label, optimizer.color, run, points, diverged_at)


def _evaluate(scene, weights, field, step):
    import torch

    try:
        loss = scene.surface(weights[0], weights[1])
    except Exception as exc:
        raise SceneError(f"surface: raised {type(exc).__name__}: {exc} at step {step} of {field}") from exc
    if not isinstance(loss, torch.Tensor) or loss.numel() != 1:
        raise SceneError(f"surface: must return one torch value for scalar w1, w2; got {loss!r}")
    if not loss.requires_grad:
        raise SceneError("surface: the loss does not depend on w1, w2 through torch operations "
                         "(not differentiable); use torch functions, not numpy or math")
    return loss.reshape(())
