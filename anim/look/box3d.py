"""The 3-D axes' box drawn as one artist: back panes, grid, ticks and upright labels laid out so
that none collide, the text pasted from cached pixels.

mplot3d's own axes lay out, rotate and rasterize every tick label and rebuild every grid line and
pane on each draw: about three quarters of a 3-D frame. Here the box is projected with the axes'
own matrix, the labels are placed in screen space (always upright, outside the box, a label that
would touch another left out) and each text's pixels are rendered once. Vector stills (SVG, PDF)
get real text instead, so it stays searchable.
"""

import math

import numpy as np
from matplotlib import artist, collections, transforms
from matplotlib import text as mtext
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from mpl_toolkits.mplot3d import proj3d

TICK_PAD, LABEL_PAD, TICK_LENGTH, GAP = 6, 10, 5, 4  # points: tick label, axis label, tick mark, between labels
TICKS = 5  # at most this many intervals on an axis


def tick_values(low, high):
    """The ticks of an axis from low to high, and their labels: as few decimals as keep every
    label distinct (so a narrow range never reads '3.0 3.0'), a minus sign, never '-0'."""
    ticks = MaxNLocator(nbins=TICKS).tick_values(low, high)
    ticks = ticks[(ticks >= low - 1e-9 * abs(high - low)) & (ticks <= high + 1e-9 * abs(high - low))]
    step = float(np.min(np.diff(ticks))) if len(ticks) > 1 else abs(high - low) or 1.0
    big = max(abs(low), abs(high))
    if big >= 1e5 or (0 < big < 1e-3):
        labels = [f"{v:.2e}" for v in ticks]
    else:
        decimals = max(0, -math.floor(math.log10(step) + 1e-9))
        labels = [f"{0.0 if abs(v) < step * 1e-6 else v:.{decimals}f}" for v in ticks]
    return ticks, [label.replace("-", "\u2212") for label in labels]


class TextCache:
    """Each string's pixels, rendered once as the Text `like` would draw them, keyed by string."""

    def __init__(self, dpi):
        self.dpi = dpi
        self.images = {}

    def image(self, text):
        key = (text.get_text(), text.get_fontsize(), text.get_color(), text.get_fontweight())
        if key not in self.images:
            fig = Figure(dpi=self.dpi, figsize=(4, 1), facecolor=(0, 0, 0, 0))
            canvas = FigureCanvasAgg(fig)
            copy = fig.text(0.5, 0.5, text.get_text(), fontproperties=text.get_fontproperties(),
                            color=text.get_color(), ha="center", va="center")
            renderer = canvas.get_renderer()
            box = copy.get_window_extent(renderer)
            width, height = int(math.ceil(box.width)) + 2, int(math.ceil(box.height)) + 2
            fig.set_size_inches(width / self.dpi, height / self.dpi)
            copy.set_position((0.5, 0.5))
            canvas.draw()
            pixels = np.asarray(canvas.buffer_rgba())
            self.images[key] = np.ascontiguousarray(pixels[::-1])  # rows bottom up, as draw_image takes
        return self.images[key]


class Box(artist.Artist):
    """The back panes and grid of the 3-D axes `ax` behind the surface, and its ticks and labels.

    `labels` are the three axis labels (mathtext allowed). Call `layout(renderer_dpi)` to know
    where everything goes at the axes' current pose (used to fit the box into the frame)."""

    def __init__(self, ax, labels, pane_color, rc):
        super().__init__()
        self.ax = ax
        self.set_zorder(-1)
        self.pane_color = pane_color
        self.edge_color, self.grid_color = rc["axes.edgecolor"], rc["grid.color"]
        self.tick_color = rc["xtick.color"]
        tick_text = dict(fontsize=rc["xtick.labelsize"], color=self.tick_color, ha="center", va="center")
        label_text = dict(fontsize=rc["axes.labelsize"], color=rc["axes.labelcolor"], ha="center", va="center")
        self.axis_labels = [mtext.Text(0, 0, label, **label_text) for label in labels]
        self.ticks = []  # per axis: (values, Text per label)
        for low, high in (ax.get_xlim(), ax.get_ylim(), ax.get_zlim()):
            values, texts = tick_values(low, high)
            self.ticks.append((values, [mtext.Text(0, 0, t, **tick_text) for t in texts]))
        self.cache = TextCache(ax.figure.dpi)
        for text in self._texts():
            text.set_figure(ax.figure)
            text.set_transform(transforms.IdentityTransform())
            self.cache.image(text)
        self._panes = collections.PolyCollection([], facecolors=[pane_color], edgecolors=[self.edge_color],
                                                 linewidths=0.8, transform=transforms.IdentityTransform())
        self._grid = collections.LineCollection([], colors=[self.grid_color], linewidths=0.8,
                                                transform=transforms.IdentityTransform())
        self._marks = collections.LineCollection([], colors=[self.tick_color], linewidths=1.0,
                                                 transform=transforms.IdentityTransform())
        for piece in (self._panes, self._grid, self._marks):
            piece.set_figure(ax.figure)

    def _texts(self):
        return [*self.axis_labels, *(t for _, texts in self.ticks for t in texts)]

    def set_clip_box(self, clipbox):
        super().set_clip_box(clipbox)
        for piece in (self._panes, self._grid, self._marks):
            piece.set_clip_box(clipbox)

    # ------------------------------------------------------------------ geometry
    def _screen(self, points):
        """(n, 3) data points -> (n, 2) display pixels through the axes' current projection."""
        points = np.asarray(points, float)
        px, py, _ = proj3d.proj_transform(points[:, 0], points[:, 1], points[:, 2], self.ax.M)
        return self.ax.transData.transform(np.column_stack([px, py]))

    def layout(self, points_to_pixels, sizes):
        """Where everything goes at the axes' current pose (self.ax.M set): a dict of
        'panes' (polygons), 'grid' and 'marks' (segments) in display pixels, 'hull' (the box's 8
        corners on screen) and 'texts': (Text, centre) pairs, colliding tick labels left out.
        `sizes(text)` gives a text's (width, height) in pixels."""
        ax = self.ax
        limits = [ax.get_xlim(), ax.get_ylim(), ax.get_zlim()]
        e, a = np.radians(ax.elev), np.radians(ax.azim)
        toward = (np.cos(e) * np.cos(a), np.cos(e) * np.sin(a), np.sin(e))
        # The far and near side of each axis: the back panes stand on the far sides.
        far = [lim[0] if t > 0 else lim[1] for lim, t in zip(limits, toward)]
        near = [lim[1] if t > 0 else lim[0] for lim, t in zip(limits, toward)]
        (x0, x1), (y0, y1), (z0, z1) = limits
        corners = np.array([(x, y, z) for x in (x0, x1) for y in (y0, y1) for z in (z0, z1)])
        hull = self._screen(corners)
        panes = [[(far[0], y0, z0), (far[0], y1, z0), (far[0], y1, z1), (far[0], y0, z1)],
                 [(x0, far[1], z0), (x1, far[1], z0), (x1, far[1], z1), (x0, far[1], z1)],
                 [(x0, y0, far[2]), (x1, y0, far[2]), (x1, y1, far[2]), (x0, y1, far[2])]]
        (xt, xtexts), (yt, ytexts), (zt, ztexts) = self.ticks
        grid = []
        for v in xt:  # on the y pane (up) and the floor (across)
            grid += [[(v, far[1], z0), (v, far[1], z1)], [(v, y0, far[2]), (v, y1, far[2])]]
        for v in yt:
            grid += [[(far[0], v, z0), (far[0], v, z1)], [(x0, v, far[2]), (x1, v, far[2])]]
        for v in zt:
            grid += [[(far[0], y0, v), (far[0], y1, v)], [(x0, far[1], v), (x1, far[1], v)]]
        flat = np.array([p for polygon in panes for p in polygon] + [p for seg in grid for p in seg])
        screen = self._screen(flat)
        out = {"hull": hull, "panes": screen[:12].reshape(3, 4, 2), "grid": screen[12:].reshape(-1, 2, 2)}
        centre = self._screen([[(x0 + x1) / 2, (y0 + y1) / 2, far[2]]])[0]
        # x ticks on the floor's near edge along x, y ticks on its near edge along y; z ticks on
        # the vertical edge standing at the floor's left-hand corner of the two beside the near one.
        edges = [np.array([(v, near[1], far[2]) for v in xt]), np.array([(near[0], v, far[2]) for v in yt])]
        side = [(near[0], far[1]), (far[0], near[1])]
        feet = self._screen([(x, y, far[2]) for x, y in side])
        zx, zy = side[int(np.argmin(feet[:, 0]))]
        edges.append(np.array([(zx, zy, v) for v in zt]))
        placed, texts, marks = [], [], []
        tick_pad, label_pad = points_to_pixels(TICK_PAD), points_to_pixels(LABEL_PAD)
        length, gap = points_to_pixels(TICK_LENGTH), points_to_pixels(GAP)
        reach = []
        for axis, (edge, (_, labels)) in enumerate(zip(edges, self.ticks)):
            at = self._screen(edge) if len(edge) else np.zeros((0, 2))
            if axis == 2:
                out_dir = np.array([-1.0, 0.0])
            else:
                middle = at.mean(axis=0) if len(at) else centre
                out_dir = middle - centre
                out_dir = out_dir / (np.hypot(*out_dir) or 1.0)
            widest = 0.0
            for point, label in zip(at, labels):
                w, h = sizes(label)
                support = (abs(out_dir[0]) * w + abs(out_dir[1]) * h) / 2
                marks.append([point, point + out_dir * length])
                where = point + out_dir * (tick_pad + length + support)
                rect = (where[0] - w / 2, where[1] - h / 2, where[0] + w / 2, where[1] + h / 2)
                if _clear(rect, placed, gap):
                    placed.append(rect)
                    texts.append((label, where))
                    widest = max(widest, 2 * support)
            reach.append((at, out_dir, widest))
        for axis, (label, (at, out_dir, widest)) in enumerate(zip(self.axis_labels, reach)):
            w, h = sizes(label)
            support = (abs(out_dir[0]) * w + abs(out_dir[1]) * h) / 2
            if axis == 2:
                (low,), (high,) = self._screen([(zx, zy, z0)]), self._screen([(zx, zy, z1)])
                anchor = (low + high) / 2
            else:
                anchor = at.mean(axis=0) if len(at) else centre
            distance = tick_pad + length + widest + label_pad + support
            for _ in range(40):  # pushed outwards until it touches nothing placed
                where = anchor + out_dir * distance
                rect = (where[0] - w / 2, where[1] - h / 2, where[0] + w / 2, where[1] + h / 2)
                if _clear(rect, placed, gap):
                    break
                distance += gap
            placed.append(rect)
            texts.append((label, where))
        out["marks"] = np.array(marks).reshape(-1, 2, 2)
        out["texts"] = texts
        out["rects"] = placed
        return out

    # ------------------------------------------------------------------ drawing
    def draw(self, renderer):
        if not self.get_visible():
            return
        raster = isinstance(renderer, RendererAgg) and renderer.dpi == self.cache.dpi
        if raster:
            sizes = self._sprite_size
        else:
            def sizes(text):
                box = text.get_window_extent(renderer)
                return box.width, box.height
        laid = self.layout(renderer.points_to_pixels, sizes)
        self._panes.set_verts(laid["panes"])
        self._grid.set_segments(laid["grid"])
        self._marks.set_segments(laid["marks"])
        for piece in (self._panes, self._grid, self._marks):
            piece.draw(renderer)
        gc = renderer.new_gc()
        if self.get_clip_box() is not None:
            gc.set_clip_rectangle(self.get_clip_box())
        for text, (x, y) in laid["texts"]:
            if raster:
                image = self.cache.image(text)
                height, width = image.shape[:2]
                renderer.draw_image(gc, round(x - width / 2), round(y - height / 2), image)
            else:
                text.set_position((x, y))
                text.draw(renderer)
        gc.restore()
        self.stale = False

    def _sprite_size(self, text):
        image = self.cache.image(text)
        return image.shape[1] - 2, image.shape[0] - 2


def _clear(rect, placed, gap):
    """Whether `rect` (x0, y0, x1, y1) keeps `gap` pixels from every rectangle in `placed`."""
    x0, y0, x1, y1 = rect
    return all(x1 + gap <= a0 or a1 + gap <= x0 or y1 + gap <= b0 or b1 + gap <= y0 for a0, b0, a1, b1 in placed)
