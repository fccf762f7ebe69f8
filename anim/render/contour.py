"""The contour view: filled contours drawn once, paths growing one update per frame, blitted."""

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.ticker import MaxNLocator

from anim.render import style
from anim.render.counter import DigitCounter

MAX_EQUAL_ASPECT_RATIO = 4.0  # beyond this the window is too elongated to draw at equal scale


class ContourView:
    """Build once from a ViewData; `frame(f)` returns the RGBA pixels of timeline frame f."""

    name = "contour"
    GRID_RESOLUTION = 300  # samples per side: smooth contour lines at 4K
    PARALLEL = False  # a blitted frame costs less than shipping its pixels between processes

    def __init__(self, data, width, height):
        self.runs = data.runs
        self.width, self.height = width, height
        with style.look():
            self.fig = style.new_figure(width, height)
            self._build(data)
            self.fig.canvas.draw()
            self.fig.set_layout_engine("none")  # freeze the layout: the background is reused as it is
            self._center_horizontally()
            self.fig.canvas.draw()
            self.counter.draw_into_background()
        self.background = self.fig.canvas.copy_from_bbox(self.fig.bbox)
        self.trail, self.trail_step = self.background, -1  # the background with paths up to trail_step

    def _build(self, data):
        fig, grid = self.fig, data.grid
        fig.set_layout_engine("constrained", h_pad=0.12, w_pad=0.12)
        ax = fig.add_subplot()
        self.ax = ax
        z = np.ma.masked_invalid(grid.z)
        levels = MaxNLocator(nbins=24).tick_values(*grid.z_limits())
        filled = ax.contourf(grid.x, grid.y, z, levels=levels, cmap=style.COLORMAP)
        ax.contour(grid.x, grid.y, z, levels=levels[::2], colors="white", linewidths=0.5, alpha=0.45)
        colorbar = fig.colorbar(filled, ax=ax, pad=0.02, fraction=0.05)
        colorbar.set_label(data.zlabel)
        colorbar.ax.tick_params(labelsize=style.FONT["tick"])
        self.colorbar_ax = colorbar.ax
        ax.set_xlim(grid.x_range)
        ax.set_ylim(grid.y_range)
        (x0, x1), (y0, y1) = grid.x_range, grid.y_range
        ratio = (x1 - x0) / (y1 - y0)
        if 1 / MAX_EQUAL_ASPECT_RATIO <= ratio <= MAX_EQUAL_ASPECT_RATIO:
            ax.set_aspect("equal")  # gradients cross contour lines at right angles only at equal scale
        ax.set_xlabel(r"$w_1$")
        ax.set_ylabel(r"$w_2$")
        ax.set_title(data.title, fontweight="bold")
        self.legend = fig.legend(*style.legend_handles(self.runs),
                                 loc="outside right upper", frameon=True, framealpha=1.0,
                                 title="optimizer")
        # The trail grows a step at a time: each step adds, for every run at once, a halo segment
        # (opaque, so overlapping joints do not darken), the path segment and its point markers.
        self.colors = [run.color for run in self.runs]
        self.outlines = [style.outline_for(color) for color in self.colors]
        self.halos = LineCollection([], colors=self.outlines, linewidths=style.HALO_WIDTH, capstyle="round",
                                    animated=True, zorder=3)
        self.segments = LineCollection([], colors=self.colors,
                                       linewidths=style.PATH_WIDTH, capstyle="round", animated=True,
                                       zorder=4)
        self.markers = ax.scatter([], [], s=4 ** 2, linewidths=0.6, animated=True, zorder=4)
        self.heads = ax.scatter([], [], s=10 ** 2, linewidths=1.5, animated=True, zorder=5)
        for collection in (self.halos, self.segments):
            ax.add_collection(collection, autolim=False)
        self.counter = DigitCounter(fig, data.steps)

    def _center_horizontally(self):
        """Centre plot, colour bar and legend as one group: an equal-aspect plot leaves a gap."""
        fig = self.fig
        renderer = fig.canvas.get_renderer()
        to_figure = fig.transFigure.inverted()
        legend_box = self.legend.get_window_extent(renderer).transformed(to_figure)
        boxes = [self.ax.get_tightbbox(renderer).transformed(to_figure),
                 self.colorbar_ax.get_tightbbox(renderer).transformed(to_figure), legend_box]
        left, right = min(b.x0 for b in boxes), max(b.x1 for b in boxes)
        shift = ((1 - right) - left) / 2
        plot = self.ax.get_position()
        self.ax.set_position(plot.translated(shift, 0))
        bar = self.colorbar_ax.get_position()  # as tall as the plot, not as the space it was given
        self.colorbar_ax.set_position((bar.x0 + shift, plot.y0, bar.width, plot.height))
        self.legend.set_loc("upper left")
        self.legend.set_bbox_to_anchor((legend_box.x0 + shift, legend_box.y1), transform=fig.transFigure)
        self.legend.borderaxespad = 0

    def frame(self, f):
        """Pixels of timeline frame f: the trail up to f.step, a head on each path, the counter."""
        with style.look():
            return self._frame(f)

    def _frame(self, f):
        canvas = self.fig.canvas
        if f.step < self.trail_step:  # frames normally only move forward; going back redraws
            self.trail, self.trail_step = self.background, -1
        canvas.restore_region(self.trail)
        if f.step > self.trail_step:
            for step in range(self.trail_step + 1, f.step + 1):
                self._draw_trail_step(step)
            self.trail, self.trail_step = canvas.copy_from_bbox(self.fig.bbox), f.step
        self._draw_points(self.heads, [run.shown(f.step)[-1:] for run in self.runs])
        self.counter.draw(f.step)
        return style.rgba_frame(self.fig, self.width, self.height)

    def _draw_trail_step(self, step):
        """Add the segment into point `step` to every path (each frame costs the same, however long).

        Each path redraws its previous segment and point too, so the new halo's round cap does
        not notch the line where the segments join.
        """
        pieces = [run.shown(step)[max(step - 2, 0):] for run in self.runs]
        drawn = [i for i, piece in enumerate(pieces) if len(piece) >= 2]
        self.halos.set_segments([pieces[i][-2:, :2] for i in drawn])
        self.halos.set_color([self.outlines[i] for i in drawn])
        self.segments.set_segments([pieces[i][:, :2] for i in drawn])
        self.segments.set_color([self.colors[i] for i in drawn])
        self.ax.draw_artist(self.halos)
        self.ax.draw_artist(self.segments)
        self._draw_points(self.markers, [piece[-2:] for piece in pieces])

    def _draw_points(self, scatter, points_per_run):
        """Draw each run's points in its colour, edged in its halo colour."""
        runs = [i for i, points in enumerate(points_per_run) if len(points)]
        if not runs:
            return
        scatter.set_offsets(np.concatenate([points_per_run[i][:, :2] for i in runs]))
        scatter.set_facecolor([self.colors[i] for i in runs for _ in points_per_run[i]])
        scatter.set_edgecolor([self.outlines[i] for i in runs for _ in points_per_run[i]])
        self.ax.draw_artist(scatter)
