"""A height-field surface for 3-D axes, projected each frame and drawn back to front as one quad mesh.

matplotlib's plot_surface builds one Path per polygon on every draw and orders the polygons by
their mean depth, which is slow (about half of a 3-D frame at 80x80 cells) and misorders the
steep walls of narrow valleys. A surface z = f(x, y) seen from above has a simpler exact order:
draw the grid from the far side to the near side, the axis most aligned with the view outermost.
The quads are then handed to the renderer's native quad-mesh routine in that order.
"""

import numpy as np
from matplotlib import artist, transforms
from matplotlib.cm import ScalarMappable
from mpl_toolkits.mplot3d import proj3d


class HeightField(artist.Artist):
    """Cells of z[i, j] over (x[j], y[i]), coloured by their mean height through `norm` and `cmap`."""

    def __init__(self, x, y, z, cmap, norm):
        super().__init__()
        xs, ys = np.meshgrid(x, y)
        valid = np.isfinite(z)
        self._points = (xs.ravel(), ys.ravel(), np.where(valid, z, 0.0).ravel())
        self._shape = z.shape
        z64 = z.astype(np.float64)  # float32 corners near 3e38 would overflow their sum
        cell_z = (z64[:-1, :-1] + z64[1:, :-1] + z64[:-1, 1:] + z64[1:, 1:]) / 4
        mappable = ScalarMappable(norm, cmap)
        faces = mappable.to_rgba(np.where(np.isfinite(cell_z), cell_z, norm.vmin))
        faces[~np.isfinite(cell_z)] = (0, 0, 0, 0)  # a cell touching a NaN sample is left out
        self._faces = faces
        self._x_mid, self._y_mid = float(np.mean(x)), float(np.mean(y))

    def draw(self, renderer):
        if not self.get_visible():
            return
        axes = self.axes
        px, py, _ = proj3d.proj_transform(*self._points, axes.M)
        corners = np.stack([px, py], axis=-1).reshape(*self._shape, 2)
        corners, faces = self._far_to_near(corners, self._faces)
        gc = renderer.new_gc()
        gc.set_clip_rectangle(axes.bbox)
        gc.set_linewidth(0)
        rows, cols = corners.shape[0] - 1, corners.shape[1] - 1
        renderer.draw_quad_mesh(gc, axes.transData.frozen(), cols, rows, np.ascontiguousarray(corners),
                                np.zeros((1, 2)), transforms.IdentityTransform(),
                                np.ascontiguousarray(faces.reshape(-1, 4)), False, np.zeros((0, 4)))
        gc.restore()
        self.stale = False

    def _far_to_near(self, corners, faces):
        """Reorder the grid so that row-major drawing goes from the far cells to the near ones."""
        axes = self.axes
        elevation, azimuth = np.radians(axes.elev), np.radians(axes.azim)
        # The horizontal direction towards the camera, in data units scaled to the axes box.
        (x0, x1), (y0, y1) = axes.get_xlim(), axes.get_ylim()
        box_x, box_y, _ = axes.get_box_aspect()
        toward_x = np.cos(azimuth) * box_x / (x1 - x0)
        toward_y = np.sin(azimuth) * box_y / (y1 - y0)
        if np.sin(elevation) < 0:  # seen from below: near and far swap
            toward_x, toward_y = -toward_x, -toward_y
        # Columns run along x, rows along y: far first means away from the camera first.
        if toward_x < 0:
            corners, faces = corners[:, ::-1], faces[:, ::-1]
        if toward_y < 0:
            corners, faces = corners[::-1], faces[::-1]
        if abs(toward_x * (x1 - x0)) > abs(toward_y * (y1 - y0)):
            # Mostly along x: the outer (row) loop must walk x, so transpose.
            corners, faces = corners.transpose(1, 0, 2), faces.transpose(1, 0, 2)
        return corners, faces
