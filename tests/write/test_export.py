"""Trajectories as data files: CSV, JSON and NPZ hold the same runs, by suffix."""

import io
import json

import numpy as np
from click.testing import CliRunner

from anim.compute import trajectory
from anim.compute.trajectory import Run
from anim.declare.loader import load_scene
from anim.faces.cli import main
from anim.write import export


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_trajectories_in_three_formats_agree(tiny_scene, tmp_path):
    expected = trajectory.compute(load_scene(tiny_scene))
    for suffix in ("csv", "json", "npz"):
        result = run("trajectories", tiny_scene, "-o", tmp_path / f"t.{suffix}")
        assert result.exit_code == 0, result.output
        assert result.output == f"wrote {tmp_path / f't.{suffix}'}: 2 runs x 12 steps\n"
    with np.load(tmp_path / "t.npz") as npz:
        np.testing.assert_array_equal(npz["points"], np.stack([r.points for r in expected]))
        assert list(npz["optimizer"]) == ["SGD", "Adam"]
    document = json.loads((tmp_path / "t.json").read_text())
    np.testing.assert_array_equal(np.float32(document["runs"][1]["points"]), expected[1].points)
    lines = (tmp_path / "t.csv").read_text().splitlines()
    assert lines[0] == "optimizer,run,step,w1,w2,loss,grad_w1,grad_w2,update_w1,update_w2,lr" and len(lines) == 25


def test_a_diverged_run_keeps_inf_and_nan_in_csv_and_npz_and_is_null_in_json():
    points = np.array([[1, 2, 3], [np.inf, 0, np.nan]], dtype=np.float32)
    runs = [Run("SGD", "red", 0, points, diverged_at=1)]
    # (a run made by hand has no record of its optimizer: NaN)
    assert export.to_csv(runs).decode().splitlines() == [
        "optimizer,run,step,w1,w2,loss,grad_w1,grad_w2,update_w1,update_w2,lr", "SGD,0,0,1,2,3,nan,nan,nan,nan,nan",
        "SGD,0,1,inf,0,nan,nan,nan,nan,nan,nan"]
    document = json.loads(export.to_json(runs, "boom"))
    assert document["runs"][0]["points"] == [[1, 2, 3], [None, 0, None]]
    assert document["runs"][0]["diverged_at"] == 1 and document["scene"] == "boom"
    with np.load(io.BytesIO(export.to_npz(runs))) as npz:
        np.testing.assert_array_equal(npz["points"][0], points)
        assert list(npz["diverged_at"]) == [1] and list(npz["optimizer"]) == ["SGD"]
