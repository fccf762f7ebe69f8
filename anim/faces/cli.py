"""The `optianim` command line: parses options, calls the Python API (anim.faces.api), prints what it returns."""

import functools
import signal
import sys
import time
import traceback
from pathlib import Path

import click

from anim.declare.scene import LEGENDS
from anim.declare.tune import MAX_CANDIDATES, OBJECTIVES, tuned_names
from anim.drive.settings import (DEFAULT_QUALITY, HTML_SCRIPTS, MIN_SIDE, QUALITIES, SCENE_TIMEOUT, SCHEDULER_TIMEOUT,
                                  STILL_FORMATS, Settings)
from anim.errors import AnimError, UsageError
from anim.faces import api
from anim.look.colors import DEFICIENCIES
from anim.look.themes import THEMES
from anim.look.views import VIEWS
from anim.write.formats import FORMATS
from anim.write.page import megabytes


class SizeType(click.ParamType):
    """WIDTHxHEIGHT in pixels, e.g. 1920x1080."""

    name = "WxH"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        try:
            width, height = (int(part) for part in value.lower().split("x"))
        except ValueError:
            self.fail(f"{value!r} is not WIDTHxHEIGHT, e.g. 1280x720", param, ctx)
        if width < MIN_SIDE or height < MIN_SIDE:
            self.fail(f"{value!r}: each side must be at least {MIN_SIDE} pixels", param, ctx)
        return (width, height)


OUT_OPTION = click.option("-o", "--out", type=click.Path(path_type=Path), default=Path("media"),
                          show_default=True, help="Output root; files go to OUT/<scene name>/.")
VIEW_OPTION = click.option("--view", "views", type=click.Choice(list(VIEWS)), multiple=True,
                           help="View to draw; repeat for several: " + "; ".join(
                               f"{name}: {summary}" for name, (_, summary) in VIEWS.items())
                           + ". [default: the views the scene declares, else contour and surface]")
THEME_OPTION = click.option("--theme", type=click.Choice(list(THEMES)), default=Settings.theme, show_default=True,
                            help="light, or dark for dark slide decks.")
OVERLAY_OPTION = click.option(
    "--overlay", "overlays", multiple=True, metavar="NAME",
    help="Arrows at each head, instead of the scene's overlays; repeat for several: gradient (the step -lr*grad), "
         "update (the step taken), momentum (-lr times the first-moment buffer) or a state key such as exp_avg_sq.")
ALLOW_LARGE_OPTION = click.option(
    "--allow-large", is_flag=True,
    help="Go ahead past the limits of memory and time (steps, start points, frames, --jobs) checked before "
         "work starts.")
LEGEND_OPTION = click.option("--legend", type=click.Choice(LEGENDS), default=None,
                             help="What the legend says of each optimizer, instead of the scene's: short (its label "
                                  "and non-default hyperparameters), full (every setting) or label. [default: the "
                                  "scene's, short]")
CVD_OPTION = click.option("--cvd-preview", type=click.Choice(DEFICIENCIES), default=None,
                          help="Draw only what students with this colour-vision deficiency see (Machado et al. "
                               "2009), into OUT/<scene name>-<deficiency>/, to check a slide; the real files are "
                               "not written.")


def _settings_options(command):
    """The options that shape the outputs: shared by `render` and `info` so both agree."""
    decorators = [
        VIEW_OPTION,
        click.option("--format", "formats", type=click.Choice(list(FORMATS)), multiple=True,
                     help="File format; repeat for several: " + "; ".join(
                         f"{name}: {fmt.help}" for name, fmt in FORMATS.items()) + ". [default: mp4 and gif]"),
        click.option("--quality", type=click.Choice(list(QUALITIES)), default=DEFAULT_QUALITY,
                     show_default=True, help="Size and fps preset: " + ", ".join(
                         f"{name} {w}x{h}@{fps}" for name, (w, h, fps) in QUALITIES.items()) + "."),
        click.option("--size", type=SizeType(), default=None,
                     help="Video size in pixels, overriding --quality; odd sides are rounded down to even."),
        click.option("--fps", type=click.IntRange(min=1, max=240), default=None,
                     help="Video frames per second, overriding --quality."),
        click.option("--pace", type=click.FloatRange(min=0, min_open=True, max=10000), default=Settings.pace,
                     show_default=True, help="Optimizer updates per second of video, at any fps."),
        THEME_OPTION,
        click.option("--transparent", is_flag=True,
                     help="See-through background in the formats with alpha: " + ", ".join(
                         name for name, fmt in FORMATS.items() if fmt.alpha) + " (the others stay opaque)."),
        click.option("--trail", type=click.IntRange(min=0), default=0,
                     help="Show only the last N updates of each path, fading. [default: the whole path]"),
        click.option("--gif-max-mb", type=click.FloatRange(min=0, min_open=True), default=None,
                     help="Shrink each GIF until it fits in this many MB: the frame rate first (down to 10 fps), "
                          "then the size, then the surface's colours; the paths' colours are always kept."),
        click.option("--pptx-media", type=click.Choice(FORMATS["pptx"].embeds), default=Settings.pptx_media,
                     show_default=True,
                     help="What a --format pptx deck embeds (and the render writes): gif, a picture that animates "
                          "in PowerPoint, Keynote, LibreOffice and Google Slides; mp4, a movie, its first frame as "
                          "poster."),
        CVD_OPTION,
    ]
    return functools.reduce(lambda cmd, deco: deco(cmd), reversed(decorators), command)


def _note_rounding(size):
    """Say so when an odd --size is rounded down to even sides."""
    if size and any(side % 2 for side in size):
        click.echo(f"note: --size {size[0]}x{size[1]} rounded to {size[0] - size[0] % 2}x{size[1] - size[1] % 2} "
                   "(H.264 needs even sides)", err=True)


def _debug_option(command):
    return click.option("--debug", is_flag=True, help="Show the full traceback of an error.")(command)


STOP_SIGNALS = {signal.SIGINT: "interrupted", signal.SIGTERM: "terminated"}


def _reporting_errors(function):
    """Turn optianim errors into one line on stderr and exit 1; a traceback only with --debug."""

    @functools.wraps(function)
    def wrapper(*args, debug=False, **kwargs):
        received = []

        def on_signal(signum, frame):
            received.append(signum)
            raise KeyboardInterrupt

        # Ctrl-C (or a SIGTERM) in the middle of an import surfaces as an ImportError, not
        # KeyboardInterrupt: remembering the signal lets any exception it caused be reported as
        # the interrupt it is. Either way the render in progress unwinds and cleans up.
        previous = {signum: signal.signal(signum, on_signal) for signum in STOP_SIGNALS}
        try:
            return function(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except (Exception, KeyboardInterrupt) as exc:
            if isinstance(exc, KeyboardInterrupt) or received:
                signum = received[0] if received else signal.SIGINT
                click.echo(f"{STOP_SIGNALS[signum]}: the render in progress changed no file "
                           "(files of scenes already done are kept)", err=True)
                sys.exit(128 + signum)
            if debug:
                traceback.print_exc()
            if isinstance(exc, UsageError):  # the API refused a value the options let through
                click.echo(f"error: {exc}", err=True)
                sys.exit(2)
            if isinstance(exc, AnimError):
                click.echo(f"error: {exc}", err=True)
            else:  # a bug in optianim: still one line unless --debug
                click.echo(f"internal error: {type(exc).__name__}: {exc} (run with --debug for details)",
                           err=True)
            sys.exit(1)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="optianim")
def main():
    """Animate PyTorch optimizers on 2-D loss surfaces."""


@main.command()
@click.argument("scenes", nargs=-1, required=True, type=click.Path(path_type=Path))
@OUT_OPTION
@_settings_options
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Processes in all: scenes rendered at once, and those left over drawing 3-D frames. "
                   "[default: every core; one scene's frames on every core but the encoder's, so on 2 cores "
                   "in this process]")
@click.option("--scheduler", metavar="ADDRESS", envvar="OPTIANIM_SCHEDULER", default=None,
              help="Render the scenes on the Dask cluster whose scheduler is at ADDRESS "
                   "(tcp://host:8786; needs optianim[dask]). [env: OPTIANIM_SCHEDULER]")
@click.option("--scheduler-timeout", type=click.FloatRange(min=0, min_open=True), default=SCHEDULER_TIMEOUT,
              show_default=True, metavar="SECONDS", help="Give up reaching the Dask scheduler after this long.")
@click.option("--scene-timeout", type=click.FloatRange(min=0), default=SCENE_TIMEOUT, show_default=True,
              metavar="SECONDS", help="With several scenes here, stop a scene still rendering after this long "
                                      "and report it (0: no limit).")
@ALLOW_LARGE_OPTION
@click.option("--cache/--no-cache", default=True, show_default=True,
              help="Reuse the files of views whose frames would be the same from the render cache; "
                   "--no-cache draws every frame.")
@click.option("--html-script", type=click.Choice(HTML_SCRIPTS), default=Settings.html_script, show_default=True,
              help="explore.html (--format html) carries three.js and its script (inline), or loads them from "
                   "one file at OUT (shared: a course site of many scenes holds one copy).")
@click.option("--watch", is_flag=True,
              help="Render again whenever a file in the scene's folder is saved, and serve the preview page "
                   "on 127.0.0.1 (it reloads itself after each render). Ctrl-C stops.")
@OVERLAY_OPTION
@LEGEND_OPTION
@_debug_option
@_reporting_errors
def render(scenes, out, jobs, scheduler, scheduler_timeout, scene_timeout, cache, watch, overlays, legend, **options):
    """Render SCENE.py files (or shipped scenes by name: pathological), or folders of them, into
    contour and 3-D animations (MP4 + GIF) with their data.

    Every file lands in OUT/<scene name>/, with index.html to preview them all and manifest.json
    to describe them. Several scenes (or a folder) render in parallel, one line each; one that
    fails is reported and the others finish (the exit code is then 1); OUT/batch.json and
    OUT/index.html list them all.
    """
    _note_rounding(options["size"])
    options = dict(options, overlays=overlays or None, legend=legend)
    given, scenes = scenes, _found(scenes)
    if watch:
        _watch(scenes, out, jobs, options, cache)
        return
    if len(scenes) == 1 and not scenes[0].is_dir() and not scheduler:
        _render_one(scenes[0], out, jobs, options, cache, shown=given[0])
        return
    shown = _BatchProgress()
    try:
        done = api.render_many(scenes, out, jobs=jobs, scheduler=scheduler, progress=shown, cache=cache,
                               scene_timeout=scene_timeout, scheduler_timeout=scheduler_timeout, **options)
    finally:
        shown.close()
    ok = len(done.outcomes) - len(done.failed)
    click.echo(f"{ok} of {_count(len(done.outcomes), 'scene')} rendered in {done.seconds:.1f} s; "
               f"every scene's page: {done.index_file}")
    if done.course:
        click.echo(f"the whole course as one deck: {done.course}")
    if done.failed:
        raise AnimError(f"{len(done.failed)} of {len(done.outcomes)} scenes failed; see the errors above")


def _watch(scenes, out, jobs, options, cache):
    if len(scenes) != 1:
        raise click.UsageError(f"--watch takes one scene file, got {len(scenes)}")
    import importlib.util

    from anim.drive import watch

    missing = [name for name in ("watchfiles", "starlette", "uvicorn") if importlib.util.find_spec(name) is None]
    if missing:
        raise AnimError(f"--watch needs {', '.join(missing)}: pip install 'optianim[watch]'")
    watch.watch(scenes[0], out, lambda: _render_one(scenes[0], out, jobs, options, cache), click.echo)


def _found(scenes):
    """The scene files (or folders) the arguments name, as anim.declare.library.find_scene finds
    them: a bare name is a file of this folder, else a shipped scene; said when a file here wins."""
    from anim.declare import library

    paths = []
    for given in scenes:
        found = library.find_scene(given)
        if found.shadows:
            click.echo(f"note: {given} is {found.path} in this folder, not the shipped scene {found.shadows}",
                       err=True)
        paths.append(found.path)
    return paths


def _render_one(scene_path, out, jobs, options, cache=True, shown=None):
    started = time.perf_counter()
    progress = _Progress(shown or scene_path)
    try:
        result = api.render(scene_path, out, jobs=jobs, progress=progress, cache=cache, **options)
    finally:
        progress.close_bar()
    for name in result.removed_temps:
        click.echo(f"  removed {name}, left by an interrupted render")
    for line in _tuning_lines(result.tunings):
        click.echo(f"  {line}")
    for line in _stop_notes(result.diverged, "diverged", ""):
        click.echo(line)
    for line in _stop_notes(result.left_view, "left the view", " (far outside it)",
                            "; trajectories.csv has every value"):
        click.echo(line)
    for note in [*result.color_notes, *result.overlay_notes]:
        click.echo(f"  note: {note}")
    if result.swarms > 1 and "grid" not in result.manifest["settings"]["views"]:
        click.echo(f"  note: the swarms of {result.swarms} optimizers overlap in each view; "
                   "--view grid draws one panel per optimizer")
    blank = max(result.masked.values(), default=0.0)
    if blank > 0:
        click.echo(f"  note: the surface is not finite (NaN or inf) on {blank:.1%} of the view: left blank")
    if result.plane:
        click.echo(_plane_note(result.plane))
    if result.starts_outside:
        click.echo(_outside_note(result.starts_outside, result.manifest["x_range"], result.manifest["y_range"]))
    click.echo(f"  done in {time.perf_counter() - started:.1f} s, every file in place: "
               f"{result.folder / 'manifest.json'}")
    return result


def _tuning_lines(tunings):
    """A line per tuned hyperparameter: the value chosen, by what, out of which values."""
    for t in tunings:
        tune = t.tune
        how = "batched: one torch run a round" if t.batched else "value by value"
        yield (f"tuned: {t.label} {t.name} {t.chosen:.4g}, the best {tune.objective_name.replace('_', ' ')} "
               f"({t.score:.4g}) of {len(t.values)} values from {tune.low:g} to {tune.high:g} ({how}); "
               "the curve: tune.png")


def _outside_note(outside, x_range, y_range):
    """One line for the start points a fixed window leaves out: which, the window, what to do (a
    range None is fitted to the runs, so says so)."""
    pair = lambda values: "(" + ", ".join(f"{v:g}" for v in values) + ")"  # noqa: E731
    window = ", ".join(f"{w} fitted" if bounds is None else f"{w} in {pair(bounds)}"
                       for w, bounds in (("w1", x_range), ("w2", y_range)))
    fields = [name for name, axis, bounds in (("x_range", 0, x_range), ("y_range", 1, y_range))
              if bounds is not None and any(not bounds[0] <= point[axis] <= bounds[1] for _, point in outside)]
    index, point = outside[0]
    which = (f"start point {index} {pair(point)} lies" if len(outside) == 1 else
             f"{len(outside)} start points lie")
    first = "" if len(outside) == 1 else f", the first {index} {pair(point)}"
    return (f"  note: {which} outside the view window {window}{first}: "
            f"widen {' and '.join(fields)} or move {'it' if len(outside) == 1 else 'them'}")


def _plane_note(plane):
    """How well a landscape's plane holds its paths, from the manifest's `plane`."""
    kind = {"pca": "the paths' PCA plane", "random": "a filter-normalised random plane",
            "given": "the given plane"}[plane["kind"]]
    explained = plane["explained_variance"]
    held = f", explaining {explained[0]:.1%} + {explained[1]:.1%} of their squared distance from the centre" \
        if explained else ""
    lines = [f"  plane: {kind} through the {plane['center']}{held}"]
    off, gap = plane["max_off_plane"], plane["max_loss_gap"]
    if off:
        lines.append(f"  plane: the farthest point lies off it by {off['value']:.1%} of its path's length "
                     f"({off['optimizer']}, step {off['step']}); the largest gap between the true loss and the "
                     f"loss on the plane is {gap['value']:.3g} ({gap['optimizer']}, step {gap['step']})")
    return "\n".join(lines)


def _stop_notes(stops, what, where, more=""):
    """A note per run that stopped early, or per optimizer when more than three of its runs did."""
    by_label = {}
    for label, run, step in stops:
        by_label.setdefault(label, []).append((run, step))
    for label, its_stops in by_label.items():
        if len(its_stops) <= 3:
            for run, step in its_stops:
                yield f"  note: {label} (run {run}) {what} at step {step}{where}: drawn up to there{more}"
        else:
            run, step = min(its_stops, key=lambda stop: stop[1])
            yield (f"  note: {label}: {len(its_stops)} runs {what}, the first at step {step} (run {run}): "
                   f"each drawn up to there{more}")


class _Progress:
    """The render's progress callback: a bar per view on a terminal, one quiet line per file in a log."""

    def __init__(self, scene_path):
        from anim.drive import progress

        self.events = progress
        self.scene_path = scene_path
        self.interactive = sys.stdout.isatty()
        self.bar = None
        self.view = None

    def __call__(self, event):
        if isinstance(event, self.events.Started):
            click.echo(f"{self.scene_path}: {event.scene.title} -> {_shown(event.folder)}")
        elif isinstance(event, self.events.FrameDone):
            self.frame(event.view, event.total)
        elif isinstance(event, self.events.FileDone):
            self.file(event.record, event.reused)
        elif isinstance(event, self.events.Notice):
            self.close_bar()
            click.echo(f"warning: {event.text}", err=True)

    def frame(self, view, total):
        if not self.interactive:
            return
        if view != self.view:
            self.close_bar()
            self.view = view
            self.bar = click.progressbar(length=total, label=f"  {view:<8}", show_pos=True, width=30)
            self.bar.__enter__()
        self.bar.update(1)

    def file(self, record, reused=False):
        self.close_bar()
        details = []
        if "rows" in record.details:
            details.append(f"{record.details['rows']} rows")
        elif record.width is not None:
            if record.frames is not None and FORMATS[record.format].animated:
                details.append(f"{record.frames} frames, {record.fps:g} fps")
            details.append(f"{record.width}x{record.height}")
            if "max_bytes" in record.details:
                details.append(f"{record.details['colors']} colours")
        details.append(megabytes(record.bytes))
        if reused:
            details.append("unchanged: reused from the render cache")
        click.echo(f"  ready {record.file:<18} " + ", ".join(details))
        if record.details.get("traded"):
            click.echo(f"  note: {record.file} over {record.details['max_bytes'] / 1e6:g} MB gave up "
                       + ", ".join(record.details["traded"]) + "; every path keeps its colour")

    def close_bar(self):
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


class _BatchProgress:
    """A batch's progress callback: a line per finished scene (errors on stderr); on a terminal
    also a live line per scene in progress and an overall bar, redrawn in place."""

    def __init__(self):
        from anim.drive import outcome

        self.events = outcome
        self.interactive = sys.stdout.isatty()
        self.running = {}  # scene file -> its live line
        self.total = None
        self.finished = 0
        self.drawn = 0  # live lines on screen

    def __call__(self, event):
        events = self.events
        if isinstance(event, events.Planned):
            self.total = len(event.scene_files)
            how = (f"{event.at_once} at a time, {_count(event.frame_jobs, 'process', 'processes')} each for "
                   "3-D frames" if event.at_once else "on the Dask cluster")
            click.echo(f"{_count(self.total, 'scene')}, {how}")
            if event.skipped:
                click.echo(f"note: skipped {_count(len(event.skipped), 'file')} that "
                           f"{'is no scene file' if len(event.skipped) == 1 else 'are no scene files'} (read, not "
                           "run): " + "; ".join(f"{path} ({why})" for path, why in event.skipped), err=True)
        elif isinstance(event, events.SceneStarted):
            where = f" on {event.worker}" if event.worker else ""
            self.running[event.scene_file] = f"{event.scene_file}: loading{where}"
        elif isinstance(event, events.SceneFrames):
            if event.scene_file in self.running:
                self.running[event.scene_file] = (f"{event.scene_file}: {event.view:<8} "
                                                  f"{event.done:>4}/{event.total} frames")
        elif isinstance(event, events.SceneFinished):
            self.finished += 1
            self.running.pop(event.outcome.scene_file, None)
            self.clear()
            self.report(event.outcome)
        elif isinstance(event, events.Notice):
            self.clear()
            click.echo(f"note: {event.text}", err=True)
        self.draw()

    def report(self, outcome):
        if outcome.ok:
            click.echo(f"ok {outcome.seconds:6.1f} s  {outcome.scene_file} -> {outcome.folder}/"
                       + (f" (on {outcome.worker})" if outcome.worker else ""))
        else:
            click.echo(f"error: {outcome.error}", err=True)

    def draw(self):
        if not self.interactive:
            return
        self.clear()
        lines = [f"  {line}" for line in self.running.values()]
        width, total = 30, self.total or 1
        filled = round(width * self.finished / total)
        lines.append(f"  [{'#' * filled}{'.' * (width - filled)}] {self.finished}/{total} scenes, "
                      f"{len(self.running)} rendering")
        click.echo("\n".join(lines))
        self.drawn = len(lines)

    def clear(self):
        if self.interactive and self.drawn:
            click.echo(f"\x1b[{self.drawn}F\x1b[J", nl=False)
            self.drawn = 0

    def close(self):
        self.clear()


def _shown(folder):
    """`folder` as the user would type it: relative to the working folder when inside it."""
    try:
        return str(Path(folder).relative_to(Path.cwd()))
    except ValueError:
        return str(folder)


def _count(n, noun, plural=None):
    return f"{n} {noun}" if n == 1 else f"{n} {plural or noun + 's'}"


@main.command()
@click.argument("scene", type=click.Path(path_type=Path))
@OUT_OPTION
@VIEW_OPTION
@click.option("--format", "formats", type=click.Choice(STILL_FORMATS), multiple=True,
              help="File format; repeat for several. [default: png, svg and pdf]")
@click.option("--size", type=SizeType(), default=f"{Settings.width}x{Settings.height}", show_default=True,
              help="Figure size in pixels (PNG), at 100 pixels per inch of a 720-pixel-high figure.")
@THEME_OPTION
@click.option("--transparent", is_flag=True, help="See-through background.")
@click.option("--counter", is_flag=True, help="Show the step counter, as the animation's last frame does.")
@CVD_OPTION
@OVERLAY_OPTION
@LEGEND_OPTION
@_debug_option
@_reporting_errors
def still(scene, out, views, formats, size, theme, transparent, counter, cvd_preview, overlays, legend):
    """Draw the lecture's static figures of SCENE.py: the final paths on each view, as PNG, SVG and PDF.

    Files go to OUT/<scene name>/<view>-still.<format>, beside what `render` writes.
    """
    _note_rounding(size)
    [scene] = _found([scene])
    written = api.still(scene, out, views=views or None, formats=formats or None, size=size, theme=theme,
                        transparent=transparent, counter=counter, cvd_preview=cvd_preview,
                        overlays=overlays or None, legend=legend)
    for note in written.color_notes:
        click.echo(f"note: {note}")
    if written.starts_outside:
        click.echo(_outside_note(written.starts_outside, *written.window).strip())
    for path in written:
        click.echo(f"wrote {path} ({megabytes(path.stat().st_size)})")


@main.command("list")
@click.argument("folder", type=click.Path(path_type=Path), required=False)
@_debug_option
@_reporting_errors
def list_scenes(folder):
    """List the scene files in FOLDER with what each shows (default: ./scenes if there is one, else the
    scenes shipped with optianim)."""
    from anim.declare import library

    shipped = folder is None and not Path("scenes").is_dir()
    if folder is None:
        folder = library.shipped_folder() if shipped else Path("scenes")
    scenes = library.describe(folder)
    if shipped:
        click.echo(f"the scenes shipped with optianim ({folder}):")
    width = max((len(name) for name, _ in scenes), default=0)
    for name, summary in scenes:
        click.echo(f"{name:<{width}}  {summary}")
    if shipped:
        click.echo("render one by name (optianim render pathological), or start from a copy "
                   "(optianim new NAME --from pathological)")
    elif not scenes:
        click.echo(f"no scene files (*.py) in {folder}; start one with: optianim new NAME")


@main.command()
@_debug_option
@_reporting_errors
def optimizers():
    """List every optimizer installed here (torch.optim, pytorch_optimizer, schedulefree), the name a
    scene gives it, whether it can step two weights and why not."""
    import warnings

    from anim.compute import probe
    from anim.declare import catalog

    works = total = 0
    for library in catalog.LIBRARIES:
        entries = catalog.entries(library)
        if not entries:
            click.echo(f"{library}: not installed; {catalog.EXTRA}")
            continue
        click.echo(f"{library}:")
        width = max(len(entry.name) for entry in entries)
        for entry in entries:
            with warnings.catch_warnings():  # (libraries warn about their own internals on a first step)
                warnings.simplefilter("ignore")
                ok, note = probe.status(entry)
            works, total = works + ok, total + 1
            click.echo(f"  {entry.name:<{width}}  {'yes' if ok else 'no ':<3}  {note}".rstrip())
    click.echo(f"{works} of {total} optimizers can step two weights")


@main.command()
@click.argument("name")
@click.option("-d", "--dir", "folder", type=click.Path(path_type=Path, file_okay=False), default=Path("."),
              show_default=True, help="Folder to write NAME.py into.")
@click.option("--from", "source", metavar="SCENE",
              help="Start from a copy of this scene file or shipped scene (optianim list), renamed NAME.")
@_debug_option
@_reporting_errors
def new(name, folder, source):
    """Write NAME.py, a commented scene template that renders as it is (or a copy of SCENE)."""
    from anim.declare import library

    path = library.new_scene(name, folder, source)
    click.echo(f"wrote {path}{f' from {source}' if source else ''}; render it with: optianim render {path}")


@main.group()
def cache():
    """The render cache, where `render` keeps each view's files and each render's record to reuse them
    unchanged (in $XDG_CACHE_HOME/optianim; at most $OPTIANIM_CACHE_MB megabytes, least recently used out first)."""


@cache.command("info")
@_debug_option
@_reporting_errors
def cache_info():
    """Where the render cache is, what it holds and its bound."""
    from anim.write.cache import DEFAULT_MAX_MB, MAX_MB_VARIABLE, Cache

    info = Cache().info()
    bound = f"{megabytes(info.max_bytes)} ({MAX_MB_VARIABLE}; default {DEFAULT_MAX_MB} MB)"
    click.echo(f"folder  {info.folder}{'' if info.folder.exists() else ' (not created yet)'}")
    click.echo(f"holds   {megabytes(info.bytes)}: {_count(info.views, 'view')} and {_count(info.renders, 'render record')}")
    click.echo(f"bound   {bound}, least recently used out first")


@cache.command("clear")
@_debug_option
@_reporting_errors
def cache_clear():
    """Empty the render cache: the next render of each scene draws every frame."""
    from anim.write.cache import Cache

    cache = Cache()
    click.echo(f"removed {megabytes(cache.clear())} from the render cache {cache.folder}")


@main.command()
@click.argument("scene", type=click.Path(path_type=Path))
@click.option("-o", "--out", type=click.Path(path_type=Path), required=True,
              help="File to write: .csv, .json or .npz.")
@ALLOW_LARGE_OPTION
@_debug_option
@_reporting_errors
def trajectories(scene, out, allow_large):
    """Compute the trajectories of SCENE.py and write them as CSV, JSON or NPZ (by suffix)."""
    from anim.write import export

    if out.suffix.lower() not in export.SUFFIXES:
        raise click.BadParameter(f"{out.name!r} has no known suffix; use one of "
                                 + ", ".join(export.SUFFIXES), param_hint="'-o' / '--out'")
    try:  # before computing (a swarm's runs may take a while); as render does, make the folder
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AnimError(f"cannot create the folder of {out}: {exc.strerror or exc}") from exc
    [scene] = _found([scene])
    computed = api.trajectories(scene, allow_large=allow_large)
    try:
        computed.write(out)
    except OSError as exc:
        raise AnimError(f"cannot write {out}: {exc.strerror}") from exc
    click.echo(f"wrote {out}: {_count(len(computed), 'run')} x {_count(computed.points.shape[1], 'step')}")


@main.command()
@click.argument("scene", type=click.Path(path_type=Path))
@OUT_OPTION
@click.option("--range", "lr_range", type=(float, float), default=(1e-4, 10.0), show_default=True,
              metavar="LOW HIGH", help="The learning rates to search, from LOW to HIGH (a log range).")
@click.option("--candidates", type=click.IntRange(min=2, max=MAX_CANDIDATES), default=100, show_default=True,
              help="Learning rates run per optimizer: a third spread over the range, the rest around the best.")
@click.option("--objective", type=click.Choice(list(OBJECTIVES)), default="final_loss", show_default=True,
              help="What a learning rate is scored by, lower is better: " + "; ".join(
                  f"{name}: {meaning}" for name, meaning in OBJECTIVES.items()) + ".")
@click.option("--minimum", type=(float, float), default=None, metavar="W1 W2",
              help="The minimum objective 'distance' measures from.")
@THEME_OPTION
@_debug_option
@_reporting_errors
def tune(scene, out, lr_range, candidates, objective, minimum, theme):
    """Give every optimizer of SCENE.py its best learning rate, for a fair race.

    Each optimizer's lr is tuned as lr=anim.tune(LOW, HIGH) would tune it (an optimizer that
    declares a tune of its own keeps it): prints the value chosen for each, and writes
    OUT/<scene name>/tune.png (the objective over each range) and tune.json.
    """
    found = api.tune_lr(scene, out, low=lr_range[0], high=lr_range[1], candidates=candidates, objective=objective,
                        minimum=minimum, theme=theme)
    for line in _tuning_lines(found.tunings):
        click.echo(line.removeprefix("tuned: ").replace("; the curve: tune.png", ""))
    click.echo(f"wrote {', '.join(str(path) for path in found.files)}; to race at these values, write them in "
               "the scene, or declare lr=anim.tune(...) there (a render tunes it again)")


@main.command()
@click.argument("scene", type=click.Path(path_type=Path))
@_settings_options
@ALLOW_LARGE_OPTION
@_debug_option
@_reporting_errors
def info(scene, **options):
    """Print what rendering SCENE.py would write: frames, fps, duration and size of each file."""
    _note_rounding(options["size"])
    [scene] = _found([scene])
    plan = api.info(scene, **options)
    loaded = plan.scene
    starts = _count(len(loaded.init), 'start point') if hasattr(loaded, "init") else "the model's initial weights"
    click.echo(f"{loaded.name}: {loaded.title}; {_count(len(loaded.optimizers), 'optimizer')} x "
               f"{starts}, {_count(loaded.steps, 'recorded point')} ({_count(loaded.steps - 1, 'update')} "
               "between them)")
    for optimizer in loaded.optimizers:
        for name in tuned_names(optimizer.hyperparameters):
            tune = optimizer.hyperparameters[name]
            click.echo(f"tune: {optimizer.label} {name}: {tune.candidates} values from {tune.low:g} to {tune.high:g}, "
                       f"the best {tune.objective_name.replace('_', ' ')} chosen before the race")
    for note in plan.color_notes:
        click.echo(f"note: {note}")
    if plan.starts_outside:
        click.echo(_outside_note(plan.starts_outside, *plan.window).strip())
    rows = [("file", "frames", "fps", "duration", "size")]
    for output in plan.outputs:
        fmt = FORMATS[output.format]
        if fmt.document:
            rows.append((output.filename, "-", "-", "-", "-"))
        elif not fmt.animated:
            rows.append((output.filename, "1", "-", "-", f"{output.width}x{output.height}"))
        else:
            rows.append((output.filename, ("<=" if fmt.merges else "") + str(output.frames), f"{output.fps:g}",
                         f"{output.duration:.2f}s", f"{output.width}x{output.height}"))
    widths = [max(len(row[column]) for row in rows) for column in range(5)]  # columns never run together
    for row in rows:
        click.echo("  ".join([row[0].ljust(widths[0])] + [cell.rjust(width) for cell, width in zip(row[1:], widths[1:])]))
