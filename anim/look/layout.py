"""Where a frame's parts go, worked out once per render: the title fitted to the frame's width (on
one line, or two, or smaller; never under the step counter), and a plot as large as its data
aspect allows, the colour bar and the legend in the room that aspect leaves."""

import textwrap
from dataclasses import dataclass

from matplotlib.transforms import Bbox

from anim.errors import SceneError
from anim.look import style
from anim.look.legend import SEPARATOR

EDGE = 0.012  # of the frame's shorter side: kept free at the frame's edges
GAP = 0.018   # of the frame's shorter side: between parts (plot, colour bar, legend, title)
BAR = 0.035   # of the frame's shorter side: the colour bar's thickness
TITLE_SHRINK = 16  # points: a title shrinks this far on one line before it takes two


def pixels(fig, share):
    """`share` of the frame's shorter side, in pixels."""
    return share * min(fig.bbox.width, fig.bbox.height)


def smallest_points(fig):
    """The smallest font size, in points, a frame's text may have (style.MIN_TEXT_SHARE of its shorter side)."""
    return style.MIN_TEXT_SHARE * min(fig.bbox.width, fig.bbox.height) * 72 / fig.dpi


def counter_width(fig, steps, fontsize=style.FONT["counter"]):
    """The step counter's width in pixels, as wide as it gets ('step 99 / 99')."""
    text = fig.text(0, 0, style.counter_text(steps - 1, steps), fontsize=fontsize, family="DejaVu Sans Mono")
    width = text.get_window_extent(fig.canvas.get_renderer()).width
    text.remove()
    return width


def title(fig, text, counter, field="title", fontsize=style.FONT["title"]):
    """The scene's title as a bold Text at the top of `fig`, left of the step counter (`counter`
    pixels wide, on the title's line at the right): on one line, shrunk to TITLE_SHRINK points if
    need be, else on two lines, shrunk down to the smallest size a frame's text may have; a
    SceneError naming `field` if even that does not fit. Centred in the frame when it clears the
    counter so, else centred in the room left of it."""
    width, edge, gap = fig.bbox.width, pixels(fig, EDGE), pixels(fig, GAP)
    right = width - edge - counter - gap  # the title's right end at most
    artist = fig.text(0.5, 1 - edge / fig.bbox.height, text, ha="center", va="top", fontweight="bold",
                      multialignment="center")
    fit_text(artist, text, right - edge, fontsize, field)
    shown = artist.get_window_extent(fig.canvas.get_renderer()).width
    if width / 2 + shown / 2 > right:
        artist.set_x((edge + right) / 2 / width)
    return artist


def fit_text(artist, text, room, fontsize, field, one_line_floor=TITLE_SHRINK):
    """Set `artist` to `text` at most `room` pixels wide: at `fontsize` on one line, smaller on one
    line down to `one_line_floor` points, then on two lines (broken where the longer line is
    shortest) from `fontsize` down to the smallest size allowed. Raises a SceneError naming `field`
    when nothing fits."""
    fig = artist.get_figure()
    renderer = fig.canvas.get_renderer()
    floor = smallest_points(fig)

    def width(shown, size):
        artist.set_text(shown)
        artist.set_fontsize(size)
        return artist.get_window_extent(renderer).width

    for size in font_sizes(fontsize, max(floor, min(one_line_floor, fontsize))):
        if width(text, size) <= room:
            return artist
    breaks = _two_lines(text)
    for size in font_sizes(fontsize, floor):
        fitting = [shown for shown in breaks if width(shown, size) <= room]
        if fitting:
            best = min(fitting, key=lambda shown: width(shown, size))
            width(best, size)
            return artist
    raise SceneError(f"{field}: {text!r} does not fit a {fig.bbox.width:.0f}-pixel-wide frame, even on two "
                     f"lines at {floor:.0f} points; shorten it")


def font_sizes(start, floor):
    """Font sizes from `start` down to `floor` points, a point at a time (the floor included)."""
    sizes, size = [], float(start)
    while size > floor + 1e-9:
        sizes.append(size)
        size -= 1.0
    return sizes + [floor]


def _two_lines(text):
    """`text` broken into two lines at each space outside mathtext ($...$)."""
    candidates, inside = [], False
    for i, char in enumerate(text):
        if char == "$" and (i == 0 or text[i - 1] != "\\"):
            inside = not inside
        elif char == " " and not inside and text[:i].strip() and text[i + 1:].strip():
            candidates.append(text[:i].rstrip() + "\n" + text[i + 1:].lstrip())
    return candidates


def wrapped(text, width_chars=None):
    """A legend entry or panel title on more lines: the label first, its settings (after
    legend.SEPARATOR) on the next line, or, given `width_chars`, on as many lines as keep each
    within it, broken after commas."""
    label, _, settings = text.partition(SEPARATOR)
    if not settings:
        return text
    if width_chars is None:
        return f"{label}\n{settings}"
    lines, line = [], ""
    for piece in settings.split(", "):
        candidate = f"{line}, {piece}" if line else piece
        if line and len(candidate) > width_chars:
            lines.append(line + ",")
            line = piece
        else:
            line = candidate
    return "\n".join([label] + lines + [line])


def fill(text, width_chars):
    """Plain text wrapped to `width_chars` per line, its own line breaks kept."""
    return "\n".join(textwrap.fill(line, width_chars) for line in text.split("\n"))


@dataclass
class Margins:
    """Pixels a part's ticks and labels reach beyond its axes box, on each side."""

    left: float
    bottom: float
    right: float
    top: float

    @classmethod
    def of(cls, ax, renderer):
        tight, box = ax.get_tightbbox(renderer), ax.bbox
        return cls(max(box.x0 - tight.x0, 0), max(box.y0 - tight.y0, 0), max(tight.x1 - box.x1, 0),
                   max(tight.y1 - box.y1, 0))


def largest(width, height, aspect):
    """(w, h) of the largest box of width/height `aspect` (None: any) inside width x height."""
    width, height = max(width, 0.0), max(height, 0.0)
    if aspect is None:
        return width, height
    return (width, width / aspect) if width / aspect <= height else (height * aspect, height)


def place(artist_ax, box):
    """Put axes `artist_ax` at `box` (a pixel Bbox) of its figure."""
    fig = artist_ax.figure
    artist_ax.set_position(Bbox.from_extents(box.x0 / fig.bbox.width, box.y0 / fig.bbox.height,
                                             box.x1 / fig.bbox.width, box.y1 / fig.bbox.height))


@dataclass(frozen=True)
class _Choice:
    """One way to lay out a plot: where its colour bar goes ("right" or "below"), its legend (an
    artist made for that place: beside the plot, or under it), and its rank on a tie of sizes."""

    bar: str
    legend: object
    beside: bool
    preference: int


def arrange_plot(ax, handles, labels, title_artist, colorbar=None, legend_title="optimizer"):
    """Lay out a plot `ax`, its colour bar (`colorbar`: (mappable, levels, color_scale, label), or
    None) and the legend of (`handles`, `labels`) under `title_artist`: the plot as large as its
    data aspect allows, the colour bar right of it or under it, the legend beside or under the
    two, whichever leaves the plot the most area (on a tie: the bar right, the legend beside, its
    entries on one line); the whole centred in the room under the title. Returns (legend, colour
    bar axes or None)."""
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    top = title_artist.get_window_extent(renderer).y0 - pixels(fig, GAP)
    room = (fig.bbox.width - 2 * pixels(fig, EDGE), top - pixels(fig, EDGE))
    bars = {}
    for side, orientation in (("right", "vertical"), ("below", "horizontal")) if colorbar else ():
        mappable, levels, color_scale, label = colorbar
        bars[side] = fig.add_axes((0.8, 0.1, 0.05, 0.6) if side == "right" else (0.1, 0.05, 0.6, 0.05))
        made = fig.colorbar(mappable, cax=bars[side], orientation=orientation)
        style.label_colorbar(made, levels, color_scale, label)
    choices = [_Choice(side, legend, beside, preference + 6 * (side == "below"))
               for legend, beside, preference in _legends(fig, handles, labels, room[0], legend_title)
               for side in (bars or (None,))]
    aspect = data_aspect(ax)

    def size(choice):
        return _plot_size(choice, Margins.of(ax, renderer), _bar_reach(bars, choice.bar, renderer), room, aspect)

    sizes = {choice: size(choice) for choice in choices}
    fitting = [c for c in choices if sizes[c] is not None]
    if not fitting:
        raise SceneError("legend: the optimizers' entries do not fit the frame; shorten their labels or use "
                         "legend='label'")
    best = max(fitting, key=lambda c: (round(sizes[c][0] * sizes[c][1] / 100), -c.preference))
    for choice in choices:
        if choice.legend is not best.legend and choice.legend.figure is not None:
            choice.legend.remove()
    for side in [side for side in bars if side != best.bar]:
        bars.pop(side).remove()
    cax = bars.get(best.bar)
    for _ in range(2):  # the ticks' labels depend a little on the plot's size: measured again once placed
        _place_plot(ax, cax, best, size(best), Margins.of(ax, renderer), _bar_reach(bars, best.bar, renderer),
                    room, top)
    return best.legend, cax


def data_aspect(ax):
    """The plot's width/height in data units if it is drawn at equal scale, else None (any shape)."""
    if ax.get_aspect() != 1.0:
        return None
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    return (x1 - x0) / (y1 - y0)


def _bar_reach(bars, side, renderer):
    """Pixels the colour bar on `side` takes with its ticks and label, across its length: its
    thickness plus what reaches past it (right of a bar on the right, under a bar below)."""
    if side is None:
        return 0.0
    cax = bars[side]
    reach = Margins.of(cax, renderer)
    return reach.right if side == "right" else reach.bottom


def _legends(fig, handles, labels, max_width, title="optimizer"):
    """(Legend, beside, preference) for each legend worth trying: beside the plot in one column
    (its entries on one line, or their settings on lines of their own), and under it in as many
    columns as fit `max_width` (on one line, or wrapped)."""
    renderer = fig.canvas.get_renderer()
    shapes = [(labels, 0)]
    if any(SEPARATOR in label for label in labels):  # the settings on a line of their own, or on several
        shapes += [([wrapped(label) for label in labels], 1), ([wrapped(label, 16) for label in labels], 2)]
    made = []
    for shown, preference in shapes:
        made.append((fig.legend(handles, shown, loc="upper left", frameon=False, title=title,
                                alignment="left", handlelength=2.2), True, preference))
        for ncols in range(len(shown), 0, -1):
            legend = fig.legend(handles, shown, loc="upper center", frameon=False, ncols=ncols, handlelength=2.2,
                                columnspacing=1.2)
            if legend.get_window_extent(renderer).width <= max_width or ncols == 1:
                break
            legend.remove()
        made.append((legend, False, preference + 3))
    return made


def _plot_size(choice, plot, bar_reach, room, aspect):
    """The plot's (width, height) in pixels under `choice`, or None if the legend does not fit."""
    fig = choice.legend.figure
    gap, bar = pixels(fig, GAP), pixels(fig, BAR)
    box = choice.legend.get_window_extent(fig.canvas.get_renderer())
    if box.width > room[0] or box.height > room[1]:
        return None
    width = room[0] - plot.left - plot.right
    height = room[1] - plot.top - plot.bottom
    if choice.bar == "right":
        width -= gap + bar + bar_reach
    elif choice.bar == "below":
        height -= gap + bar + bar_reach
    if choice.beside:
        width -= gap + box.width
    else:
        height -= gap + box.height
    if width <= 0 or height <= 0:
        return None
    return largest(width, height, aspect)


def _place_plot(ax, cax, choice, size, plot, bar_reach, room, top):
    """Put the plot, its colour bar and its legend where `choice` says, at `size`, centred in the
    room under `top`."""
    fig = ax.figure
    gap, bar = pixels(fig, GAP), pixels(fig, BAR)
    legend = choice.legend
    box = legend.get_window_extent(fig.canvas.get_renderer())
    pw, ph = size
    # The plot with its ticks and labels and its colour bar: one block; the legend beside it or under it.
    block_w = plot.left + pw + plot.right + (gap + bar + bar_reach if choice.bar == "right" else 0)
    block_h = plot.top + ph + plot.bottom + (gap + bar + bar_reach if choice.bar == "below" else 0)
    group_w = block_w + (gap + box.width if choice.beside else 0)
    group_h = max(block_h, box.height) if choice.beside else block_h + gap + box.height
    left = (fig.bbox.width - (group_w if choice.beside else block_w)) / 2
    upper = top - (room[1] - group_h) / 2
    plot_box = Bbox.from_bounds(left + plot.left, upper - plot.top - ph, pw, ph)
    place(ax, plot_box)
    if choice.bar == "right":
        place(cax, Bbox.from_bounds(plot_box.x1 + plot.right + gap, plot_box.y0, bar, ph))
    elif choice.bar == "below":  # as long as the plot, less what its end labels reach past its ends
        ends = Margins.of(cax, fig.canvas.get_renderer())
        inset = (max(ends.left - plot.left, 0), max(ends.right - plot.right, 0))
        place(cax, Bbox.from_bounds(plot_box.x0 + inset[0], plot_box.y0 - plot.bottom - gap - bar,
                                    pw - sum(inset), bar))
    if choice.beside:
        anchor = (left + block_w + gap, upper)
    else:
        anchor = (left + block_w / 2, upper - block_h - gap)
    legend.set_bbox_to_anchor((anchor[0] / fig.bbox.width, anchor[1] / fig.bbox.height))
