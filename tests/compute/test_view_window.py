"""The view window a render draws: it keeps the runs that travel, and a surface not finite on part
of it is drawn blank and said. (How the window is fitted: tests/compute/test_window.py.)"""

import json

import pytest


def test_a_surface_nan_on_part_of_the_view_is_drawn_blank_and_said(scene_file, tmp_path, render):
    path = scene_file("""
        import torch
        from anim import Scene, Optimizer
        scene = Scene(name="half", surface=lambda w1, w2: torch.sqrt(w1) + (w2 - 0.5) ** 2,
                      init=(1.5, 1.5), steps=30, x_range=(-1, 2), y_range=(-1, 2),
                      optimizers=[Optimizer("SGD", torch.optim.SGD, lr=0.1, color="red")])
    """)
    result = render(path, tmp_path, "--size", "320x180", "--format", "png")
    lines = result.output.splitlines()
    assert "  note: the surface is not finite (NaN or inf) on 33.3% of the view: left blank" in lines
    assert "  note: SGD (run 0) diverged at step 26: drawn up to there" in lines  # it walked into the NaN
    blank = json.loads((tmp_path / "half" / "manifest.json").read_text())["surface_not_finite"]
    assert blank == {"contour": pytest.approx(1 / 3, abs=0.01), "surface": pytest.approx(1 / 3, abs=0.01)}


def test_the_view_keeps_runs_that_travel_while_others_barely_move():
    """Half the runs stuck at the start (steep optima's SGD) and half travelling: nobody ran off."""
    import numpy as np

    from anim.compute import window as windows
    from anim.compute.trajectory import Run

    steps = np.linspace(0, 1, 20, dtype=np.float32)[:, None]
    travel = np.hstack([steps, -steps, steps])
    stuck = np.hstack([steps * 1e-4, steps * 0, steps])
    runs = [Run(f"r{i}", "red", 0, travel if i % 2 else stuck) for i in range(6)]
    scene = type("AutoScene", (), {"x_range": "auto", "y_range": "auto"})()
    window = windows.view_window(scene, runs)
    assert window[0][1] > 1 and window[1][0] < -1
    assert [windows.left_view_step(run, window) for run in runs] == [None] * 6
