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


def view_class(name):
    if name == "contour":
        from anim.render.contour import ContourView

        return ContourView
    if name == "surface":
        from anim.render.surface import SurfaceView

        return SurfaceView
    raise ValueError(f"unknown view {name!r}")
