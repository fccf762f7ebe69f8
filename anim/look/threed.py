"""The 3-D view (`--view surface`): the lit surface with the paths on it, seen from the scene's camera path."""

import matplotlib
import numpy as np
from matplotlib import artist
from matplotlib import colors as mcolors
from matplotlib.markers import MarkerStyle
from matplotlib.path import Path
from matplotlib.transforms import Affine2D, Bbox, TransformedBbox
from mpl_toolkits.mplot3d import proj3d
from mpl_toolkits.mplot3d.art3d import Line3DCollection

from anim.look import colors, style, themes, trail
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

    def __init__(self, ax, mesh, runs, zlabel, theme, trail_length=0, color_scale="linear", region=None,
                 axes=WEIGHT_AXES):
        self.ax, self.runs, self.trail_length = ax, runs, trail_length
        fig = ax.figure
        zmin, zmax = _z_limits(mesh, runs)
        ax.set_xlim(mesh.x_range)
        ax.set_ylim(mesh.y_range)
        ax.set_zlim(zmin, zmax)
        ax.set_axis_off()  # the Box draws panes, grid, ticks and labels
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

    def update(self, f):
        self.pose(f.elevation, f.azimuth)
        shown = [run.shown_at(f.position) for run in self.runs]
        if self.trail_length:
            self._fade(f)
        else:
            self._depth(shown, f)
        (x0, x1), (y0, y1), (z0, z1) = self.ax.get_xlim(), self.ax.get_ylim(), self.ax.get_zlim()
        stamps = []
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


def _z_limits(mesh, runs):
    """The surface's lowest and highest samples, stretched to every loss a path shows inside the
    window: a run that reached a minimum lying between the mesh's nodes is lower than any sample,
    and the 3-D axes clip (axlim_clip) whatever lies outside their limits, its head included."""
    zmin, zmax = mesh.z_limits()
    (x0, x1), (y0, y1) = mesh.x_range, mesh.y_range
    for run in runs:
        w1, w2, loss = run.shown(len(run.points) - 1).T
        inside = (x0 <= w1) & (w1 <= x1) & (y0 <= w2) & (w2 <= y1) & np.isfinite(loss)
        if inside.any():
            zmin, zmax = min(zmin, float(loss[inside].min())), max(zmax, float(loss[inside].max()))
    return zmin, zmax


def fit_poses(camera):
    """(elevation, azimuth) pairs along the camera's path (a whole turn at 30 degrees without one)."""
    if camera is None:
        return [(30.0, a) for a in np.linspace(0, 360, FIT_POSES, endpoint=False)]
    return [camera.pose(t) for t in np.linspace(0, 1, FIT_POSES)]


class ThreeDView(View):
    """The 3-D view: the surface turning with the camera, the legend beside it. Title, legend and
    the counter's fixed part are pixels restored each frame; only the 3-D axes are redrawn."""

    name = "surface"
    MESH_RESOLUTION = 81  # samples per side (80 polygons): round wells; 121 costs 40% more per frame
    PARALLEL = True  # every frame is a full redraw: worth a process per core
    SHOWN_AS = "A 3-D surface"
    # The surface fills the frame: as the camera turns, GIF frame differencing finds nothing to leave
    # out and only adds bytes (measured on the ravine: 11 % smaller and 0.75 ms a frame cheaper without).
    TURNING_WHOLE = True

    REGION = (0.0, 0.0, 1.0, 0.925)  # under the title

    def build(self, data):
        fig = self.fig
        self.title = fig.suptitle(data.title, fontsize=style.FONT["title"], fontweight="bold", y=0.975)
        self.legend = fig.legend(*style.legend_handles(data.runs), loc="upper left", bbox_to_anchor=(0.005, 0.925),
                                 frameon=False, title="optimizer", alignment="left")
        ax = self.ax = fig.add_axes(self.REGION, projection="3d", computed_zorder=False)
        self.panel = ThreeDPanel(ax, data.mesh, data.runs, data.zlabel, data.theme, data.trail, data.color_scale,
                                 region=self.REGION, axes=data.short_axes)
        ax.set_animated(True)
        self.counter = DigitCounter(fig, data.steps) if data.counter else NoCounter()
        if data.counter:
            self.counter.text.set_fontsize(style.FONT["label"])  # legible from the back of the hall
        fig.canvas.draw()
        # The box turns right of the legend, in all the frame's height under the title: larger
        # than centred under the title, where the legend would narrow it on both sides.
        left = (self.legend.get_window_extent().x1 + 8) / fig.bbox.width
        self.panel.move((left, 0.0, 1.0 - left, self.REGION[3]))
        fig.canvas.draw()
        self.panel.fit(fit_poses(data.camera))
        fig.canvas.draw()
        self.counter.draw_into_background()
        self.background = fig.canvas.copy_from_bbox(fig.bbox)

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
