"""Trajectories as data files: CSV (optimizer,run,step,w1,w2,loss, then the columns some runs add),
JSON or NPZ, chosen by suffix."""

import csv
import io
import json
import math
from pathlib import Path

import numpy as np

from anim import files
from anim.errors import UsageError

CSV_COLUMNS = ("optimizer", "run", "step", "w1", "w2", "loss")
SUFFIXES = (".csv", ".json", ".npz")


def _number(value):
    # Nine significant digits read back as the same float32; inf and nan are kept as written.
    return format(float(value), ".9g")


# Per-step arrays some runs carry, appended as CSV columns after the others when every run has
# them: a landscape's loss at each point's projection and its distance from the plane (PlaneRun).
PLANE_COLUMNS = ("plane_loss", "off_plane")


def _extra_columns(runs):
    return [name for name in PLANE_COLUMNS if runs and all(getattr(run, name, None) is not None for run in runs)]


def to_csv(runs):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    extra = _extra_columns(runs)
    writer.writerow(CSV_COLUMNS + tuple(extra))
    for run in runs:
        appended = [getattr(run, name) for name in extra]
        for step, (w1, w2, loss) in enumerate(run.points):
            writer.writerow((run.label, run.run, step, _number(w1), _number(w2), _number(loss),
                             *(_number(values[step]) for values in appended)))
    return buffer.getvalue().encode("utf-8")


def to_json(runs, scene_name):
    def finite_or_none(value):
        value = float(value)
        return value if math.isfinite(value) else None

    document = {
        "scene": scene_name,
        "columns": ["w1", "w2", "loss"],
        "note": "points[step] is recorded before update `step`; null marks inf or nan",
        "runs": [
            {
                "optimizer": run.label,
                "run": run.run,
                "color": run.color,
                "diverged_at": run.diverged_at,
                "points": [[finite_or_none(v) for v in point] for point in run.points],
                **{name: [finite_or_none(v) for v in getattr(run, name)] for name in _extra_columns(runs)},
            }
            for run in runs
        ],
    }
    return (json.dumps(document, indent=1) + "\n").encode("utf-8")


def to_npz(runs, projection=None):
    """The runs as arrays; a landscape's (`projection`, anim.training.Projection) adds `weights`
    [runs, steps, P], `center` [P] and `directions` [2, P] (float32, parameters() order), and the
    per-step columns (`plane_loss`, `off_plane`) as [runs, steps]."""
    buffer = io.BytesIO()
    arrays = dict(
        points=np.stack([run.points for run in runs]),
        optimizer=np.array([run.label for run in runs]),
        run=np.array([run.run for run in runs]),
        diverged_at=np.array([-1 if run.diverged_at is None else run.diverged_at for run in runs]),
    )
    arrays.update({name: np.stack([getattr(run, name) for run in runs]).astype(np.float32)
                   for name in _extra_columns(runs)})
    if projection is not None:
        arrays.update(weights=projection.weights.astype(np.float32), center=projection.center.astype(np.float32),
                      directions=projection.directions.astype(np.float32))
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


class Trajectories:
    """A scene's runs as numpy: `points[i]` is run i's (steps, 3) array of w1, w2, loss before each
    update, `labels[i]` its optimizer and `runs[i]` its start point's index; `to_csv`, `to_json`
    and `to_npz` write them, atomically. A landscape's `projection` holds its plane and weights."""

    def __init__(self, scene_name, runs, projection=None):
        self.scene_name, self._runs, self.projection = scene_name, list(runs), projection
        self.points = np.stack([run.points for run in self._runs])
        self.labels = [run.label for run in self._runs]
        self.runs = np.array([run.run for run in self._runs])
        self.diverged_at = [run.diverged_at for run in self._runs]

    def __len__(self):
        return len(self._runs)

    def __repr__(self):
        return f"<Trajectories of {self.scene_name!r}: {len(self)} runs x {self.points.shape[1]} steps>"

    def to_csv(self, path):
        files.write_bytes(path, to_csv(self._runs))

    def to_json(self, path):
        files.write_bytes(path, to_json(self._runs, self.scene_name))

    def to_npz(self, path):
        files.write_bytes(path, to_npz(self._runs, self.projection))

    def write(self, path):
        """Write to `path` in the format its suffix names (.csv, .json or .npz)."""
        suffix = Path(path).suffix.lower()
        if suffix not in SUFFIXES:
            raise UsageError(f"{path}: unknown suffix; use one of {', '.join(SUFFIXES)}")
        getattr(self, "to_" + suffix[1:])(path)
