"""The views: registered by name, each frame a pure function of its timeline entry, however frames are visited."""

import numpy as np
import probe
import pytest
from PIL import Image

from anim.compute import window
from anim.drive import pipeline
from anim.drive.settings import Settings
from anim.drive.timeline import timeline
from anim.look.view import View
from anim.look.views import VIEWS, view_class, view_data


def _view(name, scene_path, width=320, height=180, fps=30, trail=0):
    prepared = pipeline.prepare(scene_path)
    settings = Settings(width=width, height=height, fps=fps, trail=trail)
    data = view_data(prepared.scene, prepared.runs, window.view_window(prepared.scene, prepared.runs), name, settings)
    return view_class(name), data, timeline(prepared.scene, settings)


@pytest.mark.parametrize("name, fps, trail", [("contour", 30, 0), ("contour", 60, 0), ("contour", 60, 3),
                                              ("dashboard", 60, 0)])
def test_blitted_paths_are_the_same_reached_frame_by_frame_or_by_a_jump(tiny_scene, name, fps, trail):
    cls, data, line = _view(name, tiny_scene, fps=fps, trail=trail)
    sequential = cls(data, 320, 180)
    frames = [np.array(sequential.frame(f)) for f in line]
    jumping = cls(data, 320, 180)
    for index in (30, 5, len(line) - 1, 0, 17):  # forwards, backwards, to the end, to the start
        np.testing.assert_array_equal(np.array(jumping.frame(line.frame(index))), frames[index])
    if name == "contour":  # (the dashboard's camera moves every frame)
        positions = [f.position for f in line]
        changed = [not np.array_equal(a, b) for a, b in zip(frames, frames[1:])]
        # A frame differs from the one before exactly when the heads have moved.
        assert changed == [a != b for a, b in zip(positions, positions[1:])]


def test_surface_frames_do_not_depend_on_the_frames_drawn_before(tiny_scene):
    cls, data, line = _view("surface", tiny_scene)
    first = cls(data, 320, 180)
    a = [np.array(first.frame(line.frame(i))) for i in (3, 40, 12)]
    second = cls(data, 320, 180)
    b = [np.array(second.frame(line.frame(i))) for i in (12, 40, 3)]
    np.testing.assert_array_equal(a[0], b[2])
    np.testing.assert_array_equal(a[2], b[0])
    assert not np.array_equal(a[0], a[1])


def test_dashboard_shows_every_panel_in_one_frame(tmp_path, tiny_scene, render):
    rendered = render(tiny_scene, tmp_path, "--view", "dashboard", "--size", "640x360",
                      "--format", "mp4", "--format", "png", "--trail", "4")
    folder, records = rendered.folder, rendered.records
    assert probe.decoded_frames(folder / "dashboard.mp4") == records["dashboard.mp4"]["frames"]
    with Image.open(folder / "dashboard.png") as image:
        assert image.size == (640, 360)


@pytest.mark.parametrize("name", list(VIEWS))
def test_every_registered_view_is_a_view_class_of_its_name(name):
    cls = view_class(name)
    assert issubclass(cls, View) and cls.name == name
    assert isinstance(cls.MESH_RESOLUTION, int) and isinstance(cls.PARALLEL, bool)


def test_an_unknown_view_names_the_known_ones():
    with pytest.raises(ValueError, match="unknown view .sideways.; use one of contour, surface, dashboard, grid, inside"):
        view_class("sideways")
