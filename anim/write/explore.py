"""The interactive explorable, explore.html: one offline page holding a render's runs, surface and
looks with three.js and the page's own script (anim/write/web/), to scrub, play, rotate, toggle and hover."""

import base64
import gzip
import hashlib
import html
import io
import json
import math
from pathlib import Path

import numpy as np

from anim.errors import RenderError
from anim.write import files
from anim.write.manifest import FileRecord

PAGE_FILE = "explore.html"
WEB = Path(__file__).with_name("web")
SCRIPTS = ("three.min.js", "page.js")  # the page's script: the cut-down three.js, then the page's glue
SHARED_SCRIPT = "optianim-explore-{digest}.js"  # --html-script shared: the script once, at the output root
MESH_RESOLUTION = 101  # surface samples per side: the 3-D mesh and the contour picture
CONTOUR_PIXELS = 800  # the contour picture's longer side
# Every point of every run is kept as float32 (exactly the CSV's numbers) while they are at most this many
# numbers; beyond it (a big swarm) the bold runs stay exact and the others are kept to 1/65535 of the window.
EXACT_NUMBERS = 1_500_000
TRAIL = 10  # a swarm's runs show their last TRAIL updates behind the heads


def write(document):
    """The explorable of a render (an anim.write.formats.Document): [(temporary path, FileRecord)]."""
    final = document.folder / PAGE_FILE
    script = shared_script() if document.settings.html_script == "shared" else None
    if script is not None:  # beside the scene folders, once: content-addressed, so never a changed file
        name, body = script
        target = document.folder.parent / name
        if not target.is_file() or target.read_bytes() != body:
            files.write_bytes(target, body)
    page = page_html(document, script and f"../{script[0]}")
    temp = files.write_temp(final, page.encode("utf-8"))
    details = {"script": script[0] if script else "inline"}
    return [(temp, FileRecord.of(temp, final, None, "html", **details))]


def _asset(name):
    try:
        return (WEB / name).read_text(encoding="utf-8")
    except OSError:
        raise RenderError(f"explore.html: {WEB / name} is missing from this installation of optianim; "
                          "reinstall it (pip install --force-reinstall optianim)") from None


def script_text():
    """The page's whole script: three.js, then the page's glue."""
    return "\n".join(_asset(name) for name in SCRIPTS)


def shared_script():
    """(file name, bytes) of the script a --html-script shared page loads from the output root; the
    name carries the content's hash, so pages of two optianim versions never load the wrong one."""
    body = script_text().encode("utf-8")
    return SHARED_SCRIPT.format(digest=hashlib.sha256(body).hexdigest()[:12]), body


def standalone(page):
    """A page's text with its script inline, whether it carried it or loaded it from the output root."""
    import re

    return re.sub(r'<script src="\.\./optianim-explore-[0-9a-f]+\.js"></script>',
                  lambda _: f"<script>{_script_safe(script_text())}</script>", page)


def page_html(document, script_src=None):
    """explore.html's text: the data, the style and the script (inline, or loaded from `script_src`)."""
    data = json.dumps(page_data(document), separators=(",", ":"), allow_nan=False)
    if script_src is None:
        script = f"<script>{_script_safe(script_text())}</script>"
    else:
        script = f'<script src="{html.escape(script_src, quote=True)}"></script>'
    title = document.scene.title or document.scene.name
    return (_asset("page.html")
            .replace("{{title}}", html.escape(title))
            .replace("{{theme}}", document.settings.theme)
            .replace("{{style}}", _asset("page.css"))
            .replace("{{data}}", _script_safe(data))
            .replace("{{script}}", script))


def _script_safe(text):
    """Text that cannot end the <script> element holding it."""
    return text.replace("</", "<\\/")


def page_data(document):
    """Everything the page shows, as JSON-ready values (big arrays gzip-compressed, base64)."""
    from anim.compute import minima
    from anim.compute import window as windows
    from anim.look import colors, style, themes

    scene, runs, settings = document.scene, list(document.runs), document.settings
    x_range, y_range = document.window
    steps = scene.steps
    resolution = getattr(scene.surface, "resolution", None) or MESH_RESOLUTION
    mesh = windows.sample(scene.surface, x_range, y_range, resolution)
    z_range = windows.z_limits(mesh, runs)
    swarm = style.path_look(runs).swarm
    featured = style.featured_starts(runs)
    bold = [not swarm or run.run in featured for run in runs]
    exact = [b or len(runs) * steps * 3 <= EXACT_NUMBERS for b in bold]
    optimizers = list(scene.optimizers)
    index = {o.label: i for i, o in enumerate(optimizers)}
    looks = {theme: colors.looks(optimizers, theme) for theme in themes.THEMES}
    state_keys = {o.label: [] for o in optimizers}
    for run in runs:
        for key in run.state:
            if key not in state_keys[run.label]:
                state_keys[run.label].append(key)
    fields = ["grad_w1", "grad_w2", "update_w1", "update_w2"]
    for keys in state_keys.values():
        fields += [f"{key}_{w}" for key in keys for w in ("w1", "w2") if f"{key}_{w}" not in fields]
    exact_runs = [run for run, e in zip(runs, exact) if e]
    approx_runs = [run for run, e in zip(runs, exact) if not e]
    data = {
        "title": scene.title or scene.name,
        "name": scene.name,
        "steps": steps,
        "theme": settings.theme,
        "axes": list(_axis_names(document)),
        "zlabel": scene.zlabel,
        "window": {"x": list(x_range), "y": list(y_range), "z": list(z_range)},
        "aspect": _aspect(x_range, y_range),
        "ticks": {"x": _ticks(x_range), "y": _ticks(y_range), "z": _ticks(z_range)},
        "camera": list(scene.camera.pose(0.0)),
        "swarm": swarm,
        "trail": TRAIL if swarm else 0,
        "themes": {theme: {"background": themes.background(theme)} for theme in themes.THEMES},
        "optimizers": [
            {"label": o.label, "marker": colors.MARKER_NAMES[looks["light"][i].marker],
             "colors": {theme: looks[theme][i].drawn for theme in looks},
             "outline": {theme: style.outline_for(looks[theme][i].drawn) for theme in looks},
             "fields": ["grad_w1", "grad_w2", "update_w1", "update_w2"]
             + [f"{key}_{w}" for key in state_keys[o.label] for w in ("w1", "w2")]}
            for i, o in enumerate(optimizers)],
        # one list per field (a swarm has thousands of runs): optimizer index, start point, points drawn
        "runs": {"optimizer": [index[run.label] for run in runs], "run": [run.run for run in runs],
                 "drawn": [len(run.shown(steps - 1)) for run in runs],
                 "stops": [[i, run.stop.step, run.stop.reason] for i, run in enumerate(runs) if run.stop],
                 "bold": [i for i, b in enumerate(bold) if b], "exact": [i for i, e in enumerate(exact) if e]},
        "fields": fields,
        "points": _blob(np.stack([run.points for run in exact_runs]).astype("<f4")) if exact_runs else None,
        "extras": _blob(_extras(exact_runs, fields)) if exact_runs else None,
        "lr": _blob(np.stack([run.lr for run in exact_runs]).astype("<f8")) if exact_runs else None,
        "approx": _quantised(approx_runs, steps) if approx_runs else None,
        "mesh": _mesh(mesh, scene.color_scale),
        "contour": _contour_picture(mesh, scene.color_scale, _aspect(x_range, y_range)),
        "loss": _loss_curves(runs, optimizers, steps) if swarm else None,
        "minima": _minima(scene, minima.marked(scene, document.window,
                                               mesh if getattr(scene.surface, "resolution", None) else None)),
        "sweeps": _sweeps(optimizers),
        "starts": ([[float(v) for v in point] for point in _starts(runs)] if len(_starts(runs)) > 1 else None),
        "description": _description(document),
    }
    return data


def _axis_names(document):
    """The names of the window's two axes: a landscape's plane's (anim.compute.training.Projection),
    else w1 and w2."""
    return tuple(document.projection.axes) if document.projection is not None else ("w1", "w2")


def _description(document):
    """What the videos show in words (anim.write.describe.Description: each view's alt text and the
    transcript), shown beside the page's views; None when the render has none."""
    described = document.description
    if described is None:
        return None
    return {"alt": "\n".join(f"{view}: {text}" for view, text in described.alt.items()), "description": described.text()}


def _aspect(x_range, y_range):
    """Width over height of the contour view: the window's at equal scale, as the contour video draws it."""
    from anim.look.contour import MAX_EQUAL_ASPECT_RATIO

    ratio = (x_range[1] - x_range[0]) / (y_range[1] - y_range[0])
    return ratio if 1 / MAX_EQUAL_ASPECT_RATIO <= ratio <= MAX_EQUAL_ASPECT_RATIO else 1.0


def _ticks(limits):
    from matplotlib.ticker import MaxNLocator

    low, high = limits
    return [float(v) for v in MaxNLocator(nbins=5).tick_values(low, high) if low - 1e-9 * abs(high - low) <= v
            <= high + 1e-9 * abs(high - low)]


def _blob(array):
    """A numpy array's bytes, gzip-compressed (no time stamp: the same render, the same bytes), base64."""
    return base64.b64encode(gzip.compress(np.ascontiguousarray(array).tobytes(), 9, mtime=0)).decode("ascii")


def _extras(runs, fields):
    """[runs, steps, fields] float32: grad, update and each state key, as the CSV and JSON hold them
    (NaN where a run's optimizer keeps no such state)."""
    values = np.full((len(runs), len(runs[0].points), len(fields)), np.nan, dtype="<f4")
    for row, run in zip(values, runs):
        columns = {"grad_w1": run.grad[:, 0], "grad_w2": run.grad[:, 1],
                   "update_w1": run.update[:, 0], "update_w2": run.update[:, 1]}
        for key, pairs in run.state.items():
            columns[f"{key}_w1"], columns[f"{key}_w2"] = pairs[:, 0], pairs[:, 1]
        for j, name in enumerate(fields):
            if name in columns:
                row[:, j] = columns[name]
    return values


def _quantised(runs, steps):
    """The runs' drawn points (w1, w2, loss) in 16 bits over their range, each run's values as
    differences along the steps (mod 65536), laid out [run][coordinate][step]: smooth paths give small
    differences, which gzip packs tightly. A run's points after it stopped repeat its last drawn one."""
    points = np.stack([_held(run, steps) for run in runs]).astype(np.float64)  # [runs, steps, 3]
    finite = np.isfinite(points)
    low = np.array([points[..., c][finite[..., c]].min(initial=0.0) for c in range(3)])
    high = np.array([points[..., c][finite[..., c]].max(initial=1.0) for c in range(3)])
    span = np.where(high > low, high - low, 1.0)
    q = np.rint((np.nan_to_num(points, nan=0.0) - low) / span * 65535).clip(0, 65535).astype(np.int64)
    q = q.transpose(0, 2, 1)  # [runs, 3, steps]
    deltas = (np.diff(q, axis=2, prepend=0) % 65536).astype(np.uint16)
    planes = np.concatenate([(deltas & 255).ravel(), (deltas >> 8).ravel()]).astype(np.uint8)  # low bytes, then high
    return {"low": low.tolist(), "high": high.tolist(), "data": _blob(planes)}


def _held(run, steps):
    shown = run.shown(steps - 1)
    if len(shown) == 0:
        return np.zeros((steps, 3))
    return np.concatenate([shown, np.repeat(shown[-1:], steps - len(shown), axis=0)])


def _mesh(mesh, color_scale):
    """The surface for the 3-D view: its samples (float32) and each sample's colour as the videos draw it."""
    from matplotlib import colormaps

    from anim.look import style, themes

    _, norm = style.surface_colors(mesh, color_scale)
    z = np.ma.masked_invalid(mesh.z)
    rgb = (colormaps[themes.COLORMAP](norm(z))[..., :3] * 255).round().astype(np.uint8)
    return {"nx": len(mesh.x), "ny": len(mesh.y), "z": _blob(mesh.z.astype("<f4")), "colors": _blob(rgb)}


def _contour_picture(mesh, color_scale, aspect):
    """The filled contours the contour video draws (its levels, colour map and lines), as a PNG data
    URL with no axes: the page lays its paths and axes over it."""
    from matplotlib.figure import Figure

    from anim.look import style, themes

    width, height = (CONTOUR_PIXELS, round(CONTOUR_PIXELS / aspect)) if aspect >= 1 else (
        round(CONTOUR_PIXELS * aspect), CONTOUR_PIXELS)
    figure = Figure(figsize=(width / 100, height / 100), dpi=100)
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    levels, norm = style.surface_colors(mesh, color_scale)
    z = np.ma.masked_invalid(mesh.z)
    ax.contourf(mesh.x, mesh.y, z, levels=levels, cmap=themes.COLORMAP, norm=norm if color_scale == "log" else None)
    ax.contour(mesh.x, mesh.y, z, levels=levels[::2], colors="white", linewidths=0.6, alpha=0.45)
    ax.set_xlim(mesh.x_range)
    ax.set_ylim(mesh.y_range)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    from PIL import Image  # matplotlib's own dependency

    picture = Image.open(buffer).convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    picture.save(buffer, format="png", optimize=True)  # 256 colours: a third of the bytes, the levels' colours kept
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _loss_curves(runs, optimizers, steps):
    """A swarm's loss panel: per optimizer the median loss at each step over its runs still drawn,
    and the 10th to 90th percentile, as the dashboard draws them: [optimizers, 3, steps] float32."""
    import warnings

    curves = np.full((len(optimizers), 3, steps), np.nan, dtype=np.float32)
    for i, optimizer in enumerate(optimizers):
        members = [run for run in runs if run.label == optimizer.label]
        if not members:
            continue
        losses = np.full((len(members), steps), np.nan)
        for row, run in zip(losses, members):
            shown = run.shown(steps - 1)[:, 2]
            row[:len(shown)] = shown
        losses[~np.isfinite(losses)] = np.nan
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            curves[i] = np.nanpercentile(losses, (50, 10, 90), axis=0)
    return _blob(curves.astype("<f4"))


def _minima(scene, marks):
    """The points the views mark with a star (anim.compute.minima.Marks, or None): (w1, w2, loss there)."""
    from anim.compute import window as windows

    found = []
    for x, y in (marks.points if marks is not None else ()):
        loss = float(windows.sample(scene.surface, (x, x), (y, y), 1).z[0, 0])
        found.append([float(x), float(y), loss if math.isfinite(loss) else None])
    return found


def _sweeps(optimizers):
    """Each swept optimizer: its label, the swept names with their values in order, and for each
    member (by optimizer index) the value of each name it runs with."""
    sweeps = {}
    for i, o in enumerate(optimizers):
        if not o.swept:
            continue
        base = o.label.split(f" {o.swept[0]}=")[0]
        values = {name: (o.hyperparameters[name] if name in o.hyperparameters else getattr(o, name))
                  for name in o.swept}
        sweep = sweeps.setdefault((base, o.swept, getattr(o.factory, "__qualname__", repr(o.factory))),
                                  {"label": base, "names": list(o.swept), "values": {n: [] for n in o.swept},
                                   "members": {}})
        shown = {}
        for name, value in values.items():
            text = _shown(value)
            if text not in sweep["values"][name]:
                sweep["values"][name].append(text)
            shown[name] = text
        sweep["members"][str(i)] = shown
    return list(sweeps.values())


def _shown(value):
    return format(value, "g") if isinstance(value, float) else str(value)


def _starts(runs):
    """Each start point (by `Run.run`, in order) of the scene's runs."""
    starts = {}
    for run in runs:
        starts.setdefault(run.run, run.points[0, :2])
    return [starts[k] for k in sorted(starts)]
