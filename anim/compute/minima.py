"""The minima a view marks with a star: the scene's own, the surface's known ones, or the lowest
point of the window where it lies in one clear basin."""

from collections import deque
from dataclasses import dataclass

import numpy as np

from anim.compute import window as windows

BASIN_SHARE = 0.05  # the basin: where the loss lies within this share of the window's range above its lowest
DECISION_RESOLUTION = 121  # samples per side of the mesh the lowest point is looked for on
REFINE_RESOLUTION = 21  # samples per side of the two mesh cells around it, where it is placed


@dataclass(frozen=True)
class Marks:
    """Points (w1, w2) to mark with a star, and what the legend calls them."""

    points: tuple
    label: str


def marked(scene, window, mesh=None):
    """The Marks of the scene in `window` ((x_range, y_range)), or None: the scene's `minima` if it
    declares them (an empty list: none), else the surface's known `minima` (anim.surfaces carries
    them), else the lowest point of the window, "lowest on grid", where it is well defined: off the
    window's edge, and the only basin (the points within BASIN_SHARE of the loss's range above it
    are one connected region). `mesh` is the surface sampled over the window when sampling it
    again would cost (a landscape's plane); else the window is sampled here."""
    declared = scene.minima if scene.minima is not None else getattr(scene.surface, "minima", None)
    if declared is not None:
        inside = tuple(p for p in declared if _inside(p, window))
        return Marks(inside, "minimum" if len(inside) == 1 else "minima") if inside else None
    refine = mesh is None
    if refine:
        mesh = windows.sample(scene.surface, *window, DECISION_RESOLUTION)
    lowest = lowest_basin(mesh)
    if lowest is None:
        return None
    i, j = lowest
    if refine:  # placed between the mesh's nodes, on a finer mesh of the cells around the lowest node
        x, y = mesh.x, mesh.y
        fine = windows.sample(scene.surface, (float(x[j - 1]), float(x[j + 1])), (float(y[i - 1]), float(y[i + 1])),
                              REFINE_RESOLUTION)
        z = np.where(np.isfinite(fine.z), fine.z, np.inf)
        i, j = np.unravel_index(int(np.argmin(z)), z.shape)
        point = (float(fine.x[j]), float(fine.y[i]))
    else:
        point = (float(mesh.x[j]), float(mesh.y[i]))
    return Marks((point,), "lowest on grid")


def lowest_basin(mesh):
    """(row, column) of the mesh's lowest node if it is off the edge and the only basin, else None."""
    z = mesh.z
    finite = np.isfinite(z)
    if not finite.any():
        return None
    low, high = float(z[finite].min()), float(z[finite].max())
    if not high > low:
        return None  # flat: no lowest point
    i, j = np.unravel_index(int(np.argmin(np.where(finite, z, np.inf))), z.shape)
    rows, cols = z.shape
    if not (0 < i < rows - 1 and 0 < j < cols - 1):
        return None  # the window cuts through the slope: its edge is lowest, not a basin
    basin = finite & (z <= low + BASIN_SHARE * (high - low))
    return (int(i), int(j)) if _one_region(basin, (i, j)) else None


def _one_region(mask, start):
    """Whether every True cell of `mask` is reached from `start` through neighbouring True cells
    (the eight around each)."""
    seen = np.zeros_like(mask)
    seen[start] = True
    queue = deque([start])
    rows, cols = mask.shape
    while queue:
        i, j = queue.popleft()
        for di in (-1, 0, 1):
            for dj in (-1, 0, 1):
                a, b = i + di, j + dj
                if 0 <= a < rows and 0 <= b < cols and mask[a, b] and not seen[a, b]:
                    seen[a, b] = True
                    queue.append((a, b))
    return int(seen.sum()) == int(mask.sum())


def _inside(point, window):
    (x0, x1), (y0, y1) = window
    return x0 <= point[0] <= x1 and y0 <= point[1] <= y1
