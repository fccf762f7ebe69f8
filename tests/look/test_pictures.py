"""What a frame shows, checked against geometry: each run's trajectory points are mapped through
the figure's own transforms to pixels, and the pixels there must (or must not) have its colour.
No frame is compared with another frame of the same renderer."""

import textwrap
from dataclasses import dataclass, field

import numpy as np
import pytest
from conftest import SCENES
from matplotlib import colors as mcolors
from mpl_toolkits.mplot3d import proj3d

from anim.compute import window
from anim.drive import pipeline
from anim.drive.settings import Settings
from anim.drive.timeline import timeline
from anim.look.views import view_class, view_data

WIDTH, HEIGHT = 640, 360
# The dashboard's loss curves are 1.5 points wide: one pixel, blurred, below 720p.
SIZES = {"dashboard": (1280, 720)}
RADIUS = 2        # pixels around a mapped point searched for a colour
TOLERANCE = 60    # largest difference in any of R, G, B from the colour looked for
CLEAR = 10        # pixels: a point this far from every drawn path shows none of its colour

# Red and blue paths, both below the diagonal w1 = w2, so each (w2, w1) lies well away from every
# path; the surface is viridis, which has neither colour.
TILTED = """
    import torch
    from anim import Camera, Optimizer, Scene

    scene = Scene(
        name="tilted", title="Tilted bowl",
        surface=lambda w1, w2: (w1 - 1.4) ** 2 + 4 * (w2 + 0.6) ** 2,
        init=(-0.8, -1.8), steps=12,
        x_range=(-2, 2), y_range=(-2, 2),
        optimizers=[
            Optimizer("SGD", torch.optim.SGD, lr=0.06, color="#ff0000"),
            Optimizer("Adam", torch.optim.Adam, lr=0.25, color="#0000ff"),
        ],
        camera=Camera(elevation=(20, 40), azimuth=(-60, 60)),
    )
"""


# ---- the one place that knows the views' insides -------------------------------------------------

@dataclass
class Parts:
    """Where a view draws what: its figure, 2-D contour panels with the labels of the runs each
    draws (None: every run), the 3-D axes, the loss axes, the legend, the colour bar's axes."""

    figure: object
    contours: list = field(default_factory=list)
    surface: object = None
    loss: object = None
    legend: object = None
    colorbar: object = None


def axes_of(view):
    """The axes, legend and colour bar of a built view (the only code reading a view's attributes)."""
    fig = view.fig
    legend = fig.legends[0] if fig.legends else None
    if view.name == "contour":
        return Parts(fig, [(view.ax, None)], legend=view.legend, colorbar=view.colorbar_ax)
    if view.name == "surface":
        return Parts(fig, surface=view.panel.ax, legend=legend)
    if view.name == "dashboard":
        return Parts(fig, [(view.contour.ax, None)], surface=view.surface_ax, loss=view.loss.ax, legend=legend)
    if view.name == "grid":
        panels = [(panel.ax, {run.label for run in panel.runs}) for panel in view.panels]
        colorbar = [ax for ax in fig.axes if all(ax is not panel for panel, _ in panels)]
        assert len(colorbar) == 1
        return Parts(fig, panels, legend=legend, colorbar=colorbar[0])
    raise ValueError(view.name)


def build(name, scene_path, width=WIDTH, height=HEIGHT):
    """(view, runs, timeline) as a render builds them: the window fitted, the runs told where they
    left it, the surface sampled at the view's resolution."""
    prepared = pipeline.prepare(scene_path)
    settings = Settings(views=(name,), width=width, height=height, fps=10)
    data = view_data(prepared.scene, prepared.runs, window.view_window(prepared.scene, prepared.runs), name, settings)
    return view_class(name)(data, width, height), data.runs, timeline(prepared.scene, settings)


# ---- geometry -------------------------------------------------------------------------------------

def to_pixels(ax, points):
    """(x, y) display coordinates of (w1, w2, ...) data points on a 2-D axes."""
    return ax.transData.transform(np.asarray(points, dtype=float)[:, :2])


def to_pixels_3d(ax, points):
    """(x, y) display coordinates of (w1, w2, loss) points on 3-D axes, seen from its current pose."""
    x, y, z = np.asarray(points, dtype=float).T
    px, py, _ = proj3d.proj_transform(x, y, z, ax.get_proj())
    return ax.transData.transform(np.column_stack([px, py]))


def path_at(run, position):
    """The points of `run` a frame at `position` shows, worked out from the Run's fields alone:
    points 0..floor(position), none from the first step where it diverged or left the view, and
    a head partway to the next point."""
    stops = [s for s in (run.diverged_at, run.left_view_at) if s is not None]
    end = min(stops + [len(run.points)])
    step = int(np.floor(position))
    points = run.points[:min(step + 1, end)].astype(float)
    if position > step and step + 1 < end:
        points = np.concatenate([points, [points[step] + (position - step) * (run.points[step + 1] - points[step])]])
    return points


def rgb(color):
    return np.array(mcolors.to_rgb(color)) * 255


def shows(frame, xy, color, radius=RADIUS, tolerance=TOLERANCE):
    """Whether a pixel within `radius` of display point xy has `color` (the buffer's origin is its
    top left corner: row = height - y)."""
    col, row = int(np.floor(xy[0])), int(np.floor(frame.shape[0] - xy[1]))
    patch = frame[max(row - radius, 0):row + radius + 1, max(col - radius, 0):col + radius + 1, :3]
    return bool((np.abs(patch.astype(float) - rgb(color)).max(axis=-1) <= tolerance).any())


def head_shows(frame, xy, color, tolerance=TOLERANCE):
    """Whether a head (a dot some 7 pixels across) of `color` is at display point xy: the pixel
    there and its four neighbours all have the colour, which no 1.4-pixel path line fills."""
    col, row = int(np.floor(xy[0])), int(np.floor(frame.shape[0] - xy[1]))
    cross = frame[[row, row - 1, row + 1, row, row], [col, col, col, col - 1, col + 1], :3]
    return bool((np.abs(cross.astype(float) - rgb(color)).max(axis=-1) <= tolerance).all())


def distance_to(xy, polylines):
    """The on-screen distance from point xy to the nearest of the polylines (arrays of points)."""
    best = np.inf
    for line in polylines:
        if len(line) == 1:
            best = min(best, float(np.hypot(*(line[0] - xy))))
            continue
        a, b = line[:-1], line[1:]
        d = b - a
        t = np.clip(np.einsum("ij,ij->i", xy - a, d) / np.maximum(np.einsum("ij,ij->i", d, d), 1e-12), 0, 1)
        best = min(best, float(np.hypot(*(a + t[:, None] * d - xy).T).min()))
    return best


def inside(box, xy, margin=0.0):
    """Whether display point xy lies in the matplotlib Bbox `box` grown by `margin`."""
    return box.x0 - margin <= xy[0] <= box.x1 + margin and box.y0 - margin <= xy[1] <= box.y1 + margin


def along(pixels, fractions=(0.25, 0.5, 0.75)):
    """Points on the on-screen segments between consecutive points, at these fractions of each."""
    a, b = pixels[:-1], pixels[1:]
    return np.concatenate([a + t * (b - a) for t in fractions]) if len(pixels) > 1 else np.empty((0, 2))


def densified(pixels, step=1.0):
    """Points every `step` pixels along the polyline, so no drawn pixel is missed."""
    if len(pixels) < 2:
        return pixels
    pieces = [pixels[:1]]
    for a, b in zip(pixels[:-1], pixels[1:]):
        n = max(int(np.ceil(np.hypot(*(b - a)) / step)), 1)
        pieces.append(a + np.linspace(0, 1, n + 1)[1:, None] * (b - a))
    return np.concatenate(pieces)


def bare_line(pixels, others, marked, apart=6.0):
    """Points along a path's segments that show its bare line, not a marker: 7 pixels from its
    head and, if `marked` (2-D paths have a small marker at each recorded point), 5 pixels from
    every point; and `apart` pixels from every other path (which may be drawn over it)."""
    points = along(pixels)
    far = np.hypot(*(pixels[-1] - points).T) >= 7
    if marked:
        far &= np.array([np.hypot(*(pixels - p).T).min() >= 5 for p in points], dtype=bool)
    keep = [p for p, ok in zip(points, far) if ok and distance_to(p, others) >= apart]
    return np.array(keep).reshape(-1, 2)


# ---- the views, built and drawn once per module ----------------------------------------------------

@pytest.fixture(scope="module")
def tilted(tmp_path_factory):
    path = tmp_path_factory.mktemp("scenes") / "tilted.py"
    path.write_text(textwrap.dedent(TILTED))
    return path


@pytest.fixture(scope="module")
def last_frames(tilted):
    """name -> (view, runs, last timeline frame, its pixels), each view of the tilted scene."""
    cache = {}

    def get(name):
        if name not in cache:
            view, runs, line = build(name, tilted, *SIZES.get(name, (WIDTH, HEIGHT)))
            f = line.frame(len(line) - 1)
            cache[name] = (view, runs, f, np.array(view.frame(f)))
        return cache[name]

    return get


def drawn_paths(view, runs, f):
    """[(axes, kind, {run index: display points of its path as frame f shows it})] for every panel
    of the view: kind '2d' or '3d' (the 3-D pose checked to be the frame's)."""
    parts = axes_of(view)
    panels = []
    for ax, labels in parts.contours:
        panels.append((ax, "2d", {i: to_pixels(ax, path_at(run, f.position)) for i, run in enumerate(runs)
                                  if labels is None or run.label in labels}))
    if parts.surface is not None:
        ax = parts.surface
        assert (ax.elev, ax.azim) == (f.elevation, f.azimuth)  # projected from the pose the frame is at
        panels.append((ax, "3d", {i: to_pixels_3d(ax, path_at(run, f.position)) for i, run in enumerate(runs)}))
    return panels


VIEWS = ["contour", "surface", "dashboard", "grid"]


def assert_paths_shown(view, runs, f, frame):
    """Each run's colour along the bare line of its path and at its head, in every panel."""
    for ax, kind, paths in drawn_paths(view, runs, f):
        for i, pixels in paths.items():
            color = runs[i].color
            line = bare_line(pixels, [p for j, p in paths.items() if j != i], marked=kind == "2d")
            assert len(line) >= 3, (kind, runs[i].label)  # enough of the path is bare line to look at
            missing = [tuple(p.round()) for p in line if not shows(frame, p, color)]
            assert not missing, f"{kind} {runs[i].label}: no {color} along its path at {missing}"
            assert head_shows(frame, pixels[-1], color), f"{kind} {runs[i].label}: no {color} head at {pixels[-1]}"


@pytest.mark.parametrize("name", VIEWS)
def test_each_run_shows_in_its_colour_along_its_path_and_at_its_head(last_frames, name):
    assert_paths_shown(*last_frames(name))


@pytest.mark.parametrize("name", VIEWS)
def test_still_figure_shows_each_run_along_its_path_and_at_its_head(tilted, name):
    """The figure `optianim still` saves (every artist an ordinary one, drawn by savefig)."""
    view, runs, line = build(name, tilted, *SIZES.get(name, (WIDTH, HEIGHT)))
    f = line.frame(len(line) - 1)
    fig = view.still(f)
    fig.canvas.draw()
    assert_paths_shown(view, runs, f, np.array(fig.canvas.buffer_rgba()))


@pytest.mark.parametrize("name", VIEWS)
def test_no_run_is_drawn_with_w1_and_w2_swapped(last_frames, name):
    view, runs, f, frame = last_frames(name)
    for ax, kind, paths in drawn_paths(view, runs, f):
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        for i in paths:
            # Where the run would be drawn were w1 and w2 swapped: its points and segment middles
            # as (w2, w1, loss), in the window and clear of every path actually drawn.
            points = path_at(runs[i], f.position)
            swapped = np.concatenate([points, (points[:-1] + points[1:]) / 2])[:, [1, 0, 2]]
            in_window = (x0 <= swapped[:, 0]) & (swapped[:, 0] <= x1) & (y0 <= swapped[:, 1]) & (swapped[:, 1] <= y1)
            swapped = swapped[in_window]
            pixels = to_pixels(ax, swapped) if kind == "2d" else to_pixels_3d(ax, swapped)
            pixels = [p for p in pixels if distance_to(p, paths.values()) >= CLEAR]
            assert len(pixels) >= 4, (kind, runs[i].label)  # the scene makes this check meaningful
            shown = [tuple(p.round()) for p in pixels if shows(frame, p, runs[i].color)]
            assert not shown, f"{kind} {runs[i].label}: {runs[i].color} at swapped points {shown}"


def test_contour_frame_midway_shows_each_path_up_to_its_head_and_no_further(tilted):
    view, runs, line = build("contour", tilted)
    middle = (runs[0].points.shape[0] - 1) / 2
    f = min(line, key=lambda g: abs(g.position - middle))
    assert f.position != int(f.position)  # a head partway between two points
    frame = np.array(view.frame(f))
    (ax, kind, paths), = drawn_paths(view, runs, f)
    for i, pixels in paths.items():
        run = runs[i]
        line_points = bare_line(pixels, [p for j, p in paths.items() if j != i], marked=True)
        assert len(line_points) >= 3
        assert all(shows(frame, p, run.color) for p in line_points), run.label
        assert head_shows(frame, pixels[-1], run.color), f"{run.label}: no head at {pixels[-1]}"
        # The rest of the path, from the head on, is not drawn yet.
        ahead = to_pixels(ax, run.points[int(f.position) + 1:])
        ahead = along(np.concatenate([pixels[-1:], ahead]), fractions=(0.0, 0.25, 0.5, 0.75))
        ahead = [p for p in ahead if distance_to(p, [pixels]) >= CLEAR]
        assert len(ahead) >= 3, run.label
        early = [tuple(p.round()) for p in ahead if shows(frame, p, run.color)]
        assert not early, f"{run.label}: {run.color} ahead of its head at {early}"


def test_grid_panels_each_show_only_their_own_optimizers_runs(last_frames):
    view, runs, f, frame = last_frames("grid")
    parts = axes_of(view)
    assert sorted(labels for _, labels in parts.contours) == sorted({run.label} for run in runs)
    for ax, labels in parts.contours:
        for run in runs:
            if run.label in labels:
                continue
            pixels = to_pixels(ax, path_at(run, f.position))
            pixels = np.concatenate([pixels, along(pixels)])
            assert all(inside(ax.bbox, p) for p in pixels)
            shown = [tuple(p.round()) for p in pixels if shows(frame, p, run.color)]
            assert not shown, f"the {sorted(labels)} panel shows {run.label}'s {run.color} at {shown}"


def test_dashboard_shows_all_three_panels(last_frames):
    view, runs, f, frame = last_frames("dashboard")
    parts = axes_of(view)
    height = frame.shape[0]

    def drawn_share(ax):
        """The share of the axes' pixels that are not the plain white background."""
        box = ax.bbox
        region = frame[int(height - box.y1):int(height - box.y0), int(box.x0):int(box.x1), :3].astype(int)
        return float(np.mean(np.abs(region - 255).max(axis=-1) > 16))

    (contour_ax, _), = parts.contours
    assert drawn_share(contour_ax) > 0.9  # filled contours cover the panel
    assert drawn_share(parts.surface) > 0.15  # the surface (the panes are near white)
    assert drawn_share(parts.loss) > 0.02
    # The loss panel: each run's loss at each update, as a curve in its colour with a head at the end.
    curves = {i: parts.loss.transData.transform(np.column_stack([np.arange(len(p)), p[:, 2]]))
              for i, p in ((i, path_at(run, f.position)) for i, run in enumerate(runs))}
    for i, pixels in curves.items():
        line_points = bare_line(pixels, [p for j, p in curves.items() if j != i], marked=False)
        assert len(line_points) >= 5
        missing = [tuple(p.round()) for p in line_points if not shows(frame, p, runs[i].color)]
        assert not missing, f"loss of {runs[i].label}: no {runs[i].color} at {missing}"
        assert head_shows(frame, pixels[-1], runs[i].color)


def assert_heads_shown(frame, runs, paths, where):
    """Each run's head in its colour at its pixel; of heads on one spot, the one drawn on top."""
    heads = {i: pixels[-1] for i, pixels in paths.items()}
    for i, head in heads.items():
        others = [other for j, other in heads.items() if j != i]
        if others and min(np.hypot(*(np.array(others) - head).T)) < 10:
            assert any(head_shows(frame, head, runs[j].color) for j in heads), (where, head)
        else:
            assert head_shows(frame, head, runs[i].color), (where, runs[i].label, head)


@pytest.mark.parametrize("name", ["surface", "dashboard"])
def test_3d_heads_show_at_their_projected_pixels_from_every_camera_pose(tilted, name):
    view, runs, line = build(name, tilted, *SIZES.get(name, (WIDTH, HEIGHT)))
    for index in (0, len(line) // 2, len(line) - 1):  # all on the shared start, apart, at the end
        f = line.frame(index)
        frame = np.array(view.frame(f))
        (ax, kind, paths), = [panel for panel in drawn_paths(view, runs, f) if panel[1] == "3d"]
        assert_heads_shown(frame, runs, paths, index)


# A bowl whose minimum falls between the nodes of every view's mesh: the surface's lowest sample
# lies above the loss of a run that reached the minimum.
OFF_MESH = """
    import torch
    from anim import Camera, Optimizer, Scene

    scene = Scene(
        name="off_mesh", title="Minimum between the mesh nodes",
        surface=lambda w1, w2: (w1 - 0.337) ** 2 + (w2 - 0.291) ** 2,
        init=(-1.5, 0.8), steps=30,
        x_range=(-2, 2), y_range=(-2, 2),
        optimizers=[Optimizer("SGD", torch.optim.SGD, lr=0.3, color="#ff0000")],
        camera=Camera(elevation=30, azimuth=-60),
    )
"""


@pytest.mark.parametrize("scene", ["off_mesh", "booth"])
def test_3d_heads_of_runs_that_reached_the_minimum_show(scene_file, scene):
    path = scene_file(textwrap.dedent(OFF_MESH), "off_mesh.py") if scene == "off_mesh" else SCENES / "booth.py"
    view, runs, line = build("surface", path)
    f = line.frame(len(line) - 1)
    frame = np.array(view.frame(f))
    (ax, kind, paths), = drawn_paths(view, runs, f)
    assert_heads_shown(frame, runs, paths, "last frame")


LECTURE_SCENES = ["pathological", "steep_optima"]
MARGIN = 5  # pixels: half a path's halo, or a head's radius with its edge, at 640 x 360


@pytest.mark.parametrize("name", VIEWS)
@pytest.mark.parametrize("scene", LECTURE_SCENES)
def test_legend_and_colour_bar_lie_clear_of_every_path_and_contour_panel(scene, name):
    view, runs, line = build(name, SCENES / f"{scene}.py")
    f = line.frame(len(line) - 1)
    view.frame(f)
    parts = axes_of(view)
    renderer = parts.figure.canvas.get_renderer()
    boxes = {}
    if parts.legend is not None:
        boxes["legend"] = parts.legend.get_window_extent(renderer)
    if parts.colorbar is not None:
        boxes["colour bar"] = parts.colorbar.get_tightbbox(renderer)
    assert boxes  # every view has a legend or a colour bar
    # A legend inside the axes (in a corner the paths leave empty) may lie over the plotting area;
    # the colour bar and a legend of the figure never do, as paths may go there in other scenes.
    outside = {what for what in boxes if what != "legend" or parts.legend.parent is parts.figure}
    for ax, kind, paths in drawn_paths(view, runs, f):
        if kind == "2d":
            assert not [what for what, box in boxes.items() if what in outside and box.overlaps(ax.bbox)]
        for i, pixels in paths.items():
            drawn = densified(pixels)
            if kind == "2d":  # a 2-D panel clips its paths to the axes
                drawn = [p for p in drawn if inside(ax.bbox, p)]
            for what, box in boxes.items():
                under = [tuple(p.round()) for p in drawn if inside(box, p, MARGIN)]
                assert not under, f"{kind} path of {runs[i].label} under the {what} at {under[:5]}"


# Two overlapping swarms of 36 runs each: a red and a blue one on the same starts.
SWARMS = """
    import torch
    from anim import Camera, Optimizer, Scene, starts
    from anim.surfaces import himmelblau

    scene = Scene(
        name="swarms", title="Two swarms", surface=himmelblau, init=starts.grid(6), steps=30,
        x_range=(-5, 5), y_range=(-5, 5),
        optimizers=[Optimizer("SGD", torch.optim.SGD, lr=0.005, color="#ff0000"),
                    Optimizer("Adam", torch.optim.Adam, lr=0.2, color="#0000ff")],
        camera=Camera(elevation=85, azimuth=-60),  # from above: the surface hides no stretch of a path
    )
"""


def share_shown(frame, pixels, color, others=(), heads=(), tolerance=40):
    """The share of points along a path's segments (7 pixels clear of every head, which are drawn
    over every path, and 6 of the `others` paths) whose pixel, or one next to it, has `color` all
    but opaque."""
    heads = np.concatenate([pixels[-1:], np.reshape(heads, (-1, 2))])
    points = [p for p in along(pixels) if np.hypot(*(heads - p).T).min() >= 7 and distance_to(p, others) >= 6]
    return np.mean([shows(frame, p, color, radius=1, tolerance=tolerance) for p in points])


@pytest.mark.parametrize("name", ["contour", "grid", "surface"])
def test_a_swarms_featured_runs_show_whole_in_their_colour_over_both_swarms(tmp_path, name):
    """Where two swarms overlap, the few runs each optimizer draws bold (the same starts for each)
    keep its colour, opaque, along most of their length; the swarm's other runs are faint lines
    that blend with the surface, and the same measure finds little of their colour."""
    from anim.look import style

    path = tmp_path / "swarms.py"
    path.write_text(textwrap.dedent(SWARMS))
    view, runs, line = build(name, path, 960, 540)
    f = line.frame(len(line) - 1)
    frame = np.array(view.frame(f))
    featured = style.featured_starts(runs)
    for ax, _, paths in drawn_paths(view, runs, f):
        bold = {i: pixels for i, pixels in paths.items() if runs[i].run in featured}
        assert len(bold) == 3 * len({runs[i].label for i in paths})  # three per optimizer of the panel
        heads = [pixels[-1] for pixels in paths.values()]
        for i, pixels in bold.items():  # away from the others drawn bold, which may cross it
            share = share_shown(frame, pixels, runs[i].color, [p for j, p in bold.items() if j != i], heads)
            assert share >= 0.9, (name, runs[i].label, runs[i].run, share)
        faint = [share_shown(frame, pixels, runs[i].color) for i, pixels in paths.items()
                 if runs[i].run not in featured]
        assert np.median(faint) < 0.5, (name, np.median(faint))


# ---- the minimum's star, and zig-zags that keep their colour -------------------------------------

WHITE = "#ffffff"


@pytest.mark.parametrize("name", VIEWS)
def test_the_minimum_is_marked_by_a_star_at_its_pixel(tilted, name):
    """TILTED's bowl has its minimum at (1.4, -0.6): found as the lowest point of the window (one
    clear basin) and starred, white, at that point's pixel in every panel, before the paths arrive."""
    view, runs, line = build(name, tilted, *SIZES.get(name, (WIDTH, HEIGHT)))
    (x, y), = view_data_minima(tilted)
    assert x == pytest.approx(1.4, abs=0.01) and y == pytest.approx(-0.6, abs=0.01)
    f = line.frame(0)
    frame = np.array(view.frame(f))
    parts = axes_of(view)
    for ax, _ in parts.contours:
        assert star_shows(frame, to_pixels(ax, [(x, y)])[0]), ax
    if parts.surface is not None:  # on the surface as drawn: the height of the view's mesh there
        mesh = view_mesh(tilted, name)
        i, j = np.searchsorted(mesh.y, y) - 1, np.searchsorted(mesh.x, x) - 1
        z = float(np.interp(x, mesh.x[j:j + 2], [np.interp(y, mesh.y[i:i + 2], mesh.z[i:i + 2, j + k]) for k in (0, 1)]))
        assert star_shows(frame, to_pixels_3d(parts.surface, [(x, y, z)])[0])


def star_shows(frame, xy):
    """Whether the white face of a star is at display point xy: most of the 3 x 3 pixels there are
    white (the star's core; the marker may snap a pixel aside), which no path or surface colour is."""
    col, row = int(np.floor(xy[0])), int(np.floor(frame.shape[0] - xy[1]))
    patch = frame[row - 1:row + 2, col - 1:col + 2, :3].astype(float)
    return int((np.abs(patch - 255).max(axis=-1) <= 45).sum()) >= 5


def view_data_minima(path):
    from anim.compute import minima

    prepared = pipeline.prepare(path)
    return minima.marked(prepared.scene, window.view_window(prepared.scene, prepared.runs)).points


def view_mesh(path, name):
    prepared = pipeline.prepare(path)
    settings = Settings(views=(name,), width=WIDTH, height=HEIGHT)
    return view_data(prepared.scene, prepared.runs, window.view_window(prepared.scene, prepared.runs), name,
                     settings).mesh


def test_a_dense_zig_zag_keeps_its_colour_where_it_folds_on_itself():
    """Momentum SGD zig-zags across Rosenbrock's valley where it starts, each swing crossing the
    ones before: a new segment's halo, drawn over the lines already there, would leave white where
    its line should be (19 % of the pixels under its path, measured with full halos there). With
    thin halos where the path folds, its own centre line stays coloured: under 5 % white."""
    view, runs, line = build("contour", SCENES / "rosenbrock.py", 1280, 720)
    f = line.frame(len(line) - 1)
    frame = np.array(view.frame(f))
    momentum = next(run for run in runs if run.label == "Momentum SGD")
    under = {(int(np.floor(frame.shape[0] - y)), int(np.floor(x)))
             for x, y in densified(to_pixels(view.ax, path_at(momentum, f.position)))}
    pixels = np.array([frame[row, col, :3] for row, col in under]).astype(int)
    assert len(pixels) > 300
    white = float(np.mean(pixels.min(axis=1) > 200))
    assert white < 0.05, white
