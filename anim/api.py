"""The public Python API: load, info, render, still and trajectories; the CLI is a thin layer over it."""

from dataclasses import dataclass
from pathlib import Path

from anim.errors import UsageError
from anim.settings import DEFAULT_QUALITY, STILL_FORMATS, Settings, outputs

__all__ = ["Plan", "info", "load", "render", "render_many", "still", "trajectories"]


def load(path):
    """The Scene a scene file defines; SceneError naming the file (and line) if it cannot."""
    from anim.loader import load_scene

    return load_scene(path)


@dataclass(frozen=True)
class Plan:
    """What a render would write: the checked scene, the settings, and each planned output file
    (view, format, frames, fps, width, height). These are the most frames a file gets: a GIF
    under a size budget may get fewer, and a WebP holds a run of identical frames as one."""

    scene: object
    settings: Settings
    outputs: list
    color_notes: list = ()  # one line each about the scene's colours on the theme (anim.colors.notes)


def info(scene, *, views=None, formats=None, quality=DEFAULT_QUALITY, size=None, fps=None, pace=Settings.pace,
         theme=Settings.theme, transparent=False, trail=0, gif_max_mb=None, cvd_preview=None):
    """Check `scene` (a path or a Scene) as a render would, without rendering: load it, build
    every optimizer, take each one's first update; returns the Plan."""
    from anim import colors, pipeline

    settings = _settings(views, formats, quality, size, fps, pace, theme, transparent, trail, gif_max_mb, None,
                         cvd_preview)
    checked = pipeline.checked(_scene_source(scene))
    notes = colors.notes(colors.looks(checked.optimizers, settings.theme), settings.theme)
    return Plan(checked, settings, outputs(checked.steps, settings), notes)


def render(scene, out="media", *, views=None, formats=None, quality=DEFAULT_QUALITY, size=None, fps=None,
           pace=Settings.pace, theme=Settings.theme, transparent=False, trail=0, gif_max_mb=None, jobs=None,
           progress=None, cvd_preview=None):
    """Render `scene` (a path or a Scene) into out/<scene name>/: each view in each format,
    trajectories.csv, index.html and manifest.json, all at once or none. Returns the Result
    (folder, files, manifest, color_notes). `progress`, if given, is called with each event of
    anim.progress (Started, FrameDone, FileDone). Every option of `optianim render` is a keyword.
    `cvd_preview` ('deuteranopia', 'protanopia' or 'tritanopia') renders what students with that
    colour-vision deficiency see, into out/<scene name>-<deficiency>/."""
    from anim import pipeline, progress as events

    settings = _settings(views, formats, quality, size, fps, pace, theme, transparent, trail, gif_max_mb, jobs,
                         cvd_preview)
    return pipeline.render(_scene_source(scene), Path(out), settings, progress or events.ignore)


def render_many(scenes, out="media", *, jobs=None, scheduler=None, progress=None, **options):
    """Render many scene files (paths, or folders of them) into out/<scene name>/ each, with the
    keywords of `render`: here on `jobs` processes in all (default: one per core; scenes at once,
    the jobs left over drawing 3-D frames), or on the Dask cluster whose scheduler is at
    `scheduler` (needs the `dask` extra). A failing scene does not stop the others. Writes
    out/batch.json and out/index.html; returns the anim.batch.Batch (`outcomes`, `failed`).
    `progress` gets the events of anim.batch (SceneStarted, SceneFrames, SceneFinished, Notice)."""
    import inspect

    from anim import batch

    if isinstance(scenes, (str, Path)):
        scenes = [scenes]
    if any(not isinstance(s, (str, Path)) for s in scenes):
        raise UsageError("scenes: render_many takes scene files and folders; render a Scene with anim.render")
    try:  # the keywords are render's, checked before anything starts
        bound = inspect.signature(render).bind("scene", jobs=jobs, **options)
    except TypeError as exc:
        raise UsageError(f"render_many: {exc}") from None
    bound.apply_defaults()
    _settings(*(bound.arguments[name] for name in inspect.signature(_settings).parameters))
    return batch.render_many(scenes, Path(out), options, jobs, scheduler, progress)


def still(scene, out="media", *, views=None, formats=None, size=None, theme=Settings.theme, transparent=False,
          counter=False, cvd_preview=None):
    """The lecture's static figures: each view's last frame as PNG, SVG and PDF (or `formats`),
    written to out/<scene name>/<view>-still.<format>, with the step counter only if `counter`;
    returns their paths (a list, whose `color_notes` says what the scene's colours need).
    `cvd_preview` draws what students with that colour-vision deficiency see, as PNG only (it
    changes pixels), into out/<scene name>-<deficiency>/."""
    from anim import pipeline

    formats = _choices("formats", formats, STILL_FORMATS) or (("png",) if cvd_preview else STILL_FORMATS)
    if cvd_preview and set(formats) - {"png"}:
        raise UsageError(f"formats: {', '.join(f for f in formats if f != 'png')} with cvd_preview; a colour-vision "
                         "preview changes pixels, so it is drawn as png only")
    width, height = _size(size) or (Settings.width, Settings.height)
    settings = Settings(views=views or Settings.views, width=width, height=height, theme=theme,
                        transparent=transparent, cvd_preview=cvd_preview)
    return pipeline.still(_scene_source(scene), Path(out), settings, formats, counter)


def trajectories(scene):
    """Every optimizer's runs from every start point, as numpy (anim.export.Trajectories)."""
    from anim import pipeline
    from anim.export import Trajectories

    prepared = pipeline.prepare(_scene_source(scene))
    return Trajectories(prepared.scene.name, prepared.runs)


def _settings(views, formats, quality, size, fps, pace, theme, transparent, trail, gif_max_mb, jobs, cvd_preview):
    fields = dict(pace=pace, theme=theme, transparent=bool(transparent), trail=trail,
                  gif_max_mb=gif_max_mb or 0.0, jobs=jobs or 0, cvd_preview=cvd_preview)
    if views:
        fields["views"] = views
    if formats:
        fields["formats"] = formats
    return Settings.preset(quality, size=_size(size), fps=fps, **fields)


def _size(size):
    """(width, height) from (w, h) or 'WxH'; None stays None."""
    if size is None:
        return None
    if isinstance(size, str):
        try:
            return tuple(int(part) for part in size.lower().split("x", 1))
        except ValueError:
            raise UsageError(f"size: {size!r} is not WIDTHxHEIGHT, e.g. 1280x720") from None
    if isinstance(size, (tuple, list)) and len(size) == 2:
        return tuple(size)
    raise UsageError(f"size: got {size!r}; use (width, height) or 'WIDTHxHEIGHT'")


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
    from anim.scene import Scene

    if isinstance(scene, (Scene, str, Path)):
        return scene
    raise UsageError(f"scene: got {type(scene).__name__}; give an anim.Scene or the path of a scene file")
