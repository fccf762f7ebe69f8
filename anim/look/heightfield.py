"""A height-field surface for 3-D axes: lit by a light that follows the camera, projected each frame
and drawn back to front as one quad mesh; and which points the surface hides from the camera.

matplotlib's plot_surface builds one Path per polygon on every draw and orders the polygons by
their mean depth, which is slow (about half of a 3-D frame at 80x80 cells) and misorders the
steep walls of narrow valleys. A surface z = f(x, y) seen from above has a simpler exact order:
draw the grid from the far side to the near side, the axis most aligned with the view outermost.
The quads are then handed to the renderer's native quad-mesh routine in that order.
"""

import numpy as np
from matplotlib import artist, transforms
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.cm import ScalarMappable
from mpl_toolkits.mplot3d import proj3d

# Shading: a face turned to the light as squarely as flat ground shows the colour map's own colour
# (the colour bar's), one turned away is darkened towards DARKEST of it, one turned further to the
# light than the ground is lightened by at most LIGHTEST towards white. The hue never changes.
DARKEST, LIGHTEST = 0.5, 0.25
# The light, in the camera's frame: from the upper left, a little in front of the viewer.
LIGHT = np.array([-0.45, 0.65, 0.6])  # (right, up, towards the viewer)
HIDDEN_MARGIN = 0.004  # the surface must rise this share of the box's height above a ray to hide it
SEAM_WIDTH = 0.3  # points: vector stills draw each quad's edge in its own colour, closing the seams


def camera_axes(elevation, azimuth):
    """(right, up, towards the viewer) unit vectors of a camera at that pose, in the box's frame."""
    e, a = np.radians(elevation), np.radians(azimuth)
    toward = np.array([np.cos(e) * np.cos(a), np.cos(e) * np.sin(a), np.sin(e)])
    right = np.array([-np.sin(a), np.cos(a), 0.0])
    up = np.cross(toward, right)
    return right, up, toward


class HeightField(artist.Artist):
    """Cells of z[i, j] over (x[j], y[i]), coloured by their mean height through `norm` and `cmap`,
    shaded by their slope towards a light that turns with the camera."""

    def __init__(self, x, y, z, cmap, norm):
        super().__init__()
        xs, ys = np.meshgrid(x, y)
        valid = np.isfinite(z)
        self._x, self._y = np.asarray(x, float), np.asarray(y, float)
        self._z = np.where(valid, z, -np.inf).astype(np.float64)  # NaN hides nothing
        self._points = (xs.ravel(), ys.ravel(), np.where(valid, z, 0.0).ravel())
        self._shape = z.shape
        z64 = z.astype(np.float64)  # float32 corners near 3e38 would overflow their sum
        cell_z = (z64[:-1, :-1] + z64[1:, :-1] + z64[:-1, 1:] + z64[1:, 1:]) / 4
        mappable = ScalarMappable(norm, cmap)
        faces = mappable.to_rgba(np.where(np.isfinite(cell_z), cell_z, norm.vmin))
        faces[~np.isfinite(cell_z)] = (0, 0, 0, 0)  # a cell touching a NaN sample is left out
        self._colors = faces
        self._normals = None  # per cell, in the box's frame: set once the axes' limits are known
        self._horizon_pose = self._horizon = None  # the last pose's horizon (see `horizon`)

    def _box_normals(self):
        """Each cell's unit normal as the box shows it (x, y, z each scaled to the box's sides)."""
        axes = self.axes
        (x0, x1), (y0, y1), (z0, z1) = axes.get_xlim(), axes.get_ylim(), axes.get_zlim()
        bx, by, bz = axes._box_aspect
        sx, sy, sz = bx / (x1 - x0), by / (y1 - y0), bz / (z1 - z0)
        z = np.where(np.isfinite(self._z), self._z, 0.0) * sz
        dx = np.diff(self._x)[None, :] * sx
        dy = np.diff(self._y)[:, None] * sy
        dzdx = ((z[:-1, 1:] - z[:-1, :-1]) + (z[1:, 1:] - z[1:, :-1])) / 2 / dx
        dzdy = ((z[1:, :-1] - z[:-1, :-1]) + (z[1:, 1:] - z[:-1, 1:])) / 2 / dy
        normals = np.stack([-dzdx, -dzdy, np.ones_like(dzdx)], axis=-1)
        return normals / np.linalg.norm(normals, axis=-1, keepdims=True)

    def shaded(self, elevation, azimuth):
        """The cells' RGBA colours lit from the camera at that pose."""
        if self._normals is None:
            self._normals = self._box_normals()
        right, up, toward = camera_axes(elevation, azimuth)
        light = LIGHT[0] * right + LIGHT[1] * up + LIGHT[2] * toward
        light /= np.linalg.norm(light)
        flat = max(light[2], 0.2)  # how squarely flat ground faces the light
        facing = (self._normals @ light) / flat
        facing[np.abs(facing - 1) < 1e-9] = 1.0  # flat ground: exactly the colour map's colour
        out = self._colors.copy()
        rgb = out[..., :3]
        darker = facing < 1
        rgb[darker] *= (DARKEST + (1 - DARKEST) * np.clip(facing[darker], 0, 1))[:, None]
        lift = np.clip(facing - 1, 0, 1) * LIGHTEST
        rgb += (1 - rgb) * lift[..., None]
        return out

    def draw(self, renderer):
        if not self.get_visible():
            return
        axes = self.axes
        px, py, _ = proj3d.proj_transform(*self._points, axes.M)
        corners = np.stack([px, py], axis=-1).reshape(*self._shape, 2)
        corners, faces = self._far_to_near(corners, self.shaded(axes.elev, axes.azim))
        faces = np.ascontiguousarray(faces.reshape(-1, 4))
        gc = renderer.new_gc()
        gc.set_clip_rectangle(axes.bbox)
        vector = not isinstance(renderer, RendererAgg)
        # Agg fills the quads edge to edge; a vector viewer antialiases each quad's own edge and
        # shows hairline seams between them, so there each quad is stroked in its own colour.
        gc.set_linewidth(SEAM_WIDTH if vector else 0)
        rows, cols = corners.shape[0] - 1, corners.shape[1] - 1
        renderer.draw_quad_mesh(gc, axes.transData.frozen(), cols, rows, np.ascontiguousarray(corners),
                                np.zeros((1, 2)), transforms.IdentityTransform(), faces, False,
                                faces if vector else np.zeros((0, 4)))
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

    def horizon(self, elevation, azimuth):
        """At each of the mesh's nodes, the height (in box heights above the bottom) a point there
        must reach for the camera to see it over the surface in front of it.

        mplot3d's eye is ten box sizes away, so the rays to it are taken parallel. Marching the
        grid one column (or row) at a time from the side nearest the camera, a node's horizon is
        the higher of the surface and the horizon one column nearer (interpolated where the ray
        crosses that column), less the ray's rise over one column: one pass of the grid per pose,
        whatever the number of paths. The column itself is not counted: a point lies on the
        surface it is tested against."""
        if self._horizon_pose == (elevation, azimuth):
            return self._horizon
        axes = self.axes
        (x0, x1), (y0, y1), (z0, z1) = axes.get_xlim(), axes.get_ylim(), axes.get_zlim()
        _, _, toward = camera_axes(elevation, azimuth)
        nx, ny = len(self._x), len(self._y)
        bx, by, bz = axes._box_aspect
        # The ray's direction per unit of length, in (columns, rows, box heights).
        du = toward[0] / bx * (x1 - x0) * (nx - 1) / (self._x[-1] - self._x[0])
        dv = toward[1] / by * (y1 - y0) * (ny - 1) / (self._y[-1] - self._y[0])
        dh = toward[2] / bz
        low = -1e9  # below everything: off the mesh, or no surface (NaN)
        ground = np.where(np.isfinite(self._z), (self._z - z0) / (z1 - z0), low)
        if dh <= 0:  # level with the ground or below it: nothing is tested as hidden
            horizon = np.full(ground.shape, low)
        else:
            across = abs(dv) > abs(du)  # march along the axis the ray moves most along
            grid = ground.T if across else ground
            ahead_step, side_step = (dv, du) if across else (du, dv)
            towards_camera = ahead_step > 0
            if not towards_camera:
                grid = grid[:, ::-1]
            shift, rise = side_step / abs(ahead_step), dh / abs(ahead_step)
            rows = grid.shape[0]
            crossing = np.arange(rows) + shift
            inside = (crossing >= 0) & (crossing <= rows - 1)
            below = np.clip(np.floor(crossing).astype(int), 0, rows - 2)
            share = np.clip(crossing - below, 0, 1)
            horizon = np.full(grid.shape, low)
            for column in range(grid.shape[1] - 2, -1, -1):
                ahead = np.maximum(grid[:, column + 1], horizon[:, column + 1])
                seen = ahead[below] * (1 - share) + ahead[below + 1] * share - rise
                horizon[:, column] = np.where(inside, seen, low)
            if not towards_camera:
                horizon = horizon[:, ::-1]
            if across:
                horizon = horizon.T
        self._horizon_pose, self._horizon = (elevation, azimuth), horizon
        return horizon

    def hidden(self, points, elevation, azimuth):
        """For each (x, y, z) row of `points`, whether the surface lies between it and the camera:
        the point is lower than the horizon (interpolated between the mesh's nodes) by more than
        HIDDEN_MARGIN of the box's height."""
        points = np.asarray(points, float).reshape(-1, 3)
        if len(points) == 0:
            return np.zeros(0, bool)
        horizon = self.horizon(elevation, azimuth)
        z0, z1 = self.axes.get_zlim()
        nx, ny = len(self._x), len(self._y)
        u = (points[:, 0] - self._x[0]) / (self._x[-1] - self._x[0]) * (nx - 1)
        v = (points[:, 1] - self._y[0]) / (self._y[-1] - self._y[0]) * (ny - 1)
        h = (points[:, 2] - z0) / (z1 - z0)
        on = (u >= 0) & (u <= nx - 1) & (v >= 0) & (v <= ny - 1) & np.isfinite(h)
        iu = np.clip(np.floor(np.nan_to_num(u)).astype(int), 0, nx - 2)
        iv = np.clip(np.floor(np.nan_to_num(v)).astype(int), 0, ny - 2)
        fu, fv = np.clip(u - iu, 0, 1), np.clip(v - iv, 0, 1)
        line = ((horizon[iv, iu] * (1 - fu) + horizon[iv, iu + 1] * fu) * (1 - fv)
                + (horizon[iv + 1, iu] * (1 - fu) + horizon[iv + 1, iu + 1] * fu) * fv)
        return on & (h < line - HIDDEN_MARGIN)
