"""The lecture layout: contour paths, the 3-D surface and the loss curves in one synchronized frame."""

from matplotlib.transforms import Bbox

from anim.look import arrows, layout, style
from anim.look.contour import ContourPanel
from anim.look.counter import DigitCounter, NoCounter
from anim.look.inside import InsidePanel
from anim.look.loss import LossPanel
from anim.look.threed import ThreeDPanel, fit_poses
from anim.look.view import View

LEGEND_MARGIN = 0.01  # of the figure's height, kept free under the legend
# Under a wide window's legend (figure fractions): the loss panel's left, bottom and width, the
# gap kept above it, the least height worth moving it for; the 3-D panel's region, and then the
# whole right half.
LOSS_BOX, LOSS_GAP, LOSS_MIN_HEIGHT = (0.115, 0.1, 0.35), 0.04, 0.18
SURFACE, SURFACE_TALL = (0.49, 0.34, 0.51, 0.58), (0.49, 0.06, 0.51, 0.86)
LEFT_HALF = 0.48  # of the frame's width: the contour panel's legend stays left of this
WIDE = 1.3  # a frame at least this much wider than tall lays the panels out side by side; else upright


class DashboardView(View):
    """The lecture layout. Everything but the 3-D axes, the paths and the curves is drawn once;
    each frame restores it, draws the contour paths and loss curves by blitting and redraws the
    3-D axes alone. With overlays, the arrows' key joins the legend and the effective-step panel
    (anim.look.inside) sits beside the loss panel, under a smaller contour panel."""

    name = "dashboard"
    MESH_RESOLUTION = 121  # one mesh for both panels: smooth contours at half width, a 3-D mesh that draws fast
    PARALLEL = True  # the 3-D panel is a full redraw every frame
    SHOWN_AS = "A contour map, a 3-D surface and the loss curves"

    def build(self, data):
        fig = self.fig
        self.counter = DigitCounter(fig, data.steps) if data.counter else NoCounter()
        self.title = layout.title(fig, data.title, layout.counter_width(fig, data.steps))
        if fig.bbox.width < WIDE * fig.bbox.height:
            self._build_upright(data)
        else:
            self._build_wide(data)
        self.counter.draw_into_background()
        self.contour.start()
        self.background = fig.canvas.copy_from_bbox(fig.bbox)

    def _build_wide(self, data):
        """Side by side (16:9, 4:3): the contour panel in the left half, the 3-D panel above the
        loss panel in the right half."""
        fig = self.fig
        # The contour panel as large as its window's shape allows in the left half, pushed up to
        # the title; its legend right under it: clear of every path and of the 3-D axes. With
        # overlays it is smaller, leaving room for the effective-step panel under the legend.
        overlay = arrows.Overlay(data.runs, data.overlays, data.mesh) if data.overlays else None
        contour_ax = fig.add_axes((0.075, 0.47, 0.39, 0.42) if overlay else (0.075, 0.2, 0.39, 0.69))
        contour_ax.set_anchor("N")
        self.contour = ContourPanel(contour_ax, data.mesh, data.runs, data.trail, data.color_scale, overlay,
                                    data.minima, data.short_axes)
        self.inside = None
        self.surface_ax = fig.add_axes(SURFACE, projection="3d", computed_zorder=False)
        self.surface = ThreeDPanel(self.surface_ax, data.mesh, data.runs, data.zlabel, data.theme,
                                   data.trail, data.color_scale, region=SURFACE, marks=data.minima,
                                   axes=data.short_axes)
        self.surface_ax.set_animated(True)
        loss_ax = fig.add_axes((0.585, 0.11, 0.39, 0.21))
        self.loss = LossPanel(loss_ax, data.runs, data.steps, data.zlabel)
        handles, labels = style.legend_handles(data.runs, data.legend, data.minima)
        if overlay:
            more, more_labels, _ = overlay.key_entries(scaled=True)
            handles, labels = handles + more, labels + more_labels
        legend = self._legend_under(contour_ax, handles, labels)
        if overlay:  # the effective-step panel in the room the legend leaves, beside the loss panel
            top = min(legend.get_window_extent().transformed(fig.transFigure.inverted()).y0 - 0.07, 0.32)
            inside_ax = fig.add_axes((0.1, 0.11, 0.365, max(top - 0.11, 0.08)))
            inside_ax.set_title("effective step per coordinate", fontsize=style.FONT["tick"])
            self.inside = InsidePanel(inside_ax, data.runs, data.steps)
            fig.canvas.draw()
        else:  # a wide window leaves room under the legend: the loss panel goes there
            self._loss_under_if_room(legend, loss_ax)
        fig.canvas.draw()
        self.surface.fit(fit_poses(data.camera))

    def _build_upright(self, data):
        """Square and portrait frames, top to bottom: the contour panel and the 3-D panel (side by
        side in a square frame, one above the other in a tall one), the legend in rows, then the
        loss panel (and the effective-step panel beside it, with overlays)."""
        fig = self.fig
        renderer = fig.canvas.get_renderer()
        width = fig.bbox.width
        edge, gap = layout.pixels(fig, layout.EDGE), layout.pixels(fig, layout.GAP)
        top = self.title.get_window_extent(renderer).y0 - gap
        overlay = arrows.Overlay(data.runs, data.overlays, data.mesh) if data.overlays else None
        handles, labels = style.legend_handles(data.runs, data.legend, data.minima)
        if overlay:
            more, more_labels, _ = overlay.key_entries(scaled=True)
            handles, labels = handles + more, labels + more_labels
        for ncols in range(len(labels), 0, -1):
            legend = fig.legend(handles, labels, loc="upper center", ncols=ncols, frameon=False, columnspacing=1.2,
                                handlelength=2.2)
            if legend.get_window_extent(renderer).width <= width - 2 * edge or ncols == 1:
                break
            legend.remove()
        legend_h = legend.get_window_extent(renderer).height
        tall = fig.bbox.height > 1.25 * width
        content = top - edge
        upper = content * (0.62 if tall else 0.5)  # the contour and 3-D panels
        contour_ax = fig.add_axes((0.1, 0.5, 0.4, 0.4))
        contour_ax.set_anchor("N")
        self.contour = ContourPanel(contour_ax, data.mesh, data.runs, data.trail, data.color_scale, overlay,
                                    data.minima, data.short_axes)
        self.surface_ax = fig.add_axes((0.5, 0.5, 0.4, 0.4), projection="3d", computed_zorder=False)
        self.surface = ThreeDPanel(self.surface_ax, data.mesh, data.runs, data.zlabel, data.theme, data.trail,
                                   data.color_scale, marks=data.minima, axes=data.short_axes)
        self.surface_ax.set_animated(True)
        loss_ax = fig.add_axes((0.1, 0.05, 0.8, 0.2))
        self.loss = LossPanel(loss_ax, data.runs, data.steps, data.zlabel)
        self.inside = None
        if overlay:
            inside_ax = fig.add_axes((0.6, 0.05, 0.3, 0.2))
            inside_ax.set_title("effective step per coordinate", fontsize=style.FONT["tick"])
            self.inside = InsidePanel(inside_ax, data.runs, data.steps)
        plot = layout.Margins.of(contour_ax, renderer)
        if tall:  # the contour panel over the 3-D panel
            contour_room = Bbox.from_extents(edge + plot.left, top - upper * 0.55 + plot.bottom,
                                             width - edge - plot.right, top - plot.top)
            surface_room = Bbox.from_extents(edge, top - upper, width - edge, top - upper * 0.55)
        else:  # side by side
            contour_room = Bbox.from_extents(edge + plot.left, top - upper + plot.bottom, width / 2 - gap, top - plot.top)
            surface_room = Bbox.from_extents(width / 2, top - upper, width - edge, top)
        aspect = layout.data_aspect(contour_ax)
        w, h = layout.largest(contour_room.width, contour_room.height, aspect)
        left = contour_room.x0 + (contour_room.width - w) / 2
        layout.place(contour_ax, Bbox.from_bounds(left, contour_room.y1 - h, w, h))
        region = surface_room.transformed(fig.transFigure.inverted()).bounds
        self.surface.move(region)
        legend.set_bbox_to_anchor((0.5, (top - upper - gap) / fig.bbox.height))
        loss_top = top - upper - 2 * gap - legend_h
        for _ in range(2):  # the loss panel (and the inside panel) inside their ticks and labels
            parts = [loss_ax] + ([inside_ax] if self.inside else [])
            share = (width - 2 * edge) / len(parts)
            for k, ax in enumerate(parts):
                reach = layout.Margins.of(ax, renderer)
                x0 = edge + k * share + reach.left
                layout.place(ax, Bbox.from_extents(x0, edge + reach.bottom, edge + (k + 1) * share - reach.right - gap * k,
                                                   max(loss_top - reach.top, edge + reach.bottom + 1)))
        fig.canvas.draw()
        self.surface.fit(fit_poses(data.camera))
        fig.canvas.draw()

    def _legend_under(self, contour_ax, handles, labels):
        """The legend centred under the contour panel, within the left half (entries whose settings
        make it wider than that on two lines each); if its rows would run off the frame, the
        panel shrinks (still at the top) by as much, so every entry shows."""
        fig = self.fig
        to_figure = fig.transFigure.inverted()
        legend = None
        half = LEFT_HALF * fig.bbox.width
        for _ in range(3):  # shrinking the panel narrows it too (equal aspect): the rows may change
            fig.canvas.draw()
            renderer = fig.canvas.get_renderer()
            under = contour_ax.get_tightbbox(renderer).transformed(to_figure)
            for shown in (labels, [layout.wrapped(label) for label in labels]):
                if legend is not None:
                    legend.remove()
                legend = fig.legend(handles, shown, loc="upper center",
                                    bbox_to_anchor=((under.x0 + under.x1) / 2, under.y0 - 0.01),
                                    ncols=style.legend_columns(shown, LEFT_HALF * fig.get_figwidth() * 72), frameon=False,
                                    handlelength=2.2, columnspacing=1.2)
                if legend.get_window_extent(renderer).width <= half:
                    break
            box = legend.get_window_extent(renderer)
            inside = min(max(box.x0, layout.pixels(fig, layout.EDGE)), half - box.width) - box.x0  # within the half
            legend.set_bbox_to_anchor(((under.x0 + under.x1) / 2 + inside / fig.bbox.width, under.y0 - 0.01))
            overflow = LEGEND_MARGIN - legend.get_window_extent(renderer).transformed(to_figure).y0
            if overflow <= 0:
                break
            box = contour_ax.get_position(original=True)
            contour_ax.set_position((box.x0, box.y0 + overflow, box.width, box.height - overflow))
        fig.canvas.draw()
        return legend

    def _loss_under_if_room(self, above, loss_ax):
        """A wide window leaves the contour panel short and the left half's lower part empty: when
        the room under `above` (the legend, or the contour axes with their labels) holds the loss
        panel (LOSS_MIN_HEIGHT), the loss panel moves there and the 3-D panel takes the whole right
        half; whether it did."""
        fig = self.fig
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        height = above.get_tightbbox(renderer).transformed(fig.transFigure.inverted()).y0 - LOSS_GAP - LOSS_BOX[1]
        if height < LOSS_MIN_HEIGHT:
            return False
        loss_ax.set_position((LOSS_BOX[0], LOSS_BOX[1], LOSS_BOX[2], height))
        self.surface.move(SURFACE_TALL)
        fig.canvas.draw()
        return True

    def still(self, f):
        self.contour.show(f)
        self.loss.show(f)
        if self.inside:
            self.inside.show(f)
        self.surface.update(f)
        self.surface_ax.set_animated(False)
        self.counter.show(f.step)
        return self.fig

    def draw(self, f):
        """Every panel at f.position, the camera at its pose."""
        self.fig.canvas.restore_region(self.background)
        self.contour.draw(f)
        self.loss.draw(f)
        if self.inside:
            self.inside.draw(f)
        self.surface.update(f)
        self.fig.draw_artist(self.surface_ax)
        self.counter.draw(f.step)
