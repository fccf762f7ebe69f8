"""The camera chosen from the data: the pose that shows the most of every path unhidden, and a turn
towards it that keeps the paths in sight, for the shipped scenes and the template alike."""

import textwrap

import numpy as np
import pytest

from anim import Camera
from anim.compute import window
from anim.drive import pipeline
from anim.look import camera

# A tall narrow hill at (0, -1.2) and a path running behind it at ground level, along w1: seen from
# one side (azimuth 90: from +w2) the hill hides it, from the other it does not.
HILL = """
    import torch
    from anim import Camera, Optimizer, Scene

    def loss(w1, w2):
        return 0.02 * (w1 - 1.8) ** 2 + 0.5 * (w2 + 1.7) ** 2 + 6 * torch.exp(-(w1 ** 2 + (w2 + 1.2) ** 2) / 0.08)

    scene = Scene(name="hill", title="Behind a hill", surface=loss, init=(-1.8, -1.7), steps=40,
                  x_range=(-2, 2), y_range=(-2, 2),
                  optimizers=[Optimizer("SGD", torch.optim.SGD, lr=0.9, color="#ff0000")]{camera})
"""


def _prepared(scene_file, camera_field=""):
    return pipeline.prepare(scene_file(textwrap.dedent(HILL.format(camera=camera_field)), "hill.py"))


def _visibility(prepared):
    scene = prepared.scene
    mesh = window.sample(scene.surface, *window.view_window(scene, prepared.runs), camera.RESOLUTION)
    return camera.Visibility(mesh, prepared.runs)


def test_the_default_camera_is_chosen_from_the_data_and_shows_the_path_the_hill_would_hide(scene_file):
    prepared = _prepared(scene_file)
    chosen = prepared.scene.camera
    assert not chosen.automatic
    visible = _visibility(prepared)
    assert visible.score(30, 90)[0] < 0.9  # the hill hides part of the path from +w2: the test means something
    poses = [chosen.pose(t) for t in np.linspace(0, 1, 11)]
    assert visible.score(*poses[-1]) == (1.0, 1.0)  # the last frame (and the still) show all of it
    assert all(visible.score(*pose)[0] >= camera.KEEP for pose in poses)  # and the whole turn nearly all


def test_an_angle_the_scene_fixes_is_kept_and_only_the_other_chosen(scene_file):
    fixed = _prepared(scene_file, ", camera=Camera(elevation=30, azimuth=(-60, 60))").scene.camera
    assert fixed == Camera(elevation=30, azimuth=(-60, 60))
    half = _prepared(scene_file, ", camera=Camera(elevation=20)").scene.camera
    assert half.elevation == (20.0, 20.0) and half.azimuth != "auto"


def test_an_auto_camera_has_no_pose_until_it_is_chosen():
    assert Camera().automatic
    with pytest.raises(ValueError, match="chosen when the scene renders"):
        Camera().pose(0.5)


def test_the_template_keeps_its_paths_in_sight_from_the_first_frame_to_the_last(tmp_path):
    from anim.declare import library

    prepared = pipeline.prepare(library.new_scene("lesson", tmp_path))
    visible = _visibility(prepared)
    poses = [prepared.scene.camera.pose(t) for t in np.linspace(0, 1, 11)]
    shown = [visible.score(*pose)[0] for pose in poses]
    assert min(shown) >= 0.9 and shown[-1] >= 0.98, shown
