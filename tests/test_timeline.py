"""Frame counts, holds, GIF decimation and camera poses follow from the settings alone."""

import pytest

from anim import Camera
from anim.settings import Settings, frame_count, outputs
from anim.timeline import Timeline


def test_default_frames_are_start_hold_one_per_update_end_hold():
    assert frame_count(100, Settings()) == 15 + 100 + 60


def test_gif_keeps_every_other_frame_at_30_fps_and_is_slide_sized():
    planned = {o.filename: o for o in outputs(100, Settings())}
    assert list(planned) == ["contour.mp4", "contour.gif", "surface.mp4", "surface.gif"]
    assert (planned["contour.mp4"].frames, planned["contour.mp4"].fps) == (175, 30)
    assert (planned["contour.gif"].frames, planned["contour.gif"].fps) == (88, 15)
    assert (planned["contour.gif"].width, planned["contour.gif"].height) == (960, 540)


@pytest.mark.parametrize("fps, step", [(10, 1), (15, 1), (24, 2), (30, 2), (60, 4)])
def test_gif_rate_stays_near_15_fps(fps, step):
    assert Settings(fps=fps).gif_step == step


def test_odd_sizes_round_down_to_even_and_tiny_sizes_are_refused():
    assert (Settings(width=641, height=361).width, Settings(width=641, height=361).height) == (640, 360)
    with pytest.raises(ValueError, match="width must be at least 64 pixels, got 10"):
        Settings(width=10)


def test_timeline_holds_on_the_start_and_the_end_and_moves_the_camera_linearly():
    line = Timeline(frames=20, steps=10, lead_in=3, camera=Camera(elevation=30, azimuth=(0, 190)))
    steps = [f.step for f in line]
    assert steps == [0, 0, 0, 0] + list(range(1, 10)) + [9] * 7
    assert line.frame(0).azimuth == 0 and line.frame(19).azimuth == 190
    assert line.frame(1).azimuth == pytest.approx(10)
    assert {f.elevation for f in line} == {30}
