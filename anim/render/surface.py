"""The 3-D view: the surface with the paths on it, seen from the camera path of the scene."""

import numpy as np
from matplotlib import rc_context

from anim.render import style

GRID_RESOLUTION = 81  # samples per side (80 polygons): round wells; 121 costs 40% more per frame


class SurfaceView:
    """Build once from a ViewData; `frame(f)` returns the RGBA pixels of timeline frame f."""

    name = "surface"
    GRID_RESOLUTION = GRID_RESOLUTION
    PARALLEL = True  # every frame is a full redraw: worth a process per core

    def __init__(self, data, width, height):
        self.runs = data.runs
        self.steps = data.steps
        self.width, self.height = width, height
        with rc_context(style.RC):
            self.fig = style.new_figure(width, height)
            self._build(data)

    def _build(self, data):
        fig, grid = self.fig, data.grid
        # The axes fill the space left of the legend; 3-D axes ignore constrained layout.
        ax = fig.add_axes((0.04, 0.0, 0.72, 0.92), projection="3d", computed_zorder=False)
        ax.set_box_aspect(None, zoom=1.0)
        self.ax = ax
        x, y = np.meshgrid(grid.x, grid.y)
        z = np.ma.masked_invalid(grid.z)
        zmin, zmax = grid.z_limits()
        ax.plot_surface(x, y, z, cmap=style.COLORMAP, vmin=zmin, vmax=zmax,
                        rcount=GRID_RESOLUTION, ccount=GRID_RESOLUTION,  # every sample: stride 1
                        linewidth=0, antialiased=False, zorder=1)
        ax.set_xlim(grid.x_range)
        ax.set_ylim(grid.y_range)
        ax.set_zlim(zmin, zmax)
        ax.set_xlabel(r"$w_1$", labelpad=8)
        ax.set_ylabel(r"$w_2$", labelpad=8)
        ax.set_zlabel(data.zlabel, labelpad=12)
        ax.tick_params(labelsize=style.FONT["tick"])
        fig.suptitle(data.title, fontsize=style.FONT["title"], fontweight="bold", y=0.97)
        fig.legend(*style.legend_handles(self.runs),
                   loc="upper right", bbox_to_anchor=(0.99, 0.9), frameon=True, framealpha=1.0,
                   title="optimizer")
        self.artists = []
        for run in self.runs:
            outline = style.outline_for(run.color)
            halo, = ax.plot([], [], [], color=outline, lw=4.7, alpha=0.7, solid_capstyle="round",
                            zorder=3, axlim_clip=True)
            path, = ax.plot([], [], [], color=run.color, lw=2.2, zorder=4, axlim_clip=True)
            head, = ax.plot([], [], [], color=run.color, marker="o", ms=10, ls="none", zorder=5,
                            markeredgecolor=outline, markeredgewidth=1.5, axlim_clip=True)
            self.artists.append((halo, path, head))
        self.counter = fig.text(0.99, 0.015, "", ha="right", va="bottom",
                                fontsize=style.FONT["counter"], family="DejaVu Sans Mono")

    def frame(self, f):
        for run, (halo, path, head) in zip(self.runs, self.artists):
            shown = style.visible_prefix(run.points, f.step)
            halo.set_data_3d(shown[:, 0], shown[:, 1], shown[:, 2])
            path.set_data_3d(shown[:, 0], shown[:, 1], shown[:, 2])
            head.set_data_3d(shown[-1:, 0], shown[-1:, 1], shown[-1:, 2])
        self.ax.view_init(elev=f.elevation, azim=f.azimuth)
        self.counter.set_text(style.counter_text(f.step, self.steps))
        self.fig.canvas.draw()
        return style.rgba_frame(self.fig, self.width, self.height)
