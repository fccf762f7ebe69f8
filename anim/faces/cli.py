"""The `optianim` command line: parses options, calls the Python API (anim.faces.api), prints what it returns."""

import functools
import signal
import sys
import time
import traceback
from pathlib import Path

import click

from anim.declare.scene import LEGENDS
from anim.drive.settings import DEFAULT_QUALITY, MIN_SIDE, QUALITIES, STILL_FORMATS, Settings
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
                           + ". [default: contour and surface]")
THEME_OPTION = click.option("--theme", type=click.Choice(list(THEMES)), default=Settings.theme, show_default=True,
                            help="light, or dark for dark slide decks.")
OVERLAY_OPTION = click.option(
    "--overlay", "overlays", multiple=True, metavar="NAME",
    help="Arrows at each head, instead of the scene's overlays; repeat for several: gradient (the step -lr*grad), "
         "update (the step taken), momentum (-lr times the first-moment buffer) or a state key such as exp_avg_sq.")
LEGEND_OPTION = click.option("--legend", type=click.Choice(LEGENDS), default=None,
                             help="What the legend says of each optimizer, instead of the scene's: short (its label "
                                  "and non-default hyperparameters), full (every setting) or label. [default: the "
                                  "scene's, short]")
CVD_OPTION = click.option("--cvd-preview", type=click.Choice(DEFICIENCIES), default=None,
                          help="Draw what students with this colour-vision deficiency see (Machado et al. 2009), "
                               "into OUT/<scene name>-<deficiency>/, to check a slide.")


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
                     help="Shrink each GIF (colours, then size; never the frame rate) until it fits in this many MB."),
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
                   "[default: every core]")
@click.option("--scheduler", metavar="ADDRESS", envvar="OPTIANIM_SCHEDULER", default=None,
              help="Render the scenes on the Dask cluster whose scheduler is at ADDRESS "
                   "(tcp://host:8786; needs optianim[dask]). [env: OPTIANIM_SCHEDULER]")
@click.option("--cache/--no-cache", default=True, show_default=True,
              help="Reuse the files of views whose frames would be the same from the render cache; "
                   "--no-cache draws every frame.")
@click.option("--watch", is_flag=True,
              help="Render again whenever a file in the scene's folder is saved, and serve the preview page "
                   "on 127.0.0.1 (it reloads itself after each render). Ctrl-C stops.")
@OVERLAY_OPTION
@LEGEND_OPTION
@_debug_option
@_reporting_errors
def render(scenes, out, jobs, scheduler, cache, watch, overlays, legend, **options):
    """Render SCENE.py files, or folders of them, into contour and 3-D animations (MP4 + GIF) with their data.

    Every file lands in OUT/<scene name>/, with index.html to preview them all and manifest.json
    to describe them. Several scenes (or a folder) render in parallel, one line each; one that
    fails is reported and the others finish (the exit code is then 1); OUT/batch.json and
    OUT/index.html list them all.
    """
    _note_rounding(options["size"])
    options = dict(options, overlays=overlays or None, legend=legend)
    if watch:
        _watch(scenes, out, jobs, options, cache)
        return
    if len(scenes) == 1 and not scenes[0].is_dir() and not scheduler:
        _render_one(scenes[0], out, jobs, options, cache)
        return
    shown = _BatchProgress()
    try:
        done = api.render_many(scenes, out, jobs=jobs, scheduler=scheduler, progress=shown, cache=cache, **options)
    finally:
        shown.close()
    ok = len(done.outcomes) - len(done.failed)
    click.echo(f"{ok} of {_count(len(done.outcomes), 'scene')} rendered in {done.seconds:.1f} s; "
               f"every scene's page: {done.index_file}")
    if done.failed:
        raise AnimError(f"{len(done.failed)} of {len(done.outcomes)} scenes failed; see the errors above")


def _watch(scenes, out, jobs, options, cache):
    if len(scenes) != 1:
        raise click.UsageError(f"--watch takes one scene file, got {len(scenes)}")
    import importlib.util

    from anim.drive import watch

    if importlib.util.find_spec("watchfiles") is None:
        raise AnimError("--watch needs the watchfiles package: pip install 'optianim[watch]'")
    watch.watch(scenes[0], out, lambda: _render_one(scenes[0], out, jobs, options, cache), click.echo)


def _render_one(scene_path, out, jobs, options, cache=True):
    started = time.perf_counter()
    progress = _Progress(scene_path)
    try:
        result = api.render(scene_path, out, jobs=jobs, progress=progress, cache=cache, **options)
    finally:
        progress.close_bar()
    for name in result.removed_temps:
        click.echo(f"  removed {name}, left by an interrupted render")
    for line in _stop_notes(result.diverged, "diverged", ""):
        click.echo(line)
    for line in _stop_notes(result.left_view, "left the view", " (far outside it)",
                            "; trajectories.csv has every value"):
        click.echo(line)
    for note in [*result.color_notes, *result.overlay_notes]:
        click.echo(f"  note: {note}")
    if result.swarms > 1 and "grid" not in (options["views"] or ()):
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
            click.echo(f"{self.scene_path}: {event.scene.title} -> {event.folder}")
        elif isinstance(event, self.events.FrameDone):
            self.frame(event.view, event.total)
        elif isinstance(event, self.events.FileDone):
            self.file(event.record, event.reused)

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
            how = (f"{event.at_once} at a time, {_count(event.frame_jobs, 'process')} each for 3-D frames"
                   if event.at_once else "on the Dask cluster")
            click.echo(f"{_count(self.total, 'scene')}, {how}")
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


def _count(n, noun):
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


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
@click.argument("folder", type=click.Path(path_type=Path), default=Path("scenes"))
@_debug_option
@_reporting_errors
def list_scenes(folder):
    """List the scene files in FOLDER (default: scenes) with what each shows."""
    from anim.declare import library

    scenes = library.describe(folder)
    width = max((len(name) for name, _ in scenes), default=0)
    for name, summary in scenes:
        click.echo(f"{name:<{width}}  {summary}")
    if not scenes:
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
@_debug_option
@_reporting_errors
def new(name, folder):
    """Write NAME.py, a commented scene template that renders as it is."""
    from anim.declare import library

    path = library.new_scene(name, folder)
    click.echo(f"wrote {path}; render it with: optianim render {path}")


@main.command("clear-cache")
@_debug_option
@_reporting_errors
def clear_cache():
    """Empty the render cache, where `render` keeps each view's files to reuse them unchanged."""
    from anim.write.cache import Cache

    cache = Cache()
    click.echo(f"removed {megabytes(cache.clear())} from the render cache {cache.folder}")


@main.command()
@click.argument("scene", type=click.Path(path_type=Path))
@click.option("-o", "--out", type=click.Path(path_type=Path), required=True,
              help="File to write: .csv, .json or .npz.")
@_debug_option
@_reporting_errors
def trajectories(scene, out):
    """Compute the trajectories of SCENE.py and write them as CSV, JSON or NPZ (by suffix)."""
    from anim.write import export

    if out.suffix.lower() not in export.SUFFIXES:
        raise click.BadParameter(f"{out.name!r} has no known suffix; use one of "
                                 + ", ".join(export.SUFFIXES), param_hint="'-o' / '--out'")
    try:  # before computing (a swarm's runs may take a while); as render does, make the folder
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AnimError(f"cannot create the folder of {out}: {exc.strerror or exc}") from exc
    computed = api.trajectories(scene)
    try:
        computed.write(out)
    except OSError as exc:
        raise AnimError(f"cannot write {out}: {exc.strerror}") from exc
    click.echo(f"wrote {out}: {_count(len(computed), 'run')} x {_count(computed.points.shape[1], 'step')}")


@main.command()
@click.argument("scene", type=click.Path(path_type=Path))
@_settings_options
@_debug_option
@_reporting_errors
def info(scene, **options):
    """Print what rendering SCENE.py would write: frames, fps, duration and size of each file."""
    _note_rounding(options["size"])
    plan = api.info(scene, **options)
    loaded = plan.scene
    starts = _count(len(loaded.init), 'start point') if hasattr(loaded, "init") else "the model's initial weights"
    click.echo(f"{loaded.name}: {loaded.title}; {_count(len(loaded.optimizers), 'optimizer')} x "
               f"{starts}, {_count(loaded.steps, 'step')}")
    for note in plan.color_notes:
        click.echo(f"note: {note}")
    if plan.starts_outside:
        click.echo(_outside_note(plan.starts_outside, *plan.window).strip())
    click.echo(f"{'file':<14}{'frames':>8}{'fps':>8}{'duration':>10}{'size':>11}")
    for output in plan.outputs:
        if FORMATS[output.format].document:
            click.echo(f"{output.filename:<14}{'-':>8}{'-':>8}{'-':>10}{'-':>11}")
            continue
        if not FORMATS[output.format].animated:
            click.echo(f"{output.filename:<14}{1:>8}{'-':>8}{'-':>10}{output.width:>6}x{output.height}")
            continue
        at_most = "<=" if FORMATS[output.format].merges else "  "
        click.echo(f"{output.filename:<14}{at_most}{output.frames:>6}{output.fps:>8g}"
                   f"{output.duration:>9.2f}s{output.width:>6}x{output.height}")
