"""Frame counts, holds, GIF decimation and camera poses follow from the settings alone."""

import numpy as np
import pytest

from anim import Camera
from anim.settings import Settings, frame_count, motion_frames, outputs
from anim.timeline import Timeline
from anim.trajectory import Run


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
    assert Settings(fps=fps).slide_step == step


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


@pytest.mark.parametrize("quality, size, fps", [("low", (854, 480), 15), ("medium", (1280, 720), 30),
                                                ("high", (1920, 1080), 60), ("4k", (3840, 2160), 60)])
def test_quality_presets_name_their_size_and_rate(quality, size, fps):
    settings = Settings.preset(quality)
    assert ((settings.width, settings.height), settings.fps) == (size, fps)


def test_size_and_fps_override_the_preset_and_odd_sides_round_down():
    settings = Settings.preset("high", size=(1001, 563), fps=24)
    assert (settings.width, settings.height, settings.fps) == (1000, 562, 24)


@pytest.mark.parametrize("fps", [15, 24, 30, 60])
def test_the_pace_of_updates_does_not_depend_on_the_fps(fps):
    """100 points at 30 updates a second take 3.3 s at any frame rate; the ends are exact."""
    settings = Settings(fps=fps)
    motion = motion_frames(100, settings)
    line = Timeline(frame_count(100, settings), 100, 0, Camera(), motion)
    assert (motion - 1) / fps == pytest.approx(99 / 30, abs=1 / fps)
    positions = [line.frame(i).position for i in range(motion)]
    assert positions[0] == 0 and positions[-1] == 99 and line.frame(len(line) - 1).position == 99
    assert all(b > a for a, b in zip(positions, positions[1:]))


def test_at_60_fps_the_heads_move_halfway_between_points():
    settings = Settings(fps=60)
    line = Timeline(frame_count(11, settings), 11, 30, Camera(), motion_frames(11, settings))
    assert [line.frame(30 + i).position for i in range(5)] == [0, 0.5, 1, 1.5, 2]
    assert [line.frame(30 + i).step for i in range(5)] == [0, 0, 1, 1, 2]


def test_a_head_partway_is_interpolated_and_never_passes_a_divergence():
    points = np.array([[0, 0, 1], [2, 4, 3], [np.inf, 0, np.nan]], dtype=np.float32)
    run = Run("SGD", "red", 0, points, diverged_at=2)
    np.testing.assert_array_equal(run.shown_at(0.25), [[0, 0, 1], [0.5, 1, 1.5]])
    np.testing.assert_array_equal(run.shown_at(1.0), points[:2])
    np.testing.assert_array_equal(run.shown_at(1.5), points[:2])  # the next point is not drawable


@pytest.mark.parametrize("position", [4, 4.25, 4.5, 5, 5.75, 9])
def test_a_fading_trail_keeps_its_length_as_the_heads_glide(position):
    from anim.render.trail import segments

    points = np.stack([np.arange(10), np.zeros(10), np.zeros(10)], axis=1).astype(np.float32)
    pieces, alphas = segments(Run("SGD", "red", 0, points), position, 3)
    assert pieces[0, 0, 0] == pytest.approx(position - 3) and pieces[-1, 1, 0] == pytest.approx(position)
    assert list(alphas) == sorted(alphas) and alphas[-1] > 0.8 and alphas[0] < 0.35  # older is fainter
