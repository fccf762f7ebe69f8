"""The camera path chosen from the data for a Camera left "auto": the pose that shows the most of
every path unhidden by the surface, and a turn towards it that keeps the paths in sight."""

import dataclasses

import numpy as np

ELEVATIONS = (25.0, 35.0, 45.0, 60.0)  # degrees tried, in order of preference on a tie
# Every 15 degrees but along an axis: seen end-on, an axis of the box shows no extent and no ticks.
AZIMUTHS = tuple(float(a) for a in range(0, 360, 15) if a % 90)
PREFERRED_ELEVATION = 35.0
SCORE_STEP = 0.02  # shares of visible path closer than this count as a tie
TURN, TURN_STEP = 90.0, 15.0  # the camera turns at most this far over the video, towards the best pose
KEEP = 0.9  # ... through poses that show at least this share of what the best pose shows
RUNS, POINTS = 24, 120  # the paths tested: at most this many runs, this many points each
RESOLUTION = 61  # samples per side of the surface the paths are tested against


def resolved(scene, runs, window):
    """`scene` with its camera's "auto" angles chosen from the data (itself if it has none)."""
    camera = scene.camera
    if not camera.automatic:
        return scene
    from anim.compute import window as windows

    own = getattr(scene.surface, "resolution", None)
    mesh = windows.sample(scene.surface, *window, min(own or RESOLUTION, RESOLUTION))
    elevation, azimuth = choose(mesh, runs, camera)
    return dataclasses.replace(scene, camera=dataclasses.replace(camera, elevation=elevation, azimuth=azimuth))


def choose(mesh, runs, camera):
    """(elevation, azimuth) (from, to) pairs: the elevation and the final azimuth that show the
    largest share of the least-shown path (then of all paths; the elevation nearest
    PREFERRED_ELEVATION on a tie), and a turn of up to TURN degrees ending there, through poses
    that keep showing at least KEEP of it. An angle the camera fixes stays as it is."""
    visible = Visibility(mesh, runs)
    elevations = ELEVATIONS if camera.elevation == "auto" else (camera.elevation[1],)
    azimuths = AZIMUTHS if camera.azimuth == "auto" else (camera.azimuth[1],)
    scores = {(e, a): visible.score(e, a) for e in elevations for a in azimuths}
    top = max(scores.values())
    tier = [pose for pose, score in scores.items() if score[0] >= top[0] - SCORE_STEP]
    best_e = min((e for e, _ in tier), key=lambda e: (abs(e - PREFERRED_ELEVATION), e))
    # Of the azimuths that show as much, the one that shows the paths longest on screen (not end-on).
    best_a = max((a for e, a in tier if e == best_e), key=lambda a: (round(scores[(best_e, a)][1] / SCORE_STEP),
                                                                   visible.length(best_e, a)))
    elevation = (best_e, best_e) if camera.elevation == "auto" else camera.elevation
    if camera.azimuth != "auto":
        return elevation, camera.azimuth
    target = scores[(best_e, best_a)][0]
    turns = []
    for direction in (-1, 1):  # how far back the turn may start, on either side
        span = 0.0
        while span < TURN and visible.score(best_e, best_a + direction * (span + TURN_STEP))[0] >= KEEP * target:
            span += TURN_STEP
        turns.append((span, direction))
    span, direction = max(turns)
    return elevation, (float(best_a + direction * span), float(best_a))


class Visibility:
    """Which points of the runs' paths the surface hides from a camera pose, as the 3-D view
    draws it (anim.look.heightfield.HeightField on axes of the same limits and box)."""

    def __init__(self, mesh, runs):
        from matplotlib.figure import Figure

        from anim.compute.window import z_limits
        from anim.look import themes
        from anim.look.heightfield import HeightField
        from anim.look.threed import BOX

        fig = Figure()
        ax = fig.add_subplot(projection="3d")
        ax.set_xlim(mesh.x_range)
        ax.set_ylim(mesh.y_range)
        ax.set_zlim(*z_limits(mesh, runs))
        ax.set_box_aspect(BOX)
        from matplotlib.colors import Normalize

        self.field = HeightField(mesh.x, mesh.y, mesh.z, themes.COLORMAP, Normalize(*mesh.z_limits()))
        ax.add_artist(self.field)
        self.ax = ax
        (x0, x1), (y0, y1) = mesh.x_range, mesh.y_range
        chosen = runs if len(runs) <= RUNS else [runs[i] for i in np.linspace(0, len(runs) - 1, RUNS).astype(int)]
        self.paths = []
        for run in chosen:
            points = run.shown(len(run.points) - 1).astype(float)
            points = points[np.isfinite(points).all(axis=1)]
            inside = (x0 <= points[:, 0]) & (points[:, 0] <= x1) & (y0 <= points[:, 1]) & (points[:, 1] <= y1)
            points = points[inside]
            if len(points):
                self.paths.append(points[np.linspace(0, len(points) - 1, min(len(points), POINTS)).astype(int)])
        self.cache = {}

    def length(self, elevation, azimuth):
        """The paths' summed length on screen from that pose (in the axes' projected units)."""
        from mpl_toolkits.mplot3d import proj3d

        self.ax.view_init(elev=elevation, azim=azimuth)
        matrix = self.ax.get_proj()
        total = 0.0
        for points in self.paths:
            x, y, _ = proj3d.proj_transform(points[:, 0], points[:, 1], points[:, 2], matrix)
            total += float(np.hypot(np.diff(x), np.diff(y)).sum())
        return total

    def score(self, elevation, azimuth):
        """(the least share of a path's points shown, the share of all of them) from that pose."""
        key = (float(elevation), float(azimuth) % 360.0)
        if key not in self.cache:
            if not self.paths:
                self.cache[key] = (1.0, 1.0)
            else:
                hidden = self.field.hidden(np.concatenate(self.paths), *key)
                cuts = np.cumsum([len(p) for p in self.paths])[:-1]
                shown = [1.0 - float(part.mean()) for part in np.split(hidden, cuts)]
                self.cache[key] = (min(shown), 1.0 - float(hidden.mean()))
        return self.cache[key]
