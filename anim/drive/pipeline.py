"""The only module that composes: scene -> trajectories -> window -> frames -> files + manifest."""

import contextlib
import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

from anim.compute import trajectory, window
from anim.compute.trajectory import DIVERGED, LEFT_VIEW
from anim.declare.landscape import Landscape
from anim.declare.loader import file_sha256, load_scene
from anim.declare.scene import Scene
from anim.drive import progress
from anim.drive.frames import Workers
from anim.drive.settings import STILL_FORMATS, frame_count
from anim.drive.timeline import timeline
from anim.errors import RenderError, SceneError, UsageError
from anim.look import arrows, camera, colors, style, themes
from anim.look.views import overlay_names, view_class, view_data
from anim.version import __version__
from anim.write import encode, export, files, page, stills
from anim.write.formats import FORMATS, Document, frame_formats
from anim.write.manifest import MANIFEST_FILE, TRAJECTORIES_FILE, FileRecord, document, json_bytes


@dataclass(frozen=True)
class Prepared:
    """A loaded, checked scene with its trajectories: everything a render starts from.
    `path` and `sha256` are the scene file's as it was loaded, None for a Scene built in Python."""

    scene: Scene
    runs: list
    path: object = None
    sha256: object = None
    projection: object = None  # a Landscape's anim.compute.training.Projection: the plane and every weight


@dataclass
class Result:
    """What a render wrote: the folder, a FileRecord per file (manifest.json, which lists them,
    aside), the manifest, and the runs as drawn (each knowing where it stopped). The API returns
    it as anim.faces.notebook.Rendered, which displays itself in a notebook."""

    folder: Path
    files: list = field(default_factory=list)
    manifest: dict = field(default_factory=dict)
    runs: list = field(default_factory=list)
    masked: dict = field(default_factory=dict)  # view -> share of its mesh where the surface is not finite
    removed_temps: list = field(default_factory=list)  # left by renders that were killed
    starts_outside: list = field(default_factory=list)  # (index, (w1, w2)) of start points outside the window
    color_notes: list = field(default_factory=list)  # one line each about the scene's colours (anim.look.colors.notes)
    plane: object = None  # a Landscape's manifest `plane`: how well the plane holds the paths
    overlay_notes: list = field(default_factory=list)  # one line each on overlays skipped (anim.look.arrows.notes)

    def stopped(self, reason):
        """(optimizer label, run, step) of every run that stopped being drawn for `reason`."""
        return [(r.label, r.run, r.stop.step) for r in self.runs if r.stop and r.stop.reason == reason]

    @property
    def diverged(self):
        return self.stopped(DIVERGED)

    @property
    def left_view(self):
        return self.stopped(LEFT_VIEW)

    @property
    def swarms(self):
        """How many optimizers are drawn as a swarm (several start points each), overlapping in a panel."""
        return len(style.by_label(self.runs)) if self.runs and style.path_look(self.runs).swarm else 0


SCENES = (Scene, Landscape)


def load(source):
    """The Scene or Landscape of a scene file path, or `source` itself if it is one."""
    if isinstance(source, SCENES):
        return source
    return load_scene(source)


def checked(source):
    """The scene, checked for what can fail before rendering; raises SceneError naming the file."""
    path = None if isinstance(source, SCENES) else source
    with naming_file(path):
        scene = load(source)
        style.check_colors(scene)
        style.check_texts(scene)
        if isinstance(scene, Landscape):
            from anim.compute import training

            training.check(scene)
            return scene
        trajectory.check_optimizers(scene)
        x, y = scene.init[0]
        window.sample(scene.surface, (x - 1, x + 1), (y - 1, y + 1), 3)
        trajectory.check_first_steps(scene)
    return scene


def prepare(source):
    """Load and check the scene (a path or a Scene), then compute its trajectories."""
    path = None if isinstance(source, SCENES) else Path(source)
    sha256 = file_sha256(path) if path is not None and path.is_file() else None
    scene = checked(source)
    with naming_file(path):
        if isinstance(scene, Landscape):  # trained, then drawn as a Scene of the plane
            from anim.compute import training

            trained = training.compute(scene)
            return Prepared(_with_camera(trained.scene, trained.runs), trained.runs, path, sha256, trained.projection)
        runs = trajectory.compute(scene)
        return Prepared(_with_camera(scene, runs), runs, path, sha256)


def _with_camera(scene, runs):
    """The scene with its camera's "auto" angles chosen from its runs (anim.look.camera)."""
    return camera.resolved(scene, runs, window.view_window(scene, runs))


def render(source, out_root, settings, report=progress.ignore, cache=None):
    """Render every output of the scene (a path or a Scene) under out_root/<scene name>/,
    reusing the files of views `cache` (an anim.write.cache.Cache, or None) holds."""
    parallel = any(view_class(view).PARALLEL for view in settings.views)
    # Workers start now: their start-up overlaps loading the scene and running the optimizers;
    # with a cache, when a view is to be drawn: a render the cache holds starts none.
    with Workers(_jobs(settings.jobs) if parallel else 1, eager=cache is None) as workers:
        return render_prepared(prepare(source), out_root, settings, report, workers, cache)


def render_prepared(prepared, out_root, settings, report=progress.ignore, workers=None, cache=None):
    """Render a prepared scene. Every file is finished under a temporary name first; only when
    all are complete are they moved into place, the manifest last, so a failed or interrupted
    render changes nothing in the output folder. A view whose frames `cache` holds is copied
    from it (as a temporary too) instead of drawn."""
    workers = workers or Workers(1)
    scene = prepared.scene
    overlays = _checked_overlays(prepared, settings)
    folder = _output_folder(Path(out_root), scene.name + settings.folder_suffix)
    report(progress.Started(scene, folder))
    result = Result(folder, removed_temps=files.clean_stale(folder))
    runs, view_window = _framed(prepared)
    result.runs = runs
    result.plane = prepared.projection and prepared.projection.described(runs)
    result.overlay_notes = arrows.notes(overlays, runs, settings.views)
    result.starts_outside = window.starts_outside(scene, view_window)
    looks = colors.looks(scene.optimizers, settings.theme)
    result.color_notes = colors.notes(looks, settings.theme)
    with _all_or_nothing(folder) as finished:
        def done(temp, record, reused=False):
            finished.append((temp, record.path))
            result.files.append(record)
            report(progress.FileDone(record, reused))

        csv = folder / TRAJECTORIES_FILE
        temp = files.write_temp(csv, export.to_csv(runs))
        done(temp, FileRecord.of(temp, csv, None, "csv", rows=sum(len(r.points) for r in runs)))
        encoded_formats = frame_formats(settings.formats)
        for view in settings.views if encoded_formats else ():
            data = view_data(scene, runs, view_window, view, settings)
            result.masked[view] = window.masked_fraction(data.mesh)
            key = cache and cache_key(view, data, scene, settings)
            reused = cache and cache.reuse(key, view, encoded_formats, folder)
            for temp, record in reused or ():
                done(temp, record, reused=True)
            if not reused:
                workers.start()  # they start up while this view, if drawn here, is drawn
                with naming_file(prepared.path):  # a title or label that cannot fit the frame
                    encoded = _encoded(scene, data, view, folder, settings, encoded_formats, report, workers)
                for temp, record in encoded:
                    done(temp, record)
                if cache:
                    cache.store(key, encoded)
        documents = [FORMATS[name] for name in settings.formats if FORMATS[name].document]
        for fmt in documents:  # after the views: a document may show or embed their files
            written = Document(scene, runs, view_window, settings, timeline(scene, settings), folder,
                               list(result.files), {final: temp for temp, final in finished}, prepared.projection)
            for temp, record in fmt.write(written):
                done(temp, record)
        html = folder / page.PAGE_FILE
        temp = files.write_temp(html, page.document(scene.title, scene.name, result.files, settings.theme).encode())
        done(temp, FileRecord.of(temp, html, None, "html"))
        result.manifest = document(scene, (prepared.path, prepared.sha256), runs, view_window, settings,
                                   result.files, result.masked, _versions(), result.starts_outside, looks,
                                   result.color_notes, result.plane)
        manifest = folder / MANIFEST_FILE
        temp = files.write_temp(manifest, json_bytes(result.manifest))
        finished.append((temp, manifest))
    return result


def cache_key(view, data, scene, settings):
    """The key of a view's frames in the render cache (anim.write.cache.view_key)."""
    from anim.write.cache import view_key

    return view_key(view, view_class(view).CAMERA, data, timeline(scene, settings), scene, settings,
                    _versions(ffmpeg=False))


def _encoded(scene, data, view, folder, settings, formats, report, workers):
    """Draw one view's frames into every format of `formats`; the (temporary path, FileRecord) of each."""
    drawer = workers.drawer(view_class(view), data, settings.width, settings.height)
    tl = timeline(scene, settings)
    samples = []
    if any(FORMATS[name].palette for name in formats):
        samples = [frame.copy() for frame in drawer.frames(_spread(tl, encode.PALETTE_SAMPLES))]
    # A still format alone is the last frame alone: no need to draw the others.
    entries = list(tl) if any(FORMATS[name].animated for name in formats) else [tl.frame(len(tl) - 1)]
    background = themes.background(settings.theme)
    if settings.cvd_preview:  # what an opaque format lays the frames on is seen alike
        background = colors.simulate(background, settings.cvd_preview)
    shape = encode.Shape(settings.width, settings.height, settings.fps, settings.slide_step, settings.slide_size,
                         background if settings.transparent else None)
    with encode.Encoder({name: folder / f"{view}.{name}" for name in formats}, shape, view, samples,
                        round(settings.gif_max_mb * 1e6)) as encoder:
        for index, pixels in enumerate(drawer.frames(entries)):
            encoder.write(pixels)
            report(progress.FrameDone(view, index + 1, len(entries)))
    return encoder.finished


class Stills(list):
    """The paths `still` wrote, with `color_notes`: what it said about the scene's colours, and
    `starts_outside` (see Result) in the drawn `window`."""

    color_notes = ()
    starts_outside = ()
    window = None


def still(source, out_root, settings, formats=STILL_FORMATS, counter=False):
    """The lecture's static figures: each view of settings.views as its last frame shows it
    (final paths, camera at its last pose; the step counter only if `counter`), saved as
    `formats` to out_root/<scene name>/<view>-still.<format>; returns the paths (a Stills), all
    written or none."""
    prepared = prepare(source)
    scene = prepared.scene
    folder = _output_folder(Path(out_root), scene.name + settings.folder_suffix)
    files.clean_stale(folder)
    runs, view_window = _framed(prepared)
    _checked_overlays(prepared, settings)
    settings = dataclasses.replace(settings, trail=0)  # a figure shows the whole paths
    last = timeline(scene, settings).frame(frame_count(scene.steps, settings) - 1)
    with _all_or_nothing(folder) as finished:
        for view in settings.views:
            data = dataclasses.replace(view_data(scene, runs, view_window, view, settings), counter=counter)
            with naming_file(prepared.path):  # a title or label that cannot fit the frame
                drawn = view_class(view)(data, settings.width, settings.height)
            for fmt in sorted(formats, key=lambda f: f != "png"):  # pixels first: still() ends blitting
                final = folder / f"{view}-still.{fmt}"
                finished.append((files.write_temp(final, stills.figure_bytes(drawn, last, fmt, scene.title,
                                                                              settings)), final))
    written = Stills(final for _, final in finished)
    written.color_notes = colors.notes(colors.looks(scene.optimizers, settings.theme), settings.theme)
    written.starts_outside, written.window = window.starts_outside(scene, view_window), view_window
    return written


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


def _framed(prepared):
    """(runs, window): the view window, and the runs knowing where they went far outside it."""
    with naming_file(prepared.path):
        view_window = window.view_window(prepared.scene, prepared.runs)
    return window.mark_exits(prepared.runs, view_window), view_window


def _checked_overlays(prepared, settings):
    """The overlays to draw, each one the runs can draw: else a UsageError for those asked in the
    settings (--overlay), a SceneError naming the file for the scene's own."""
    names = overlay_names(prepared.scene, settings)
    try:
        return arrows.check(names, prepared.runs, "overlays")
    except ValueError as exc:
        if settings.overlays is not None:
            raise UsageError(str(exc)) from None
        raise SceneError(str(exc), prepared.path) from None


def _versions(ffmpeg=True):
    """optianim's, torch's, numpy's, matplotlib's and (if `ffmpeg`, asking it) ffmpeg's versions."""
    import matplotlib
    import numpy
    import torch

    versions = {"optianim": __version__, "torch": torch.__version__, "numpy": numpy.__version__,
                "matplotlib": matplotlib.__version__}
    return {**versions, "ffmpeg": encode.ffmpeg_version()} if ffmpeg else versions


@contextlib.contextmanager
def naming_file(scene_path):
    """Scene errors found after loading (running the surface, the optimizers) name the file too."""
    try:
        yield
    except SceneError as exc:
        if exc.path is None and scene_path is not None:
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
