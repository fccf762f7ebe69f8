"""The only module that composes: scene -> trajectories -> grids -> frames -> files + manifest."""

import hashlib
import json
import math
import os
import platform
from dataclasses import dataclass, field
from pathlib import Path

from anim import __version__, encode, export, files, grid, trajectory
from anim.errors import RenderError
from anim.loader import file_sha256, load_scene
from anim.render import ViewData, view_class
from anim.render.frames import frames
from anim.render.style import check_colors
from anim.settings import outputs
from anim.timeline import timeline

TRAJECTORIES_FILE = "trajectories.csv"
MANIFEST_FILE = "manifest.json"


@dataclass
class Result:
    """What a render wrote: the folder, one manifest record per file, and the runs that diverged."""

    folder: Path
    records: list = field(default_factory=list)
    diverged: list = field(default_factory=list)  # (optimizer label, run, step)
    removed_temps: list = field(default_factory=list)


def prepare(scene_path):
    """Load the scene and compute its trajectories: (scene, runs)."""
    scene = load_scene(scene_path)
    check_colors(scene)
    return scene, trajectory.compute(scene)


def render(scene_path, out_root, settings, on_frame=None, on_file=None):
    """Render every output of the scene at `scene_path` under out_root/<scene name>/.

    on_frame(view, done, total) is called after each frame; on_file(record) after each file.
    """
    scene, runs = prepare(scene_path)
    folder = _output_folder(Path(out_root), scene.name)
    result = Result(folder, removed_temps=files.clean_stale(folder))
    result.diverged = [(r.label, r.run, r.diverged_at) for r in runs if r.diverged_at is not None]
    window = grid.view_window(scene, runs)
    tl = timeline(scene, settings)
    planned = outputs(scene.steps, settings)

    def done(record):
        result.records.append(record)
        if on_file:
            on_file(record)

    for view in settings.views:
        cls = view_class(view)
        data = ViewData(scene.title, scene.zlabel, scene.steps, runs,
                        grid.sample(scene.surface, *window, cls.GRID_RESOLUTION))
        mine = [o for o in planned if o.view == view]
        finals = {o.format: folder / o.filename for o in mine}
        with encode.Encoder(finals, settings.width, settings.height, settings.fps,
                            settings.gif_step, settings.gif_size) as encoder:
            jobs = _jobs(settings.jobs) if cls.PARALLEL else 1
            for index, pixels in enumerate(frames(cls, data, settings.width, settings.height, tl, jobs)):
                encoder.write(pixels)
                if on_frame:
                    on_frame(view, index + 1, len(tl))
        for output in mine:
            done(_file_record(folder / output.filename, view=output.view, format=output.format,
                              frames=output.frames, fps=output.fps, width=output.width,
                              height=output.height, duration=round(output.duration, 6)))
    csv_path = folder / TRAJECTORIES_FILE
    export.write(runs, csv_path, scene.name)
    done(_file_record(csv_path, view=None, format="csv", rows=sum(len(r.points) for r in runs)))
    manifest = _manifest(scene, scene_path, runs, window, settings, result.records)
    files.write_bytes(folder / MANIFEST_FILE, (json.dumps(manifest, indent=2) + "\n").encode())
    return result


def _jobs(requested):
    return requested if requested else (os.cpu_count() or 1)


def _output_folder(out_root, name):
    folder = out_root / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        blocker = next(p for p in (folder, *folder.parents) if p.exists() and not p.is_dir())
        raise RenderError(f"cannot create output folder {folder}: {blocker} is a file") from exc
    except OSError as exc:
        raise RenderError(f"cannot create output folder {folder}: {exc.strerror}") from exc
    if not os.access(folder, os.W_OK):
        raise RenderError(f"output folder {folder} is not writable; choose another with -o")
    return folder


def _file_record(path, **fields):
    data = path.read_bytes()
    return {"file": path.name, **fields, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def _manifest(scene, scene_path, runs, window, settings, records):
    import matplotlib
    import numpy
    import torch

    return {
        "scene": scene.name,
        "title": scene.title,
        "scene_file": str(scene_path),
        "scene_sha256": file_sha256(scene_path),
        "steps": scene.steps,
        "x_range": list(window[0]),
        "y_range": list(window[1]),
        "settings": {"fps": settings.fps, "width": settings.width, "height": settings.height,
                     "hold_start": settings.hold_start, "hold_end": settings.hold_end,
                     "x264_preset": encode.X264_PRESET, "x264_crf": encode.X264_CRF},
        "runs": [
            {"optimizer": r.label, "run": r.run, "color": r.color,
             "start": _finite(r.points[0, :2]), "diverged_at": r.diverged_at,
             "final": _finite(r.points[-1])}
            for r in runs
        ],
        "optimizers": [
            {"label": o.label, "factory": getattr(o.factory, "__qualname__", repr(o.factory)),
             "hyperparameters": {k: _jsonable(v) for k, v in o.hyperparameters.items()}}
            for o in scene.optimizers
        ],
        "files": records,
        "versions": {"optianim": __version__, "python": platform.python_version(),
                     "torch": torch.__version__, "numpy": numpy.__version__,
                     "matplotlib": matplotlib.__version__, "ffmpeg": encode.ffmpeg_version()},
    }


def _finite(values):
    """Floats for JSON, with None for inf and nan (JSON has neither)."""
    return [float(v) if math.isfinite(v) else None for v in values]


def _jsonable(value):
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    return repr(value)
