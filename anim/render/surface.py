"""The 3-D view: the surface with the paths on it, seen from the camera path of the scene."""

from matplotlib.ticker import MaxNLocator
from mpl_toolkits.mplot3d.art3d import Line3DCollection

from anim.render import style
from anim.render.heightfield import HeightField

class SurfaceView:
    """Build once from a ViewData; `frame(f)` returns the RGBA pixels of timeline frame f."""

    name = "surface"
    GRID_RESOLUTION = 81  # samples per side (80 polygons): round wells; 121 costs 40% more per frame
    PARALLEL = True  # every frame is a full redraw: worth a process per core

    def __init__(self, data, width, height):
        self.runs = data.runs
        self.steps = data.steps
        self.width, self.height = width, height
        with style.look():
            self.fig = style.new_figure(width, height)
            self._build(data)
            self.fig.canvas.draw()
        # Title and legend never change and lie outside the 3-D axes: keep their pixels, stop
        # drawing them (a quarter of the text a frame would otherwise lay out and rasterize).
        self.overlays = []
        for fixed in (self.title, self.legend):
            box = fixed.get_window_extent().padded(2)
            self.overlays.append(self.fig.canvas.copy_from_bbox(box))
            fixed.set_visible(False)

    def _build(self, data):
        fig, grid = self.fig, data.grid
        # The axes fill the space left of the legend; 3-D axes ignore constrained layout.
        ax = fig.add_axes((0.04, 0.0, 0.72, 0.92), projection="3d", computed_zorder=False)
        ax.set_box_aspect(None, zoom=1.0)
        self.ax = ax
        zmin, zmax = grid.z_limits()
        ax.add_artist(HeightField(grid.x, grid.y, grid.z, style.COLORMAP, zmin, zmax))
        ax.set_xlim(grid.x_range)
        ax.set_ylim(grid.y_range)
        ax.set_zlim(zmin, zmax)
        ax.set_xlabel(r"$w_1$", labelpad=8)
        ax.set_ylabel(r"$w_2$", labelpad=8)
        ax.set_zlabel(data.zlabel, labelpad=12)
        ax.tick_params(labelsize=style.FONT["tick"])
        for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
            axis.set_major_locator(MaxNLocator(nbins=5))  # legible at a glance, and fewer to draw
        self.title = fig.suptitle(data.title, fontsize=style.FONT["title"], fontweight="bold", y=0.97)
        self.legend = fig.legend(*style.legend_handles(self.runs),
                                 loc="upper right", bbox_to_anchor=(0.99, 0.9), frameon=True,
                                 framealpha=1.0, title="optimizer")
        outlines = [style.outline_for(run.color) for run in self.runs]
        self.halos = Line3DCollection([], colors=outlines, linewidths=style.HALO_WIDTH, capstyle="round",
                                      zorder=3, axlim_clip=True)
        self.paths = Line3DCollection([], colors=[run.color for run in self.runs],
                                      linewidths=style.PATH_WIDTH, zorder=4, axlim_clip=True)
        for collection in (self.halos, self.paths):
            ax.add_collection(collection, autolim=False)
        self.heads = [ax.plot([], [], [], color=run.color, marker="o", ms=10, ls="none", zorder=5,
                              markeredgecolor=outline, markeredgewidth=1.5, axlim_clip=True)[0]
                      for run, outline in zip(self.runs, outlines)]
        self.counter = style.counter(fig)

    def frame(self, f):
        """Pixels of timeline frame f: the camera at its pose, the paths up to f.step."""
        with style.look():
            return self._frame(f)

    def _frame(self, f):
        shown = [run.shown(f.step) for run in self.runs]
        self.halos.set_segments(shown)
        self.paths.set_segments(shown)
        for points, head in zip(shown, self.heads):
            head.set_data_3d(points[-1:, 0], points[-1:, 1], points[-1:, 2])
        self.ax.view_init(elev=f.elevation, azim=f.azimuth)
        self.counter.set_text(style.counter_text(f.step, self.steps))
        self.fig.canvas.draw()
        for region in self.overlays:
            self.fig.canvas.restore_region(region)
        return style.rgba_frame(self.fig, self.width, self.height)
