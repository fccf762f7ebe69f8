"""The view window (fixed or fitted to the trajectories), where runs leave it, and the surface sampled on a Mesh."""

import dataclasses
import warnings
from dataclasses import dataclass

import numpy as np

from anim.declare.landscape import Landscape
from anim.declare.scene import NUMPY_SURFACE, calls_numpy, one_line, tensor_misuse
from anim.errors import SceneError

MARGIN = 0.03  # fraction of a fitted range added on each side, so head markers are not cut


@dataclass(frozen=True)
class Mesh:
    """The surface on a mesh: x (nx,), y (ny,), z (ny, nx) with z[i, j] = loss(x[j], y[i])."""

    x: np.ndarray
    y: np.ndarray
    z: np.ndarray

    @property
    def x_range(self):
        return (float(self.x[0]), float(self.x[-1]))

    @property
    def y_range(self):
        return (float(self.y[0]), float(self.y[-1]))

    def z_limits(self):
        finite = self.z[np.isfinite(self.z)]
        low, high = float(finite.min()), float(finite.max())
        return (low, high) if high > low else (low - 0.5, high + 0.5)


def z_limits(mesh, runs):
    """The surface's lowest and highest samples, stretched to every loss a path shows inside the
    window: a run that reached a minimum lying between the mesh's nodes is lower than any sample,
    and a 3-D box clips whatever lies outside its limits, the run's head included."""
    low, high = mesh.z_limits()
    (x0, x1), (y0, y1) = mesh.x_range, mesh.y_range
    for run in runs:
        w1, w2, loss = run.shown(len(run.points) - 1).T
        inside = (x0 <= w1) & (w1 <= x1) & (y0 <= w2) & (w2 <= y1) & np.isfinite(loss)
        if inside.any():
            low, high = min(low, float(loss[inside].min())), max(high, float(loss[inside].max()))
    return low, high


RUN_OFF = 50.0  # leaving some runs out makes the paths' extent this many times smaller: they ran off
FAR_OFF = 100_000.0  # ... this many times smaller: half of the runs (one of two) ran off even if they did better


def view_window(scene, runs):
    """The (x_range, y_range) to draw: the scene's numbers, or fitted to the finite trajectory
    points, leaving out what a run did after it ran off (see `_ends_in_view`)."""
    ends = _ends_in_view(runs) if isinstance(scene.x_range, str) or isinstance(scene.y_range, str) else {}
    kept = [run.points[:ends.get(i, len(run.points))] for i, run in enumerate(runs)]
    kept = [p[np.isfinite(p).all(axis=1)] for p in kept]
    points = np.concatenate(kept) if kept else np.empty((0, 3))
    return (_fit(scene.x_range, points[:, 0], "x_range"), _fit(scene.y_range, points[:, 1], "y_range"))


def _ends_in_view(runs):
    """{run index: points to fit} for the runs that ran off: the fewest farthest-going runs whose
    leaving out shrinks the extent of all paths and start points more than RUN_OFF times, each
    fitted only up to where it leaves the window of the others and of every start point; repeated
    on the rest. Fewer than half the runs may run off so; exactly half of them (one of two) only
    if they also ended worse than every run that stays (a higher last loss, or diverged), or the
    extent shrinks more than FAR_OFF times: a run stuck at its start does not make the one that
    found a minimum "run off", and when most explode, the window shows the explosion."""
    boxes = {}  # run index: (x min, y min, x max, y max) of its finite points
    for i, run in enumerate(runs):
        points = run.points[np.isfinite(run.points).all(axis=1), :2]
        if len(points):
            boxes[i] = np.concatenate([points.min(axis=0), points.max(axis=0)])
    starts = np.array([run.points[0, :2] for run in runs if np.isfinite(run.points[0, :2]).all()])
    starts = np.concatenate([starts.min(axis=0), starts.max(axis=0)]) if len(starts) else None
    runs_count, active, ends = len(boxes), list(boxes), {}
    while 2 * (len(ends) + 1) <= runs_count:
        order = sorted(active, key=lambda i: _span(boxes[i]), reverse=True)
        # others[k]: the box around the runs order[k:] and the start points, for every k at once
        stacked = np.array([boxes[i] for i in order])[::-1]
        others = np.concatenate([np.minimum.accumulate(stacked[:, :2]),
                                 np.maximum.accumulate(stacked[:, 2:])], axis=1)[::-1]
        if starts is not None:
            others = np.concatenate([np.minimum(others[:, :2], starts[:2]), np.maximum(others[:, 2:], starts[2:])],
                                    axis=1)
        together = _span(others[0])
        for k in range(1, runs_count // 2 - len(ends) + 1):
            shrunk = _span(others[k])
            if 2 * (len(ends) + k) < runs_count:
                ran_off = 0 < shrunk * RUN_OFF < together
            else:  # exactly half of the runs
                ran_off = 0 < shrunk * RUN_OFF < together and (
                    shrunk * FAR_OFF < together or _ended_worse([runs[i] for i in order[:k]],
                                                                [runs[i] for i in order[k:]]))
            if ran_off:
                window = tuple(_fit("auto", others[k, [axis, axis + 2]], "") for axis in (0, 1))
                for i in order[:k]:
                    ends[i] = left_view_step(runs[i], window)
                active = order[k:]
                break
        else:
            break
    return ends


def _ended_worse(leaving, staying):
    """Whether every run in `leaving` diverged or ended at a higher loss than every run in `staying`."""
    def last_loss(run):
        finite = np.isfinite(run.points).all(axis=1)
        return float(run.points[finite][-1, 2]) if finite.all() else np.inf

    return min(last_loss(run) for run in leaving) > max(last_loss(run) for run in staying)


def _span(box):
    """The larger side of a (x min, y min, x max, y max) box."""
    return float(max(box[2] - box[0], box[3] - box[1]))


def left_view_step(run, window):
    """The step where the run leaves the window for good: the first finite step far outside it
    (beyond one window size past an edge) after which the run never comes back (every later point
    far outside too, or not finite); None if it never leaves so. A run zig-zagging slowly outward
    crosses that line and comes back many times before it is gone: it is drawn until then."""
    (x0, x1), (y0, y1) = window
    x, y = run.points[:, 0], run.points[:, 1]
    finite = np.isfinite(run.points).all(axis=1)
    with np.errstate(invalid="ignore"):
        outside = ((x < x0 - (x1 - x0)) | (x > x1 + (x1 - x0)) | (y < y0 - (y1 - y0)) | (y > y1 + (y1 - y0)))
    outside &= finite
    stays = np.flatnonzero(finite & ~outside)  # the steps where it is still within reach of the view
    first = 0 if not len(stays) else int(stays[-1]) + 1
    return first if first < len(outside) and outside[first] else None


def mark_exits(runs, window):
    """The runs, each knowing where it first went far outside the window if it did so before
    diverging (`left_view_at`): such a run is drawn up to there, like a diverged one."""
    marked = []
    for run in runs:
        left = left_view_step(run, window)
        if left is not None and run.diverged_at is not None and run.diverged_at <= left:
            left = None
        marked.append(dataclasses.replace(run, left_view_at=left))
    return marked


def starts_outside(scene, window):
    """(index, (w1, w2)) of each start point outside the view window: a fixed x_range or y_range
    can leave them out (a fitted window never does). A range given as None is not checked. A
    Landscape's start lies on a plane found by training: its Scene of the plane is checked."""
    if isinstance(scene, Landscape):
        return []
    return [(i, point) for i, point in enumerate(scene.init)
            if any(bounds is not None and not bounds[0] <= value <= bounds[1] for value, bounds in zip(point, window))]


def fixed_ranges(scene):
    """(x_range, y_range) as the scene fixes them before any run, None for a range it fits."""
    return tuple(None if isinstance(bounds, str) else tuple(bounds) for bounds in (scene.x_range, scene.y_range))


def masked_fraction(mesh):
    """The share of the mesh where the surface is not finite (drawn blank)."""
    return float(np.mean(~np.isfinite(mesh.z)))


def _fit(mode, values, field_name):
    if not isinstance(mode, str):
        return mode
    if values.size == 0:
        raise SceneError(f"{field_name}: {mode!r} needs finite trajectory points to fit; give (low, high)")
    if mode == "symmetric":
        half = float(np.abs(values).max())
        low, high = -half, half
    else:
        low, high = float(values.min()), float(values.max())
    if high - low < 1e-6:
        low, high = low - 1.0, high + 1.0
    pad = (high - low) * MARGIN
    return (low - pad, high + pad)


def sample(surface, x_range, y_range, resolution):
    """Evaluate `surface` once on a resolution x resolution mesh over the window."""
    import torch  # here, not at module level: Mesh must unpickle in render workers without torch

    x = np.linspace(*x_range, resolution, dtype=np.float32)
    y = np.linspace(*y_range, resolution, dtype=np.float32)
    w1, w2 = torch.meshgrid(torch.from_numpy(x), torch.from_numpy(y), indexing="xy")
    try:
        with torch.no_grad():
            z = surface(w1, w2)
    except Exception as exc:
        if _needs_numpy(torch, surface, w1, w2):
            raise SceneError(NUMPY_SURFACE) from exc
        raise SceneError(tensor_misuse(exc) or f"surface: fails on a mesh of points ({type(exc).__name__}: "
                         f"{one_line(exc)}); write it elementwise with torch operations") from exc
    if not isinstance(z, torch.Tensor) or tuple(z.shape) != tuple(w1.shape):
        if _needs_numpy(torch, surface, w1, w2):
            raise SceneError(NUMPY_SURFACE)
        shape = tuple(z.shape) if isinstance(z, torch.Tensor) else type(z).__name__
        raise SceneError(f"surface: must be elementwise (mesh of shape {tuple(w1.shape)} in, "
                         f"same shape out), got {shape}")
    if z.is_complex() or z.dtype == torch.bool:  # (casting would drop the imaginary part, with a warning)
        raise SceneError(f"surface: returns {str(z.dtype).removeprefix('torch.')} values; a loss is a real number "
                         "at each point (for complex values, take .abs() or .real)")
    values = z.detach().to(torch.float32).numpy()
    if not np.isfinite(values).any():
        raise SceneError(f"surface: not finite anywhere in the window w1 in {x_range}, w2 in {y_range}")
    return Mesh(x, y, values)


def _needs_numpy(torch, surface, w1, w2):
    """Whether the surface fails on the mesh made of weights that need gradients, as the optimizers'
    do, because it calls numpy on them (which works on the mesh alone, or fails there otherwise)."""
    try:  # a probe: what torch warns about on the way (a tensor made a number) is not for the user
        with torch.enable_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            surface(w1.clone().requires_grad_(), w2.clone().requires_grad_())
    except Exception as exc:
        return calls_numpy(exc)
    return False
