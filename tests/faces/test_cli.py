"""The command line: exit codes, one-line errors, notes, `info` printing the plan, a fast --help,
a real `optianim` process."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import probe
import pytest
from click.testing import CliRunner
from conftest import ROOT, SCENES

import anim
from anim.faces.cli import main


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.mark.parametrize("args, fragment", [
    (["--view", "sideways"], "Invalid value for '--view': 'sideways' is not one of 'contour', 'surface', 'dashboard', 'grid', 'inside'."),
    (["--format", "avi"], "Invalid value for '--format': 'avi' is not one of 'mp4', 'gif', 'webm', 'webp', 'mov', 'png', 'html', 'pptx', 'beamer'."),
    (["--fps", "0"], "Invalid value for '--fps': 0 is not in the range 1<=x<=240."),
    (["--size", "0x10"], "Invalid value for '--size': '0x10': each side must be at least 64 pixels"),
    (["--size", "big"], "Invalid value for '--size': 'big' is not WIDTHxHEIGHT, e.g. 1280x720"),
    (["--jobs", "0"], "Invalid value for '--jobs': 0 is not in the range x>=1."),
    (["--quality", "8k"], "Invalid value for '--quality': '8k' is not one of 'low', 'medium', 'high', '4k'."),
])
def test_bad_options_are_usage_errors(tiny_scene, args, fragment):
    result = run("render", tiny_scene, *args)
    assert result.exit_code == 2
    assert fragment in result.output
    assert "Usage: main render" in result.output or "Usage: optianim render" in result.output


def test_render_without_a_scene_is_a_usage_error():
    result = run("render")
    assert result.exit_code == 2 and "Missing argument 'SCENES...'" in result.output


@pytest.mark.parametrize("body, message", [
    ("x = 1\n", "defines no `scene`; end the file with scene = anim.Scene(...)"),
    ("def broken(:\n", ":1: syntax error: invalid syntax"),
])
def test_scene_errors_are_one_line_and_exit_1(scene_file, body, message):
    path = scene_file(body)
    for command in ("render", "info"):
        result = run(command, path)
        assert result.exit_code == 1
        lines = result.output.strip().splitlines()
        assert lines[-1].startswith(f"error: {path}") and lines[-1].endswith(message)
        assert "Traceback" not in result.output


@pytest.mark.parametrize("optimizer, surface, message", [
    ('Optimizer("SGD", torch.optim.SGD, lr=0.1, color="blurple")', "a * a + b * b",
     "optimizers['SGD'].color: matplotlib does not know the colour 'blurple'; "
     "use a name like 'red' or a hex code like '#1f77b4'"),
    ('Optimizer("SGD", torch.optim.SGD, lrr=0.1)', "a * a + b * b",
     "optimizers['SGD']: SGD rejected its hyperparameters: "
     "SGD.__init__() got an unexpected keyword argument 'lrr' (did you mean lr?)"),
    ('Optimizer("SGD", torch.optim.SGD, lr=[0.1, 0.2], colour="red")', "a * a + b * b",
     "optimizers['SGD lr=0.1']: SGD rejected its hyperparameters: "
     "SGD.__init__() got an unexpected keyword argument 'colour' (did you mean color?)"),
    ('Optimizer("SGD", torch.optim.SGD, lr=0.1)', "(a * b).sum()",
     "surface: must be elementwise (mesh of shape (3, 3) in, same shape out), got ()"),
    ('Optimizer("SGD", torch.optim.SGD, lr=0.1)', "torch.stack([a, b])",
     "surface: must be elementwise (mesh of shape (3, 3) in, same shape out), got (2, 3, 3)"),
    ('Optimizer("SGD", torch.optim.SGD, lr=0.1)', "(a * a + b * b).detach()",
     "surface: the loss does not depend on w1, w2 through torch operations (not differentiable); "
     "use torch functions, not numpy or math"),
    ('Optimizer("SGD", torch.optim.SGD, lr=0.1)', "__import__('numpy').sin(a.detach().numpy())",
     "surface: must be elementwise (mesh of shape (3, 3) in, same shape out), got ndarray"),
    ('Optimizer("SGD", torch.optim.SGD, lr=0.1)', "a.nonexistent()",
     "surface: fails on a mesh of points (AttributeError: 'Tensor' object has no attribute 'nonexistent'); "
     "write it elementwise with torch operations"),
    ('Optimizer("Adam", torch.optim.Adam, lr=-1)', "a * a + b * b",
     "optimizers['Adam']: Adam rejected its hyperparameters: Invalid learning rate: -1"),
])
def test_errors_found_by_running_the_scene_name_file_and_field_in_info_and_render(
        scene_file, tmp_path, optimizer, surface, message):
    path = scene_file(f"""
        import torch
        from anim import Scene, Optimizer
        scene = Scene(name="c", surface=lambda a, b: {surface}, steps=3, optimizers=[{optimizer}])
    """)
    for args in (["info", path], ["render", path, "-o", tmp_path / "out"]):
        result = run(*args)
        assert result.exit_code == 1
        assert result.output.strip().splitlines()[-1] == f"error: {path}:4: {message}"  # the Scene(...) line
    assert not (tmp_path / "out").exists()


def test_a_failing_scene_does_not_stop_the_others(scene_file, tiny_scene, tmp_path):
    broken = scene_file("def broken(:\n", "broken.py")
    # --jobs 1: one scene after the other, each in a process of its own
    result = run("render", broken, tiny_scene, "-o", tmp_path, "--size", "160x96", "--format", "png", "--jobs", "1")
    assert result.exit_code == 1
    assert f"error: {broken}:1: syntax error: invalid syntax" in result.output
    assert result.output.strip().splitlines()[-1] == "error: 1 of 2 scenes failed; see the errors above"
    assert (tmp_path / "bowl" / "surface.png").exists()


def test_debug_shows_the_traceback(scene_file):
    result = run("info", scene_file("x = 1\n"), "--debug")
    assert result.exit_code == 1 and "Traceback" in result.output


def test_output_root_that_is_a_file_is_a_clear_error(tiny_scene, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run("render", tiny_scene, "-o", blocker)
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        f"error: cannot create output folder {blocker}: {blocker} is a file")
    dangling = tmp_path / "media"
    dangling.symlink_to(tmp_path / "gone" / "media")
    result = run("render", tiny_scene, "-o", dangling)
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        f"error: cannot create output folder {dangling}: {dangling} is a broken symbolic link (to "
        f"{tmp_path / 'gone' / 'media'}); remove it or create what it points to")


def test_trajectories_refuses_unknown_suffix(tiny_scene, tmp_path):
    result = run("trajectories", tiny_scene, "-o", tmp_path / "t.xlsx")
    assert result.exit_code == 2
    assert "'t.xlsx' has no known suffix; use one of .csv, .json, .npz" in result.output


def test_trajectories_take_a_name_as_long_as_the_file_system_allows(tiny_scene, tmp_path):
    out = tmp_path / ("runs-" + "x" * 231 + ".csv")  # 240 characters: with the temporary's tag, 263
    result = run("trajectories", tiny_scene, "-o", out)
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("optimizer,run,step,w1,w2,loss") and len(list(tmp_path.iterdir())) == 2


def test_help_starts_without_torch_or_matplotlib():
    code = ("import sys; from anim.faces.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('torch', 'matplotlib', 'numpy') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_odd_size_is_rounded_and_the_real_size_reported(tmp_path, tiny_scene, render):
    rendered = render(tiny_scene, tmp_path, "--size", "321x181", "--view", "contour", "--format", "mp4")
    folder, records, output = rendered.folder, rendered.records, rendered.output
    assert "note: --size 321x181 rounded to 320x180 (H.264 needs even sides)" in output
    assert (probe.stream(folder / "contour.mp4").width, records["contour.mp4"]["height"]) == (320, 180)


def test_real_subprocess_render_of_the_steep_optima_scene(tmp_path):
    command = [sys.executable, "-m", "anim", "render", str(SCENES / "steep_optima.py"), "-o", str(tmp_path),
               "--size", "320x180", "--view", "contour"]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    probe.check_outputs(tmp_path / "steep_optima", SCENES / "steep_optima.py",
                        anim.info(SCENES / "steep_optima.py", size="320x180", views=["contour"]))


SOPHIA_SCENES = {
    "surface": """
        from anim import Scene, Optimizer
        from anim.surfaces import rosenbrock
        scene = Scene(name="sophia", surface=rosenbrock, init=(-1.5, 2.0), steps=12, x_range=(-2, 2), y_range=(-1, 3),
                      optimizers=[Optimizer("SophiaH", "sophiah", lr=0.05), Optimizer("AdaHessian", "adahessian")])
    """,
    "landscape": """
        import torch
        from torch import nn
        from anim import Landscape, Optimizer
        from anim.datasets import two_moons
        scene = Landscape(name="sophia", model=lambda: nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2)),
                          data=two_moons(64), loss=torch.nn.functional.cross_entropy, steps=12, resolution=9,
                          optimizers=[Optimizer("SophiaH", "sophiah", lr=0.05), Optimizer("AdaHessian", "adahessian")])
    """,
}


@pytest.mark.parametrize("kind", SOPHIA_SCENES)
def test_hessian_optimizers_render_with_no_warning_even_when_warnings_are_errors(kind, scene_file, tmp_path):
    pytest.importorskip("pytorch_optimizer")
    path = scene_file(SOPHIA_SCENES[kind])
    command = [sys.executable, "-W", "error::UserWarning", "-m", "anim", "render", str(path), "-o", str(tmp_path),
               "--view", "contour", "--format", "png", "--size", "160x96"]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "" and "arning" not in result.stdout, result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("name", ["pathological", "steep_optima"])
def test_default_render_of_the_lecture_scenes(tmp_path, name):
    scene = SCENES / f"{name}.py"
    optianim = Path(sys.executable).parent / "optianim"  # the installed console script
    result = subprocess.run([str(optianim), "render", str(scene), "-o", str(tmp_path)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    manifest = probe.check_outputs(tmp_path / name, scene, anim.info(scene))
    sizes = {r["file"]: (r["width"], r["height"]) for r in manifest["files"] if r.get("width")}
    assert sizes == {"contour.mp4": (1280, 720), "surface.mp4": (1280, 720),
                     "contour.gif": (960, 540), "surface.gif": (960, 540)}


def test_info_prints_the_numbers_of_the_plan(tiny_scene):
    options = dict(views=["contour", "surface"], formats=["mp4", "gif", "webp", "mov", "png"], size="320x180", fps=24,
                   gif_max_mb=1)
    plan = anim.info(tiny_scene, **options)
    result = run("info", tiny_scene, "--view", "contour", "--view", "surface", "--format", "mp4", "--format", "gif",
                 "--format", "webp", "--format", "mov", "--format", "png", "--size", "320x180", "--fps", "24",
                 "--gif-max-mb", "1")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    # steps counts recorded points, one before each update: 12 of them, 11 updates between them
    assert lines[0] == "bowl: Bowl; 2 optimizers x 1 start point, 12 recorded points (11 updates between them)"
    table = [line for line in lines[1:] if not line.startswith("note: ")]  # the colour notes come first
    rows = {line.split()[0]: line for line in table[1:]}
    assert list(rows) == [output.filename for output in plan.outputs]
    for output in plan.outputs:
        row = rows[output.filename]
        size = f"{output.width}x{output.height}"
        if output.format == "png":
            assert row.split() == [output.filename, "1", "-", "-", size]
            continue
        numbers = row.replace("<=", " ").split()
        assert numbers == [output.filename, str(output.frames), f"{output.fps:g}", f"{output.duration:.2f}s", size]
        # a WebP holds a run of identical frames as one; a GIF under --gif-max-mb keeps every frame
        assert ("<=" in row) == (output.format == "webp")
    # long numbers and names never run into the next column
    result = run("info", tiny_scene, "--view", "dashboard", "--format", "webm", "--format", "webp", "--pace", "0.001",
                 "--allow-large")
    assert result.exit_code == 0, result.output
    table = [line.split() for line in result.output.splitlines()[1:] if not line.startswith("note: ")]
    assert table == [["file", "frames", "fps", "duration", "size"],
                     ["dashboard.webm", "330076", "30", "11002.53s", "1280x720"],
                     ["dashboard.webp", "<=165038", "15", "11002.53s", "960x540"]]


def test_render_prints_the_colour_notes_and_the_manifest_keeps_them(tmp_path):
    """Issue 20: the lecture's own colours collide under a simulated deficiency; the render says
    which pair, under which deficiency, and keeps the lecture's colours."""
    result = run("render", ROOT / "scenes" / "pathological.py", "-o", tmp_path, "--view", "contour",
                 "--format", "png", "--size", "320x180")
    assert result.exit_code == 0, result.output
    pair = ("SGD (red) and RMSprop (darkgreen) look alike under protanopia (CIEDE2000 2.2, below 12); "
            "their markers (circle, down triangle) tell them apart")
    assert f"  note: {pair}\n" in result.output
    manifest = json.loads((tmp_path / "pathological" / "manifest.json").read_text())
    assert pair in manifest["color_notes"]
    assert [line[len("  note: "):] for line in result.output.splitlines()
            if line[len("  note: "):] in manifest["color_notes"]] == manifest["color_notes"]
    assert [(o["label"], o["color"], o["marker"]) for o in manifest["optimizers"]] == [
        ("SGD", "red", "o"), ("Momentum SGD", "blue", "s"), ("Nesterov", "darkred", "D"), ("Adagrad", "snow", "^"),
        ("RMSprop", "darkgreen", "v"), ("Adam", "black", "*")]
    assert manifest["optimizers"][3]["drawn_color"] == "#797474"  # snow on white: drawn darker, and said so
    assert [r["color"] for r in manifest["runs"]][:1] == ["red"] and manifest["settings"]["cvd_preview"] is None


def test_cvd_preview_renders_what_the_matrix_says_beside_the_real_files(tiny_scene, tmp_path):
    import imageio.v3 as iio
    from look.test_colors import machado

    args = ["render", tiny_scene, "-o", tmp_path, "--view", "contour", "--format", "png", "--size", "320x180"]
    assert run(*args).exit_code == 0
    real = {path.name: path.read_bytes() for path in (tmp_path / "bowl").iterdir()}
    result = run(*args, "--cvd-preview", "deuteranopia")
    assert result.exit_code == 0, result.output
    assert f"-> {tmp_path / 'bowl-deuteranopia'}" in result.output  # beside the real render, not over it
    assert {path.name: path.read_bytes() for path in (tmp_path / "bowl").iterdir()} == real  # only the preview
    manifest = json.loads((tmp_path / "bowl-deuteranopia" / "manifest.json").read_text())
    assert manifest["settings"]["cvd_preview"] == "deuteranopia"
    normal = iio.imread(tmp_path / "bowl" / "contour.png")[..., :3].astype(int)
    seen = iio.imread(tmp_path / "bowl-deuteranopia" / "contour.png")[..., :3].astype(int)
    # Flat areas (a 5 x 5 neighbourhood of one colour) of a colour that has some red or green in it:
    # the filled contours. Each must be exactly what the matrix makes of it.
    flat = np.ones(normal.shape[:2], bool)
    for dy in range(-2, 3):
        for dx in range(-2, 3):
            flat[2:-2, 2:-2] &= (normal[2 + dy:normal.shape[0] - 2 + dy, 2 + dx:normal.shape[1] - 2 + dx] ==
                                 normal[2:-2, 2:-2]).all(axis=-1)
    flat[:2], flat[-2:], flat[:, :2], flat[:, -2:] = False, False, False, False
    colourful = flat & (normal.max(axis=-1) - normal.min(axis=-1) > 60)
    known = {tuple(c) for c in normal[colourful]}
    assert len(known) >= 5  # several bands of viridis
    for color in known:
        where = colourful & (normal == color).all(axis=-1)
        assert (seen[where] == machado(color, "deuteranopia")).all(), color
        assert tuple(machado(color, "deuteranopia")) != color  # the preview changed it
    assert np.abs(seen - np.array([machado(c, "deuteranopia") for c in normal.reshape(-1, 3)]).reshape(seen.shape)
                  ).max() <= 1  # and every other pixel as well, to the rounding of the last level


def test_still_cvd_preview_is_png_only(tiny_scene, tmp_path):
    result = run("still", tiny_scene, "-o", tmp_path, "--view", "contour", "--size", "320x180",
                 "--cvd-preview", "protanopia")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "bowl-protanopia").iterdir()) == ["contour-still.png"]
    result = run("still", tiny_scene, "-o", tmp_path, "--format", "svg", "--cvd-preview", "protanopia")
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        "error: formats: svg with cvd_preview; a colour-vision preview changes pixels, so it is drawn as png only")
    result = run("render", tiny_scene, "--cvd-preview", "achromatopsia")
    assert result.exit_code == 2 and "'achromatopsia' is not one of 'deuteranopia', 'protanopia', 'tritanopia'" in result.output


def test_a_batch_plan_and_its_skipped_files_read_as_english(capsys):
    from anim.drive.outcome import Planned
    from anim.faces.cli import _BatchProgress

    shown = _BatchProgress()
    shown(Planned(["a.py", "b.py"], 2, 2, [(Path("course/common.py"), "no top-level `scene = ...`")]))
    shown(Planned(["a.py"], 1, 1, [(Path("c/x.py"), "not a regular file"), (Path("c/_y.py"), "its name starts with '_'")]))
    captured = capsys.readouterr()
    assert captured.out == ("2 scenes, 2 at a time, 2 processes each for 3-D frames\n"
                            "1 scene, 1 at a time, 1 process each for 3-D frames\n")
    assert captured.err == (
        "note: skipped 1 file that is no scene file (read, not run): course/common.py (no top-level `scene = ...`)\n"
        "note: skipped 2 files that are no scene files (read, not run): c/x.py (not a regular file); c/_y.py (its "
        "name starts with '_')\n")
TUNED_SCENE = """
    import torch
    import anim
    from anim import Scene, Optimizer
    from anim.surfaces import booth
    scene = Scene(name="booth", surface=booth, init=(-4.0, -4.0), steps=25, x_range=(-5, 5), y_range=(-5, 5),
                  optimizers=[Optimizer("SGD", torch.optim.SGD, lr=anim.tune(1e-4, 1, 12)),
                              Optimizer("Adam", torch.optim.Adam, lr=0.5)])
"""


def test_a_render_tunes_first_races_at_the_chosen_value_and_says_so(scene_file, tmp_path, null_encoder):
    path = scene_file(TUNED_SCENE)
    info = run("info", path, "--view", "contour", "--format", "mp4")
    assert "tune: SGD lr: 12 values from 0.0001 to 1, the best final loss chosen before the race" in info.output
    result = run("render", path, "-o", tmp_path, "--view", "contour", "--format", "mp4", "--size", "160x96")
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "booth" / "manifest.json").read_text())
    (tuned,) = manifest["tuning"]
    assert (tuned["optimizer"], tuned["hyperparameter"], tuned["objective"], tuned["candidates"]) == (
        "SGD", "lr", "final_loss", 12)
    assert tuned["chosen"] == tuned["values"][tuned["scores"].index(min(s for s in tuned["scores"] if s is not None))]
    sgd, adam = manifest["optimizers"]
    assert sgd["hyperparameters"]["lr"] == tuned["chosen"] and sgd["tuned"] == ["lr"] and adam["tuned"] == []
    rows = (tmp_path / "booth" / "trajectories.csv").read_text().splitlines()
    assert rows[1].split(",")[10] == repr(tuned["chosen"])  # the race ran at it
    assert f"tuned: SGD lr {tuned['chosen']:.4g}, the best final loss ({tuned['score']:.4g}) of 12 values from " \
           "0.0001 to 1 (batched: one torch run a round); the curve: tune.png" in result.output
    plot = next(f for f in manifest["files"] if f["file"] == "tune.png")
    assert (plot["width"], plot["height"]) == (960, 540)
    assert png_size(tmp_path / "booth" / "tune.png") == (960, 540)


def png_size(path):
    from matplotlib.image import imread

    height, width = imread(path).shape[:2]
    return width, height


def test_optianim_tune_gives_every_optimizer_its_best_learning_rate(scene_file, tmp_path):
    path = scene_file(TUNED_SCENE)
    result = run("tune", path, "-o", tmp_path, "--range", "0.001", "2", "--candidates", "9", "--objective", "distance",
                 "--minimum", "1", "3")
    assert result.exit_code == 0, result.output
    found = json.loads((tmp_path / "booth" / "tune.json").read_text())["tuning"]
    sgd, adam = found
    assert (sgd["range"], sgd["candidates"]) == ([1e-4, 1.0], 12)  # its own tune is kept
    assert (adam["range"], adam["candidates"], adam["objective"], adam["minimum"]) == ([0.001, 2.0], 9, "distance",
                                                                                        [1.0, 3.0])
    lines = result.output.splitlines()
    assert lines[1] == (f"Adam lr {adam['chosen']:.4g}, the best distance ({adam['score']:.4g}) of 9 values from "
                        "0.001 to 2 (batched: one torch run a round)")
    assert lines[2].startswith(f"wrote {tmp_path / 'booth' / 'tune.png'}, {tmp_path / 'booth' / 'tune.json'}")
    assert png_size(tmp_path / "booth" / "tune.png") == (960, 540)
    tuned = anim.tune_lr(path, tmp_path / "again", low=0.001, high=2, candidates=9, objective="distance",
                         minimum=(1, 3))
    assert [o.hyperparameters["lr"] for o in tuned.scene.optimizers] == [sgd["chosen"], adam["chosen"]]


@pytest.mark.parametrize("args, message", [
    (["--objective", "distance"], "error: tune: minimum: got None; objective 'distance' needs the minimum as a point "
                                  "(w1, w2)"),
    (["--range", "1", "0.1"], "error: tune: got the range (1.0, 0.1); give low and high with 0 < low < high"),
    (["--candidates", "1"], "Invalid value for '--candidates': 1 is not in the range 2<=x<=10000."),
])
def test_optianim_tune_refuses_bad_options_with_exit_2(tiny_scene, args, message):
    result = run("tune", tiny_scene, *args)
    assert result.exit_code == 2 and message in result.output, result.output
