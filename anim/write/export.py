"""Trajectories as data files: CSV (optimizer,run,step,w1,w2,loss, then grad, update and lr, then
the columns some runs add), JSON or NPZ (with the optimizer's state and per-step extras too),
chosen by suffix."""

import csv
import io
import json
import math
from pathlib import Path

import numpy as np

from anim.errors import UsageError
from anim.write import files

# The first six never move; later columns are appended after these.
CSV_COLUMNS = ("optimizer", "run", "step", "w1", "w2", "loss", "grad_w1", "grad_w2", "update_w1", "update_w2", "lr")
SUFFIXES = (".csv", ".json", ".npz")


# Per-step arrays some runs carry, appended as CSV columns after the others when every run has
# them: a landscape's loss at each point's projection and its distance from the plane (PlaneRun).
PLANE_COLUMNS = ("plane_loss", "off_plane")
# Appended when any optimizer clips its gradient: the gradient its step used, after clipping
# (grad_w1, grad_w2 stay the gradient before it; equal for the runs that do not clip).
CLIPPED_COLUMNS = ("clipped_grad_w1", "clipped_grad_w2")


def _extra_columns(runs):
    return [name for name in PLANE_COLUMNS if runs and all(getattr(run, name, None) is not None for run in runs)]


def clips(runs):
    """Whether any run's optimizer clipped its gradient."""
    return any(run.clipped_grad is not None for run in runs)


def to_csv(runs, projection=None):
    """The CSV's bytes. A landscape's `projection` (anim.compute.training.Projection) appends its
    plane coordinates again under their own names (pc1, pc2 or direction_1, direction_2: w1 and w2
    keep their place for every reader), after plane_loss and off_plane."""
    extra = _extra_columns(runs)
    clipped = clips(runs)
    named = () if projection is None else tuple(projection.columns)
    lines = [_csv_line(CSV_COLUMNS + tuple(extra) + named + (CLIPPED_COLUMNS if clipped else ())) + "\n"]
    # Each value with nine significant digits, which read back as the same float32 (inf and nan as
    # written); a learning rate, a Python float, as its shortest repr. One format call per row, over
    # the run's columns as Python floats (float32 widened exactly): twice as fast as value by value.
    row = "{}" + ",{:.9g}" * 7 + ",{}" + ",{:.9g}" * (len(extra) + 2 * bool(named) + 2 * clipped) + "\n"
    for run in runs:
        prefix = _csv_line((run.label, run.run)) + ","
        numbers = np.column_stack([run.points, run.grad, run.update]).tolist()
        more = [np.asarray(getattr(run, name)).reshape(-1, 1) for name in extra]
        more += [np.asarray(run.points)[:, :2]] if named else []
        more += [run.used_grad] if clipped else []
        ends = np.column_stack(more).tolist() if more else [()] * len(numbers)
        lrs = map(repr, np.asarray(run.lr, dtype=np.float64).tolist())
        lines += [prefix + row.format(step, *values, lr, *end)
                  for step, (values, lr, end) in enumerate(zip(numbers, lrs, ends))]
    return "".join(lines).encode("utf-8")


def _csv_line(fields):
    """`fields` as one CSV line, quoted where they need it, without its line end."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(fields)
    return buffer.getvalue()


def state_keys(runs):
    """Every optimizer state key the runs recorded, in the order first met."""
    return list(dict.fromkeys(key for run in runs for key in run.state))


def to_json(runs, scene_name, projection=None):
    def finite_or_none(value):
        value = float(value)
        return value if math.isfinite(value) else None

    def pairs(values):
        return [[finite_or_none(v) for v in pair] for pair in values]

    document = {
        "scene": scene_name,
        "columns": ["w1", "w2", "loss"],
        **({"axes": list(projection.axes)} if projection is not None else {}),
        "note": ("points[step] is recorded before update `step`, with the grad and lr the optimizer was given "
                 "there (clipped_grad: that gradient after clipping, which the step used); update[step] = "
                 "point[step + 1] - point[step] (w1, w2), the step it took; state[key][step] is after that "
                 "update; null marks inf or nan"),
        "runs": [
            {
                "optimizer": run.label,
                "run": run.run,
                "color": run.color,
                "diverged_at": run.diverged_at,
                "points": [[finite_or_none(v) for v in point] for point in run.points],
                **{name: [finite_or_none(v) for v in getattr(run, name)] for name in _extra_columns(runs)},
                "grad": pairs(run.grad),
                **({"clipped_grad": pairs(run.clipped_grad)} if run.clipped_grad is not None else {}),
                "update": pairs(run.update),
                "lr": [finite_or_none(v) for v in run.lr],
                "state": {key: pairs(values) for key, values in run.state.items()},
                **({"extras": {name: values.tolist() for name, values in run.extras.items()}} if run.extras else {}),
            }
            for run in runs
        ],
    }
    return (json.dumps(document, indent=1) + "\n").encode("utf-8")


def stacked_state(runs):
    """{key: [runs, steps, 2]} for every state key: NaN where a run's optimizer has no such key."""
    steps = len(runs[0].points) if runs else 0
    stacked = {}
    for key in state_keys(runs):
        values = np.full((len(runs), steps, 2), np.nan, dtype=np.float32)
        for row, run in zip(values, runs):
            if key in run.state:
                row[:] = run.state[key]
        stacked[key] = values
    return stacked


def stacked_extras(runs):
    """{name: [runs, steps, ...]} for every per-step extra (anim.compute.stepping.EXTRAS: Schedule-Free's
    x, the step-size estimate d): NaN where a run's optimizer has none."""
    stacked = {}
    for name in sorted({name for run in runs for name in run.extras}):
        shape = next(run.extras[name].shape for run in runs if name in run.extras)
        values = np.full((len(runs), *shape), np.nan, dtype=np.float64 if len(shape) == 1 else np.float32)
        for row, run in zip(values, runs):
            if name in run.extras:
                row[:] = run.extras[name]
        stacked[name] = values
    return stacked


def to_npz(runs, projection=None):
    """The runs as arrays, with what each optimizer was given and did (grad, clipped_grad when any
    clips, update, lr, state/<key>) and its per-step extras (x, d); a landscape's (`projection`,
    anim.compute.training.Projection) adds `weights` [runs, steps, P], `center` [P] and `directions` [2, P]
    (float32, parameters() order), `axes` (what w1 and w2 are on the plane), Schedule-Free's `averaged_weights` [runs, steps, P] (x) when a run has
    them, and the per-step columns (`plane_loss`, `off_plane`) as
    [runs, steps]."""
    buffer = io.BytesIO()
    arrays = dict(
        points=np.stack([run.points for run in runs]),
        optimizer=np.array([run.label for run in runs]),
        run=np.array([run.run for run in runs]),
        diverged_at=np.array([-1 if run.diverged_at is None else run.diverged_at for run in runs]),
        grad=np.stack([run.grad for run in runs]),
        **({"clipped_grad": np.stack([run.used_grad for run in runs])} if clips(runs) else {}),
        update=np.stack([run.update for run in runs]),
        lr=np.stack([run.lr for run in runs]),
        **{f"state/{key}": values for key, values in stacked_state(runs).items()},
        **stacked_extras(runs),
    )
    arrays.update({name: np.stack([getattr(run, name) for run in runs]).astype(np.float32)
                   for name in _extra_columns(runs)})
    if projection is not None:
        arrays.update(weights=projection.weights.astype(np.float32), center=projection.center.astype(np.float32),
                      directions=projection.directions.astype(np.float32))
        arrays["axes"] = np.array(projection.axes)
        if projection.averaged is not None:
            arrays["averaged_weights"] = projection.averaged.astype(np.float32)
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


class Trajectories:
    """A scene's runs as numpy: `points[i]` is run i's (steps, 3) array of w1, w2, loss before each
    update, `labels[i]` its optimizer and `runs[i]` its start point's index; `grad`, `update`
    [runs, steps, 2], `lr` [runs, steps] and `state[key]` [runs, steps, 2] what each optimizer was
    given and did (see anim.compute.trajectory.Run), `clipped_grad` [runs, steps, 2] the gradient
    its step used after clipping (None when no optimizer clips); `to_csv`, `to_json` and `to_npz` write them,
    atomically. A landscape's `projection` holds its plane and weights."""

    def __init__(self, scene_name, runs, projection=None):
        self.scene_name, self._runs, self.projection = scene_name, list(runs), projection
        self.points = np.stack([run.points for run in self._runs])
        self.labels = [run.label for run in self._runs]
        self.runs = np.array([run.run for run in self._runs])
        self.diverged_at = [run.diverged_at for run in self._runs]
        self.grad = np.stack([run.grad for run in self._runs])
        self.clipped_grad = np.stack([run.used_grad for run in self._runs]) if clips(self._runs) else None
        self.update = np.stack([run.update for run in self._runs])
        self.lr = np.stack([run.lr for run in self._runs])
        self.state = stacked_state(self._runs)

    def __len__(self):
        return len(self._runs)

    def __repr__(self):
        return f"<Trajectories of {self.scene_name!r}: {len(self)} runs x {self.points.shape[1]} steps>"

    def to_csv(self, path):
        files.write_bytes(path, to_csv(self._runs, self.projection))

    def to_json(self, path):
        files.write_bytes(path, to_json(self._runs, self.scene_name, self.projection))

    def to_npz(self, path):
        files.write_bytes(path, to_npz(self._runs, self.projection))

    def write(self, path):
        """Write to `path` in the format its suffix names (.csv, .json or .npz)."""
        suffix = Path(path).suffix.lower()
        if suffix not in SUFFIXES:
            raise UsageError(f"{path}: unknown suffix; use one of {', '.join(SUFFIXES)}")
        getattr(self, "to_" + suffix[1:])(path)
