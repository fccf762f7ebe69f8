"""The 3-D view (`--view surface`): the loss surface with the paths on it, seen from the scene's camera path."""

import numpy as np
from matplotlib.ticker import MaxNLocator
from mpl_toolkits.mplot3d.art3d import Line3DCollection

from anim import colors
from anim.render import style, trail
from anim.render.heightfield import HeightField
from anim.render.view import View


class ThreeDPanel:
    """The surface of the mesh on a 3-D `ax` with every run's path on it; `update(frame)` sets
    the paths and the camera pose of a timeline frame, for the caller to draw."""

    def __init__(self, ax, mesh, runs, zlabel, theme, trail_length=0, color_scale="linear"):
        self.ax, self.runs, self.trail_length = ax, runs, trail_length
        zmin, zmax = _z_limits(mesh, runs)
        ax.add_artist(HeightField(mesh.x, mesh.y, mesh.z, style.COLORMAP, style.surface_colors(mesh, color_scale)[1]))
        ax.set_xlim(mesh.x_range)
        ax.set_ylim(mesh.y_range)
        ax.set_zlim(zmin, zmax)
        ax.set_xlabel(r"$w_1$", labelpad=8)
        ax.set_ylabel(r"$w_2$", labelpad=8)
        ax.set_zlabel(zlabel, labelpad=20)
        ax.tick_params(labelsize=style.FONT["tick"])
        for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
            axis.set_major_locator(MaxNLocator(nbins=5))  # legible at a glance, and fewer to draw
            axis.set_pane_color(style.pane(theme))
        look = self.look = style.path_look(runs)
        self.colors = [run.color for run in runs]
        self.outlines = [style.outline_for(color) for color in self.colors]
        self.halos = Line3DCollection([], colors=self.outlines, linewidths=look.halo_width, capstyle="round",
                                      zorder=3, axlim_clip=True, visible=look.halo_width > 0)
        self.paths = Line3DCollection([], colors=[style.translucent(c, look.alpha) for c in self.colors],
                                      linewidths=look.path_width, zorder=4, axlim_clip=True)
        for collection in (self.halos, self.paths):
            ax.add_collection(collection, autolim=False)
        # The heads of each optimizer's runs as one marker line (its marker each), and their ends as
        # another (a cross each, where a run diverged or left the view): two artists per optimizer.
        self.groups = {}  # optimizer label: the indices of its runs
        for i, run in enumerate(runs):
            self.groups.setdefault(run.label, []).append(i)
        self.heads, self.ends = {}, {}
        for label, members in self.groups.items():
            color, outline, head = self.colors[members[0]], self.outlines[members[0]], runs[members[0]].marker
            for markers, marker, size in ((self.heads, head, look.head_size * colors.MARKER_SCALES.get(head, 1.0)),
                                          (self.ends, "X", look.end_size)):
                markers[label] = ax.plot([], [], [], color=color, marker=marker, ms=size, ls="none", zorder=5,
                                         markeredgecolor=outline, markeredgewidth=look.head_edge,
                                         axlim_clip=True)[0]

    def update(self, f):
        shown = [run.shown_at(f.position) for run in self.runs]
        if self.trail_length:
            self._fade(f)
        else:
            self.halos.set_segments(shown)
            self.paths.set_segments(shown)
        for label, members in self.groups.items():
            ended = [self.runs[i].ended(f.position) for i in members]
            for markers, wanted in ((self.heads, False), (self.ends, True)):
                fronts = [shown[i][-1] for i, e in zip(members, ended) if e == wanted and len(shown[i])]
                fronts = np.array(fronts).reshape(-1, 3)
                markers[label].set_data_3d(fronts[:, 0], fronts[:, 1], fronts[:, 2])
        self.ax.view_init(elev=f.elevation, azim=f.azimuth)

    def _fade(self, f):
        """Only the last `trail_length` updates of each path, older segments fainter."""
        pieces, halo_colors, line_colors = [], [], []
        for run, color, outline in zip(self.runs, self.colors, self.outlines):
            segments, alphas = trail.segments(run, f.position, self.trail_length)
            pieces.extend(segments)
            halo_colors.extend(trail.faded(outline, alphas))
            line_colors.extend(trail.faded(color, alphas * self.look.alpha))
        self.halos.set_segments(pieces)
        self.halos.set_color(np.array(halo_colors).reshape(-1, 4))
        self.paths.set_segments(pieces)
        self.paths.set_color(np.array(line_colors).reshape(-1, 4))


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


class ThreeDView(View):
    """The 3-D view: the surface turning with the camera, the legend beside it; a full redraw each frame."""

    name = "surface"
    MESH_RESOLUTION = 81  # samples per side (80 polygons): round wells; 121 costs 40% more per frame
    PARALLEL = True  # every frame is a full redraw: worth a process per core

    def build(self, data):
        fig = self.fig
        # The axes centred in the frame under the title (3-D axes ignore constrained layout), as
        # large as its height allows; the turning box never reaches the frame's left quarter at
        # 16:9, where the legend stands.
        self.title = fig.suptitle(data.title, fontsize=style.FONT["title"], fontweight="bold", y=0.975)
        self.legend = fig.legend(*style.legend_handles(data.runs), loc="upper left", bbox_to_anchor=(0.01, 0.9),
                                 frameon=False, title="optimizer", alignment="left")
        ax = fig.add_axes((0.0, 0.0, 1.0, 0.92), projection="3d", computed_zorder=False)
        ax.set_box_aspect(None, zoom=1.0)
        self.panel = ThreeDPanel(ax, data.mesh, data.runs, data.zlabel, data.theme, data.trail, data.color_scale)
        self.counter = style.counter(fig)
        self.counter.set_visible(data.counter)
        fig.canvas.draw()
        # Title and legend never change and lie outside the 3-D axes: keep their pixels, stop
        # drawing them (a quarter of the text a frame would otherwise lay out and rasterize).
        self.overlays = []
        for fixed in (self.title, self.legend):
            box = fixed.get_window_extent().padded(2)
            self.overlays.append(fig.canvas.copy_from_bbox(box))
            fixed.set_visible(False)

    def still(self, f):
        self.panel.update(f)
        self.counter.set_text(style.counter_text(f.step, self.steps))
        self.title.set_visible(True)
        self.legend.set_visible(True)
        return self.fig

    def draw(self, f):
        """The camera at its pose, the paths up to f.position."""
        self.panel.update(f)
        self.counter.set_text(style.counter_text(f.step, self.steps))
        self.fig.canvas.draw()
        for region in self.overlays:
            self.fig.canvas.restore_region(region)
