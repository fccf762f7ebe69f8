"""The look shared by every view: figure geometry, fonts, colour map, path and legend styling."""

import contextlib
import dataclasses
import math

import matplotlib
import numpy as np
from matplotlib import colors as mcolors
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from anim.compute.trajectory import DIVERGED, LEFT_VIEW
from anim.errors import SceneError
from anim.look import colors, themes

REFERENCE_HEIGHT_INCHES = 7.2  # every size is laid out as 720p at 100 dpi, then scaled (by its shorter side)
# Text for a lecture hall: no text smaller than 2.5 % of the frame's shorter side (18 px at 720p,
# 13 pt at the 100 dpi of the 720-line reference); a GIF or WebP scaled to a slide keeps the proportion.
MIN_TEXT_SHARE = 0.025
FONT = {"title": 22, "label": 18, "tick": 14, "legend": 15, "counter": 15}
RC = {
    "font.family": "DejaVu Sans",
    "font.size": FONT["tick"],
    "legend.title_fontsize": FONT["legend"],
    "mathtext.fontset": "dejavusans",
    "axes.titlesize": FONT["title"],
    "axes.labelsize": FONT["label"],
    "xtick.labelsize": FONT["tick"],
    "ytick.labelsize": FONT["tick"],
    "legend.fontsize": FONT["legend"],
    # x tick labels a little lower than matplotlib's: clear of the lowest y tick label at the corner
    "xtick.major.pad": 6.0,
}


# Points: the contrasting halo under a path, and its line: the halo shows 0.75 pt each side, enough
# to part the line from any colour of the map, thin enough not to double it.
HALO_WIDTH, PATH_WIDTH = 3.5, 2.0
SWARM_RUNS = 16  # a view with more runs than this draws them as a swarm (see path_look)
# A path that folds on itself densely (more than FOLDED of its length comes back over itself) gets
# a halo only THIN_HALO points wider than its line: each new segment's halo would otherwise paint
# over the line drawn before it, and its colour would be lost in white zig-zags.
FOLDED, THIN_HALO = 0.25, 0.5


@dataclasses.dataclass(frozen=True)
class PathLook:
    """How a view draws its paths: widths in points, marker sizes in points (0: none), line opacity."""

    halo_width: float
    path_width: float
    marker_size: float
    head_size: float
    end_size: float
    head_edge: float
    alpha: float
    swarm: bool


FEW = PathLook(HALO_WIDTH, PATH_WIDTH, marker_size=4, head_size=10, end_size=13, head_edge=1.0, alpha=1.0,
               swarm=False)


def _swarm_look(runs_each):
    """Many paths: thin translucent lines, no halo and no point markers, so where they crowd they
    thicken into a denser colour instead of a solid block; small heads still show every front.
    Fainter the more runs each optimizer has (0.45 at 400, 0.28 at 1,000), so that a thousand
    paths still show where they crowd instead of filling the panel with one colour."""
    alpha = round(min(0.6, max(0.15, 9 / runs_each ** 0.5)), 3)
    return PathLook(0.0, 0.9 if runs_each <= 400 else 0.7, marker_size=0, head_size=4.5, end_size=6,
                    head_edge=0.5, alpha=alpha, swarm=True)


def by_label(runs):
    """{optimizer label: its runs}, in the order the optimizers come."""
    groups = {}
    for run in runs:
        groups.setdefault(run.label, []).append(run)
    return groups


def path_look(runs):
    """The swarm look for more than SWARM_RUNS runs when optimizers have several start points
    each, else FEW (a sweep of many values from one start is still a handful of paths per value)."""
    runs_each = max(len(its_runs) for its_runs in by_label(runs).values())
    return _swarm_look(runs_each) if len(runs) > SWARM_RUNS and runs_each > 1 else FEW


# A swarm draws a few of its runs bold over the faint rest, from the same start points for every
# optimizer, so each optimizer stays traceable where swarms overlap and can be compared with the
# others from one place: FEATURED_RUNS bold paths in all at most, FEATURED_EACH per optimizer.
FEATURED_RUNS, FEATURED_EACH = 12, 3
FEATURED = dataclasses.replace(FEW, marker_size=0)  # bold and haloed; no point markers among the swarm


def featured_starts(runs):
    """The start points (`Run.run`) whose runs a swarm draws bold: spread over the starts, the
    first the one nearest their middle, each next the farthest from those taken (in the starts'
    own spread, so a long window counts both directions alike); none if `runs` are not a swarm."""
    groups = by_label(runs)
    if not path_look(runs).swarm:
        return set()
    members = sorted(max(groups.values(), key=len), key=lambda run: run.run)  # whatever order runs come in
    starts = np.array([run.points[0, :2] for run in members], dtype=float)
    spread = np.ptp(starts, axis=0)
    starts = (starts - starts.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
    wanted = min(len(starts), FEATURED_EACH, max(1, FEATURED_RUNS // len(groups)))
    taken = [int(np.argmin(np.hypot(*starts.T)))]
    while len(taken) < wanted:
        nearest = np.min([np.hypot(*(starts - starts[i]).T) for i in taken], axis=0)
        taken.append(int(np.argmax(nearest)))
    return {members[i].run for i in taken}


def run_looks(runs):
    """Each run's PathLook, in the order of `runs`: `path_look(runs)` for all, but FEATURED for a
    swarm's runs from its featured starts."""
    common, featured = path_look(runs), featured_starts(runs)
    return [FEATURED if run.run in featured else common for run in runs]


def drawing_order(runs):
    """The indices of `runs` in the order to draw them: the optimizers' runs interleaved (first
    run of each, second of each, ...), so that no optimizer's swarm lies under all of another's,
    and a swarm's featured runs last, on top."""
    featured = featured_starts(runs)
    rank = {}
    for members in by_label(runs).values():
        for k, run in enumerate(members):
            rank[id(run)] = k
    return sorted(range(len(runs)), key=lambda i: (runs[i].run in featured, rank[id(runs[i])]))


def translucent(color, alpha):
    """`color` as RGBA at opacity `alpha`."""
    return mcolors.to_rgba(color, alpha)


def _look_params(theme):
    """matplotlib's defaults plus ours, validated once (rcdefaults() would validate every frame);
    the backend settings are left as they are."""
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        matplotlib.rcParams.update(RC)
        matplotlib.rcParams.update(themes.THEMES[theme]["rc"])
        params = dict(matplotlib.rcParams)
    return {key: value for key, value in params.items() if not key.startswith(("backend", "interactive"))}


_LOOKS = {theme: _look_params(theme) for theme in themes.THEMES}


@contextlib.contextmanager
def look(theme="light"):
    """matplotlib's defaults plus ours and the theme's, whatever the scene file or the caller set
    globally, so a frame looks the same drawn here or in a fresh worker process."""
    params = matplotlib.rcParams
    saved = dict(params)
    dict.update(params, _LOOKS[theme])  # as rc_context restores: the values are validated already
    try:
        yield
    finally:
        dict.update(params, saved)


def counter(fig):
    """The text artist of the step counter, at the top right of the figure, on the title's line:
    clear of every axis label and tick."""
    return fig.text(0.99, 0.985, "", ha="right", va="top", fontsize=FONT["counter"],
                    family="DejaVu Sans Mono")


def check_colors(scene):
    for opt in scene.optimizers:
        if not mcolors.is_color_like(opt.color):
            raise SceneError(f"optimizers[{opt.label!r}].color: matplotlib does not know the colour "
                             f"{opt.color!r}; use a name like 'red' or a hex code like '#1f77b4'")


def check_texts(scene):
    """Titles and labels with $...$ must be valid mathtext; say which field is not."""
    from matplotlib.mathtext import MathTextParser

    parser = MathTextParser("path")
    fields = [("title", scene.title), ("zlabel", scene.zlabel)]
    fields += [(f"optimizers[{o.label!r}].label", o.label) for o in scene.optimizers]
    for name, text in fields:
        if text.count("$") - text.count(r"\$") >= 2:
            try:
                parser.parse(text, dpi=72)
            except ValueError as exc:
                first = str(exc).strip().splitlines()[0]
                raise SceneError(f"{name}: {text!r} is not valid mathtext ({first}); "
                                 r"write a literal dollar as \$") from exc


LOG_DECADES = 4  # a log colour scale spans this many decades above the surface's minimum


def surface_colors(mesh, scale):
    """(levels, norm) colouring the surface alike in every view: contour levels, and the norm
    mapping a loss to the colour map. 'linear' spreads both evenly between the lowest and highest
    loss; 'log' spaces them by decades of (loss - minimum), so a valley floor a thousand times
    lower than the walls still shows its shape (Rosenbrock, Beale)."""
    from matplotlib.ticker import MaxNLocator

    zmin, zmax = mesh.z_limits()
    if scale == "linear":
        return MaxNLocator(nbins=24).tick_values(zmin, zmax), mcolors.Normalize(zmin, zmax)
    floor = (zmax - zmin) * 10.0 ** -LOG_DECADES  # the first level above the minimum
    levels = np.concatenate([[zmin], zmin + np.geomspace(floor, zmax - zmin, 6 * LOG_DECADES)])

    def forward(z):
        return np.log10(np.maximum(np.asarray(z, dtype=float) - zmin, 0) + floor)

    def inverse(t):
        return zmin + 10.0 ** np.asarray(t, dtype=float) - floor

    return levels, mcolors.FuncNorm((forward, inverse), vmin=zmin, vmax=zmax)


def label_colorbar(colorbar, levels, scale, label):
    """The colour bar's label and ticks: matplotlib's for a linear scale; for log, the minimum and
    each whole decade above it (minimum + 1, 10, 100, ...), a minimum closer to 0 than the first
    level's step read as 0, so Rosenbrock's window reads 0, 1, 10, 100, 1000."""
    colorbar.set_label(label)
    colorbar.ax.tick_params(labelsize=FONT["tick"])
    if scale == "log":
        zmin, floor, span = levels[0], levels[1] - levels[0], levels[-1] - levels[0]
        decades = range(math.ceil(math.log10(floor)), math.floor(math.log10(span)) + 1)
        ticks = [zmin] + [zmin + 10.0 ** k for k in decades]
        base = 0.0 if abs(zmin) < floor else zmin
        shown = [base] + [base + 10.0 ** k for k in decades]
        colorbar.set_ticks(ticks, labels=[f"{v:.0f}" if abs(v) >= 1000 else f"{v:.3g}" for v in shown])


def new_figure(width, height, theme="light", transparent=False):
    """A figure whose Agg canvas is exactly width x height pixels, laid out like 720p at any size
    (its shorter side 7.2 inches: text keeps its share of the shorter side, landscape or portrait),
    on the theme's background (or on nothing, if transparent)."""
    dpi = min(width, height) / REFERENCE_HEIGHT_INCHES
    face = mcolors.to_rgba(themes.background(theme), alpha=0.0 if transparent else 1.0)
    # A quarter pixel of slack: Agg truncates the inch size times dpi to whole pixels.
    fig = Figure(figsize=((width + 0.25) / dpi, (height + 0.25) / dpi), dpi=dpi, facecolor=face)
    FigureCanvasAgg(fig)
    return fig


def rgba_frame(fig, width, height):
    """The canvas pixels as an (height, width, 4) uint8 array (a view, valid until the next draw)."""
    frame = np.asarray(fig.canvas.buffer_rgba())
    if frame.shape[:2] != (height, width):
        raise RuntimeError(f"canvas is {frame.shape[1]}x{frame.shape[0]}, expected {width}x{height}")
    return frame


def outline_for(color):
    """A halo colour that keeps a path visible over any part of the colour map."""
    r, g, b = mcolors.to_rgb(color)
    return "black" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.6 else "white"


def readable(color, theme):
    """`color`, or the theme's text colour where `color` would hardly show on its background
    (a contrast ratio below 2.5: black text on the dark theme)."""
    def luminance(rgb):
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    ours, theirs = luminance(mcolors.to_rgb(color)), luminance(mcolors.to_rgb(themes.background(theme)))
    contrast = (max(ours, theirs) + 0.05) / (min(ours, theirs) + 0.05)
    return color if contrast >= 2.5 else _LOOKS[theme]["text.color"]


def legend_label(label, runs, text=None):
    """What the legend says of an optimizer (`text`, anim.look.legend.text; its label if None),
    saying below it how it saw the point (a 1x2 matrix, for Muon) and where its runs stopped being
    drawn: where they diverged or left the view, whichever came first; at which step, or how many
    of them."""
    diverged = [r.stop.step for r in runs if r.stop and r.stop.reason == DIVERGED]
    left = [r.stop.step for r in runs if r.stop and r.stop.reason == LEFT_VIEW]
    notes = [runs[0].note] if runs[0].note else []  # how it saw the point: "1x2 matrix"
    if len(runs) == 1:
        notes += [f"diverged at step {diverged[0]}"] if diverged else []
        notes += [f"left the view at step {left[0]}"] if left else []
    else:
        notes += [f"{len(diverged)} of {len(runs)} runs diverged"] if diverged else []
        notes += [f"{len(left)} of {len(runs)} left the view"] if left else []
    text = label if text is None else text
    # On a line of its own: a legend beside the plot stays narrow enough to fit the frame.
    return f"{text}\n({', '.join(notes)})" if notes else text


# The star marking a minimum (anim.compute.minima): white, edged in black, over any colour of the
# map and on either theme's legend; the optimizers' heads are never white.
MINIMUM = {"marker": "*", "markerfacecolor": "white", "markeredgecolor": "black", "markeredgewidth": 1.0}
MINIMUM_SIZE = 15  # points


def legend_handles(runs, texts=(), marks=None):
    """(handles, labels) for fig.legend, one entry per optimizer: its path's colour and its head's
    marker, and what the legend says of it (`texts`: (label, text) pairs, anim.look.legend.text);
    then the star of the minima `marks` (anim.compute.minima.Marks), if any. No halo: on the
    legend's plain face the colour shows by itself (anim.look.colors holds every drawn colour to a
    contrast against the theme's background), and a halo would look doubled."""
    texts = dict(texts)
    handles, labels = [], []
    for label, its_runs in by_label(runs).items():
        run = its_runs[0]
        handles.append(Line2D([], [], color=run.color, lw=PATH_WIDTH, marker=run.marker,
                              ms=7 * colors.MARKER_SCALES.get(run.marker, 1.0)))
        labels.append(legend_label(label, its_runs, texts.get(label)))
    if marks is not None:
        handles.append(Line2D([], [], ls="none", ms=MINIMUM_SIZE * 0.75, **MINIMUM))
        labels.append(marks.label)
    return handles, labels


def legend_columns(labels, width_points, fontsize=FONT["legend"]):
    """As many columns as fit a row `width_points` wide (a character about 0.6 em, a handle and
    gaps about 5 em), at most one per label."""
    entry = (max(len(line) for label in labels for line in label.split("\n")) * 0.6 + 5) * fontsize
    return max(1, min(len(labels), int(width_points // entry)))


def marker_path(marker):
    """The path a scatter draws for `marker`, to give each point of a scatter its own shape."""
    from matplotlib.markers import MarkerStyle

    shape = MarkerStyle(marker)
    return shape.get_path().transformed(shape.get_transform())


def counter_text(step, steps):
    """'step  7 / 99': the CSV's step of the newest point shown, of the last one recorded.

    `step` may be a string of the same width (the digit cache draws '77', '  ')."""
    last = steps - 1
    return f"step {step:>{len(str(last))}} / {last}"
