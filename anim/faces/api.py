"""The public Python API: load, info, render, still and trajectories; the CLI is a thin layer over it."""

from dataclasses import dataclass
from pathlib import Path

from anim.drive.settings import (DEFAULT_QUALITY, SCENE_TIMEOUT, STILL_FORMATS, Settings, from_keywords, outputs,
                                  parse_size)
from anim.errors import UsageError
from anim.write.formats import check_installed

__all__ = ["Plan", "explore", "info", "load", "render", "render_many", "show", "still", "trajectories", "tune_lr"]


def load(path):
    """The Scene a scene file defines (a path, or a shipped scene's name); SceneError naming the file
    (and line) if it cannot."""
    from anim.declare.loader import load_scene

    return load_scene(_scene_source(path))


@dataclass(frozen=True)
class Plan:
    """What a render would write: the checked scene, the settings, and each planned output file
    (view, format, frames, fps, width, height). These are the most frames a file gets: a GIF
    under a size budget may get fewer, and a WebP holds a run of identical frames as one."""

    scene: object
    settings: Settings
    outputs: list
    color_notes: list = ()  # one line each about the scene's colours on the theme (anim.look.colors.notes)
    starts_outside: list = ()  # (index, (w1, w2)) of each start point outside a fixed x_range or y_range
    window: tuple = (None, None)  # (x_range, y_range) as the scene fixes them, None where fitted to the runs


def info(scene, *, views=None, formats=None, quality=DEFAULT_QUALITY, size=None, fps=None, pace=Settings.pace,
         theme=Settings.theme, transparent=False, trail=0, gif_max_mb=None, cvd_preview=None,
         pptx_media=Settings.pptx_media, allow_large=False):
    """Check `scene` (a path or a Scene) as a render would, without rendering: load it, build
    every optimizer, take each one's first update, and refuse it past the limits a render
    checks (anim.drive.limits) unless `allow_large`; returns the Plan."""
    from anim.compute import window
    from anim.drive import limits, pipeline
    from anim.look import colors

    settings = from_keywords(views, formats, quality, size, fps, pace, theme, transparent, trail, gif_max_mb,
                             cvd_preview=cvd_preview, pptx_media=pptx_media)
    source = _scene_source(scene)
    checked = pipeline.checked(source)
    with pipeline.scene_code(None if isinstance(source, pipeline.SCENES) else source):
        settings = settings.for_scene(checked)
    limits.check_scene(checked, settings, None if isinstance(source, pipeline.SCENES) else source, allow_large)
    notes = colors.notes(colors.looks(checked.optimizers, settings.theme), settings.theme)
    fixed = window.fixed_ranges(checked)
    return Plan(checked, settings, outputs(checked.steps, settings), notes, window.starts_outside(checked, fixed), fixed)


def render(scene, out="media", *, views=None, formats=None, quality=DEFAULT_QUALITY, size=None, fps=None,
           pace=Settings.pace, theme=Settings.theme, transparent=False, trail=0, gif_max_mb=None, jobs=None,
           progress=None, cvd_preview=None, overlays=None, legend=None, html_script=Settings.html_script,
           pptx_media=Settings.pptx_media, cache=True, allow_large=False, debug=False):
    """Render `scene` (a path or a Scene) into out/<scene name>/: each view in each format,
    trajectories.csv, index.html and manifest.json, all at once or none. Returns the Result
    (folder, files, manifest, color_notes), which displays itself in a notebook. `progress`, if
    given, is called with each event of anim.drive.progress (Started, FrameDone, FileDone); in a
    notebook a progress bar is shown. Every option of `optianim render` is a keyword.
    `cvd_preview` ('deuteranopia', 'protanopia' or 'tritanopia') renders what students with that
    colour-vision deficiency see, into out/<scene name>-<deficiency>/. `overlays` (names such as
    'gradient', 'update', 'momentum' or a state key) draws those arrows instead of the scene's. `legend`
    ('short', 'full' or 'label') says that much of each optimizer instead of the scene's. `html_script`
    ('inline' or 'shared'): explore.html (formats=['html']) carries its script, or loads it from `out`. `pptx_media`
    ('gif' or 'mp4') is what a formats=['pptx'] deck embeds (the render writes it too). `cache`: True reuses the
    files of a view whose frames would be the same from the render cache (anim.write.cache), False
    draws every frame, a folder (or an anim.write.cache.Cache) is the cache to use; a scene file
    rendered again unchanged is answered from the cache before torch is imported. A render past
    the limits of memory and time (steps, start points, frames, jobs: anim.drive.limits) is refused
    before it starts, naming the estimate, unless `allow_large`. In a notebook an optianim error
    shows the frames of the user's code alone, unless `debug` (anim.AnimError)."""
    from anim.drive import direct
    from anim.drive import progress as events
    from anim.errors import AnimError
    from anim.faces import notebook
    from anim.write.cache import Cache

    try:
        settings = from_keywords(views, formats, quality, size, fps, pace, theme, transparent, trail, gif_max_mb,
                                 jobs, cvd_preview, overlays, html_script, pptx_media, legend)
        if progress is None and notebook.in_kernel():
            progress = notebook.Progress()
        result = direct.render(_scene_source(scene), Path(out), settings, progress or events.ignore,
                               Cache.chosen(cache), allow_large)
        return notebook.Rendered(**vars(result))
    except AnimError as exc:  # a notebook shows the frames of the user's code alone, unless asked for all
        exc.whole_traceback = debug
        raise


def show(scene, out="media", *, embed_limit_mb=None, **options):
    """Render `scene` as `render` does (every keyword of it applies) and display the views in the
    notebook, embedding files up to `embed_limit_mb` in all (anim.faces.notebook.EMBED_LIMIT_MB by
    default) and linking the rest. Needs IPython (a notebook or an IPython shell)."""
    try:
        from IPython.display import display
    except ImportError:
        raise UsageError("anim.show displays in a notebook and needs IPython; elsewhere use anim.render and "
                         "open the folder's index.html") from None
    display(render(scene, out, **options).display(embed_limit_mb))


def explore(scene, out="media", **options):
    """Render `scene`'s explorable alone (out/<scene name>/explore.html, with trajectories.csv, index.html
    and manifest.json; no video is drawn) and return the Result, which a notebook shows as the page
    itself, inline (JupyterLab, classic Notebook, VS Code; no server). Every keyword of `render` applies;
    `formats` may add others to html."""
    formats = options.pop("formats", None) or ()
    formats = (formats,) if isinstance(formats, str) else tuple(formats)
    return render(scene, out, formats=("html", *formats) if "html" not in formats else formats, **options)


def render_many(scenes, out="media", *, jobs=None, scheduler=None, progress=None, scene_timeout=None,
                scheduler_timeout=None, **options):
    """Render many scene files (paths, or folders of them: their files that set `scene` at their
    top level, found by reading them) into out/<scene name>/ each, with the keywords of
    `render`: here on `jobs` processes in all (default: one per core; scenes at once, the jobs
    left over drawing 3-D frames), each scene in a fresh process of its own, stopped after
    `scene_timeout` seconds (default anim.drive.settings.SCENE_TIMEOUT; 0: no limit); or on the
    Dask cluster whose scheduler is at `scheduler` (needs the `dask` extra), reached within
    `scheduler_timeout` seconds (default anim.drive.settings.SCHEDULER_TIMEOUT). A failing scene,
    or one whose process dies, does not stop the others. Writes out/batch.json and
    out/index.html; returns the anim.drive.batch.Batch (`outcomes`, `failed`, `skipped`).
    `progress` gets the events of anim.drive.batch (Planned, SceneStarted, SceneFrames,
    SceneFinished, Notice)."""
    import inspect

    from anim.drive import batch, limits

    if isinstance(scenes, (str, Path)):
        scenes = [scenes]
    if any(not isinstance(s, (str, Path)) for s in scenes):
        raise UsageError("scenes: render_many takes scene files and folders; render a Scene with anim.render")
    try:  # the keywords are render's, checked before anything starts
        bound = inspect.signature(render).bind("scene", jobs=jobs, **options)
    except TypeError as exc:
        raise UsageError(f"render_many: {exc}") from None
    bound.apply_defaults()
    settings = from_keywords(**{name: bound.arguments[name] for name in inspect.signature(from_keywords).parameters})
    check_installed(settings.formats)  # before any scene starts: every scene would fail alike
    for name, value in (("scene_timeout", scene_timeout), ("scheduler_timeout", scheduler_timeout)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0):
            raise UsageError(f"{name}: got {value!r}; use a number of seconds >= 0")
    if not scheduler:
        limits.check_jobs(jobs, options.get("allow_large", False))
    return batch.render_many(scenes, Path(out), options, jobs, scheduler, progress,
                             SCENE_TIMEOUT if scene_timeout is None else scene_timeout, scheduler_timeout)


def still(scene, out="media", *, views=None, formats=None, size=None, theme=Settings.theme, transparent=False,
          counter=False, cvd_preview=None, overlays=None, legend=None):
    """The lecture's static figures: each view's last frame as PNG, SVG and PDF (or `formats`),
    written to out/<scene name>/<view>-still.<format>, with the step counter only if `counter`;
    returns their paths (a list, whose `color_notes` says what the scene's colours need).
    `cvd_preview` draws what students with that colour-vision deficiency see, as PNG only (it
    changes pixels), into out/<scene name>-<deficiency>/."""
    from anim.drive import pipeline

    formats = _choices("formats", formats, STILL_FORMATS) or (("png",) if cvd_preview else STILL_FORMATS)
    if cvd_preview and set(formats) - {"png"}:
        raise UsageError(f"formats: {', '.join(f for f in formats if f != 'png')} with cvd_preview; a colour-vision "
                         "preview changes pixels, so it is drawn as png only")
    width, height = parse_size(size) or (Settings.width, Settings.height)
    settings = Settings(views=views or None, width=width, height=height, theme=theme,
                        transparent=transparent, cvd_preview=cvd_preview, overlays=overlays, legend=legend)
    return pipeline.still(_scene_source(scene), Path(out), settings, formats, counter)


def trajectories(scene, *, allow_large=False):
    """Every optimizer's runs from every start point, as numpy (anim.write.export.Trajectories);
    refused before computing past the limits of memory and time unless `allow_large`."""
    from anim.drive import pipeline
    from anim.write.export import Trajectories

    prepared = pipeline.prepare(_scene_source(scene), allow_large=allow_large)
    return Trajectories(prepared.scene.name, prepared.runs, prepared.projection)


def tune_lr(scene, out="media", *, low=1e-4, high=10.0, candidates=100, objective="final_loss", minimum=None,
            theme=Settings.theme):
    """Give every optimizer of `scene` (a path or a Scene) its best learning rate for the race: each
    lr tuned as anim.tune(low, high, candidates, objective, minimum) would (an optimizer that declares
    a tune of its own keeps it). Writes out/<scene name>/tune.png (the objective over each range)
    and tune.json (the values chosen); returns the anim.drive.pipeline.Tuned: `scene` (each
    optimizer at its chosen value: anim.render(tuned.scene) draws the fair race), `tunings`, `files`."""
    from anim.declare.tune import tune
    from anim.drive import pipeline
    from anim.errors import SceneError

    try:
        declared = tune(low, high, candidates, objective, minimum)
    except SceneError as exc:  # the keywords' values, not the scene
        raise UsageError(str(exc)) from None
    if theme not in ("light", "dark"):
        raise UsageError(f"theme: got {theme!r}; use 'light' or 'dark'")
    return pipeline.tune_lr(_scene_source(scene), Path(out), declared, theme)


def _choices(name, given, known):
    if given is None:
        return ()
    given = (given,) if isinstance(given, str) else tuple(dict.fromkeys(given))
    unknown = [g for g in given if g not in known]
    if unknown:
        raise UsageError(f"{name}: {', '.join(map(repr, unknown))}; use one or more of {', '.join(known)}")
    return given


def _scene_source(scene):
    """A Scene as it is, or a scene file's path: as given, or the shipped scene a bare name names
    (anim.declare.library.find_scene)."""
    from anim.declare import library
    from anim.declare.landscape import Landscape
    from anim.declare.scene import Scene

    if isinstance(scene, (Scene, Landscape)):
        return scene
    if isinstance(scene, (str, Path)):
        return library.find_scene(scene).path
    raise UsageError(f"scene: got {type(scene).__name__}; give an anim.Scene, an anim.Landscape or the path of "
                     "a scene file")
