"""The manifest's schema: a typed FileRecord per written file, and the manifest.json document."""

import hashlib
import json
import math
import platform
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST_FILE = "manifest.json"
TRAJECTORIES_FILE = "trajectories.csv"
TUNE_PLOT_FILE = "tune.png"  # the tuner's curves, when the scene tunes a hyperparameter (anim.tune)
TUNE_FILE = "tune.json"  # what `optianim tune` chose: the manifest's "tuning" entries


@dataclass(frozen=True)
class FileRecord:
    """One written file: where it is, what it holds and what a decoder reads back from it.

    frames, fps, width, height and duration are None for a file that is not a picture (CSV,
    HTML); `details` holds what only some formats have (codec, pix_fmt, rows, ...)."""

    path: Path
    view: object
    format: str
    bytes: int
    sha256: str
    frames: object = None
    fps: object = None
    width: object = None
    height: object = None
    duration: object = None
    details: dict = field(default_factory=dict)

    @classmethod
    def of(cls, temp, final, view, format, **facts):
        """The record of a finished file, read from its temporary name and named by its final."""
        data = Path(temp).read_bytes()
        known = {k: facts.pop(k) for k in ("frames", "fps", "width", "height", "duration") if k in facts}
        return cls(Path(final), view, format, len(data), hashlib.sha256(data).hexdigest(), **known, details=facts)

    @property
    def file(self):
        return self.path.name

    def as_dict(self):
        """The manifest entry: file, view, format, what a decoder reads back, bytes, sha256."""
        entry = {"file": self.file, "view": self.view, "format": self.format}
        for key in ("frames", "fps", "width", "height", "duration"):
            if getattr(self, key) is not None:
                entry[key] = getattr(self, key)
        return {**entry, **self.details, "bytes": self.bytes, "sha256": self.sha256}


def document(scene, source, runs, window, settings, records, masked, versions, starts_outside=(), looks=(),
             color_notes=(), plane=None, description=None, tuning=()):
    """The manifest.json document of a render: scene, settings, runs, files and versions.

    `source` is the scene file's (path, sha256), or (None, None) for a Scene built in Python;
    `starts_outside` the (index, (w1, w2)) of each start point outside the window; `looks` the
    anim.look.colors.Look of each optimizer (its drawn colour and marker), `color_notes` what the render
    said about the scene's colours; `plane`, for a Landscape, how well its plane holds the paths
    (anim.compute.training.Projection.described), under the key "plane"; `description`
    (anim.write.describe.Description) gives `alt` (each view's alt text) and `description` (the transcript);
    `tuning`, when the scene tuned hyperparameters, each one's entry (anim.compute.tuning.Tuning.described),
    under "tuning"."""
    path, sha256 = source
    drawn = {look.label: {"color": look.color, "drawn_color": look.drawn, "marker": look.marker} for look in looks}
    document = {
        "scene": scene.name,
        "title": scene.title,
        "scene_file": None if path is None else str(path),
        "scene_sha256": sha256,
        "steps": scene.steps,
        "x_range": list(window[0]),
        "y_range": list(window[1]),
        "surface_not_finite": {view: round(share, 6) for view, share in masked.items()},
        "starts_outside": [{"run": i, "start": [float(v) for v in point]} for i, point in starts_outside],
        "settings": settings.described(),
        "runs": [
            {"optimizer": r.label, "run": r.run, "color": r.color,
             "start": [float(v) for v in r.points[0, :2]], "diverged_at": r.diverged_at,
             "left_view_at": r.left_view_at, "final": _last_finite(r)}
            for r in runs
        ],
        "optimizers": [
            {"label": o.label, "factory": getattr(o.factory, "__qualname__", repr(o.factory)),
             "hyperparameters": {k: _jsonable(v) for k, v in o.hyperparameters.items()},
             "grad_noise": o.grad_noise, "noise_seed": o.noise_seed, "clip_grad_norm": o.clip_grad_norm,
             "clip_norm_type": _finite_or_text(o.clip_norm_type), "clip_grad_value": o.clip_grad_value,
             "clipping": o.clipping, "tuned": list(o.tuned), **drawn.get(o.label, {})}
            for o in scene.optimizers
        ],
        "color_notes": list(color_notes),
        "files": [record.as_dict() for record in records],
        "versions": {"optianim": versions["optianim"], "python": platform.python_version(), **versions},
    }
    if plane is not None:
        document["plane"] = plane
    if description is not None:
        document["alt"] = dict(description.alt)
        document["description"] = description.as_dict()
    if tuning:
        document["tuning"] = list(tuning)
    return document


def json_bytes(document):
    return (json.dumps(document, indent=2, allow_nan=False) + "\n").encode()


def _last_finite(run):
    """The last point of the run whose w1, w2 and loss are all finite (JSON has no inf or nan)."""
    last = run.points.shape[0] - 1 if run.diverged_at is None else run.diverged_at - 1
    return [float(v) for v in run.points[last]] if last >= 0 else None


def _finite_or_text(value):
    """A number as JSON holds it: inf as the text "inf" (JSON has no infinity)."""
    return value if math.isfinite(value) else str(value)


def _jsonable(value):
    if isinstance(value, float) and not math.isfinite(value):  # lr=float("inf"): JSON has no inf, so "inf"
        return repr(value)
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    return repr(value)
