"""The View base class: the frame template every view shares (figure, look, pixels)."""

from anim.look import colors, style


class View:
    """A view draws timeline frames of a ViewData as RGBA pixels. Subclasses set `name`,
    MESH_RESOLUTION (surface samples per side), PARALLEL (frames are worth drawing in worker
    processes), CAMERA (the camera's pose shows in its frames; the render cache keys on it) and
    SHOWN_AS (how a description names what it shows), TURNING_WHOLE (while the camera turns, every
    pixel of a frame changes: a GIF keeps whole frames),
    lay out the figure once in `build`, draw a frame's changing parts in `draw`, and make a
    frame's artists ordinary ones in `still` (for savefig)."""

    name = None
    MESH_RESOLUTION = 160
    PARALLEL = False
    CAMERA = True  # its frames change with the camera (a view that draws no 3-D says False)
    SHOWN_AS = "An animation"  # how its alt text begins: what a reader would see
    TURNING_WHOLE = False

    def __init__(self, data, width, height):
        self.theme, self.steps = data.theme, data.steps
        self.simulate = colors.FrameSimulator(data.cvd) if data.cvd else None  # a colour-vision preview
        self.width, self.height = width, height
        with style.look(self.theme):
            self.fig = style.new_figure(width, height, data.theme, data.transparent)
            self.build(data)

    def build(self, data):
        """Lay out the figure and draw what never changes."""
        raise NotImplementedError

    def draw(self, f):
        """Draw timeline frame f onto the canvas."""
        raise NotImplementedError

    def still(self, f):
        """The figure as frame f shows it, every artist an ordinary one, to save as PNG, SVG or PDF."""
        raise NotImplementedError

    def frame(self, f):
        """The RGBA pixels of timeline frame f (valid until the next frame is drawn); under a
        colour-vision preview, a new array of what that deficiency sees."""
        with style.look(self.theme):
            self.draw(f)
            pixels = style.rgba_frame(self.fig, self.width, self.height)
        return pixels if self.simulate is None else self.simulate(pixels)
