"""Settings: quality presets, sizes, frame counts, and the files each format gets (slide rules)."""

import probe
import pytest

from anim.drive.settings import Settings, frame_count, outputs
from anim.errors import SceneError, UsageError
from anim.write.formats import FORMATS, frame_formats


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
    with pytest.raises(UsageError, match="width: must be a whole number of at least 64 pixels, got 10"):
        Settings(width=10)


@pytest.mark.parametrize("quality, size, fps", [("low", (854, 480), 15), ("medium", (1280, 720), 30),
                                                ("high", (1920, 1080), 60), ("4k", (3840, 2160), 60)])
def test_quality_presets_name_their_size_and_rate(quality, size, fps):
    settings = Settings.preset(quality)
    assert ((settings.width, settings.height), settings.fps) == (size, fps)


def test_size_and_fps_override_the_preset_and_odd_sides_round_down():
    settings = Settings.preset("high", size=(1001, 563), fps=24)
    assert (settings.width, settings.height, settings.fps) == (1000, 562, 24)


@pytest.mark.parametrize("quality, size, fps", [
    ("low", (854, 480), 15), ("medium", (1280, 720), 30),
    pytest.param("high", (1920, 1080), 60, marks=pytest.mark.slow),
    pytest.param("4k", (3840, 2160), 60, marks=pytest.mark.slow),
])
def test_presets_give_the_size_and_rate_they_name_read_back_from_the_file(tmp_path, tiny_scene, render, quality,
                                                                           size, fps):
    rendered = render(tiny_scene, tmp_path, "--quality", quality, "--view", "contour", "--format", "mp4")
    folder, records = rendered.folder, rendered.records
    stream = probe.stream(folder / "contour.mp4")
    assert ((stream.width, stream.height), stream.fps) == (size, fps)
    assert probe.decoded_frames(folder / "contour.mp4") == records["contour.mp4"]["frames"]


def test_every_format_gets_the_frames_of_its_rule():
    """Videos (MP4, WebM, MOV) every frame at full size; slide formats (GIF, WebP) every
    slide_step-th frame at the slide size; PNG the last frame alone, at full size; the explorable
    (html), a document, once per scene after them."""
    settings = Settings(views=("contour",), formats=(*frame_formats(FORMATS), "html"), width=1920, height=1080, fps=60)
    planned = {o.format: o for o in outputs(100, settings)}
    assert list(planned) == ["mp4", "gif", "webm", "webp", "mov", "png", "html"]
    assert (planned["html"].view, planned["html"].filename, planned["html"].frames) == (None, "explore.html", None)
    frames = frame_count(100, settings)
    for name in ("mp4", "webm", "mov"):
        assert (planned[name].frames, planned[name].fps, planned[name].width, planned[name].height) == (
            frames, 60, 1920, 1080), name
    for name in ("gif", "webp"):
        assert (planned[name].frames, planned[name].fps, planned[name].width, planned[name].height) == (
            -(-frames // 4), 15, 960, 540), name
    assert (planned["png"].frames, planned["png"].width, planned["png"].height) == (1, 1920, 1080)


def test_views_asked_win_over_the_scenes_which_win_over_the_default():
    import torch

    from anim import Optimizer, Scene

    def scene(**views):
        return Scene(name="s", surface=lambda w1, w2: w1 * w2, optimizers=[Optimizer("SGD", torch.optim.SGD)], **views)

    assert Settings().for_scene(scene()).views == ("contour", "surface")
    assert Settings().for_scene(scene(views=["grid"])).views == ("grid",)
    assert Settings(views=("dashboard",)).for_scene(scene(views=["grid"])).views == ("dashboard",)
    with pytest.raises(SceneError) as error:
        Settings().for_scene(scene(views=["grd", "contour"]))
    assert str(error.value) == "views: 'grd' is no view; use one or more of contour, surface, dashboard, grid, inside"
