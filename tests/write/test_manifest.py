"""manifest.json: strict JSON whatever the runs did, one FileRecord per file as a decoder reads it."""

import hashlib
import json

import probe

import anim
from anim.write.manifest import FileRecord


def test_manifest_is_strict_json_even_when_a_run_diverges(tmp_path, scene_file, render):
    path = scene_file("""
        import torch
        from anim import Scene, Optimizer
        scene = Scene(name="boom", surface=lambda a, b: torch.exp(a) + b ** 2, init=[(1, 1), (0, 0)], steps=30,
                      x_range=(-3, 3), y_range=(-3, 3),
                      optimizers=[Optimizer("SGD", torch.optim.SGD, lr=1e6), Optimizer("Adam", torch.optim.Adam, lr=0.1)])
    """)
    result = render(path, tmp_path, "--size", "160x96", "--view", "contour")
    # it leaves the view at once and overflows later: reported once, for what stopped it first
    assert "note: SGD (run 0) left the view at step 1 (far outside it)" in result.output
    assert "diverged" not in result.output

    def refuse(constant):
        raise AssertionError(f"{constant} in manifest.json")

    manifest = json.loads((tmp_path / "boom" / "manifest.json").read_text(), parse_constant=refuse)
    runs = {(r["optimizer"], r["run"]): r for r in manifest["runs"]}
    assert runs[("SGD", 0)]["diverged_at"] is not None and runs[("Adam", 0)]["diverged_at"] is None
    probe.check_outputs(tmp_path / "boom", path, anim.info(path, size="160x96", views=["contour"]))


def test_a_file_record_is_read_from_its_temporary_name_and_named_by_its_final(tmp_path):
    temp = tmp_path / ".contour.gif.123-0123abcd.part"
    temp.write_bytes(b"GIF89a and the rest")
    record = FileRecord.of(temp, tmp_path / "contour.gif", "contour", "gif", frames=44, fps=15.0, width=320,
                           height=180, duration=2.933333, codec="gif", colors=256)
    assert (record.file, record.bytes, record.sha256) == (
        "contour.gif", 19, hashlib.sha256(b"GIF89a and the rest").hexdigest())
    assert record.details == {"codec": "gif", "colors": 256}
    # The manifest entry: what it is, what a decoder reads, then the bytes; no None for what a file has not.
    assert list(record.as_dict()) == ["file", "view", "format", "frames", "fps", "width", "height", "duration",
                                      "codec", "colors", "bytes", "sha256"]
    csv = FileRecord.of(temp, tmp_path / "trajectories.csv", None, "csv", rows=3)
    assert csv.as_dict() == {"file": "trajectories.csv", "view": None, "format": "csv", "rows": 3, "bytes": 19,
                             "sha256": record.sha256}


def test_the_manifest_says_how_each_optimizer_clips_and_the_csv_holds_the_clipped_gradient(tmp_path, null_encoder):
    import math

    import torch

    from anim.declare.surfaces import rosenbrock

    scene = anim.Scene(name="clip", surface=rosenbrock, init=(-2.0, 2.0), steps=5, x_range=(-2, 2), y_range=(-1, 3),
                       optimizers=[anim.Optimizer("Adam", torch.optim.Adam, lr=0.05, clip_grad_norm=1),
                                   anim.Optimizer("Lion", "lion", lr=0.01, clip_grad_norm=2, clip_norm_type=math.inf),
                                   anim.Optimizer("SGD", torch.optim.SGD, lr=1e-4)])
    result = anim.render(scene, out=tmp_path, views=["contour"], formats=["mp4"], size="160x96")
    adam, lion, sgd = result.manifest["optimizers"]
    assert (adam["clip_grad_norm"], adam["clip_norm_type"], adam["clip_grad_value"], adam["clipping"]) == (
        1.0, 2.0, None, "clipped at 1")
    assert (lion["clip_norm_type"], lion["clipping"]) == ("inf", "clipped at 2 (inf-norm)")
    assert (sgd["clip_grad_norm"], sgd["clipping"], sgd["tuned"]) == (None, None, [])
    header = (tmp_path / "clip" / "trajectories.csv").read_text().splitlines()[0]
    assert header.endswith(",lr,clipped_grad_w1,clipped_grad_w2")
    json.loads((tmp_path / "clip" / "manifest.json").read_text())
