"""The view registry: each view's name, what it shows and its View class (imported on first use),
and `view_data`, the one way to build what a view draws."""

import importlib
from dataclasses import dataclass

# name: (module:class, one line for `--view`). Adding a view is one module and one line here.
VIEWS = {
    "contour": ("anim.look.contour:ContourView", "paths growing on the filled contours"),
    "surface": ("anim.look.threed:ThreeDView", "paths on the rotating 3-D surface"),
    "dashboard": ("anim.look.dashboard:DashboardView", "contour, 3-D surface and loss curves in one frame"),
    "grid": ("anim.look.multiples:MultiplesView", "small multiples: one contour panel per optimizer"),
    "inside": ("anim.look.inside:InsideView", "each optimizer's effective step per coordinate, |update|/|grad|"),
}
DEFAULT_VIEWS = ("contour", "surface")
WEIGHT_AXES = (r"$w_1$", r"$w_2$")  # what a surface's two coordinates are; a landscape's plane names its own


def view_class(name):
    """The View class registered as `name`."""
    try:
        module, cls = VIEWS[name][0].split(":")
    except KeyError:
        raise ValueError(f"unknown view {name!r}; use one of {', '.join(VIEWS)}") from None
    return getattr(importlib.import_module(module), cls)


@dataclass(frozen=True)
class ViewData:
    """Everything a view draws, picklable without torch so worker processes can rebuild the view."""

    title: str
    zlabel: str
    steps: int
    runs: list
    mesh: object
    theme: str = "light"
    transparent: bool = False  # the figure's background is see-through
    trail: int = 0             # updates of path shown behind each head, fading; 0 = all of it
    color_scale: str = "linear"  # or "log": see style.surface_colors
    counter: bool = True       # draw the step counter (stills leave it out unless asked)
    cvd: object = None         # a deficiency of anim.look.colors.DEFICIENCIES: the frames show what it sees
    overlays: tuple = ()       # arrows drawn at the heads (anim.look.arrows), checked against the runs
    camera: object = None      # the scene's Camera: the 3-D box is fitted to the frame along its path
    axes: tuple = WEIGHT_AXES  # the labels of the two coordinates (a landscape's: PC1 (...), direction 1, ...)
    short_axes: tuple = WEIGHT_AXES  # the same for small panels and the 3-D box (PC1 (87.3 %))
    legend: tuple = ()         # (optimizer label, what the legend says of it) pairs: anim.look.legend.text
    minima: object = None      # anim.compute.minima.Marks: points marked with a star, or None


def view_data(scene, runs, window, view, settings, projection=None):
    """What view `view` draws of the scene: its runs, marked where they went far outside the
    window (they are drawn up to there), each in its optimizer's colour and marker on the theme
    (anim.look.colors.looks), the surface sampled over the window at the view's resolution, and
    what its two coordinates are: w1 and w2, or a landscape's plane's axes (its `projection`,
    anim.compute.training.Projection, names them: PC1 (...), direction 1)."""
    from anim.compute import minima
    from anim.compute import window as windows
    from anim.look import colors, legend

    # A landscape's loss on its plane (anim.compute.plane.LossOnPlane) is costly: sampled at its own
    # resolution, the same grid for every view, so it is evaluated once.
    own = getattr(scene.surface, "resolution", None)
    mesh = windows.sample(scene.surface, *window, own or view_class(view).MESH_RESOLUTION)
    runs = colors.dressed(windows.mark_exits(runs, window), colors.looks(scene.optimizers, settings.theme))
    mode = settings.legend or scene.legend
    return ViewData(scene.title, scene.zlabel, scene.steps, runs, mesh, settings.theme, settings.transparent,
                    settings.trail, scene.color_scale, cvd=settings.cvd_preview, overlays=overlay_names(scene, settings),
                    camera=scene.camera, legend=tuple((o.label, legend.text(o, mode)) for o in scene.optimizers),
                    minima=minima.marked(scene, window, mesh if own else None),
                    **({} if projection is None else dict(axes=projection.axes, short_axes=projection.short_axes)))


def overlay_names(scene, settings):
    """The overlays to draw: those of the settings (--overlay) if given, else the scene's."""
    return tuple(scene.overlays if settings.overlays is None else settings.overlays)
