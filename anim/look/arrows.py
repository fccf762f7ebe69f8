"""Overlay arrows at each head: the gradient step, the update, the momentum or a state key, their
scale and key, and which overlays a scene can draw."""

import math

import numpy as np
from matplotlib import colors as mcolors
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.transforms import IdentityTransform

from anim.look import style, trail
from anim.look.placement import LEGEND_CORNERS, crosses, path_segments

STEP_OVERLAYS = ("gradient", "update", "momentum")  # drawn as steps in w: one shared scale
# Where an optimizer keeps its first moment (SGD/RMSprop, the Adam family, Lion and its kin).
FIRST_MOMENT_KEYS = ("momentum_buffer", "exp_avg", "momentum")
# The scale makes most arrows (all but the longest LONG_SHARE of them, over every run and step
# drawn) at most TARGET_SHARE of the window's shorter side: one huge first gradient does not
# shrink all the others to dots; the few longer ones run on, cut by the panel's edge.
TARGET_SHARE, LONG_SHARE = 0.15, 0.25

# name -> (dash pattern, shaft width and head length in points, filled head, key text, short key text)
STYLES = {
    "update": ("solid", 2.6, 9.0, True, "update: the step taken", "update"),
    "gradient": ((0, (3.0, 1.6)), 2.0, 8.0, True, "gradient: −lr·∇L", "−lr·∇L"),
    "momentum": ((0, (0.9, 1.2)), 2.4, 8.0, False, "momentum: −lr·m", "−lr·m"),
}
STATE_STYLE = ((0, (4.0, 1.4, 1.0, 1.4)), 1.8, 7.0, False)


def available(runs):
    """Every overlay the runs can draw: gradient, update, momentum and each state key recorded."""
    keys = dict.fromkeys(key for run in runs for key in run.state)
    return [*STEP_OVERLAYS, *(key for key in keys if key not in STEP_OVERLAYS)]


def check(names, runs, field):
    """`names` as a tuple; ValueError naming `field` and what this scene can draw if one is unknown."""
    names = tuple(dict.fromkeys(names))
    can = available(runs)
    unknown = [name for name in names if name not in can]
    if unknown:
        keys = can[len(STEP_OVERLAYS):]
        state = f", or a state key its optimizers keep: {', '.join(keys)}" if keys else \
            " (its optimizers keep no per-weight state)"
        raise ValueError(f"{field}: {', '.join(map(repr, unknown))} is not an overlay this scene can draw; "
                         f"use {', '.join(STEP_OVERLAYS)}{state}")
    return names


def notes(names, runs, views):
    """One line per overlay some optimizer lacks (it is skipped for those), and one if the 3-D
    surface is among the views (it draws none)."""
    lines = []
    for name in names:
        lacking = list(dict.fromkeys(run.label for run in runs if vectors(run, name) is None))
        if lacking:
            what = (f"no first-moment buffer ({', '.join(FIRST_MOMENT_KEYS)})" if name == "momentum"
                    else f"no state {name!r}")
            lines.append(f"overlay {name}: {', '.join(lacking)} {'has' if len(lacking) == 1 else 'have'} {what}: "
                         "not drawn for them")
    if names and any(view == "surface" for view in views):
        lines.append("overlays are drawn on the contour, dashboard and grid views, not on the 3-D surface")
    return lines


def vectors(run, name):
    """The run's [steps, 2] arrow for overlay `name` at each point, in w units; None if its
    optimizer keeps no such thing. gradient and momentum are the steps they would cause (-lr times
    them; the gradient the step used, after any clipping); a state key is drawn as it is stored."""
    lr = run.lr[:, None]
    if name == "gradient":
        return -lr * run.used_grad
    if name == "update":
        return run.update.astype(float)
    if name == "momentum":
        key = next((key for key in FIRST_MOMENT_KEYS if key in run.state), None)
        return None if key is None else -lr * run.state[key]
    return run.state[name].astype(float) if name in run.state else None


def _nice_below(value):
    """The largest 1, 2 or 5 times a power of ten not above `value`."""
    power = 10.0 ** math.floor(math.log10(value))
    return max(m * power for m in (1, 2, 5) if m * power <= value * (1 + 1e-9))


def _scale_text(scale):
    return f"{scale:g}" if 1e-3 <= scale < 1e4 else f"{scale:.0e}".replace("e+0", "e").replace("e-0", "e-")


class Overlay:
    """The arrows of the overlays `names` for every run: per run and name a [steps, 2] array,
    already multiplied by its scale. Step overlays share one scale; each state key has its own.
    Each scale is a 1-2-5 number (see TARGET_SHARE), over the points drawn, not counting the
    update into a divergence."""

    def __init__(self, runs, names, mesh):
        self.names = tuple(names)
        (x0, x1), (y0, y1) = mesh.x_range, mesh.y_range
        target = TARGET_SHARE * min(x1 - x0, y1 - y0)
        raw = {(run.label, run.run): {name: vectors(run, name) for name in self.names} for run in runs}
        groups = {name: "step" if name in STEP_OVERLAYS else name for name in self.names}
        lengths = {group: [] for group in groups.values()}
        for run in runs:
            drawn = len(run.shown(len(run.points) - 1))
            inside = drawn - 1 if run.stop is not None else drawn  # not the step out of the view
            for name, values in raw[(run.label, run.run)].items():
                if values is not None and inside > 0:
                    lengths[groups[name]].append(np.hypot(*values[:inside].T))
        self.scales = {}
        for group, found in lengths.items():
            found = np.concatenate(found) if found else np.empty(0)
            found = found[np.isfinite(found) & (found > 0)]
            long = float(np.quantile(found, 1 - LONG_SHARE)) if found.size else 0.0
            self.scales[group] = _nice_below(target / long) if long > 0 else 1.0
        self.arrows = {key: {name: None if values is None else values * self.scales[groups[name]]
                             for name, values in by_name.items()} for key, by_name in raw.items()}
        self.groups = groups

    def key_entries(self, scaled=False):
        """(handles, labels, title) of the key: one entry per overlay, in the theme's text colour;
        `scaled`: each label says its scale (for a key merged into another legend)."""
        color = style.matplotlib.rcParams["text.color"]
        handles, labels = [], []
        for name in self.names:
            dashes, width, _, filled, text, short = _style(name)
            if name not in STEP_OVERLAYS:
                text = f"{name} ×{_scale_text(self.scales[name])}" if scaled else \
                    f"state {name}, ×{_scale_text(self.scales[name])}"
            elif scaled:
                text = f"{short} ×{_scale_text(self.scales['step'])}"
            handles.append(Line2D([], [], color=color, linestyle=dashes, linewidth=width, marker=">",
                                  markevery=[1], markersize=7, markerfacecolor=color if filled else "none",
                                  markeredgecolor=color))
            labels.append(text)
        step = [name for name in self.names if name in STEP_OVERLAYS]
        title = f"arrows at {_scale_text(self.scales['step'])}× length" if step else "arrows"
        return handles, labels, title


def _style(name):
    if name in STYLES:
        return STYLES[name]
    return (*STATE_STYLE, name, name)


def add_key(ax, overlay, runs, avoid=()):
    """The overlay's key inside `ax`, in the first corner clear of the runs' paths, of every arrow
    they will draw and of the boxes `avoid` (pixel Bboxes, such as the optimizer legend's); else
    in the first corner tried. Returns it."""
    handles, labels, title = overlay.key_entries()
    renderer = ax.figure.canvas.get_renderer()
    segments = [path_segments(ax, runs)]
    for run in runs:
        points = run.shown(len(run.points) - 1)[:, :2].astype(float)
        for arrows in overlay.arrows[(run.label, run.run)].values():
            if arrows is not None:
                ends = np.stack([points, points + arrows[:len(points)]], axis=1)
                pixels = ax.transData.transform(ends.reshape(-1, 2)).reshape(-1, 2, 2)
                segments.append(pixels[np.isfinite(pixels).all(axis=(1, 2))])
    segments = np.concatenate(segments)
    fallback = None
    for loc in ("lower left", "lower right", *LEGEND_CORNERS):
        key = Legend(ax, handles, labels, loc=loc, title=title, frameon=True, framealpha=0.9,
                     fontsize=style.FONT["tick"], title_fontsize=style.FONT["tick"], handlelength=2.6,
                     borderpad=0.4, labelspacing=0.3)
        ax.add_artist(key)
        box = key.get_window_extent(renderer)
        if not any(box.overlaps(other) for other in avoid) and not crosses(segments, box):
            return key
        fallback = fallback or loc
        key.remove()
    key = Legend(ax, handles, labels, loc=fallback, title=title, frameon=True, framealpha=0.9,
                 fontsize=style.FONT["tick"], title_fontsize=style.FONT["tick"], handlelength=2.6)
    ax.add_artist(key)
    return key


class ArrowLayer:
    """Draws an Overlay's arrows for `runs` on `ax`: from each head (and, with a trail, from the
    points behind it, fading as the path does), gliding with the head between points; drawn in
    pixels so heads keep their shape on any aspect."""

    def __init__(self, ax, runs, overlay, trail_length=0):
        self.ax, self.runs, self.overlay, self.trail_length = ax, runs, overlay, trail_length
        self.colors = [run.color for run in runs]
        self.outlines = [style.outline_for(color) for color in self.colors]
        self.points = ax.figure.dpi / 72  # pixels per point
        pixels = IdentityTransform()
        # One collection draws every halo, then every shaft over them; another the heads.
        self.shafts = LineCollection([], transform=pixels, capstyle="butt", animated=True, zorder=4.5)
        self.heads = PolyCollection([], transform=pixels, animated=True, zorder=4.6)
        self.heads.set_linewidths(1.2)
        self._styled = None  # the items whose dash patterns the shafts have
        for artist in (self.shafts, self.heads):
            ax.add_collection(artist, autolim=False)
            artist.set_clip_path(ax.patch)
        # Each (run, overlay) drawn: its [steps, 2] arrows and its style.
        self.items = [(i, name, arrows) for i, run in enumerate(runs) for name in overlay.names
                      if (arrows := overlay.arrows[(run.label, run.run)][name]) is not None]
        looks = [_style(name) for _, name, _ in self.items]  # each item's look, looked up once
        self.dashes = [look[0] for look in looks]
        self.widths = np.array([look[1] for look in looks]).reshape(-1)
        self.head_lengths = np.array([look[2] * self.points for look in looks]).reshape(-1)
        self.filled = np.array([look[3] for look in looks], dtype=bool).reshape(-1)
        self.item_colors = mcolors.to_rgba_array([self.colors[i] for i, _, _ in self.items]).reshape(-1, 4)
        self.item_outlines = mcolors.to_rgba_array([self.outlines[i] for i, _, _ in self.items]).reshape(-1, 4)

    def _arrows(self, position):
        """(tails, vectors, item index, alpha) of every arrow at `position`, in w units."""
        tails, vecs, which, alphas = [], [], [], []
        step, share = math.floor(position), position - math.floor(position)
        for k, (i, _, arrows) in enumerate(self.items):
            run = self.runs[i]
            if run.ended(position) or step >= len(run.points):
                continue
            head, vector = run.points[step, :2], arrows[step]
            if share and step + 1 < len(arrows):  # (not ended: the next point is drawn)
                head = head + share * (run.points[step + 1, :2] - head)
                vector = vector + share * (arrows[step + 1] - vector)
            tails.append(head), vecs.append(vector), which.append(k), alphas.append(1.0)
            if self.trail_length:
                for back in range(max(step - self.trail_length + 1, 0), step + (share > 0)):
                    if back == step and share == 0:
                        continue
                    age = position - back
                    if age >= self.trail_length:
                        continue
                    tails.append(run.points[back, :2]), vecs.append(arrows[back]), which.append(k)
                    alphas.append(max(trail.FAINTEST, 1 - age / self.trail_length))
        return np.array(tails, float).reshape(-1, 2), np.array(vecs, float).reshape(-1, 2), which, alphas

    def _set(self, position):
        """Give the artists the arrows at `position`, built in pixels; False if there are none."""
        tails, vecs, which, alphas = self._arrows(position)
        start = self.ax.transData.transform(tails)
        tip = self.ax.transData.transform(tails + vecs)
        delta = tip - start
        with np.errstate(invalid="ignore"):
            length = np.hypot(*delta.T)
            keep = np.flatnonzero(np.isfinite(length) & (length >= 2.0))
        items = np.asarray(which, dtype=int)[keep]
        start, tip, delta, length = start[keep], tip[keep], delta[keep], length[keep]
        unit = delta / length[:, None]
        normal = np.column_stack([-unit[:, 1], unit[:, 0]])
        head = np.minimum(self.head_lengths[items], 0.5 * length)[:, None]
        base = tip - unit * head
        half = 0.42 * head
        shafts = np.stack([start, base], axis=1)
        heads = np.stack([tip, base + normal * half, base - normal * half], axis=1)
        alpha = np.asarray(alphas)[keep]
        color, outline = self.item_colors[items].copy(), self.item_outlines[items].copy()
        color[:, 3] *= alpha
        outline[:, 3] *= alpha
        filled = self.filled[items][:, None]
        self.shafts.set_segments(np.concatenate([shafts, shafts]))
        self.shafts.set_color(np.concatenate([outline, color]))
        self.shafts.set_linewidths(np.concatenate([self.widths[items] + 2.0, self.widths[items]]))
        if tuple(items) != self._styled:  # dash patterns are costly to set: only when the arrows change
            self.shafts.set_linestyles(["solid"] * len(items) + [self.dashes[k] for k in items] or ["solid"])
            self._styled = tuple(items)
        self.heads.set_verts(heads)
        self.heads.set_facecolor(np.where(filled, color, outline))
        self.heads.set_edgecolor(np.where(filled, outline, color))
        return bool(len(items))

    def draw(self, f):
        """Draw the arrows of frame f (the caller restored the panel's pixels)."""
        if self._set(f.position):
            self.ax.draw_artist(self.shafts)
            self.ax.draw_artist(self.heads)

    def show(self, f):
        """Make the arrows of frame f ordinary artists, for a figure saved with savefig."""
        self._set(f.position)
        for artist in (self.shafts, self.heads):
            artist.set_animated(False)
