"""The only module that composes: scene -> trajectories -> window -> frames -> files + manifest."""

import contextlib
import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path

from anim.compute import events, trajectory, tuning, window
from anim.declare.landscape import Landscape
from anim.declare.loader import contained, file_sha256, load_scene, located
from anim.declare.scene import Scene
from anim.declare.tune import tuned_names
from anim.drive import limits, progress
from anim.drive.frames import Workers, frame_jobs
from anim.drive.result import Result
from anim.drive.settings import STILL_FORMATS, frame_count
from anim.drive.timeline import timeline
from anim.errors import RenderError, SceneError, UsageError
from anim.look import arrows, camera, colors, style, themes, tuneplot
from anim.look.views import DEFAULT_VIEWS, overlay_names, view_class, view_data
from anim.version import __version__
from anim.write import describe, encode, export, files, page, stills
from anim.write.formats import FORMATS, Document, check_installed, frame_formats
from anim.write.manifest import (MANIFEST_FILE, TRAJECTORIES_FILE, TUNE_FILE, TUNE_PLOT_FILE, FileRecord, document,
                                 json_bytes)


@dataclass(frozen=True)
class Prepared:
    """A loaded, checked scene with its trajectories: everything a render starts from.
    `path` and `sha256` are the scene file's as it was loaded, None for a Scene built in Python."""

    scene: Scene
    runs: list
    path: object = None
    sha256: object = None
    projection: object = None  # a Landscape's anim.compute.training.Projection: the plane and every weight
    tunings: tuple = ()  # an anim.compute.tuning.Tuning per hyperparameter tuned before the race (anim.tune)


SCENES = (Scene, Landscape)


def load(source):
    """The Scene or Landscape of a scene file path, or `source` itself if it is one."""
    if isinstance(source, SCENES):
        return source
    return load_scene(source)


def checked(source):
    """The scene, checked for what can fail before rendering; raises SceneError naming the file."""
    path = None if isinstance(source, SCENES) else source
    with scene_code(path):
        scene = load(source)
        style.check_colors(scene)
        style.check_texts(scene)
        if isinstance(scene, Landscape):
            from anim.compute import training

            training.check(scene)
            return scene
        probed = tuning.probe(scene)  # a tuned hyperparameter at the low end of its range
        trajectory.check_optimizers(probed)
        x, y = scene.init[0]
        window.sample(scene.surface, (x - 1, x + 1), (y - 1, y + 1), 3)
        trajectory.check_first_steps(probed)
    return scene


def prepare(source, settings=None, allow_large=False, before_runs=None):
    """Load and check the scene (a path or a Scene), then compute its trajectories; refused
    before computing if its runs (and, with `settings`, its frames) are past the limits
    (anim.drive.limits), unless `allow_large`. `before_runs`, if given, is called with the
    checked scene before they are computed (which may take long)."""
    path = None if isinstance(source, SCENES) else Path(source)
    sha256 = file_sha256(path) if path is not None and path.is_file() else None
    scene = checked(source)
    with scene_code(path):
        limits.check_scene(scene, settings and settings.for_scene(scene), path, allow_large)
    if before_runs is not None:
        before_runs(scene)
    with scene_code(path):
        if isinstance(scene, Landscape):  # trained, then drawn as a Scene of the plane
            from anim.compute import training

            trained = training.compute(scene)
            return Prepared(_with_camera(trained.scene, trained.runs), trained.runs, path, sha256, trained.projection)
        scene, tunings = tuning.tune(scene)  # each anim.tune(...) gets its chosen value first
        runs = trajectory.compute(scene)
        return Prepared(_with_camera(scene, runs), runs, path, sha256, tunings=tuple(tunings))


def _with_camera(scene, runs):
    """The scene with its camera's "auto" angles chosen from its runs (anim.look.camera)."""
    return camera.resolved(scene, runs, window.view_window(scene, runs))


@dataclass
class Tuned:
    """What `tune_lr` found: the scene with each optimizer at its chosen value (ready to race), the
    Tuning of each, and the files written (tune.png, tune.json)."""

    scene: Scene
    tunings: list
    files: list


def tune_lr(source, out_root, declared, theme="light"):
    """Tune the learning rate of every optimizer of the scene (a path or a Scene) over `declared`
    (an anim.tune(...)), but for those that declare a tune of their own; write the curves
    (out_root/<scene name>/tune.png) and the choices (tune.json), both or neither."""
    import json

    path = None if isinstance(source, SCENES) else source
    with scene_code(path):
        scene = load(source)
        if isinstance(scene, Landscape):
            raise SceneError("tune: tunes on a Scene's surface; a Landscape takes its learning rates as values, "
                             "or lists to sweep")
        scene = dataclasses.replace(scene, optimizers=tuple(
            o if tuned_names(o.hyperparameters) else o.with_value("lr", declared) for o in scene.optimizers))
        tuned, tunings = tuning.tune(checked(scene))
    folder = _output_folder(Path(out_root), scene.name)
    files.clean_stale(folder)
    document = {"scene": scene.name, "title": scene.title, "tuning": [t.described() for t in tunings]}
    with _all_or_nothing(folder) as finished:
        plot = folder / TUNE_PLOT_FILE
        finished.append((files.write_temp(plot, stills.plain_png(tuneplot.figure(tunings, scene.optimizers, theme))),
                         plot))
        data = folder / TUNE_FILE
        finished.append((files.write_temp(data, (json.dumps(document, indent=2) + "\n").encode()), data))
    return Tuned(tuned, tunings, [final for _, final in finished])


def render(source, out_root, settings, report=progress.ignore, cache=None, allow_large=False, reserved=()):
    """Render every output of the scene (a path or a Scene) under out_root/<scene name>/,
    reusing the files of views `cache` (an anim.write.cache.Cache, or None) holds. out_root is
    taken as it is now, before the scene's code runs (which may change directory); the output
    folders are made (or found writable) before any work, and a render that fails removes those
    it made and left empty. Past the limits (anim.drive.limits) it is refused before any work,
    unless `allow_large`; a scene whose folder would be one of the names in `reserved` (a batch's
    own files) is refused."""
    out_root = Path(out_root).absolute()
    check_installed(settings.formats)  # before any work: a deck without its package would fail at the end
    limits.check_jobs(settings.jobs, allow_large)
    path = None if isinstance(source, SCENES) else Path(source)
    with _output_folders(out_root, settings) as scene_folder:
        def before_runs(scene):
            folder = scene.name + settings.folder_suffix
            if folder.casefold() in (name.casefold() for name in reserved):
                raise SceneError(f"name: {scene.name!r} would write the folder {folder}/, in the way of the "
                                 f"batch's own {folder}; give the scene another name", path)
            scene_folder(scene)

        # Workers start now: their start-up overlaps loading the scene and running the optimizers
        # (views left to the scene are taken to be the default ones, until it is loaded); with a
        # cache, when a view is to be drawn: a render the cache holds starts none.
        parallel = any(view_class(view).PARALLEL for view in settings.views or DEFAULT_VIEWS)
        with Workers(frame_jobs(settings.jobs) if parallel else 1, eager=cache is None) as workers:
            prepared = prepare(source, settings, allow_large, before_runs)
            return render_prepared(prepared, out_root, settings, report, workers, cache)


def render_prepared(prepared, out_root, settings, report=progress.ignore, workers=None, cache=None):
    """Render a prepared scene. Every file is finished under a temporary name first; only when
    all are complete are they moved into place, the manifest last, so a failed or interrupted
    render changes nothing in the output folder. A view whose frames `cache` holds is copied
    from it (as a temporary too) instead of drawn."""
    workers = workers or Workers(1)
    scene = prepared.scene
    with scene_code(prepared.path):
        settings = settings.for_scene(scene)
    overlays = _checked_overlays(prepared, settings)
    folder = _output_folder(Path(out_root), scene.name + settings.folder_suffix)
    report(progress.Started(scene, folder))
    result = Result(folder, removed_temps=files.clean_stale(folder))
    files.clean_stale_scratch()  # and the scratch folders of killed renders
    runs, view_window = _framed(prepared)
    result.runs = runs
    result.stops = [(r.label, r.run, r.stop.step, r.stop.reason) for r in runs if r.stop]
    result.swarms = len(style.by_label(runs)) if runs and style.path_look(runs).swarm else 0
    result.plane = prepared.projection and prepared.projection.described(runs)
    result.tunings = prepared.tunings
    result.overlay_notes = arrows.notes(overlays, runs, settings.views)
    result.starts_outside = window.starts_outside(scene, view_window)
    looks = colors.looks(scene.optimizers, settings.theme)
    result.color_notes = colors.notes(looks, settings.theme)
    animated = any(FORMATS[name].animated for name in frame_formats(settings.formats))
    result.description = describe.describe(
        scene, events.find(scene, runs, view_window, plane=prepared.projection is not None), settings.views,
        timeline(scene, settings), settings.fps, written=animated)
    with _all_or_nothing(folder) as finished:
        def done(temp, record, reused=False):
            finished.append((temp, record.path))
            result.files.append(record)
            report(progress.FileDone(record, reused))

        csv = folder / TRAJECTORIES_FILE
        temp = files.write_temp(csv, export.to_csv(runs, prepared.projection))
        done(temp, FileRecord.of(temp, csv, None, "csv", rows=sum(len(r.points) for r in runs)))
        if prepared.tunings:
            plot = folder / TUNE_PLOT_FILE
            temp = files.write_temp(plot, stills.plain_png(tuneplot.figure(prepared.tunings, scene.optimizers,
                                                                            settings.theme)))
            done(temp, FileRecord.of(temp, plot, None, "png", width=tuneplot.WIDTH, height=tuneplot.HEIGHT))
        encoded_formats = frame_formats(settings.formats)
        for view in settings.views if encoded_formats else ():
            with scene_code(prepared.path):  # the surface, sampled for the view
                data = view_data(scene, runs, view_window, view, settings, prepared.projection)
            result.masked[view] = window.masked_fraction(data.mesh)
            key = cache and cache_key(view, data, scene, settings)
            reused = cache and cache.reuse(key, view, encoded_formats, folder)
            for temp, record in reused or ():
                done(temp, record, reused=True)
            if not reused:
                if any(view_class(v).PARALLEL for v in settings.views):
                    workers.start()  # they start up while this view, if drawn here, is drawn
                with naming_file(prepared.path):  # a title or label that cannot fit the frame
                    encoded = _encoded(scene, data, view, folder, settings, encoded_formats, report, workers)
                for temp, record in encoded:
                    done(temp, record)
                if cache:
                    cache.store(key, encoded)
        if animated:  # the videos' text alternative beside them, and each view's descriptions track
            for final, text in [(folder / describe.DESCRIPTION_FILE, result.description.text()),
                                *((folder / f"{view}.vtt", result.description.vtt(view)) for view in settings.views)]:
                temp = files.write_temp(final, text.encode())
                done(temp, FileRecord.of(temp, final, None, final.suffix[1:]))
        documents = [FORMATS[name] for name in settings.formats if FORMATS[name].document]
        for fmt in documents:  # after the views: a document may show or embed their files
            written = Document(scene, runs, view_window, settings, timeline(scene, settings), folder,
                               list(result.files), {final: temp for temp, final in finished}, prepared.projection,
                               result.description)
            for temp, record in fmt.write(written):
                done(temp, record)
        html = folder / page.PAGE_FILE
        temp = files.write_temp(html, page.document(scene.title, scene.name, result.files, settings.theme,
                                                    result.description).encode())
        done(temp, FileRecord.of(temp, html, None, "html"))
        result.manifest = document(scene, (prepared.path, prepared.sha256), runs, view_window, settings,
                                   result.files, result.masked, _versions(), result.starts_outside, looks,
                                   result.color_notes, result.plane, result.description,
                                   [t.described() for t in prepared.tunings])
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
    turning = len({(entry.elevation, entry.azimuth) for entry in entries}) > 1
    shape = encode.Shape(settings.width, settings.height, settings.fps, settings.slide_step, settings.slide_size,
                         background if settings.transparent else None, view_class(view).TURNING_WHOLE and turning)
    with encode.Encoder({name: folder / f"{view}.{name}" for name in formats}, shape, view, samples,
                        round(settings.gif_max_mb * 1e6), _reserved_colors(data, settings, background)) as encoder:
        for index, pixels in enumerate(drawer.frames(entries)):
            encoder.write(pixels)
            report(progress.FrameDone(view, index + 1, len(entries)))
    return encoder.finished


def _reserved_colors(data, settings, background):
    """The colours a GIF's size budget never gives up ('#rrggbb'): every path's as drawn, its halo's,
    the background's; as the frames show them under a colour-vision preview."""
    from matplotlib import colors as mcolors

    drawn = {mcolors.to_hex(color) for run in data.runs for color in (run.color, style.outline_for(run.color))}
    if settings.cvd_preview:
        drawn = {colors.simulate(color, settings.cvd_preview) for color in drawn}
    return sorted(drawn | {background})


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
    out_root = Path(out_root).absolute()
    with _output_folders(out_root, settings) as scene_folder:
        return _still(prepare(source, before_runs=scene_folder), out_root, settings, formats, counter)


def _still(prepared, out_root, settings, formats, counter):
    scene = prepared.scene
    with scene_code(prepared.path):
        settings = settings.for_scene(scene)
    folder = _output_folder(Path(out_root), scene.name + settings.folder_suffix)
    files.clean_stale(folder)
    runs, view_window = _framed(prepared)
    _checked_overlays(prepared, settings)
    settings = dataclasses.replace(settings, trail=0)  # a figure shows the whole paths
    last = timeline(scene, settings).frame(frame_count(scene.steps, settings) - 1)
    with _all_or_nothing(folder) as finished:
        for view in settings.views:
            with scene_code(prepared.path):  # its surface sampled; a title or label that cannot fit the frame
                data = dataclasses.replace(view_data(scene, runs, view_window, view, settings, prepared.projection),
                                           counter=counter)
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
    when the block ends well, removes them all when it fails, so `folder` gets every file or none;
    another render into `folder` waits meanwhile (anim.write.files.locked)."""
    finished = []
    try:
        with files.locked(folder):  # from here, another render into the folder waits for this one
            yield finished
            files.commit_all(finished)
    except BaseException as exc:
        files.discard(*(temp for temp, _ in finished))
        if isinstance(exc, OSError):
            raise RenderError(f"cannot write {exc.filename or folder}: {exc.strerror or exc}") from exc
        raise


def _framed(prepared):
    """(runs, window): the view window, and the runs knowing where they went far outside it."""
    with scene_code(prepared.path):
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
        raise (located(SceneError(str(exc)), prepared.path) if prepared.path else SceneError(str(exc))) from None


def _versions(ffmpeg=True):
    """optianim's, torch's, numpy's, matplotlib's and (if `ffmpeg`, asking it) ffmpeg's versions."""
    import matplotlib
    import numpy
    import torch

    versions = {"optianim": __version__, "torch": torch.__version__, "numpy": numpy.__version__,
                "matplotlib": matplotlib.__version__}
    return {**versions, "ffmpeg": encode.ffmpeg_version()} if ffmpeg else versions


@contextlib.contextmanager
def scene_code(scene_path):
    """Around code that runs the scene's own (its surface, optimizers, model): it is contained
    (anim.declare.loader.contained), and the scene errors it raises name the file too."""
    with naming_file(scene_path), contained(scene_path):
        yield


@contextlib.contextmanager
def naming_file(scene_path):
    """Scene errors raised inside (a title or label of the scene that cannot fit the frame) name its file."""
    try:
        yield
    except SceneError as exc:
        if exc.path is None and scene_path is not None:
            raise located(exc, scene_path) from exc
        raise


def _spread(timeline, count):
    """At most `count` frames of the timeline, evenly spread from the first to the last."""
    last = len(timeline) - 1
    return [timeline.frame(i) for i in sorted({round(k * last / max(count - 1, 1)) for k in range(count)})]


@contextlib.contextmanager
def _output_folders(out_root, settings):
    """Makes `out_root` now, before any work, and yields a function making the scene's folder in
    it (for `prepare`, before the runs); should the block fail, the folders it made and left empty
    are removed again, so a failed render leaves nothing behind."""
    made = []
    try:
        _output_folder(out_root, made=made)
        yield lambda scene: _output_folder(out_root / (scene.name + settings.folder_suffix), made=made)
    except BaseException:
        for folder in reversed(made):
            with contextlib.suppress(OSError):  # not empty: something of its own is in it
                folder.rmdir()
        raise


def _output_folder(folder, name="", made=None):
    """out_root/name, made if missing (its missing parents too, each listed in `made`), and
    writable; else a RenderError saying what is in the way."""
    folder = folder / name
    missing = [p for p in (folder, *folder.parents) if not p.exists()][::-1]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        for place in (*reversed(folder.parents), folder):
            if place.is_symlink() and not place.exists():
                raise RenderError(f"cannot create output folder {folder}: {place} is a broken symbolic link "
                                  f"(to {os.readlink(place)}); remove it or create what it points to") from exc
        blocker = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), folder)
        raise RenderError(f"cannot create output folder {folder}: {blocker} is a file") from exc
    except OSError as exc:
        raise RenderError(f"cannot create output folder {folder}: {exc.strerror}") from exc
    if made is not None:
        made += missing
    if not os.access(folder, os.W_OK):
        raise RenderError(f"output folder {folder} is not writable; choose another with -o")
    return folder
