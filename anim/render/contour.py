"""The contour view: filled contours drawn once, paths growing one update per frame, blitted."""

import numpy as np
from matplotlib import rc_context
from matplotlib.ticker import MaxNLocator

from anim.render import style

MAX_EQUAL_ASPECT_RATIO = 4.0  # beyond this the window is too elongated to draw at equal scale


GRID_RESOLUTION = 300  # samples per side: smooth contour lines at 4K


class ContourView:
    """Build once from a ViewData; `frame(f)` returns the RGBA pixels of timeline frame f."""

    name = "contour"
    GRID_RESOLUTION = GRID_RESOLUTION
    PARALLEL = False  # a blitted frame costs less than shipping its pixels between processes

    def __init__(self, data, width, height):
        self.runs = data.runs
        self.steps = data.steps
        self.width, self.height = width, height
        with rc_context(style.RC):
            self.fig = style.new_figure(width, height)
            self._build(data)
            self.fig.canvas.draw()
            self.fig.set_layout_engine("none")  # freeze the layout: the background is reused as it is
            self._center_horizontally()
            self.fig.canvas.draw()
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
        # A halo under each path keeps it visible over any colour; markers get an edge instead
        # (patheffects would draw every marker one by one, 10x slower).
        self.artists = []
        for run in self.runs:
            outline = style.outline_for(run.color)
            # Opaque: the trail is drawn a segment at a time, and overlapping translucent
            # segments would darken every joint.
            halo, = ax.plot([], [], color=outline, lw=4.5, solid_capstyle="round",
                            animated=True, zorder=3)
            path, = ax.plot([], [], color=run.color, lw=2.0, marker="o", ms=4, animated=True,
                            markeredgecolor=outline, markeredgewidth=0.6, zorder=4)
            head, = ax.plot([], [], color=run.color, marker="o", ms=10, ls="none", animated=True,
                            markeredgecolor=outline, markeredgewidth=1.5, zorder=5)
            self.artists.append((halo, path, head))
        self.counter = fig.text(0.99, 0.015, "", ha="right", va="bottom", animated=True,
                                fontsize=style.FONT["counter"], family="DejaVu Sans Mono")

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
        canvas = self.fig.canvas
        if f.step < self.trail_step:  # frames normally only move forward; going back redraws
            self.trail, self.trail_step = self.background, -1
        canvas.restore_region(self.trail)
        if f.step > self.trail_step:
            for step in range(self.trail_step + 1, f.step + 1):
                self._draw_trail_step(step)
            self.trail, self.trail_step = canvas.copy_from_bbox(self.fig.bbox), f.step
        for run, (_, _, head) in zip(self.runs, self.artists):
            shown = style.visible_prefix(run.points, f.step)
            head.set_data(shown[-1:, 0], shown[-1:, 1])
            self.ax.draw_artist(head)
        self.counter.set_text(style.counter_text(f.step, self.steps))
        self.fig.draw_artist(self.counter)
        return style.rgba_frame(self.fig, self.width, self.height)

    def _draw_trail_step(self, step):
        """Add the segment into point `step` to every path (each frame costs the same, however long).

        Halos first, then paths; each path redraws its previous segment too, so the new halo's
        round cap does not notch the line where the segments join.
        """
        pieces = [style.visible_prefix(run.points, step)[max(step - 2, 0):] for run in self.runs]
        for piece, (halo, _, _) in zip(pieces, self.artists):
            halo.set_data(piece[-2:, 0], piece[-2:, 1])
            self.ax.draw_artist(halo)
        for piece, (_, path, _) in zip(pieces, self.artists):
            path.set_data(piece[:, 0], piece[:, 1])
            self.ax.draw_artist(path)
