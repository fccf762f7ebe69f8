"""The only module that composes: scene -> trajectories -> grids -> frames -> files + manifest."""

import contextlib
import dataclasses
import hashlib
import io
import json
import math
import os
import platform
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
import numpy as np

from anim import __version__, encode, export, files, grid, page, trajectory
from anim.errors import RenderError, SceneError
from anim.loader import file_sha256, load_scene
from anim.render import ViewData, style, view_class
from anim.render.frames import Workers
from anim.render.style import check_colors, check_texts
from anim.settings import STILL_FORMATS, VIDEO_FORMATS, frame_count, outputs
from anim.timeline import timeline

TRAJECTORIES_FILE = "trajectories.csv"
MANIFEST_FILE = "manifest.json"


@dataclass(frozen=True)
class Prepared:
    """A loaded, checked scene with its trajectories: everything a render starts from."""

    scene: object
    runs: list
    path: Path
    sha256: str  # of the scene file as it was loaded


@dataclass
class Result:
    """What a render wrote: the folder, one manifest record per file, and the runs that diverged."""

    folder: Path
    records: list = field(default_factory=list)
    diverged: list = field(default_factory=list)  # (optimizer label, run, step)
    left_view: list = field(default_factory=list)  # (optimizer label, run, step)
    masked: dict = field(default_factory=dict)  # view -> share of its mesh where the surface is not finite
    removed_temps: list = field(default_factory=list)
    swarms: int = 0  # optimizers drawn as a swarm (several start points each), overlapping in one panel


def load_checked(scene_path):
    """Load the scene and check what can fail before rendering; raises SceneError naming the file."""
    with _naming_file(scene_path):
        scene = load_scene(scene_path)
        check_colors(scene)
        check_texts(scene)
        trajectory.check_optimizers(scene)
        x, y = scene.init[0]
        grid.sample(scene.surface, (x - 1, x + 1), (y - 1, y + 1), 3)
        trajectory.check_first_steps(scene)
    return scene


def prepare(scene_path):
    """Load and check the scene, then compute its trajectories."""
    sha256 = file_sha256(scene_path) if Path(scene_path).is_file() else None
    scene = load_checked(scene_path)
    with _naming_file(scene_path):
        return Prepared(scene, trajectory.compute(scene), Path(scene_path), sha256)


class Report:
    """What a render tells as it goes: the CLI prints it; the defaults ignore it."""

    def scene(self, prepared, folder):
        """The scene is loaded and its trajectories computed; files go to `folder`."""

    def frame(self, view, done, total):
        """Frame `done` of `total` of `view` went to the encoder."""

    def file(self, record):
        """A file is complete; `record` is its manifest entry."""


def render(scene_path, out_root, settings, report=None):
    """Render every output of the scene file under out_root/<scene name>/; returns a Result."""
    parallel = any(view_class(view).PARALLEL for view in settings.views)
    # Workers start now: their start-up overlaps loading the scene and running the optimizers.
    with Workers(_jobs(settings.jobs) if parallel else 1) as workers:
        return render_prepared(prepare(scene_path), out_root, settings, report, workers)


def render_prepared(prepared, out_root, settings, report=None, workers=None):
    """Render a prepared scene. Every file is finished under a temporary name first; only when
    all are complete are they moved into place, the manifest last, so a failed or interrupted
    render changes nothing in the output folder."""
    report = report or Report()
    workers = workers or Workers(1)
    scene = prepared.scene
    folder = _output_folder(Path(out_root), scene.name)
    report.scene(prepared, folder)
    result = Result(folder, removed_temps=files.clean_stale(folder))
    prepared, window = _framed(prepared)
    runs = prepared.runs
    # Each run that stopped being drawn is reported once, for what stopped it first.
    result.diverged = [(r.label, r.run, r.diverged_at) for r in runs
                       if r.stopped_at is not None and r.stopped_at == r.diverged_at]
    result.left_view = [(r.label, r.run, r.left_view_at) for r in runs
                        if r.stopped_at is not None and r.stopped_at != r.diverged_at]
    if style.path_look(runs).swarm:
        result.swarms = len(style.by_label(runs))
    with _all_or_nothing(folder) as finished:
        csv_final = folder / TRAJECTORIES_FILE
        finished.append((files.write_temp(csv_final, export.to_csv(runs)), csv_final))
        result.records.append(_file_record(*finished[-1], view=None, format="csv",
                                           rows=sum(len(r.points) for r in runs)))
        report.file(result.records[-1])
        for view in settings.views:
            for pair, record in _render_view(prepared, view, window, folder, settings, report, workers,
                                             result.masked):
                finished.append(pair)
                result.records.append(record)
                report.file(record)
        page_final = folder / page.PAGE_FILE
        document = page.document(scene.title, scene.name, result.records, settings.theme)
        finished.append((files.write_temp(page_final, document.encode()), page_final))
        result.records.append(_file_record(*finished[-1], view=None, format="html"))
        report.file(result.records[-1])
        manifest = _manifest(prepared, window, settings, result.records, result.masked)
        manifest_final = folder / MANIFEST_FILE
        finished.append((files.write_temp(manifest_final, _json_bytes(manifest)), manifest_final))
    return result


@contextlib.contextmanager
def _all_or_nothing(folder):
    """Collects (temporary, final) pairs of complete files; renames them all into place, in order,
    when the block ends well, removes them all when it fails, so `folder` gets every file or none."""
    finished = []
    try:
        yield finished
        files.commit_all(finished)
    except BaseException as exc:
        files.discard(*(temp for temp, _ in finished))
        if isinstance(exc, OSError):
            raise RenderError(f"cannot write {exc.filename or folder}: {exc.strerror or exc}") from exc
        raise


def _render_view(prepared, view, window, folder, settings, report, workers, masked):
    """Draw one view's frames into its files; yields ((temporary, final), manifest record) each.
    Notes in `masked` the share of the view's mesh where the surface is not finite."""
    scene = prepared.scene
    cls = view_class(view)
    data = _view_data(prepared, cls, window, settings)
    masked[view] = grid.masked_fraction(data.grid)
    drawer = workers.drawer(cls, data, settings.width, settings.height)
    mine = [o for o in outputs(scene.steps, settings) if o.view == view]
    formats = {o.format for o in mine}
    tl = timeline(scene, settings)
    background = style.background(settings.theme) if settings.transparent else None
    palette = None
    if "gif" in formats:
        samples = [np.array(p) for p in drawer.frames(_spread(tl, encode.PALETTE_SAMPLES))]
        palette = encode.palette(samples, settings.width, settings.height, settings.gif_size, background)
    # A PNG alone is the last frame alone: no need to draw the others.
    entries = list(tl) if formats & set(VIDEO_FORMATS) else [tl.frame(len(tl) - 1)]
    budget = round(settings.gif_max_mb * 1e6) if "gif" in formats and settings.gif_max_mb else 0
    encoder = encode.Encoder({o.format: folder / o.filename for o in mine}, settings.width, settings.height,
                             settings.fps, settings.gif_step, settings.gif_size, palette, background,
                             keep_gif_source=bool(budget))
    try:
        with encoder:
            for index, pixels in enumerate(drawer.frames(entries)):
                encoder.write(pixels)
                report.frame(view, index + 1, len(entries))
        completed = dict(zip((o.format for o in mine), encoder.completed))
        for output in mine:
            temp, final = completed[output.format]
            fields = _stream_fields(output, settings)
            if output.format == "gif" and budget:
                fields["max_bytes"] = budget
                if temp.stat().st_size > budget:
                    files.discard(temp)
                    temp, chosen = encode.shrink_gif(encoder.gif_source, final, budget, output.fps,
                                                     output.width, output.height)
                    fields.update(_shrunk_gif_fields(output, chosen))
            yield (temp, final), _file_record(temp, final, **fields)
    except BaseException:
        files.discard(*(temp for temp, _ in encoder.completed))
        raise
    finally:
        encoder.close()


def still(scene_path, out_root, settings, formats=STILL_FORMATS):
    """The lecture's static figures: each view of settings.views as its last frame shows it
    (final paths, camera at its last pose), saved as `formats` to
    out_root/<scene name>/<view>-still.<format>; returns the paths, all written or none."""
    prepared = prepare(scene_path)
    scene = prepared.scene
    folder = _output_folder(Path(out_root), scene.name)
    files.clean_stale(folder)
    prepared, window = _framed(prepared)
    settings = dataclasses.replace(settings, trail=0)  # a figure shows the whole paths
    last = timeline(scene, settings).frame(frame_count(scene.steps, settings) - 1)
    with _all_or_nothing(folder) as finished:
        for view in settings.views:
            cls = view_class(view)
            drawn = cls(_view_data(prepared, cls, window, settings), settings.width, settings.height)
            for fmt in sorted(formats, key=lambda f: f != "png"):  # pixels first: still() ends blitting
                final = folder / f"{view}-still.{fmt}"
                if fmt == "png":  # the very pixels of the animation's last frame
                    image = encode.png_bytes(np.array(drawn.frame(last)), settings.transparent)
                else:
                    image = _vector_figure(drawn, last, fmt, scene, settings)
                finished.append((files.write_temp(final, image), final))
    return [final for _, final in finished]


def _vector_figure(view, frame, fmt, scene, settings):
    """The view's figure at `frame` as SVG or PDF bytes: text kept as text (searchable, editable in
    a slide), no creation date and fixed SVG ids, so the same scene gives the same bytes."""
    buffer = io.BytesIO()
    with style.look(settings.theme), matplotlib.rc_context(
            {"svg.fonttype": "none", "pdf.fonttype": 42, "svg.hashsalt": "optianim"}):
        figure = view.still(frame)
        figure.savefig(buffer, format=fmt, dpi=figure.dpi, transparent=settings.transparent,
                       metadata=_still_metadata(fmt, scene))
    return buffer.getvalue()


def _still_metadata(fmt, scene):
    if fmt == "pdf":
        return {"Title": scene.title, "Creator": f"optianim {__version__}", "CreationDate": None}
    return {"Title": scene.title, "Date": None, "Creator": f"optianim {__version__}"}


def _stream_fields(output, settings):
    """The manifest fields of an output: what a decoder reads back from the file."""
    fields = dict(view=output.view, format=output.format, frames=output.frames, fps=output.fps,
                  width=output.width, height=output.height)
    if output.format != "png":
        fields["duration"] = round(output.duration, 6)
    if output.format == "mp4":
        fields.update(codec="h264", profile="High", pix_fmt="yuv420p", color_space="bt709", faststart=True)
    elif output.format == "webm":
        fields.update(codec="vp9", pix_fmt="yuva420p" if settings.transparent else "yuv420p", color_space="bt709")
    elif output.format == "gif":
        fields.update(codec="gif", colors=256, loop="forever")
    else:
        fields.update(codec="png", alpha=settings.transparent)
    return fields


def _shrunk_gif_fields(output, chosen):
    frames = math.ceil(output.frames / chosen["frame_step"])
    return dict(frames=frames, fps=chosen["fps"], width=chosen["width"], height=chosen["height"],
                colors=chosen["colors"], duration=round(frames / chosen["fps"], 6))


def _framed(prepared):
    """(prepared, window): the view window, and the prepared scene whose runs know where they
    went far outside it."""
    with _naming_file(prepared.path):
        window = grid.view_window(prepared.scene, prepared.runs)
    return _with_view_exits(prepared, window), window


def _view_data(prepared, view_class, window, settings):
    """What a view draws: the runs, and the surface sampled over the window at its resolution."""
    scene = prepared.scene
    with _naming_file(prepared.path):
        mesh = grid.sample(scene.surface, *window, view_class.GRID_RESOLUTION)
    return ViewData(scene.title, scene.zlabel, scene.steps, prepared.runs, mesh, settings.theme,
                    settings.transparent, settings.trail, scene.color_scale)


def _with_view_exits(prepared, window):
    """The prepared scene whose runs know where they went far outside the window (if they did
    before diverging): they are drawn up to there, like a diverged run."""
    runs = []
    for run in prepared.runs:
        left = grid.left_view_step(run, window)
        if left is not None and run.diverged_at is not None and run.diverged_at <= left:
            left = None
        runs.append(dataclasses.replace(run, left_view_at=left))
    return dataclasses.replace(prepared, runs=runs)


def _json_bytes(document):
    return (json.dumps(document, indent=2, allow_nan=False) + "\n").encode()


@contextlib.contextmanager
def _naming_file(scene_path):
    """Scene errors found after loading (running the surface, the optimizers) name the file too."""
    try:
        yield
    except SceneError as exc:
        if exc.path is None:
            raise SceneError(str(exc), scene_path) from exc
        raise


def _spread(timeline, count):
    """At most `count` frames of the timeline, evenly spread from the first to the last."""
    last = len(timeline) - 1
    return [timeline.frame(i) for i in sorted({round(k * last / max(count - 1, 1)) for k in range(count)})]


def _jobs(requested):
    """The worker processes to use: as asked, or one per core this process may run on."""
    if requested:
        return requested
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _output_folder(out_root, name):
    folder = out_root / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        blocker = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), folder)
        raise RenderError(f"cannot create output folder {folder}: {blocker} is a file") from exc
    except OSError as exc:
        raise RenderError(f"cannot create output folder {folder}: {exc.strerror}") from exc
    if not os.access(folder, os.W_OK):
        raise RenderError(f"output folder {folder} is not writable; choose another with -o")
    return folder


def _file_record(temp, final, **fields):
    """The manifest entry of a finished file (read from its temporary name, named by its final)."""
    data = Path(temp).read_bytes()
    return {"file": final.name, **fields, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def _manifest(prepared, window, settings, records, masked):
    import torch

    scene, scene_path, runs = prepared.scene, prepared.path, prepared.runs
    return {
        "scene": scene.name,
        "title": scene.title,
        "scene_file": str(scene_path),
        "scene_sha256": prepared.sha256,
        "steps": scene.steps,
        "x_range": list(window[0]),
        "y_range": list(window[1]),
        "surface_not_finite": {view: round(share, 6) for view, share in masked.items()},
        "settings": {"fps": settings.fps, "width": settings.width, "height": settings.height,
                     "pace": settings.pace, "hold_start": settings.hold_start, "hold_end": settings.hold_end,
                     "theme": settings.theme, "transparent": settings.transparent, "trail": settings.trail,
                     "gif_max_mb": settings.gif_max_mb or None,
                     "x264_preset": encode.X264_PRESET, "x264_crf": encode.X264_CRF},
        "runs": [
            {"optimizer": r.label, "run": r.run, "color": r.color,
             "start": [float(v) for v in r.points[0, :2]], "diverged_at": r.diverged_at,
             "left_view_at": r.left_view_at,
             "final": _last_finite(r)}
            for r in runs
        ],
        "optimizers": [
            {"label": o.label, "factory": getattr(o.factory, "__qualname__", repr(o.factory)),
             "hyperparameters": {k: _jsonable(v) for k, v in o.hyperparameters.items()}}
            for o in scene.optimizers
        ],
        "files": records,
        "versions": {"optianim": __version__, "python": platform.python_version(),
                     "torch": torch.__version__, "numpy": np.__version__,
                     "matplotlib": matplotlib.__version__, "ffmpeg": encode.ffmpeg_version()},
    }


def _last_finite(run):
    """The last point of the run whose w1, w2 and loss are all finite (JSON has no inf or nan)."""
    last = run.points.shape[0] - 1 if run.diverged_at is None else run.diverged_at - 1
    return [float(v) for v in run.points[last]] if last >= 0 else None


def _jsonable(value):
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    return repr(value)
