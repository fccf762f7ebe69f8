"""A step counter for blitted views, pasted from cached digit pixels instead of laid out as text.

Laying out and rasterizing 'step 37 / 99' costs about a millisecond, a quarter of a contour
frame. The counter is set in a monospaced font, so its fixed part is drawn once into the
background and each digit cell is filled from ten cached images.
"""

import numpy as np

from anim.look import style


class DigitCounter:
    """'step  37 / 99' at the lower right of `fig`; call `draw_into_background` before saving it."""

    def __init__(self, fig, steps):
        self.fig = fig
        self.steps = steps
        self.width = len(str(steps - 1))
        self.text = style.counter(fig)
        self.sprites, self.cells, self.targets = None, None, None

    def _label(self, number_field):
        return style.counter_text(number_field, self.steps)

    def draw_into_background(self):
        """Draw the fixed part, cache a picture of every digit, leave the number field blank.

        Call on a fully drawn canvas whose counter area is plain background.
        """
        canvas = self.fig.canvas
        renderer = canvas.get_renderer()
        clean = canvas.copy_from_bbox(self.fig.bbox)
        self.sprites = {}
        for digit in "0123456789":
            self.text.set_text(self._label(digit * self.width))
            self.fig.draw_artist(self.text)
            box = self.text.get_window_extent(renderer)
            cell = box.width / len(self.text.get_text())
            first = box.x0 + cell * len("step ")
            self.cells = [(int(np.floor(first + i * cell)), int(np.floor(box.y0)),
                           int(np.ceil(first + (i + 1) * cell)), int(np.ceil(box.y1)))
                          for i in range(self.width)]
            self.sprites[digit] = canvas.copy_from_bbox(_bbox(self.cells[0]))
            canvas.restore_region(clean)
        self.text.set_text(self._label(" " * self.width))
        self.fig.draw_artist(self.text)
        self.sprites[" "] = canvas.copy_from_bbox(_bbox(self.cells[0]))
        self.text.set_visible(False)
        # Where each cell's pixels go, in the canvas buffer's own coordinates (origin top left).
        self.targets = [canvas.copy_from_bbox(_bbox(cell)).get_extents()[:2] for cell in self.cells]

    def show(self, step):
        """Make the counter an ordinary text artist showing `step`, for a figure saved with savefig."""
        self.text.set_text(self._label(step))
        self.text.set_visible(True)

    def draw(self, step):
        """Paste the digits of `step` into the number field of the current canvas."""
        canvas = self.fig.canvas
        for char, target in zip(f"{step:>{self.width}}", self.targets):
            canvas.restore_region(self.sprites[char], xy=target)


class NoCounter:
    """Stands in for a counter where none is drawn (stills, unless asked)."""

    def draw_into_background(self):
        pass

    def show(self, step):
        pass

    def draw(self, step):
        pass


def _bbox(extents):
    from matplotlib.transforms import Bbox

    x0, y0, x1, y1 = extents
    return Bbox.from_extents(x0, y0, x1, y1)
