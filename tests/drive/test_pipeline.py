"""A render writes what `anim.info` plans and the manifest promises, all files or none; each view is
fed the frames its files need (checked with the null encoder, without ffmpeg)."""

import csv
import hashlib
import json
import os
import textwrap

import numpy as np
import probe
import pytest
from conftest import TINY_SCENE

import anim
from anim.compute import trajectory
from anim.declare.loader import load_scene
from anim.drive.settings import frame_count
from anim.look.views import view_class
from anim.write.encode import PALETTE_SAMPLES

RAVINE_WITH_A_BAD_RATE = """
    import torch
    from anim import Scene, Optimizer

    scene = Scene(
        name="ravine", title="One learning rate far too big",
        surface=lambda w1, w2: torch.tanh(w1) ** 2 + 0.01 * torch.abs(w1) + torch.sigmoid(w2),
        init=(5, 5), steps=40, x_range="auto", y_range="auto",
        optimizers=[
            Optimizer("SGD lr=1e6", torch.optim.SGD, lr=1e6, color="red"),
            Optimizer("Momentum SGD", torch.optim.SGD, lr=10, momentum=0.9, color="blue"),
            Optimizer("Adagrad", torch.optim.Adagrad, lr=10, color="white"),
            Optimizer("RMSprop", torch.optim.RMSprop, lr=10, color="green"),
            Optimizer("Adam", torch.optim.Adam, lr=10, color="black"),
        ],
    )
"""


def test_render_small_scene_contract(tmp_path, tiny_scene, render):
    result = render(tiny_scene, tmp_path, "--size", "320x180", "--fps", "20")
    folder = tmp_path / "bowl"
    plan = anim.info(tiny_scene, size="320x180", fps=20)
    info = {output.filename: output for output in plan.outputs}
    # 0.5 s and 2 s holds at 20 fps; 11 updates at 30 updates per second take 8 frames.
    assert info["contour.mp4"].frames == 10 + 8 + 40
    manifest = probe.check_outputs(folder, tiny_scene, plan)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["contour.mp4", "contour.gif", "surface.mp4", "surface.gif", "trajectories.csv", "manifest.json",
         "index.html", "description.txt", "contour.vtt", "surface.vtt"])
    # The CSV holds exactly the trajectories, in the documented columns.
    runs = trajectory.compute(load_scene(tiny_scene))
    with open(folder / "trajectories.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:6] == ["optimizer", "run", "step", "w1", "w2", "loss"]  # first, in this order
    assert len(rows) == 1 + 2 * 12
    table = np.array([[float(v) for v in row[3:6]] for row in rows[1:]], dtype=np.float32)
    np.testing.assert_array_equal(table, np.concatenate([r.points for r in runs]))
    assert [row[:3] for row in rows[1:3]] == [["SGD", "0", "0"], ["SGD", "0", "1"]]
    assert [r["optimizer"] for r in manifest["runs"]] == ["SGD", "Adam"]
    assert "ready contour.mp4" in result.output and "ready trajectories.csv" in result.output
    assert result.output.splitlines()[-1].startswith("  done in ")


def test_view_and_format_selection(tmp_path, tiny_scene, render):
    render(tiny_scene, tmp_path, "--view", "contour", "--format", "gif", "--size", "200x120")
    folder = tmp_path / "bowl"
    assert sorted(p.name for p in folder.iterdir()) == ["contour.gif", "contour.vtt", "description.txt", "index.html",
                                                        "manifest.json", "trajectories.csv"]
    probe.check_outputs(folder, tiny_scene, anim.info(tiny_scene, views=["contour"], formats=["gif"], size="200x120"))


def test_a_failure_in_the_second_view_changes_nothing(tmp_path, tiny_scene, monkeypatch, render, null_encoder):
    options = ["--size", "160x96", "--jobs", "1"]
    render(tiny_scene, tmp_path, *options)
    folder = tmp_path / "bowl"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    SurfaceView = view_class("surface")

    def failing_frame(self, f):
        if f.index == 20:
            raise RuntimeError("the 3-D view broke")
        return original(self, f)

    original = SurfaceView.frame
    monkeypatch.setattr(SurfaceView, "frame", failing_frame)
    (tiny_scene).write_text(tiny_scene.read_text().replace("lr=0.1", "lr=0.05"))  # new trajectories
    result = render(tiny_scene, tmp_path, *options, exit_code=1)
    assert result.output.strip().splitlines()[-1].startswith("internal error: RuntimeError: the 3-D view broke")
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_a_learning_rate_far_too_big_is_a_lesson_not_a_crash(scene_file, tmp_path, render):
    """SGD at lr=1e6 on the ravine jumps 10,000 units at its first update (tanh keeps it finite)."""
    path = scene_file(RAVINE_WITH_A_BAD_RATE, "ravine.py")
    result = render(path, tmp_path, "--size", "320x180", "--format", "mp4")
    assert ("  note: SGD lr=1e6 (run 0) left the view at step 1 (far outside it): drawn up to there; "
            "trajectories.csv has every value") in result.output.splitlines()
    folder = tmp_path / "ravine"
    manifest = json.loads((folder / "manifest.json").read_text())
    left = {r["optimizer"]: r["left_view_at"] for r in manifest["runs"]}
    assert left == {"SGD lr=1e6": 1, "Momentum SGD": None, "Adagrad": None, "RMSprop": None, "Adam": None}
    # The window fits the runs that stayed, not the one that flew 10,000 units off.
    assert -100 < manifest["x_range"][0] < manifest["x_range"][1] < 100
    with open(folder / "trajectories.csv", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["optimizer"] == "SGD lr=1e6"]
    assert len(rows) == 40 and abs(float(rows[1]["w1"])) > 1000  # the real values, not the drawn ones
    probe.check_decoded_frames(folder, manifest["files"])


def test_each_view_is_fed_every_frame_and_its_gif_palette_frames_spread_over_them(tmp_path, tiny_scene, null_encoder):
    options = dict(views=["contour", "surface"], formats=["mp4", "gif", "webp", "png"], size="160x96", fps=24)
    result = anim.render(tiny_scene, tmp_path, jobs=1, **options)
    plan = anim.info(tiny_scene, **options)
    frames = frame_count(12, plan.settings)
    assert [(encoder.view, encoder.frames) for encoder in null_encoder] == [("contour", frames), ("surface", frames)]
    for encoder in null_encoder:
        assert set(encoder.shapes) == {(96, 160, 4)} and list(encoder.finals) == options["formats"]
        # The GIF's colours are chosen from PALETTE_SAMPLES frames spread from the first to the last.
        samples = [hashlib.sha256(np.asarray(sample).tobytes()).hexdigest() for sample in encoder.samples]
        assert len(samples) == PALETTE_SAMPLES
        assert samples[0] == encoder.digests[0] and samples[-1] == encoder.digests[-1]
        assert set(samples) <= set(encoder.digests)
    # What the files get of those frames is what `anim.info` planned.
    planned = {o.filename: (o.frames, o.fps, o.width, o.height) for o in plan.outputs}
    assert {r.file: (r.frames, r.fps, r.width, r.height) for r in result.files if r.view} == planned


def test_a_still_format_alone_draws_the_last_frame_alone(tmp_path, tiny_scene, null_encoder):
    anim.render(tiny_scene, tmp_path / "video", views=["contour"], formats=["mp4", "png"], size="160x96")
    anim.render(tiny_scene, tmp_path / "still", views=["contour"], formats=["png"], size="160x96")
    video, still = null_encoder
    assert video.frames == 87 and still.frames == 1 and still.samples == []
    assert still.digests == video.digests[-1:]


def write_note(document):
    """A document format's writer, for the test below: what it was given, as one line of text."""
    from anim.write import files
    from anim.write.manifest import FileRecord

    final = document.folder / "note.txt"
    seen = [f"{record.file}:{len(document.temps[record.path].read_bytes())}" for record in document.records]
    text = f"{document.scene.name} {len(document.runs)} runs {len(document.timeline)} frames; {', '.join(seen)}"
    temp = files.write_temp(final, text.encode())
    return [(temp, FileRecord.of(temp, final, None, "note"))]


def test_a_document_format_is_written_once_per_scene_after_the_views_from_their_files(monkeypatch, tmp_path,
                                                                                      tiny_scene):
    from anim.write.formats import FORMATS, Format

    monkeypatch.setitem(FORMATS, "note", Format("note", "a test document", "text/plain", page="link", frames="none",
                                                alpha=False, codec="text", writer=f"{__name__}:write_note",
                                                filename="note.txt"))
    plan = anim.info(tiny_scene, views=["contour", "surface"], formats=["png", "note"], quality="low")
    assert [(o.view, o.filename) for o in plan.outputs] == [("contour", "contour.png"), ("surface", "surface.png"),
                                                            (None, "note.txt")]
    result = anim.render(tiny_scene, tmp_path, views=["contour", "surface"], formats=["png", "note"], quality="low")
    sizes = {record.file: record.bytes for record in result.files}
    frames = frame_count(12, anim.info(tiny_scene, quality="low").settings)
    assert (result.folder / "note.txt").read_text() == (
        f"bowl 2 runs {frames} frames; trajectories.csv:{sizes['trajectories.csv']}, "
        f"contour.png:{sizes['contour.png']}, surface.png:{sizes['surface.png']}")
    manifest = json.loads((result.folder / "manifest.json").read_text())
    assert [f["file"] for f in manifest["files"]] == ["trajectories.csv", "contour.png", "surface.png", "note.txt",
                                                      "index.html"]
    # a document alone draws no view
    alone = anim.render(tiny_scene, tmp_path / "alone", views=["contour"], formats=["note"], quality="low")
    assert sorted(p.name for p in alone.folder.iterdir()) == ["index.html", "manifest.json", "note.txt",
                                                              "trajectories.csv"]


def test_a_scene_that_changes_directory_renders_into_o_as_given(tmp_path, monkeypatch, render, null_encoder):
    course = tmp_path / "course"
    course.mkdir()
    text = textwrap.dedent(TINY_SCENE).replace("import torch\n", "import os, torch\nos.chdir(os.path.dirname(__file__))\n")
    (course / "bowl.py").write_text(text)
    monkeypatch.chdir(tmp_path)
    for _ in range(2):  # the second in the same process, after the first changed directory
        result = render("course/bowl.py", "media", "--size", "160x96", "--view", "contour", "--format", "png")
        assert "course/bowl.py: Bowl -> media/bowl\n" in result.output  # where -o said, from where the user is
        assert os.getcwd() == str(tmp_path)
    assert (tmp_path / "media" / "bowl" / "manifest.json").is_file() and not (course / "media").exists()


def test_a_surface_that_exits_is_a_scene_error_from_python(scene_file, tmp_path):
    path = scene_file(textwrap.dedent(TINY_SCENE).replace(
        "surface=lambda w1, w2: w1 ** 2 + 3 * w2 ** 2,", "surface=lambda w1, w2: sys.exit(4),").replace(
        "import torch\n", "import sys, torch\n"))
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if "sys.exit(4)" in text)
    with pytest.raises(anim.SceneError) as error:
        anim.render(path, tmp_path, size=(160, 96), views=["contour"], formats=["png"])
    assert str(error.value) == (f"{path}:{line}: the scene exits (sys.exit(4)) while optianim runs it; a scene "
                                "file defines `scene` and must not end the process")
