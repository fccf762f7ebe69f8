"""Where along the paths and from which camera pose each frame is drawn follows from the settings alone."""

import pytest

from anim import Camera
from anim.drive.settings import Settings, frame_count, motion_frames
from anim.drive.timeline import Timeline


def test_timeline_holds_on_the_start_and_the_end_and_moves_the_camera_linearly():
    line = Timeline(frames=20, steps=10, lead_in=3, camera=Camera(elevation=30, azimuth=(0, 190)))
    steps = [f.step for f in line]
    assert steps == [0, 0, 0, 0] + list(range(1, 10)) + [9] * 7
    assert line.frame(0).azimuth == 0 and line.frame(19).azimuth == 190
    assert line.frame(1).azimuth == pytest.approx(10)
    assert {f.elevation for f in line} == {30}


@pytest.mark.parametrize("fps", [15, 24, 30, 60])
def test_the_pace_of_updates_does_not_depend_on_the_fps(fps):
    """100 points at 30 updates a second take 3.3 s at any frame rate; the ends are exact."""
    settings = Settings(fps=fps)
    motion = motion_frames(100, settings)
    line = Timeline(frame_count(100, settings), 100, 0, Camera(30, (-60, 300)), motion)
    assert (motion - 1) / fps == pytest.approx(99 / 30, abs=1 / fps)
    positions = [line.frame(i).position for i in range(motion)]
    assert positions[0] == 0 and positions[-1] == 99 and line.frame(len(line) - 1).position == 99
    assert all(b > a for a, b in zip(positions, positions[1:]))


def test_at_60_fps_the_heads_move_halfway_between_points():
    settings = Settings(fps=60)
    line = Timeline(frame_count(11, settings), 11, 30, Camera(30, (-60, 300)), motion_frames(11, settings))
    assert [line.frame(30 + i).position for i in range(5)] == [0, 0.5, 1, 1.5, 2]
    assert [line.frame(30 + i).step for i in range(5)] == [0, 0, 1, 1, 2]


@pytest.mark.parametrize("fps, pace, steps", [(15, 30, 100), (30, 30, 100), (60, 30, 11), (24, 7, 40),
                                              (30, 1000, 50), (30, 30, 1)])
def test_frame_of_a_step_is_the_first_frame_whose_heads_reach_it(fps, pace, steps):
    """What a description's times rest on: frame_of(k) shows point k, the frame before it does not."""
    settings = Settings(fps=fps, pace=pace)
    line = Timeline(frame_count(steps, settings), steps, 15, Camera(30, (-60, 300)), motion_frames(steps, settings))
    for step in range(steps):
        index = line.frame_of(step)
        assert line.frame(index).position >= step
        assert index == 0 or line.frame(index - 1).position < step
