"""Trajectories as data files: CSV (optimizer,run,step,w1,w2,loss), JSON or NPZ, chosen by suffix."""

import csv
import io
import json
import math
from pathlib import Path

import numpy as np

from anim import files

CSV_COLUMNS = ("optimizer", "run", "step", "w1", "w2", "loss")
SUFFIXES = (".csv", ".json", ".npz")


def _number(value):
    # Nine significant digits read back as the same float32; inf and nan are kept as written.
    return format(float(value), ".9g")


def to_csv(runs):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for run in runs:
        for step, (w1, w2, loss) in enumerate(run.points):
            writer.writerow((run.label, run.run, step, _number(w1), _number(w2), _number(loss)))
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
            }
            for run in runs
        ],
    }
    return (json.dumps(document, indent=1) + "\n").encode("utf-8")


def to_npz(runs):
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        points=np.stack([run.points for run in runs]),
        optimizer=np.array([run.label for run in runs]),
        run=np.array([run.run for run in runs]),
        diverged_at=np.array([-1 if run.diverged_at is None else run.diverged_at for run in runs]),
    )
    return buffer.getvalue()


def write(runs, path, scene_name):
    """Write the trajectories to `path` in the format its suffix names, atomically."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        data = to_csv(runs)
    elif suffix == ".json":
        data = to_json(runs, scene_name)
    elif suffix == ".npz":
        data = to_npz(runs)
    else:
        raise ValueError(f"{path}: unknown suffix; use one of {', '.join(SUFFIXES)}")
    files.write_bytes(path, data)
