"""The grid view: small multiples, one contour panel per optimizer (or swept value), synchronized."""

import math

from matplotlib.transforms import Bbox

from anim.errors import SceneError
from anim.look import arrows, layout, legend, style
from anim.look.contour import ContourPanel
from anim.look.counter import DigitCounter, NoCounter
from anim.look.view import View


class MultiplesView(View):
    """Small multiples. Every panel shows the same surface and window; each panel's paths are one optimizer's runs
    (one value of a sweep, since a sweep expands into an optimizer per value), named by the
    panel's title, which also says its settings and where they diverged or left the view. The
    panels are laid out in the rows and columns that draw each largest in the frame, the colour
    bar right of them or under them, whichever leaves them more room.
    """

    name = "grid"
    MESH_RESOLUTION = 160  # samples per side: several panels share the frame, each needs fewer
    PARALLEL = False  # blitted, as the contour view
    CAMERA = False  # flat: the camera does not show
    SHOWN_AS = "Contour maps, one panel per optimizer,"

    def build(self, data):
        fig = self.fig
        renderer = fig.canvas.get_renderer()
        groups = style.by_label(data.runs)
        texts = dict(data.legend)
        self.counter = DigitCounter(fig, data.steps) if data.counter else NoCounter()
        gap = layout.pixels(fig, layout.GAP)
        self.title = layout.title(fig, data.title, layout.counter_width(fig, data.steps))
        top = self.title.get_window_extent(renderer).y0 - gap
        font = style.FONT["tick"] if len(groups) > 4 else style.FONT["legend"]
        overlay = arrows.Overlay(data.runs, data.overlays, data.mesh) if data.overlays else None  # one scale for all
        self.panels, self.titles = [], []  # each panel's title as it says it before fitting
        for label, runs in groups.items():
            ax = fig.add_axes((0.1, 0.1, 0.3, 0.3))
            panel = ContourPanel(ax, data.mesh, runs, data.trail, data.color_scale, overlay, data.minima,
                                 data.short_axes)
            self.titles.append((label, style.legend_label(label, runs, texts.get(label))))
            ax.set_title(self.titles[-1][1], fontsize=font + 1, color=style.readable(runs[0].color, data.theme),
                         fontweight="bold")
            ax.tick_params(labelsize=font - 1)
            ax.xaxis.label.set_size(font)
            ax.yaxis.label.set_size(font)
            self.panels.append(panel)
        bar = self._colorbars(data, font)
        key = None
        if data.minima is not None:
            handles, labels = style.legend_handles([], marks=data.minima)
            key = fig.legend(handles, labels, loc="lower left", frameon=False, fontsize=font, handlelength=1.5)
        self._arrange(data, bar, key, top, font)
        if overlay:
            self._overlay_key(overlay, font)
        fig.canvas.draw()
        self.counter.draw_into_background()
        for panel in self.panels:
            panel.start()

    def _colorbars(self, data, font):
        """{side: colour bar axes} for a bar right of the panels and one under them (one is kept)."""
        fig, first = self.fig, self.panels[0]
        bars = {}
        for side, orientation in (("right", "vertical"), ("below", "horizontal")):
            bars[side] = fig.add_axes((0.9, 0.1, 0.03, 0.6) if side == "right" else (0.1, 0.02, 0.6, 0.03))
            colorbar = fig.colorbar(first.filled, cax=bars[side], orientation=orientation)
            style.label_colorbar(colorbar, first.levels, data.color_scale, data.zlabel)
            colorbar.ax.tick_params(labelsize=font - 1)
            (colorbar.ax.yaxis if side == "right" else colorbar.ax.xaxis).label.set_size(font)
        return bars

    def _arrange(self, data, bars, key, top, font):
        """Choose the rows, the columns and the colour bar's side that draw the panels largest;
        place panels, titles, bar and the minimum's key; fit each panel's title to its width."""
        fig = self.fig
        renderer = fig.canvas.get_renderer()
        edge, gap, thickness = (layout.pixels(fig, share) for share in (layout.EDGE, layout.GAP, layout.BAR))
        room_w, room_h = fig.bbox.width - 2 * edge, top - edge
        aspect = layout.data_aspect(self.panels[0].ax)
        key_box = key.get_window_extent(renderer) if key else Bbox.from_bounds(0, 0, 0, 0)
        first = self.panels[0].ax
        first.tick_params(labelbottom=True, labelleft=True)
        first.set_xlabel(data.short_axes[0])
        first.set_ylabel(data.short_axes[1])
        outer = layout.Margins.of(first, renderer)
        # Columns lie apart by a gap and a tick label: half of one may reach past each panel's side.
        across = gap + _widest_tick_label(first)
        reach = {side: layout.Margins.of(cax, renderer) for side, cax in bars.items()}
        key_reach = max(reach["right"].right, key_box.width - thickness)
        best = None
        for side in ("right", "below"):
            width = room_w - outer.left - outer.right
            height = room_h - outer.bottom
            if side == "right":
                width -= gap + thickness + key_reach
            else:
                height -= gap + thickness + reach["below"].bottom
            chosen = layout_cells(len(self.panels), width, height, aspect, across, gap,
                                  titles=lambda w: self._fit_titles(w, font))
            if chosen is None:
                continue
            rows, cols, heights = chosen
            pw, ph = _cell(width, height, rows, cols, aspect, across, rows * gap + sum(heights))
            if best is None or pw * ph > best[0] * 1.0001:
                best = (pw * ph, side, rows, cols, pw, ph, heights)
        if best is None:  # some title fits no panel, even one alone in the frame's width
            self._fit_titles(room_w - outer.left - outer.right, font, strict=True)
            raise SceneError("title: the panels' titles leave no room for the panels; shorten the optimizers' labels")
        _, side, rows, cols, pw, ph, heights = best
        self._fit_titles(pw, font)
        bars.pop("below" if side == "right" else "right").remove()
        self.colorbar_ax = bars[side]
        block_w = outer.left + cols * pw + (cols - 1) * across + outer.right
        block_h = rows * (gap + ph) + sum(heights) - gap + outer.bottom
        group_w = block_w + (gap + thickness + key_reach if side == "right" else 0)
        group_h = block_h + (gap + thickness + reach["below"].bottom if side == "below" else 0)
        left = (fig.bbox.width - group_w) / 2 + outer.left
        upper = top - (room_h - group_h) / 2
        tops = [upper - sum(heights[:row + 1]) - row * (gap + ph) - gap * (row > 0) for row in range(rows)]
        cells = [Bbox.from_bounds(left + col * (pw + across), tops[row] - ph, pw, ph)
                 for row, col in (divmod(i, cols) for i in range(rows * cols))]
        for i, panel in enumerate(self.panels):
            layout.place(panel.ax, cells[i])
            below_empty = i + cols >= len(self.panels)  # no panel under it: its x axis is labelled
            panel.ax.tick_params(labelbottom=below_empty, labelleft=i % cols == 0)
            panel.ax.set_xlabel(data.short_axes[0] if below_empty else "")
            panel.ax.set_ylabel(data.short_axes[1] if i % cols == 0 else "")
        panels_top, panels_bottom = cells[0].y1, cells[-1].y0
        panels_right = left + cols * pw + (cols - 1) * across
        if side == "right":  # the key under the bar, clear of its lowest tick label
            key_room = key_box.height + 2 * gap if key else 0
            bar_left = panels_right + outer.right + gap
            layout.place(self.colorbar_ax, Bbox.from_extents(bar_left, panels_bottom + key_room,
                                                             bar_left + thickness, panels_top))
            where = (min(bar_left, fig.bbox.width - layout.pixels(fig, layout.EDGE) - key_box.width), panels_bottom)
        else:
            key_room = key_box.width + gap if key else 0
            y1 = panels_bottom - outer.bottom - gap
            ends = reach["below"]  # its first and last tick labels reach past the bar's ends
            layout.place(self.colorbar_ax, Bbox.from_extents(left + ends.left, y1 - thickness,
                                                             panels_right - key_room - ends.right, y1))
            where = (panels_right - key_box.width, y1 - thickness - reach["below"].bottom)
        if key:
            key.set_bbox_to_anchor((where[0] / fig.bbox.width, where[1] / fig.bbox.height))
        # Where the overlay arrows' key goes: the first cell without a panel.
        self.empty_cell = cells[len(self.panels)] if rows * cols > len(self.panels) else None

    def _fit_titles(self, width, font, strict=False):
        """Fit each panel's title to `width` pixels: on one line, its settings on a line of their
        own, wrapped, then smaller down to the smallest text allowed; each title's height in
        pixels, or None if one does not fit (with `strict`, a SceneError naming its optimizer)."""
        renderer = self.fig.canvas.get_renderer()
        floor = layout.smallest_points(self.fig)
        heights = []
        for panel, (name, full) in zip(self.panels, self.titles):
            text = panel.ax.title
            label, _, notes = full.partition("\n")
            chars = max(8, int(width / (0.62 * (font + 1) * self.fig.dpi / 72)))
            shapes = [layout.wrapped(label, chars) if i == 2 else layout.wrapped(label) if i == 1 else label
                      for i in range(3)]
            shapes = [shape + (f"\n{layout.fill(notes, chars)}" if notes else "") for shape in shapes]
            tries = [(shape, font + 1) for shape in shapes] + [(shapes[-1], size) for size in
                                                                layout.font_sizes(font, floor)]
            for shown, size in tries:
                text.set_text(shown)
                text.set_fontsize(size)
                if text.get_window_extent(renderer).width <= width:
                    break
            else:
                if strict:
                    raise SceneError(f"optimizers[{name!r}].label: {label.split(legend.SEPARATOR)[0]!r} does not "
                                     f"fit a panel {width:.0f} pixels wide, even at {floor:.0f} points; shorten it")
                return None
            heights.append(text.get_window_extent(renderer).height)
        return heights

    def _overlay_key(self, overlay, font):
        """The arrows' key in the first empty cell, or in the first panel's emptiest corner."""
        if self.empty_cell is None:
            arrows.add_key(self.panels[0].ax, overlay, self.panels[0].runs)
            return
        fig = self.fig
        handles, labels, title = overlay.key_entries()
        fig.legend(handles, labels, title=title, loc="center", fontsize=font, title_fontsize=font, frameon=False,
                   handlelength=2.6, bbox_to_anchor=self.empty_cell.transformed(fig.transFigure.inverted()))

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


def _widest_tick_label(ax):
    """The width in pixels of the widest label the x axis of `ax` would give its ticks."""
    from matplotlib.font_manager import FontProperties

    renderer = ax.figure.canvas.get_renderer()
    locs = ax.xaxis.get_majorticklocs()
    size = ax.xaxis.get_majorticklabels()[0].get_fontsize() if len(locs) else style.FONT["tick"]
    texts = ax.xaxis.get_major_formatter().format_ticks(locs)
    return max((renderer.get_text_width_height_descent(t, FontProperties(size=size), ismath=False)[0] for t in texts),
               default=0.0)


def _cell(width, height, rows, cols, aspect, across, down):
    """A panel's (width, height) in pixels: `rows` x `cols` of them in width x height, each column
    taking `across` more pixels and the rows `down` more in all (gaps, titles)."""
    return layout.largest((width - (cols - 1) * across) / cols, (height - down) / rows, aspect)


def layout_cells(panels, width, height, aspect, across=0.0, down=0.0, titles=None):
    """(rows, cols, each row's title height) for `panels` panels of a window of width/height
    `aspect` (None: any) in width x height pixels, each column taking `across` more pixels and
    each row `down` more and the height its titles need: `titles(panel width)` gives each panel's
    (None: they cannot fit that width; no titles: 0). The arrangement that draws each panel
    largest, the one with fewer empty cells on a tie; None if no arrangement fits."""
    best = None
    for cols in range(1, panels + 1):
        rows = math.ceil(panels / cols)
        need = [0.0] * rows
        for _ in range(4):  # titles wrap to the panels' width, which depends on their height
            w, h = _cell(width, height, rows, cols, aspect, across, rows * down + sum(need))
            got = [0.0] * panels if titles is None else titles(w)
            if got is None:
                w = h = 0.0
                break
            tallest = [max(got[row * cols:(row + 1) * cols]) for row in range(rows)]
            if all(t <= n + 0.5 for t, n in zip(tallest, need)):
                break
            need = [max(t, n) for t, n in zip(tallest, need)]
        score = (round(w * h, 6), -(rows * cols - panels))
        if w > 0 and h > 0 and (best is None or score > best[0]):
            best = (score, rows, cols, tuple(need))
    return None if best is None else best[1:]
