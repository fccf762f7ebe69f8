"""The Python API (anim.load, info, render, still, trajectories): a Scene built in Python renders like a
scene file, progress goes to a callback and nothing is printed, bad keywords are UsageErrors, and
every option of the command line is a keyword."""

import hashlib
import inspect
import json
from pathlib import Path

import numpy as np
import probe
import pytest
import torch
from click.testing import CliRunner

import anim
from anim.drive import progress
from anim.faces.cli import main
from anim.write.manifest import FileRecord


def bowl(w1, w2):
    return (w1 - 0.5) ** 2 + 2 * w2 ** 2


class SignDescent(torch.optim.Optimizer):
    """signSGD, written here: each weight moves by lr against the sign of its gradient."""

    def __init__(self, params, lr=0.1):
        super().__init__(params, {"lr": lr})

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for weight in group["params"]:
                if weight.grad is not None:
                    weight.add_(weight.grad.sign(), alpha=-group["lr"])


def inline_scene():
    return anim.Scene(name="inline", title="Built in Python", surface=bowl, init=(1.5, 1.0), steps=10,
                      x_range=(-2, 2), y_range=(-2, 2),
                      optimizers=[anim.Optimizer("sign", SignDescent, lr=0.25, color="red"),
                                  anim.Optimizer("SGD", torch.optim.SGD, lr=0.1, color="blue")])


def test_a_scene_built_in_python_renders_files_its_records_describe(tmp_path, capsys):
    result = anim.render(inline_scene(), tmp_path, views=["contour"], formats=["mp4", "gif", "webm", "png"],
                         size="160x96", fps=20)
    assert result.folder == tmp_path / "inline"
    manifest = json.loads((result.folder / "manifest.json").read_text())
    assert manifest == result.manifest
    assert manifest["scene_file"] is None and manifest["scene_sha256"] is None
    assert [o["factory"] for o in manifest["optimizers"]] == ["SignDescent", "SGD"]
    assert [r.file for r in result.files if r.file != "manifest.json"] == [f["file"] for f in manifest["files"]]
    for record in result.files:
        assert isinstance(record, FileRecord) and record.path.parent == result.folder
        data = record.path.read_bytes()
        assert (record.bytes, record.sha256) == (len(data), hashlib.sha256(data).hexdigest()), record.file
        if record.format in ("mp4", "gif", "webm"):
            assert probe.decoded_frames(record.path) == record.frames == 10 + 7 + 40, record.file
    # The optimizer defined above ran: signSGD moves each weight by exactly lr per update.
    sign = result.runs[0]
    np.testing.assert_allclose(sign.points[1, :2], [1.25, 0.75], rtol=1e-6)
    assert capsys.readouterr() == ("", "")  # the API prints nothing


def test_progress_goes_to_the_callback_and_nothing_is_printed(tmp_path, tiny_scene, capsys, null_encoder):
    events = []
    result = anim.render(tiny_scene, tmp_path, views=["contour", "surface"], formats=["mp4", "png"],
                         size="160x96", jobs=1, progress=events.append)
    assert capsys.readouterr() == ("", "")
    started, *rest = events
    assert isinstance(started, progress.Started)
    assert started.scene.name == "bowl" and started.folder == tmp_path / "bowl"
    frames = [e for e in rest if isinstance(e, progress.FrameDone)]
    for view, encoder in zip(("contour", "surface"), null_encoder):
        counted = [(e.done, e.total) for e in frames if e.view == view]
        assert counted == [(n, 87) for n in range(1, 88)] and encoder.frames == 87
    done = [e.record for e in rest if isinstance(e, progress.FileDone)]
    assert done == [r for r in result.files if r.file != "manifest.json"]
    assert [r.file for r in done] == ["trajectories.csv", "contour.mp4", "contour.png", "surface.mp4",
                                      "surface.png", "description.txt", "contour.vtt", "surface.vtt", "index.html"]
    # Each file is done once its view's frames all are, and only then.
    order = [(type(e).__name__, getattr(e, "view", None) or getattr(getattr(e, "record", None), "view", None))
             for e in rest]
    last_contour_frame = max(i for i, e in enumerate(order) if e == ("FrameDone", "contour"))
    assert order.index(("FileDone", "contour")) > last_contour_frame
    assert order.index(("FrameDone", "surface")) > order.index(("FileDone", "contour"))


def test_every_option_of_optianim_render_and_info_is_a_keyword_of_the_api():
    import click

    from anim.faces.cli import info, render

    for command, function in ((render, anim.render), (info, anim.info)):
        keywords = inspect.signature(function).parameters
        # --debug and --watch are the command line's own: how it reports, and rendering again on saves;
        # --scheduler (and its timeout) and --scene-timeout are about a batch: anim.render_many's
        batch = ("scheduler", "scheduler_timeout", "scene_timeout")
        options = {p.name: p for p in command.params if p.name not in ("scenes", "scene", "debug", "watch", *batch)}
        assert command is info or set(batch) <= set(inspect.signature(anim.render_many).parameters)
        assert set(options) <= set(keywords), (command.name, set(options) - set(keywords))
        context = click.Context(command)
        for name, option in options.items():
            default = option.get_default(context)
            if isinstance(default, (str, int, float, Path)):  # the same default, on the command line or in Python
                assert str(default) == str(keywords[name].default), (command.name, name, default)


@pytest.mark.parametrize("keyword, value", [
    ("views", ["sideways"]), ("formats", ["avi"]), ("quality", "8k"), ("size", "big"),
    ("fps", 0),
    ("pace", 0), ("theme", "sepia"),
])
@pytest.mark.parametrize("verb", ["render", "info"])
def test_a_bad_keyword_is_a_usage_error_naming_it(tmp_path, tiny_scene, verb, keyword, value):
    function = getattr(anim, verb)
    keywords = {"views": ["contour"], "formats": ["png"], "size": "160x96", keyword: value}  # quick if it renders
    with pytest.raises(anim.UsageError) as error:  # never SystemExit: the API is not the command line
        function(tiny_scene, **({"out": tmp_path / "out"} if verb == "render" else {}), **keywords)
    assert str(error.value).startswith(f"{keyword}:"), str(error.value)
    assert repr(value if isinstance(value, (str, int)) else value[0]) in str(error.value)
    assert not (tmp_path / "out").exists()  # refused before anything was loaded or written


def test_a_scene_that_is_neither_a_scene_nor_a_path_is_a_usage_error():
    with pytest.raises(anim.UsageError, match="scene: got int; give an anim.Scene, an anim.Landscape or the path of a scene file"):
        anim.info(42)


def test_trajectories_equal_the_command_lines_and_round_trip(tmp_path, tiny_scene):
    computed = anim.trajectories(tiny_scene)
    assert repr(computed) == "<Trajectories of 'bowl': 2 runs x 12 steps>"
    assert computed.labels == ["SGD", "Adam"] and list(computed.runs) == [0, 0]
    result = CliRunner().invoke(main, ["trajectories", str(tiny_scene), "-o", str(tmp_path / "cli.csv")])
    assert result.exit_code == 0, result.output
    computed.to_csv(tmp_path / "api.csv")
    assert (tmp_path / "api.csv").read_bytes() == (tmp_path / "cli.csv").read_bytes()
    computed.to_json(tmp_path / "t.json")
    document = json.loads((tmp_path / "t.json").read_text())
    np.testing.assert_array_equal(np.float32([run["points"] for run in document["runs"]]), computed.points)
    assert [run["optimizer"] for run in document["runs"]] == computed.labels
    computed.to_npz(tmp_path / "t.npz")
    with np.load(tmp_path / "t.npz") as npz:
        np.testing.assert_array_equal(npz["points"], computed.points)
        assert list(npz["optimizer"]) == computed.labels and list(npz["run"]) == list(computed.runs)
    # A Scene built in Python, too.
    inline = anim.trajectories(inline_scene())
    assert inline.points.shape == (2, 10, 3) and inline.labels == ["sign", "SGD"]


def test_info_plans_the_frames_rate_and_size_a_render_writes(tmp_path, tiny_scene):
    options = dict(views=["contour"], formats=["mp4", "gif", "webm", "png"], size="192x108", fps=24)
    plan = anim.info(tiny_scene, **options)
    assert isinstance(plan, anim.Plan) and plan.scene.name == "bowl" and plan.settings.fps == 24
    result = anim.render(tiny_scene, tmp_path, **options)
    written = {r.file: r for r in result.files if r.view}
    assert [o.filename for o in plan.outputs] == list(written)
    for output in plan.outputs:
        record = written[output.filename]
        assert (output.frames, output.fps, output.width, output.height) == (
            record.frames, record.fps, record.width, record.height), output.filename
        if output.format != "png":
            assert probe.decoded_frames(record.path) == output.frames, output.filename
            video = probe.stream(record.path)
            assert (video.width, video.height) == (output.width, output.height), output.filename


def test_load_gives_the_scene_of_a_file(tiny_scene):
    scene = anim.load(tiny_scene)
    assert isinstance(scene, anim.Scene) and scene.name == "bowl" and scene.steps == 12
    with pytest.raises(anim.SceneError, match="no such file"):
        anim.load(Path(tiny_scene).with_name("missing.py"))
