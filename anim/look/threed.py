"""The 3-D view (`--view surface`): the lit surface with the paths on it, seen from the scene's camera path."""

import itertools

import matplotlib
import numpy as np
from matplotlib import artist
from matplotlib import colors as mcolors
from matplotlib.markers import MarkerStyle
from matplotlib.path import Path
from matplotlib.transforms import Affine2D, Bbox, TransformedBbox
from mpl_toolkits.mplot3d import proj3d
from mpl_toolkits.mplot3d.art3d import Line3DCollection

from anim.compute.window import z_limits
from anim.look import colors, layout, style, themes, trail
from anim.look.box3d import Box
from anim.look.counter import DigitCounter, NoCounter
from anim.look.heightfield import HeightField
from anim.look.view import View
from anim.look.views import WEIGHT_AXES

HIDDEN_ALPHA = 0.45  # a stretch of path the surface hides: this much of its opacity, dashed, no halo
PIECE = 0.015  # a path is tested for depth in pieces at most this share of the box's width long
FIT_POSES = 48
BOX = (4, 4, 2.4)  # the box's proportions: flatter than mplot3d's (4, 4, 3), so that it fills a 16:9 frame  # camera poses along the scene's camera path the box is fitted at


class ThreeDPanel:
    """The surface of the mesh on a 3-D `ax` with every run's path on it; `update(frame)` sets
    the paths and the camera pose of a timeline frame, for the caller to draw. `region`
    (figure fractions) is the part of the figure the panel may draw in; `fit` fills it."""

    def __init__(self, ax, mesh, runs, zlabel, theme, trail_length=0, color_scale="linear", region=None, marks=None,
                 axes=WEIGHT_AXES):
        self.ax, self.runs, self.trail_length = ax, runs, trail_length
        fig = ax.figure
        zmin, zmax = z_limits(mesh, runs)
        ax.set_xlim(mesh.x_range)
        ax.set_ylim(mesh.y_range)
        ax.set_zlim(zmin, zmax)
        ax.set_axis_off()  # the Box draws panes, grid, ticks and labels
        ax.patch.set_visible(False)  # the axes' square may reach under the legend: it must not paint over it
        self.field = HeightField(mesh.x, mesh.y, mesh.z, themes.COLORMAP, style.surface_colors(mesh, color_scale)[1])
        ax.add_artist(self.field)
        # The panel is built inside the view's style.look(theme): rcParams hold the theme's colours.
        self.box = Box(ax, (*axes, zlabel), themes.pane(theme), matplotlib.rcParams)
        ax.add_artist(self.box)
        look = self.look = style.path_look(runs)
        self.colors = [run.color for run in runs]
        self.outlines = [style.outline_for(color) for color in self.colors]
        self.halos = Line3DCollection([], linewidths=look.halo_width, capstyle="round", joinstyle="round",
                                      zorder=3, axlim_clip=True, visible=look.halo_width > 0)
        self.paths = Line3DCollection([], linewidths=look.path_width, capstyle="round", joinstyle="round",
                                      zorder=4, axlim_clip=True)
        self.hidden = Line3DCollection([], linewidths=look.path_width * 0.8, linestyles=(0, (3, 2)), zorder=2,
                                       axlim_clip=True)
        for collection in (self.hidden, self.halos, self.paths):
            ax.add_collection(collection, autolim=False)
        # A swarm's featured runs (style.featured_starts) are drawn bold over it, as a few paths
        # are, with their hidden stretches dashed: each optimizer stays traceable on the surface.
        featured = style.featured_starts(runs)
        self.featured = [i for i, run in enumerate(runs) if run.run in featured]
        self.bold = None
        if self.featured:
            few = style.FEATURED
            self.bold = (Line3DCollection([], linewidths=few.path_width * 0.8, linestyles=(0, (3, 2)), zorder=4.1,
                                          axlim_clip=True),
                         Line3DCollection([], linewidths=few.halo_width, capstyle="round", joinstyle="round",
                                          zorder=4.2, axlim_clip=True),
                         Line3DCollection([], linewidths=few.path_width, capstyle="round", joinstyle="round",
                                          zorder=4.3, axlim_clip=True))
            for collection in self.bold:
                ax.add_collection(collection, autolim=False)
        # The heads of each optimizer's runs in its marker, and their ends (a cross each, where a
        # run diverged or left the view), stamped by one artist.
        self.groups = {}  # optimizer label: the indices of its runs
        for i, run in enumerate(runs):
            self.groups.setdefault(run.label, []).append(i)
        self.markers = Heads()
        ax.add_artist(self.markers)
        # The minima (anim.compute.minima) as stars on the surface, stamped before the heads.
        self.stars = [] if marks is None else [(_on_mesh(mesh, marks.points), style.MINIMUM["marker"],
                                                 style.MINIMUM_SIZE, style.MINIMUM["markerfacecolor"],
                                                 style.MINIMUM["markeredgecolor"], style.MINIMUM["markeredgewidth"])]
        # The panel draws anywhere in its region, not only in the square mplot3d keeps for the axes.
        self._bounds = Bbox.from_bounds(*(region or ax.get_position().bounds))
        self.region = TransformedBbox(self._bounds, fig.transFigure)
        for piece in (self.field, self.box, self.hidden, self.halos, self.paths, self.markers):
            piece.set_clip_path(None)
            piece.set_clip_box(self.region)

    def move(self, region):
        """Put the panel (its axes centred) in `region`, (left, bottom, width, height) in figure fractions."""
        self._bounds.set(Bbox.from_bounds(*region))
        self.ax.set_position(region)

    def pose(self, elevation, azimuth):
        """Turn the camera and compute its projection (as Axes3D.draw does first)."""
        self.ax.view_init(elev=elevation, azim=azimuth)
        self.ax.M = self.ax.get_proj()

    def fit(self, poses, margin=4):
        """Zoom the box as large as its region allows at every one of `poses` ((elevation,
        azimuth) pairs): the box with its ticks and labels inside the region, `margin` pixels in.
        Call after a draw."""
        ax, renderer = self.ax, self.ax.figure.canvas.get_renderer()
        ax.apply_aspect()  # as a draw would first: the axes' square in the region, projected into
        inner = self.region.padded(-margin)

        def sizes(text):
            return self.box._sprite_size(text)

        def extent(elevation, azimuth):
            self.pose(elevation, azimuth)
            laid = self.box.layout(renderer.points_to_pixels, sizes)
            rects = np.array(laid["rects"]).reshape(-1, 4)
            lows = np.vstack([laid["hull"], rects[:, :2]]).min(axis=0)
            highs = np.vstack([laid["hull"], rects[:, 2:]]).max(axis=0)
            centre = self.box._screen([[np.mean(ax.get_xlim()), np.mean(ax.get_ylim()), np.mean(ax.get_zlim())]])[0]
            return lows, highs, centre

        zoom = 1.0
        for _ in range(8):  # labels keep their size as the box grows: a few rounds settle it
            ax.set_box_aspect(BOX, zoom=zoom)
            ratio = np.inf
            for elevation, azimuth in poses:
                lows, highs, centre = extent(elevation, azimuth)
                room = np.array([centre[0] - inner.x0, centre[1] - inner.y0, inner.x1 - centre[0], inner.y1 - centre[1]])
                need = np.array([centre[0] - lows[0], centre[1] - lows[1], highs[0] - centre[0], highs[1] - centre[1]])
                ratio = min(ratio, float(np.min(room / np.maximum(need, 1e-9))))
            zoom *= min(max(ratio, 0.5), 2.0) ** 0.9 if ratio < 1 or ratio > 1.01 else 1.0
            if 0.995 <= ratio <= 1.01:
                break
        ax.set_box_aspect(BOX, zoom=zoom * 0.99)
        self.field._normals = self.field._horizon_pose = None  # the box is settled: shade and test by it
        return zoom * 0.99

    def clearance(self, poses, box, margin=4):
        """(shift, slack) in pixels: how far right the panel must move for the box, its ticks and
        its labels to keep out of `box` (a pixel Bbox) at every one of `poses`, and how far it may
        move before they reach its region's right side, `margin` pixels in. Call after `fit`."""
        renderer = self.ax.figure.canvas.get_renderer()
        need, right = 0.0, -np.inf
        for elevation, azimuth in poses:
            self.pose(elevation, azimuth)
            laid = self.box.layout(renderer.points_to_pixels, self.box._sprite_size)
            hull, rects = laid["hull"], np.array(laid["rects"]).reshape(-1, 4)
            right = max(right, float(hull[:, 0].max()), float(rects[:, 2].max()) if len(rects) else -np.inf)
            x = _leftmost_between(hull, box.y0, box.y1)
            if x is not None:
                need = max(need, box.x1 - x)
            for x0, y0, x1, y1 in rects:
                if y0 < box.y1 and y1 > box.y0 and x1 > box.x0:
                    need = max(need, box.x1 - x0)
        return need, self.region.x1 - margin - right

    def shift(self, pixels):
        """Move the box right by `pixels` within its region (its clip region stays)."""
        fig = self.ax.figure
        self.ax.set_position(self.ax.get_position(original=True).translated(pixels / fig.bbox.width, 0))
        self.ax.apply_aspect()

    def update(self, f):
        self.pose(f.elevation, f.azimuth)
        shown = [run.shown_at(f.position) for run in self.runs]
        if self.trail_length:
            self._fade(f)
        else:
            self._depth(shown, f)
        (x0, x1), (y0, y1), (z0, z1) = self.ax.get_xlim(), self.ax.get_ylim(), self.ax.get_zlim()
        stamps = list(self.stars)
        look = self.look
        for label, members in self.groups.items():
            first = members[0]
            ended = [self.runs[i].ended(f.position) for i in members]
            head = self.runs[first].marker
            for marker, size, wanted in ((head, look.head_size * colors.MARKER_SCALES.get(head, 1.0), False),
                                         ("X", look.end_size, True)):
                fronts = np.array([shown[i][-1] for i, e in zip(members, ended) if e == wanted and len(shown[i])])
                fronts = fronts.reshape(-1, 3)
                x, y, z = fronts.T
                inside = (x0 <= x) & (x <= x1) & (y0 <= y) & (y <= y1) & (z0 <= z) & (z <= z1)  # as axlim_clip
                stamps.append((fronts[inside], marker, size, self.colors[first], self.outlines[first],
                               look.head_edge))
        self.markers.stamps = stamps

    def _depth(self, shown, f):
        """Each path cut into stretches the surface hides from the camera and stretches it does not:
        these drawn whole, those dashed and faint under them. A swarm is drawn whole."""
        if self.look.swarm:
            self.halos.set_segments(shown)
            self.halos.set_color(self.outlines)
            self.paths.set_segments(shown)
            self.paths.set_color([style.translucent(c, self.look.alpha) for c in self.colors])
            self.hidden.set_segments([])
            if self.bold:
                self._split([shown[i] for i in self.featured], [self.colors[i] for i in self.featured],
                            [self.outlines[i] for i in self.featured], 1.0, f, *self.bold)
            return
        self._split(shown, self.colors, self.outlines, self.look.alpha, f, self.hidden, self.halos, self.paths)

    def _split(self, shown, colors, outlines, alpha, f, hidden_lines, halos, paths):
        """Draw the paths `shown` in `colors` (at opacity `alpha`): the stretches the surface hides
        dashed and faint into `hidden_lines`, the others whole into `halos` and `paths`."""
        fine = [self._pieces(path) for path in shown]
        middles = [(p[:-1] + p[1:]) / 2 for p in fine]
        flags = self.field.hidden(np.concatenate(middles) if middles else np.zeros((0, 3)), f.elevation, f.azimuth)
        seen, seen_colors, seen_outlines, behind, behind_colors = [], [], [], [], []
        start = 0
        for points, color, outline in zip(fine, colors, outlines):
            count = max(len(points) - 1, 0)
            hidden = flags[start:start + count]
            start += count
            if len(points) == 0:  # a run whose start lies outside the window shows nothing
                continue
            if len(points) == 1:
                seen.append(points)
                seen_colors.append(color)
                seen_outlines.append(outline)
                continue
            cuts = np.flatnonzero(np.diff(hidden.astype(np.int8))) + 1
            for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, count]):
                stretch = points[lo:hi + 1]
                if hidden[lo]:
                    behind.append(stretch)
                    behind_colors.append(style.translucent(color, HIDDEN_ALPHA * alpha))
                else:
                    seen.append(stretch)
                    seen_colors.append(style.translucent(color, alpha))
                    seen_outlines.append(outline)
        halos.set_segments(seen)
        halos.set_color(seen_outlines or ["none"])
        paths.set_segments(seen)
        paths.set_color(seen_colors or ["none"])
        hidden_lines.set_segments(behind)
        hidden_lines.set_color(behind_colors or ["none"])

    def _pieces(self, path):
        """`path` with points added along each segment longer than PIECE of the box's width."""
        if len(path) < 2:
            return path
        ax = self.ax
        spans = np.array([np.ptp(ax.get_xlim()), np.ptp(ax.get_ylim()), np.ptp(ax.get_zlim())])
        steps = path[1:] - path[:-1]
        lengths = np.sqrt(np.nansum((steps / spans) ** 2, axis=1))
        counts = np.clip(np.ceil(lengths / PIECE), 1, 64).astype(int)
        counts[~np.isfinite(lengths)] = 1
        which = np.repeat(np.arange(len(steps)), counts)
        share = (np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)) / np.repeat(counts, counts)
        return np.vstack([path[which] + steps[which] * share[:, None], path[-1:]])

    def _fade(self, f):
        """Only the last `trail_length` updates of each path, older segments fainter; a segment the
        surface hides fainter still."""
        pieces, halo_colors, line_colors = [], [], []
        for run, color, outline in zip(self.runs, self.colors, self.outlines):
            segments, alphas = trail.segments(run, f.position, self.trail_length)
            if not self.look.swarm and len(segments):
                hidden = self.field.hidden(segments.mean(axis=1), f.elevation, f.azimuth)
                alphas = np.where(hidden, alphas * HIDDEN_ALPHA, alphas)
            pieces.extend(segments)
            halo_colors.extend(trail.faded(outline, alphas))
            line_colors.extend(trail.faded(color, alphas * self.look.alpha))
        self.halos.set_segments(pieces)
        self.halos.set_color(np.array(halo_colors).reshape(-1, 4))
        self.paths.set_segments(pieces)
        self.paths.set_color(np.array(line_colors).reshape(-1, 4))
        self.hidden.set_segments([])


class Heads(artist.Artist):
    """Markers at 3-D points, projected with the axes' matrix and stamped in one renderer call per
    marker kind (a Line3D per kind costs a millisecond or more each in masked-array bookkeeping)."""

    def __init__(self):
        super().__init__()
        self.set_zorder(5)
        self.stamps = []  # (points (n, 3), marker, size in points, face colour, edge colour, edge width)

    def draw(self, renderer):
        if not self.get_visible():
            return
        axes = self.axes
        gc = renderer.new_gc()
        self._set_gc_clip(gc)
        for points, marker, size, face, edge, width in self.stamps:
            if not len(points):
                continue
            style_ = MarkerStyle(marker)
            px, py, _ = proj3d.proj_transform(points[:, 0], points[:, 1], points[:, 2], axes.M)
            gc.set_foreground(edge)
            gc.set_linewidth(width)
            gc.set_joinstyle(style_.get_joinstyle())
            gc.set_capstyle(style_.get_capstyle())
            scale = style_.get_transform() + Affine2D().scale(renderer.points_to_pixels(size))
            renderer.draw_markers(gc, style_.get_path(), scale, Path(np.column_stack([px, py])),
                                  axes.transData.frozen(), mcolors.to_rgba(face))
        gc.restore()
        self.stale = False


def _leftmost_between(points, y0, y1):
    """The least x of the convex hull of `points` ((n, 2) pixels) between heights y0 and y1, or
    None if the hull lies wholly above or below: at a point inside that band, or where a segment
    between two points crosses its top or bottom (the hull's edges are among those segments)."""
    xs = [x for x, y in points if y0 <= y <= y1]
    for (ax_, ay), (bx, by) in itertools.combinations(points, 2):
        for level in (y0, y1):
            if (ay - level) * (by - level) < 0:
                xs.append(ax_ + (level - ay) * (bx - ax_) / (by - ay))
    return min(xs) if xs else None


def _on_mesh(mesh, points):
    """(n, 3) points (w1, w2, the surface's height there as the mesh draws it: bilinear between its nodes)."""
    out = []
    for x, y in points:
        j = int(np.clip(np.searchsorted(mesh.x, x) - 1, 0, len(mesh.x) - 2))
        i = int(np.clip(np.searchsorted(mesh.y, y) - 1, 0, len(mesh.y) - 2))
        u = (x - mesh.x[j]) / (mesh.x[j + 1] - mesh.x[j])
        v = (y - mesh.y[i]) / (mesh.y[i + 1] - mesh.y[i])
        z = mesh.z[i:i + 2, j:j + 2].astype(float)
        out.append((x, y, (z[0, 0] * (1 - u) + z[0, 1] * u) * (1 - v) + (z[1, 0] * (1 - u) + z[1, 1] * u) * v))
    return np.array(out, dtype=float).reshape(-1, 3)


def fit_poses(camera):
    """(elevation, azimuth) pairs along the camera's path (a whole turn at 30 degrees without one)."""
    if camera is None:
        return [(30.0, a) for a in np.linspace(0, 360, FIT_POSES, endpoint=False)]
    return [camera.pose(t) for t in np.linspace(0, 1, FIT_POSES)]


class ThreeDView(View):
    """The 3-D view: the surface turning with the camera, the legend beside it (a column at the
    left) or above it (in rows under the title), whichever lets the box be larger at every pose.
    Title, legend and the counter's fixed part are pixels restored each frame; only the 3-D axes
    are redrawn."""

    name = "surface"
    MESH_RESOLUTION = 81  # samples per side (80 polygons): round wells; 121 costs 40% more per frame
    PARALLEL = True  # every frame is a full redraw: worth a process per core
    SHOWN_AS = "A 3-D surface"
    # The surface fills the frame: as the camera turns, GIF frame differencing finds nothing to leave
    # out and only adds bytes (measured on the ravine: 11 % smaller and 0.75 ms a frame cheaper without).
    TURNING_WHOLE = True

    def build(self, data):
        fig = self.fig
        renderer = fig.canvas.get_renderer()
        width, height = fig.bbox.width, fig.bbox.height
        edge, gap = layout.pixels(fig, layout.EDGE), layout.pixels(fig, layout.GAP)
        self.counter = DigitCounter(fig, data.steps) if data.counter else NoCounter()
        if data.counter:
            self.counter.text.set_fontsize(style.FONT["label"])  # legible from the back of the hall
        self.title = layout.title(fig, data.title, layout.counter_width(fig, data.steps, style.FONT["label"]))
        top = self.title.get_window_extent(renderer).y0 - gap
        under = (edge / width, edge / height, 1 - 2 * edge / width, (top - edge) / height)  # under the title
        ax = self.ax = fig.add_axes(under, projection="3d", computed_zorder=False)
        self.panel = ThreeDPanel(ax, data.mesh, data.runs, data.zlabel, data.theme, data.trail, data.color_scale,
                                 region=under, marks=data.minima, axes=data.short_axes)
        ax.set_animated(True)
        poses = fit_poses(data.camera)
        handles, labels = style.legend_handles(data.runs, data.legend, data.minima)
        best = None
        for place in self._placements(handles, labels, top, under, poses):
            ranked = place()  # (zoom, how far the box moved off centre)
            if ranked is not None and (best is None or (round(ranked[0], 3), -ranked[1]) > best[0]):
                best = ((round(ranked[0], 3), -ranked[1]), place)
        self.legend = best[1](final=True)
        fig.canvas.draw()
        self.counter.draw_into_background()
        self.background = fig.canvas.copy_from_bbox(fig.bbox)

    def _placements(self, handles, labels, top, under, poses):
        """Ways to place the legend and the box, each a function that places them and returns
        the box's zoom (None: the legend does not fit); called with final=True, it places them and
        returns the legend, the others removed. A column at the left (its entries on one line, or
        their settings on a line of their own), the box fitted to the whole width under the title
        and moved right clear of it, or fitted beside it; or rows under the title, the box under them."""
        fig, panel = self.fig, self.panel
        width = fig.bbox.width
        renderer = fig.canvas.get_renderer()
        edge, gap = layout.pixels(fig, layout.EDGE), layout.pixels(fig, layout.GAP)
        shapes = [labels] + ([[layout.wrapped(label) for label in labels]]
                             if any(layout.wrapped(label) != label for label in labels) else [])

        def column(shown):
            def place(final=False):
                legend = fig.legend(handles, shown, loc="upper left", bbox_to_anchor=(edge / width, top / fig.bbox.height),
                                    frameon=False, title="optimizer", alignment="left")
                box = legend.get_window_extent(renderer)
                if box.y0 < edge or box.x1 > width / 2:
                    legend.remove()
                    return None
                panel.move(under)
                zoom = panel.fit(poses)
                need, slack = panel.clearance(poses, box.padded(gap))
                if need > slack:  # the box beside the legend instead, fitted to the room there
                    region = ((box.x1 + gap) / width, under[1], under[0] + under[2] - (box.x1 + gap) / width,
                              under[3])
                    panel.move(region)
                    zoom, need = panel.fit(poses), width
                else:
                    panel.shift(need)
                if not final:
                    legend.remove()
                    return zoom, need
                return legend
            return place

        def rows():
            def place(final=False):
                for shown, ncols in ((shown, ncols) for shown in shapes for ncols in range(len(labels), 0, -1)):
                    legend = fig.legend(handles, shown, loc="upper center", ncols=ncols, frameon=False,
                                        bbox_to_anchor=(0.5, top / fig.bbox.height), columnspacing=1.2)
                    box = legend.get_window_extent(renderer)
                    if box.width <= width - 2 * edge or (ncols == 1 and shown is shapes[-1]):
                        break
                    legend.remove()
                below = box.y0 - gap
                if below - edge < 0.4 * (top - edge):
                    legend.remove()
                    return None
                panel.move((under[0], under[1], under[2], (below - edge) / fig.bbox.height))
                zoom = panel.fit(poses)
                if not final:
                    legend.remove()
                    return zoom, 0.0
                return legend
            return place

        return [column(shown) for shown in shapes] + [rows()]

    def still(self, f):
        self.panel.update(f)
        self.ax.set_animated(False)
        self.counter.show(f.step)
        return self.fig

    def draw(self, f):
        """The camera at its pose, the paths up to f.position."""
        self.fig.canvas.restore_region(self.background)
        self.panel.update(f)
        self.fig.draw_artist(self.ax)
        self.counter.draw(f.step)
