"""The contour view: filled contours drawn once, paths growing along the timeline, blitted."""

import numpy as np
from matplotlib.collections import LineCollection

from anim.look import arrows, colors, layout, style, themes, trail
from anim.look.counter import DigitCounter, NoCounter
from anim.look.view import View
from anim.look.views import WEIGHT_AXES

MAX_EQUAL_ASPECT_RATIO = 4.0  # beyond this the window is too elongated to draw at equal scale


class ContourPanel:
    """Filled contours of the mesh on `ax` with every run's path on top, drawn by blitting.

    Call `start()` once the figure is drawn with its layout fixed; then `draw(frame)` draws the
    panel's pixels for a timeline frame onto the canvas.
    """

    def __init__(self, ax, mesh, runs, trail_length=0, color_scale="linear", overlay=None, marks=None,
                 axes=WEIGHT_AXES):
        self.ax, self.runs, self.trail_length = ax, runs, trail_length
        z = np.ma.masked_invalid(mesh.z)
        levels, norm = style.surface_colors(mesh, color_scale)
        self.levels = levels
        self.filled = ax.contourf(mesh.x, mesh.y, z, levels=levels, cmap=themes.COLORMAP,
                                  norm=norm if color_scale == "log" else None)
        ax.contour(mesh.x, mesh.y, z, levels=levels[::2], colors="white", linewidths=0.5, alpha=0.45)
        ax.set_xlim(mesh.x_range)
        ax.set_ylim(mesh.y_range)
        (x0, x1), (y0, y1) = mesh.x_range, mesh.y_range
        if 1 / MAX_EQUAL_ASPECT_RATIO <= (x1 - x0) / (y1 - y0) <= MAX_EQUAL_ASPECT_RATIO:
            ax.set_aspect("equal")  # gradients cross contour lines at right angles only at equal scale
        ax.set_xlabel(axes[0])
        ax.set_ylabel(axes[1])
        # The minima (anim.compute.minima) as stars on the contours, drawn once into the background:
        # the paths go over them as they arrive.
        self.stars = None
        if marks is not None:
            (self.stars,) = ax.plot(*zip(*marks.points), ls="none", ms=style.MINIMUM_SIZE, zorder=2.5,
                                    **style.MINIMUM)
        # The drawn paths grow a step at a time: each step adds, for every run at once, a halo segment
        # (opaque, so overlapping joints do not darken), the path segment and its point markers.
        # Runs are kept in drawing order (see style.drawing_order), each with its own look.
        runs = self.runs = [runs[i] for i in style.drawing_order(runs)]
        looks = self.looks = style.run_looks(runs)
        self.halo_widths = np.array([look.halo_width for look in looks], dtype=float)  # per run, for _set_lines
        self.path_widths = np.array([look.path_width for look in looks], dtype=float)
        self.colors = [run.color for run in runs]
        self.line_colors = [style.translucent(color, look.alpha) for color, look in zip(self.colors, looks)]
        self.outlines = [style.outline_for(color) for color in self.colors]
        # Each run's head and point markers in its optimizer's shape (anim.look.colors.MARKERS), sized alike.
        self.shapes = [style.marker_path(run.marker) for run in runs]
        self.scales = [colors.MARKER_SCALES.get(run.marker, 1.0) for run in runs]
        self.halos = LineCollection([], capstyle="round", animated=True, zorder=3)
        self.segments = LineCollection([], capstyle="round", animated=True, zorder=4)
        self.markers = ax.scatter([], [], linewidths=0.6, animated=True, zorder=4)
        self.heads = ax.scatter([], [], animated=True, zorder=5)
        # Where a run diverged or left the view, its head turns into a cross, and stays there.
        self.ends = ax.scatter([], [], marker="X", animated=True, zorder=5)
        for collection in (self.halos, self.segments):
            ax.add_collection(collection, autolim=False)
        self.arrows = arrows.ArrowLayer(ax, runs, overlay, trail_length) if overlay else None  # see arrows.py
        self.clean = self.drawn = None
        self.drawn_step = -1
        self.marked = [False] * len(runs)  # set by start()

    def start(self):
        """Keep the panel's pixels without paths: every frame starts from them; and, the layout
        now fixed, decide which paths get a marker at each point (see `_spread_out`) and which
        fold on themselves too densely for a full halo (see `_folded`)."""
        self.marked = [self._spread_out(run, look) for run, look in zip(self.runs, self.looks)]
        # Each run's halo width per step (the segment into point k), thin where its path folds, and
        # the points that get a marker: none there either (their outlines would bury the colour).
        longest = max(len(run.points) for run in self.runs)
        self.step_halos = np.repeat(self.halo_widths[:, None], longest, axis=1)
        self.unmarked = [np.zeros(len(run.points), dtype=bool) for run in self.runs]
        for i, (run, look) in enumerate(zip(self.runs, self.looks)):
            if look.halo_width:
                folded = self._folded(run, look)
                self.step_halos[i, :len(folded)][folded] = look.path_width + style.THIN_HALO
                self.unmarked[i] = folded | np.r_[folded[1:], False]  # either segment at the point folds
        canvas = self.ax.figure.canvas
        self.clean = canvas.copy_from_bbox(self.ax.bbox.padded(2))
        self.drawn, self.drawn_step = self.clean, -1  # the clean panel with paths up to drawn_step

    def _spread_out(self, run, look):
        """Whether the run's points lie far enough apart on screen for a marker each: a median
        step of at least two marker widths. Closer, the markers' outlines would bury the path's
        colour (a slow crawl becomes a white smear), so such a path is drawn as a line alone."""
        if not look.marker_size:
            return False
        points = run.shown(len(run.points) - 1)[:, :2]
        if len(points) < 2:
            return True
        pixels = self.ax.transData.transform(points.astype(float))
        steps = np.hypot(*np.diff(pixels, axis=0).T)
        marker_width = look.marker_size * self.ax.figure.dpi / 72
        return bool(np.median(steps) >= 2 * marker_width)

    def _folded(self, run, look):
        """Per point k, whether the path's segment into it lies where the path on screen comes
        back over itself (a zig-zag across a ravine, oscillations as it settles): in a cell two
        halos wide that the path enters, leaves and enters again; or is shorter than its halo is
        wide (a crawl). There each new segment's halo would paint over the lines drawn before it,
        and the run's colour would be lost in white zig-zags or a white smear; such segments get a
        thin halo (style.THIN_HALO)."""
        points = run.shown(len(run.points) - 1)[:, :2].astype(float)
        finite = np.isfinite(points).all(axis=1)
        points = points if finite.all() else points[:np.argmin(finite)]  # up to the first point not drawn
        folded = np.zeros(len(run.points), dtype=bool)
        if len(points) < 3:
            return folded
        pixels = self.ax.transData.transform(points)
        steps = np.hypot(*np.diff(pixels, axis=0).T)
        counts = np.clip(np.ceil(steps), 1, 2000).astype(int)  # a sample every pixel along the path
        which = np.repeat(np.arange(len(steps)), counts)
        share = (np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)) / np.repeat(counts, counts)
        samples = pixels[which] + (pixels[which + 1] - pixels[which]) * share[:, None]
        along = np.concatenate([[0.0], np.cumsum(steps)])[which] + steps[which] * share
        cell = 2 * look.halo_width * self.ax.figure.dpi / 72
        keys = np.floor(samples / cell).astype(np.int64)
        _, index = np.unique(keys[:, 0] * 1_000_003 + keys[:, 1], return_inverse=True)
        first = np.full(index.max() + 1, np.inf)
        last = np.full(index.max() + 1, -np.inf)
        np.minimum.at(first, index, along)
        np.maximum.at(last, index, along)
        revisited = (last - first)[index] > 3 * cell
        segment = steps < look.halo_width * self.ax.figure.dpi / 72
        np.logical_or.at(segment, which, revisited)
        folded[1:len(steps) + 1] = segment
        return folded

    def draw(self, f):
        """Draw the paths as frame f shows them: up to f.position, heads at the front."""
        if self.trail_length:
            self._draw_fading(f)
            return
        canvas = self.ax.figure.canvas
        if f.step < self.drawn_step:  # frames normally only move forward; going back redraws
            self.drawn, self.drawn_step = self.clean, -1
        canvas.restore_region(self.drawn)
        if f.step > self.drawn_step:
            for step in range(self.drawn_step + 1, f.step + 1):
                self._draw_step(step)
            self.drawn, self.drawn_step = canvas.copy_from_bbox(self.ax.bbox.padded(2)), f.step
        paths = [run.shown_at(f.position) for run in self.runs]
        moving = [i for i, path in enumerate(paths) if len(path) == f.step + 2]  # partway to a point
        if moving:
            pieces = [paths[i][-2:, :2] for i in moving]
            self._draw_lines(moving, pieces, [self.outlines[i] for i in moving], pieces,
                             [self.line_colors[i] for i in moving],
                             self.step_halos[moving, min(f.step + 1, self.step_halos.shape[1] - 1)])
            self._draw_points(self.markers, [paths[i][-2:-1] if i in moving and self.marked[i]
                                             and not self.unmarked[i][f.step] else ()
                                             for i in range(len(paths))])
        if self.arrows:
            self.arrows.draw(f)
        for scatter, points in zip((self.heads, self.ends), self._head_points(paths, f.position)):
            self._draw_points(scatter, points)

    def _head_points(self, paths, position):
        """(heads, ends): per run, a dot at the front of its path, or a cross where it has ended."""
        ended = [run.ended(position) for run in self.runs]
        return ([p[-1:] if not e else () for p, e in zip(paths, ended)],
                [p[-1:] if e else () for p, e in zip(paths, ended)])

    def show(self, f):
        """Make the paths of frame f ordinary artists, whole, for a figure saved with savefig."""
        paths = [run.shown_at(f.position) for run in self.runs]
        drawn = [i for i, path in enumerate(paths) if len(path) >= 2]
        pieces = [paths[i][:, :2] for i in drawn]
        self._set_lines(drawn, pieces, [self.outlines[i] for i in drawn], pieces, [self.line_colors[i] for i in drawn])
        heads, ends = self._head_points(paths, f.position)
        markers = [path[~unmarked[:len(path)]] if marked else ()
                   for path, marked, unmarked in zip(paths, self.marked, self.unmarked)]
        for scatter, points in ((self.markers, markers), (self.heads, heads), (self.ends, ends)):
            self._set_points(scatter, points)
        for artist in (self.halos, self.segments, self.markers, self.heads, self.ends):
            artist.set_animated(False)
        if self.arrows:
            self.arrows.show(f)

    def _draw_step(self, step):
        """Add the segment into point `step` to every path (each frame costs the same, however long).

        Each path with a halo redraws its previous segment and point too, so the new halo's round
        cap does not notch the line where the segments join.
        """
        pieces = [run.shown(step)[max(step - (2 if look.halo_width else 1), 0):]  # translucent lines: once
                  for run, look in zip(self.runs, self.looks)]
        drawn = [i for i, piece in enumerate(pieces) if len(piece) >= 2]
        self._draw_lines(drawn, [pieces[i][-2:, :2] for i in drawn], [self.outlines[i] for i in drawn],
                         [pieces[i][:, :2] for i in drawn], [self.line_colors[i] for i in drawn],
                         self.step_halos[drawn, step])
        self._draw_points(self.markers, [_unfolded(piece[-2:], unmarked, step) if marked else ()
                                         for piece, marked, unmarked in zip(pieces, self.marked, self.unmarked)])

    def _draw_fading(self, f):
        """Only the last `trail_length` updates of each path, older segments fainter."""
        self.ax.figure.canvas.restore_region(self.clean)
        owners, pieces, halo_colors, line_colors = [], [], [], []
        for i, run in enumerate(self.runs):
            segments, alphas = trail.segments(run, f.position, self.trail_length)
            owners.extend([i] * len(segments))
            pieces.extend(segments[:, :, :2])
            halo_colors.extend(trail.faded(self.outlines[i], alphas))
            line_colors.extend(trail.faded(self.colors[i], alphas * self.looks[i].alpha))
        self._draw_lines(owners, pieces, halo_colors, pieces, line_colors)
        if self.arrows:
            self.arrows.draw(f)
        paths = [run.shown_at(f.position) for run in self.runs]
        for scatter, points in zip((self.heads, self.ends), self._head_points(paths, f.position)):
            self._draw_points(scatter, points)

    def _set_lines(self, owners, halo_pieces, halo_colors, line_pieces, line_colors, halo_widths=None):
        """Give the halos and the path lines their pieces, piece k of run owners[k] and as wide as
        its look says (its halo as wide as `halo_widths`[k], if given); a run whose look has no
        halo gets none."""
        owners = np.asarray(owners, dtype=int)
        halo_widths = self.halo_widths[owners] if halo_widths is None else np.asarray(halo_widths, dtype=float)
        if not halo_widths.all():  # (a swarm: only its featured runs have halos)
            haloed = np.flatnonzero(halo_widths)
            halo_pieces, halo_colors = [halo_pieces[k] for k in haloed], [halo_colors[k] for k in haloed]
            halo_widths = halo_widths[haloed]
        self.halos.set_segments(halo_pieces)
        self.halos.set_color(halo_colors)
        self.halos.set_linewidths(halo_widths)
        self.segments.set_segments(line_pieces)
        self.segments.set_color(line_colors)
        self.segments.set_linewidths(self.path_widths[owners])

    def _draw_lines(self, *lines):
        """Set the halos and path lines (see _set_lines) and draw them, halos first."""
        self._set_lines(*lines)
        self.ax.draw_artist(self.halos)
        self.ax.draw_artist(self.segments)

    def _set_points(self, scatter, points_per_run):
        """Give `scatter` each run's points, in its colour, edged in its halo colour; False if none."""
        runs = [i for i, points in enumerate(points_per_run) if len(points)]
        offsets = [points_per_run[i][:, :2] for i in runs]
        scatter.set_offsets(np.concatenate(offsets) if offsets else np.empty((0, 2)))
        scatter.set_facecolor([self.colors[i] for i in runs for _ in points_per_run[i]])
        scatter.set_edgecolor([self.outlines[i] for i in runs for _ in points_per_run[i]])
        if scatter is self.ends:  # ends stay crosses
            sizes = [self.looks[i].end_size for i in runs]
        else:  # heads and point markers in their run's shape
            scatter.set_paths([self.shapes[i] for i in runs for _ in points_per_run[i]])
            sizes = [(self.looks[i].head_size if scatter is self.heads else self.looks[i].marker_size) * self.scales[i]
                     for i in runs]
        scatter.set_sizes([size ** 2 for size, i in zip(sizes, runs) for _ in points_per_run[i]])
        scatter.set_linewidths([0.6 if scatter is self.markers else self.looks[i].head_edge
                                for i in runs for _ in points_per_run[i]])
        return bool(runs)

    def _draw_points(self, scatter, points_per_run):
        if self._set_points(scatter, points_per_run):
            self.ax.draw_artist(scatter)


def _unfolded(points, unmarked, step):
    """Of `points`, the path's last points up to point `step`, those that get a marker."""
    if not len(points):
        return points
    at = np.arange(step - len(points) + 1, step + 1)
    return points[~unmarked[np.clip(at, 0, len(unmarked) - 1)]]


class ContourView(View):
    """The contour view: the plot as large as its window's shape allows, the colour bar and the
    legend in the room that shape leaves (beside it, or under it), the title on top, the step
    counter on the title's line; blitted."""

    name = "contour"
    MESH_RESOLUTION = 300  # samples per side: smooth contour lines at 4K
    PARALLEL = False  # a blitted frame costs less than shipping its pixels between processes
    CAMERA = False  # flat: the camera does not show
    SHOWN_AS = "A contour map"

    def build(self, data):
        fig = self.fig
        self.counter = DigitCounter(fig, data.steps) if data.counter else NoCounter()
        self.title = layout.title(fig, data.title, layout.counter_width(fig, data.steps))
        self.ax = fig.add_axes((0.1, 0.1, 0.6, 0.6))
        overlay = arrows.Overlay(data.runs, data.overlays, data.mesh) if data.overlays else None
        self.panel = ContourPanel(self.ax, data.mesh, data.runs, data.trail, data.color_scale, overlay, data.minima,
                                  data.axes)
        handles, labels = style.legend_handles(data.runs, data.legend, data.minima)
        self.legend, self.colorbar_ax = layout.arrange_plot(
            self.ax, handles, labels, self.title, (self.panel.filled, self.panel.levels, data.color_scale, data.zlabel))
        if overlay:
            arrows.add_key(self.ax, overlay, data.runs, [self.legend.get_window_extent()])
        fig.canvas.draw()
        self.counter.draw_into_background()
        self.panel.start()

    def still(self, f):
        self.panel.show(f)
        self.counter.show(f.step)
        return self.fig

    def draw(self, f):
        """The paths up to f.position, a head on each, the counter."""
        self.panel.draw(f)
        self.counter.draw(f.step)
