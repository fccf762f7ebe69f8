"""The public Python API: load, info, render, still and trajectories; the CLI is a thin layer over it."""

from dataclasses import dataclass
from pathlib import Path

from anim.drive.settings import DEFAULT_QUALITY, STILL_FORMATS, Settings, from_keywords, outputs, parse_size
from anim.errors import UsageError

__all__ = ["Plan", "info", "load", "render", "render_many", "show", "still", "trajectories"]


def load(path):
    """The Scene a scene file defines; SceneError naming the file (and line) if it cannot."""
    from anim.declare.loader import load_scene

    return load_scene(path)


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
         theme=Settings.theme, transparent=False, trail=0, gif_max_mb=None, cvd_preview=None):
    """Check `scene` (a path or a Scene) as a render would, without rendering: load it, build
    every optimizer, take each one's first update; returns the Plan."""
    from anim.compute import window
    from anim.drive import pipeline
    from anim.look import colors

    settings = from_keywords(views, formats, quality, size, fps, pace, theme, transparent, trail, gif_max_mb,
                             cvd_preview=cvd_preview)
    checked = pipeline.checked(_scene_source(scene))
    notes = colors.notes(colors.looks(checked.optimizers, settings.theme), settings.theme)
    fixed = window.fixed_ranges(checked)
    return Plan(checked, settings, outputs(checked.steps, settings), notes, window.starts_outside(checked, fixed), fixed)


def render(scene, out="media", *, views=None, formats=None, quality=DEFAULT_QUALITY, size=None, fps=None,
           pace=Settings.pace, theme=Settings.theme, transparent=False, trail=0, gif_max_mb=None, jobs=None,
           progress=None, cvd_preview=None, overlays=None, legend=None, cache=True, debug=False):
    """Render `scene` (a path or a Scene) into out/<scene name>/: each view in each format,
    trajectories.csv, index.html and manifest.json, all at once or none. Returns the Result
    (folder, files, manifest, color_notes), which displays itself in a notebook. `progress`, if
    given, is called with each event of anim.drive.progress (Started, FrameDone, FileDone); in a
    notebook a progress bar is shown. Every option of `optianim render` is a keyword.
    `cvd_preview` ('deuteranopia', 'protanopia' or 'tritanopia') renders what students with that
    colour-vision deficiency see, into out/<scene name>-<deficiency>/. `overlays` (names such as
    'gradient', 'update', 'momentum' or a state key) draws those arrows instead of the scene's. `legend`
    ('short', 'full' or 'label') says that much of each optimizer instead of the scene's. `cache`: True reuses the
    files of a view whose frames would be the same from the render cache (anim.write.cache), False
    draws every frame, a folder (or an anim.write.cache.Cache) is the cache to use. In a notebook an
    optianim error is raised without its traceback through optianim's internals unless `debug`."""
    from anim.drive import pipeline
    from anim.drive import progress as events
    from anim.errors import AnimError
    from anim.faces import notebook
    from anim.write.cache import Cache

    try:
        settings = from_keywords(views, formats, quality, size, fps, pace, theme, transparent, trail, gif_max_mb,
                                 jobs, cvd_preview, overlays, legend)
        if progress is None and notebook.in_kernel():
            progress = notebook.Progress()
        result = pipeline.render(_scene_source(scene), Path(out), settings, progress or events.ignore,
                                 Cache.chosen(cache))
        return notebook.Rendered(**vars(result))
    except AnimError as exc:  # in a notebook: the message, with no traceback through optianim's internals
        if debug or not notebook.in_kernel():
            raise
        raise exc.with_traceback(None) from None


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


def render_many(scenes, out="media", *, jobs=None, scheduler=None, progress=None, **options):
    """Render many scene files (paths, or folders of them) into out/<scene name>/ each, with the
    keywords of `render`: here on `jobs` processes in all (default: one per core; scenes at once,
    the jobs left over drawing 3-D frames), or on the Dask cluster whose scheduler is at
    `scheduler` (needs the `dask` extra). A failing scene does not stop the others. Writes
    out/batch.json and out/index.html; returns the anim.drive.batch.Batch (`outcomes`, `failed`).
    `progress` gets the events of anim.drive.batch (SceneStarted, SceneFrames, SceneFinished, Notice)."""
    import inspect

    from anim.drive import batch

    if isinstance(scenes, (str, Path)):
        scenes = [scenes]
    if any(not isinstance(s, (str, Path)) for s in scenes):
        raise UsageError("scenes: render_many takes scene files and folders; render a Scene with anim.render")
    try:  # the keywords are render's, checked before anything starts
        bound = inspect.signature(render).bind("scene", jobs=jobs, **options)
    except TypeError as exc:
        raise UsageError(f"render_many: {exc}") from None
    bound.apply_defaults()
    from_keywords(**{name: bound.arguments[name] for name in inspect.signature(from_keywords).parameters})
    return batch.render_many(scenes, Path(out), options, jobs, scheduler, progress)


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
    settings = Settings(views=views or Settings.views, width=width, height=height, theme=theme,
                        transparent=transparent, cvd_preview=cvd_preview, overlays=overlays, legend=legend)
    return pipeline.still(_scene_source(scene), Path(out), settings, formats, counter)


def trajectories(scene):
    """Every optimizer's runs from every start point, as numpy (anim.write.export.Trajectories)."""
    from anim.drive import pipeline
    from anim.write.export import Trajectories

    prepared = pipeline.prepare(_scene_source(scene))
    return Trajectories(prepared.scene.name, prepared.runs, prepared.projection)


def _choices(name, given, known):
    if given is None:
        return ()
    given = (given,) if isinstance(given, str) else tuple(dict.fromkeys(given))
    unknown = [g for g in given if g not in known]
    if unknown:
        raise UsageError(f"{name}: {', '.join(map(repr, unknown))}; use one or more of {', '.join(known)}")
    return given


def _scene_source(scene):
    """A Scene as it is, or a scene file's path."""
    from anim.declare.landscape import Landscape
    from anim.declare.scene import Scene

    if isinstance(scene, (Scene, Landscape, str, Path)):
        return scene
    raise UsageError(f"scene: got {type(scene).__name__}; give an anim.Scene, an anim.Landscape or the path of "
                     "a scene file")
