"""The grid view: small multiples, one contour panel per optimizer (or swept value), synchronized."""

import math
import textwrap

from anim.look import arrows, style
from anim.look.contour import ContourPanel
from anim.look.counter import DigitCounter, NoCounter
from anim.look.view import View

COLORBAR_SPACE = 0.08  # the share of the frame's width the shared colour bar takes
BOTTOM_SPACE = 0.015  # the share of the frame's height below the panels
TITLE_SPACE = 0.075  # the share of the frame's height above the panels (and their titles): the scene's title


class MultiplesView(View):
    """Small multiples. Every panel shows the same surface and window; each panel's paths are one optimizer's runs
    (one value of a sweep, since a sweep expands into an optimizer per value), named by the
    panel's title, which also says where they diverged or left the view.
    """

    name = "grid"
    MESH_RESOLUTION = 160  # samples per side: several panels share the frame, each needs fewer
    PARALLEL = False  # blitted, as the contour view
    CAMERA = False  # flat: the camera does not show
    SHOWN_AS = "Contour maps, one panel per optimizer,"

    def build(self, data):
        width, height, fig = self.width, self.height, self.fig
        groups = style.by_label(data.runs)
        (x0, x1), (y0, y1) = data.mesh.x_range, data.mesh.y_range
        usable = (width * (1 - COLORBAR_SPACE)) / (height * (1 - TITLE_SPACE - BOTTOM_SPACE))
        rows, cols = layout(len(groups), usable, (x1 - x0) / (y1 - y0))
        fig.set_layout_engine("constrained", h_pad=0.08, w_pad=0.08,
                              rect=(0, BOTTOM_SPACE, 1, 1 - TITLE_SPACE - BOTTOM_SPACE))
        fig.suptitle(data.title, fontsize=style.FONT["title"], fontweight="bold", y=0.99, va="top")
        axes = fig.subplots(rows, cols, squeeze=False, sharex=True, sharey=True).ravel()
        font = style.FONT["tick"] if rows * cols > 4 else style.FONT["legend"]
        # Titles wrap to the panel's width, in points (a bold character is about 0.68 em wide).
        panel_points = 72 * style.REFERENCE_HEIGHT_INCHES * width / height / cols * (1 - COLORBAR_SPACE)
        characters = max(12, int(panel_points / (0.68 * (font + 1))))
        self.panels = []
        overlay = arrows.Overlay(data.runs, data.overlays, data.mesh) if data.overlays else None  # one scale for all
        for i, (ax, (label, runs)) in enumerate(zip(axes, groups.items())):
            panel = ContourPanel(ax, data.mesh, runs, data.trail, data.color_scale, overlay, data.short_axes)
            lines = style.legend_label(label, runs).split("\n")
            title = "\n".join(textwrap.fill(line, characters) for line in lines)
            ax.set_title(title, fontsize=font + 1, color=style.readable(runs[0].color, data.theme),
                         fontweight="bold")
            ax.tick_params(labelsize=font - 1)
            ax.xaxis.label.set_size(font)
            ax.yaxis.label.set_size(font)
            ax.label_outer()
            if i + cols >= len(groups):  # no panel below: its x axis is labelled (label_outer cannot know)
                ax.tick_params(labelbottom=True)
                ax.set_xlabel(data.short_axes[0])
            self.panels.append(panel)
        for ax in axes[len(groups):]:
            ax.remove()
        colorbar = fig.colorbar(self.panels[0].filled, ax=list(axes[:len(groups)]), fraction=0.04, pad=0.01,
                                aspect=30)
        style.label_colorbar(colorbar, self.panels[0].levels, data.color_scale, data.zlabel)
        colorbar.ax.tick_params(labelsize=font - 1)
        colorbar.ax.yaxis.label.set_size(font)
        self.counter = DigitCounter(fig, data.steps) if data.counter else NoCounter()
        fig.canvas.draw()
        fig.set_layout_engine("none")  # freeze the layout: the background is reused as it is
        if overlay and len(axes) > len(groups):  # the key in the first empty cell
            handles, labels, title = overlay.key_entries()
            fig.legend(handles, labels, title=title, loc="center", bbox_to_anchor=axes[len(groups)].get_position(),
                       fontsize=font, title_fontsize=font, frameon=False, handlelength=2.6)
        elif overlay:
            arrows.add_key(self.panels[0].ax, overlay, self.panels[0].runs)
        fig.canvas.draw()
        self.counter.draw_into_background()
        for panel in self.panels:
            panel.start()

    def still(self, f):
        for panel in self.panels:
            panel.show(f)
        self.counter.show(f.step)
        return self.fig

    def draw(self, f):
        """Every panel's paths up to f.position, the counter."""
        for panel in self.panels:
            panel.draw(f)
        self.counter.draw(f.step)


def layout(panels, frame_aspect, window_aspect):
    """(rows, cols) for `panels` panels of a window of width/height `window_aspect` in a frame of
    width/height `frame_aspect`: the arrangement that draws each panel largest, the one with
    fewer empty cells on a tie."""
    def scale(cols):
        rows = math.ceil(panels / cols)
        return min(frame_aspect / cols / window_aspect, 1 / rows), -(rows * cols - panels)

    cols = max(range(1, panels + 1), key=scale)
    return math.ceil(panels / cols), cols
