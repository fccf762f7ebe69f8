"""The lecture layout: contour paths, the 3-D surface and the loss curves in one synchronized frame."""

from anim.render import style
from anim.render.contour import ContourPanel
from anim.render.counter import DigitCounter, NoCounter
from anim.render.loss import LossPanel
from anim.render.threed import ThreeDPanel, fit_poses
from anim.render.view import View


class DashboardView(View):
    """The lecture layout. Everything but the 3-D axes, the paths and the curves is drawn once;
    each frame restores it, draws the contour paths and loss curves by blitting and redraws the
    3-D axes alone."""

    name = "dashboard"
    MESH_RESOLUTION = 121  # one mesh for both panels: smooth contours at half width, a 3-D mesh that draws fast
    PARALLEL = True  # the 3-D panel is a full redraw every frame

    def build(self, data):
        fig = self.fig
        fig.suptitle(data.title, fontsize=style.FONT["title"], fontweight="bold", y=0.975)
        # The contour panel as large as its window's shape allows in the left half, pushed up to
        # the title; its legend right under it: clear of every path and of the 3-D axes.
        contour_ax = fig.add_axes((0.075, 0.2, 0.39, 0.69))
        contour_ax.set_anchor("N")
        self.contour = ContourPanel(contour_ax, data.mesh, data.runs, data.trail, data.color_scale)
        surface_region = (0.49, 0.34, 0.51, 0.58)
        self.surface_ax = fig.add_axes(surface_region, projection="3d", computed_zorder=False)
        self.surface = ThreeDPanel(self.surface_ax, data.mesh, data.runs, data.zlabel, data.theme,
                                   data.trail, data.color_scale, region=surface_region)
        self.surface_ax.set_animated(True)
        loss_ax = fig.add_axes((0.585, 0.11, 0.39, 0.21))
        self.loss = LossPanel(loss_ax, data.runs, data.steps, data.zlabel)
        self.counter = DigitCounter(fig, data.steps) if data.counter else NoCounter()
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        under = contour_ax.get_tightbbox(renderer).transformed(fig.transFigure.inverted())
        handles, labels = style.legend_handles(data.runs)
        fig.legend(handles, labels, loc="upper center", bbox_to_anchor=((under.x0 + under.x1) / 2, under.y0 - 0.01),
                   ncols=style.legend_columns(labels, 0.45 * fig.get_figwidth() * 72), frameon=False,
                   handlelength=2.2, columnspacing=1.2)
        fig.canvas.draw()
        self.surface.fit(fit_poses(data.camera))
        self.counter.draw_into_background()
        self.contour.start()
        self.background = fig.canvas.copy_from_bbox(fig.bbox)

    def still(self, f):
        self.contour.show(f)
        self.loss.show(f)
        self.surface.update(f)
        self.surface_ax.set_animated(False)
        self.counter.show(f.step)
        return self.fig

    def draw(self, f):
        """Every panel at f.position, the camera at its pose."""
        self.fig.canvas.restore_region(self.background)
        self.contour.draw(f)
        self.loss.draw(f)
        self.surface.update(f)
        self.fig.draw_artist(self.surface_ax)
        self.counter.draw(f.step)
