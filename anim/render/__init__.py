"""The views: one module per view, each drawing RGBA frames from a ViewData; `view_class` picks one."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ViewData:
    """Everything a view draws, picklable without torch so worker processes can rebuild the view."""

    title: str
    zlabel: str
    steps: int
    runs: list
    grid: object
    theme: str = "light"
    transparent: bool = False  # the figure's background is see-through
    trail: int = 0             # updates of path shown behind each head, fading; 0 = all of it
    color_scale: str = "linear"  # or "log": see style.surface_colors


def view_class(name):
    if name == "contour":
        from anim.render.contour import ContourView

        return ContourView
    if name == "surface":
        from anim.render.surface import SurfaceView

        return SurfaceView
    if name == "dashboard":
        from anim.render.dashboard import DashboardView

        return DashboardView
    if name == "grid":
        from anim.render.multiples import MultiplesView

        return MultiplesView
    raise ValueError(f"unknown view {name!r}")
