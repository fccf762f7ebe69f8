"""The encoder writes exactly the frames it is given, as browsers want them, atomically; a GIF under a size
budget is shrunk inside it; a broken or missing ffmpeg is one clear error."""

import os
import tempfile

import numpy as np
import probe
import pytest
from conftest import SCENES, fake_ffmpeg

from anim.errors import EncodeError
from anim.write import files
from anim.write.encode import Encoder, Shape, palette


def frames(n, width=160, height=96):
    for i in range(n):
        frame = np.zeros((height, width, 4), np.uint8)
        frame[..., 3] = 255
        frame[:, : (i * 7) % width + 1, 0] = 255  # a growing bar, so frames differ
        frame[: (i * 3) % height + 1, :, 2] = 200
        yield frame


@pytest.mark.parametrize("n", [1, 9, 14, 101])
def test_frame_counts_read_back(tmp_path, n):
    mp4, gif = tmp_path / "v.mp4", tmp_path / "v.gif"
    with Encoder({"mp4": mp4, "gif": gif}, Shape(160, 96, 30, slide_step=2, slide_size=(120, 72)),
                 samples=list(frames(n))[::3]) as encoder:
        for frame in frames(n):
            encoder.write(frame)
    assert not mp4.exists() and not gif.exists()  # finished, but not yet in place
    files.commit_all([(temp, record.path) for temp, record in encoder.finished])
    assert [(r.format, r.frames, r.fps, r.width, r.height) for _, r in encoder.finished] == [
        ("mp4", n, 30, 160, 96), ("gif", (n + 1) // 2, 15, 120, 72)]
    assert probe.decoded_frames(mp4) == n
    assert probe.decoded_frames(gif) == (n + 1) // 2
    video = probe.stream(mp4)
    assert (video.codec, video.pix_fmt, video.width, video.height, video.fps) == ("h264", "yuv420p", 160, 96, 30)
    assert probe.mp4_top_level_boxes(mp4).index("moov") < probe.mp4_top_level_boxes(mp4).index("mdat")
    loop, delays, images = probe.gif_facts(gif)
    assert loop == 0 and images == (n + 1) // 2
    assert probe.stream(gif).width == 120
    assert all(d >= 2 for d in delays)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_gif_alone_and_mp4_alone(tmp_path):
    with Encoder({"gif": tmp_path / "a.gif"}, Shape(160, 96, 20), samples=list(frames(5))) as encoder:
        for frame in frames(5):
            encoder.write(frame)
    files.commit_all([(temp, record.path) for temp, record in encoder.finished])
    with Encoder({"mp4": tmp_path / "a.mp4"}, Shape(160, 96, 24)) as encoder:
        for frame in frames(5):
            encoder.write(frame)
    files.commit_all([(temp, record.path) for temp, record in encoder.finished])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.gif", "a.mp4"]
    assert probe.gif_facts(tmp_path / "a.gif")[1] == [5] * 5  # 20 fps: 5/100 s each
    assert probe.stream(tmp_path / "a.mp4").fps == 24


def test_failing_ffmpeg_gives_its_message_and_keeps_the_earlier_file(tmp_path, monkeypatch):
    target = tmp_path / "v.mp4"
    target.write_bytes(b"an earlier good render")
    fake = fake_ffmpeg(tmp_path, 'cat > /dev/null; echo "Unknown encoder libx264" >&2; exit 3\n')
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(fake))
    with pytest.raises(EncodeError) as error:
        with Encoder({"mp4": target}, Shape(160, 96, 30)) as encoder:
            for frame in frames(3):
                encoder.write(frame)
    assert str(error.value) == "ffmpeg failed (exit 3) writing v.mp4: Unknown encoder libx264"
    assert target.read_bytes() == b"an earlier good render"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ffmpeg", "v.mp4"]


def test_ffmpeg_dying_mid_stream_is_an_encode_error(tmp_path, monkeypatch):
    fake = fake_ffmpeg(tmp_path, 'head -c 10 > /dev/null; echo "killed" >&2; exit 1\n')
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(fake))
    with pytest.raises(EncodeError, match=r"^ffmpeg failed \(exit 1\) writing v.mp4: killed$"):
        with Encoder({"mp4": tmp_path / "v.mp4"}, Shape(640, 480, 30)) as encoder:
            for frame in frames(50, 640, 480):
                encoder.write(frame)
    assert not (tmp_path / "v.mp4").exists()


def test_missing_ffmpeg_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(tmp_path / "no-ffmpeg-here"))
    with pytest.raises(EncodeError, match="no-ffmpeg-here"):
        with Encoder({"mp4": tmp_path / "v.mp4"}, Shape(160, 96, 30)):
            pass


def test_an_exception_while_rendering_leaves_no_file(tmp_path):
    with pytest.raises(RuntimeError):
        with Encoder({"mp4": tmp_path / "v.mp4", "gif": tmp_path / "v.gif"}, Shape(160, 96, 30),
                     samples=list(frames(2))) as encoder:
            encoder.write(next(frames(1)))
            raise RuntimeError("a view failed")
    assert os.listdir(tmp_path) == []


def test_gif_palette_is_chosen_from_the_sample_frames(tmp_path):
    colours = np.frombuffer(palette(list(frames(9)), Shape(160, 96, 30)), np.uint8).reshape(256, 4)
    opaque = {tuple(c[:3]) for c in colours if c[3] == 255}
    # The test frames hold black, red, blue-ish and their mix; the palette holds them too.
    assert {(0, 0, 0), (255, 0, 0), (0, 0, 200), (255, 0, 200)} <= opaque


def test_a_gif_without_a_palette_is_refused(tmp_path):
    with pytest.raises(ValueError, match="a GIF needs a palette"):
        with Encoder({"gif": tmp_path / "a.gif"}, Shape(160, 96, 20)):
            pass
    assert os.listdir(tmp_path) == []


def test_ravine_contour_gif_at_640x360_is_well_under_300_kb(tmp_path, render):
    rendered = render(SCENES / "pathological.py", tmp_path, "--size", "640x360", "--view", "contour",
                      "--format", "gif")
    folder, records = rendered.folder, rendered.records
    assert records["contour.gif"]["bytes"] == (folder / "contour.gif").stat().st_size < 200_000


def last_gif_frame(path):
    """The last frame a decoder shows of the GIF, as (h, w, 3) uint8."""
    from PIL import Image

    with Image.open(path) as image:
        image.seek(image.n_frames - 1)
        return np.asarray(image.convert("RGB"))


def nearest_difference(frame, color):
    """The smallest CIEDE2000 difference between `color` and any pixel of `frame`."""
    from anim.look.colors import ciede2000, lab

    pixels = np.unique(frame.reshape(-1, 3), axis=0)
    target = lab(color)
    return min(ciede2000(target, lab(tuple(p / 255))) for p in pixels)


def paths_kept(folder, record, manifest):
    """Each optimizer's drawn colour is in the GIF's last frame, within CIEDE2000 2 (an exact match
    in practice), and the GIF holds the frames the manifest says."""
    loop, delays, images = probe.gif_facts(folder / record["file"])
    assert images == record["frames"] == probe.decoded_frames(folder / record["file"])
    assert sum(delays) / 100 == pytest.approx(record["duration"], abs=0.05) and loop == 0
    frame = last_gif_frame(folder / record["file"])
    for optimizer in manifest["optimizers"]:
        assert nearest_difference(frame, optimizer["drawn_color"]) < 2, optimizer["label"]


def test_gif_max_mb_gives_up_frame_rate_then_pixels_then_surface_colours_never_a_path_colour(tmp_path, tiny_scene,
                                                                                             render):
    options = ["--size", "480x270", "--view", "surface", "--format", "gif"]
    unlimited = render(tiny_scene, tmp_path / "a", *options).records["surface.gif"]
    assert (unlimited["frames"], unlimited["fps"]) == (44, 15)
    at_ten = render(tiny_scene, tmp_path / "b", *options, "--gif-max-mb", f"{unlimited['bytes'] * 0.8 / 1e6:.6f}")
    record = at_ten.records["surface.gif"]
    assert record["bytes"] <= record["max_bytes"] == round(unlimited["bytes"] * 0.8)
    assert (record["frames"], record["fps"], record["traded"][0]) == (29, 10, "frame rate 15 -> 10 fps")  # first
    paths_kept(at_ten.folder, record, at_ten.manifest)
    assert f"note: surface.gif over {record['max_bytes'] / 1e6:g} MB gave up frame rate 15 -> 10 fps" in at_ten.output
    tight = render(tiny_scene, tmp_path / "c", *options, "--gif-max-mb", f"{unlimited['bytes'] * 0.16 / 1e6:.6f}")
    record = tight.records["surface.gif"]
    assert record["fps"] == 10 and (record["width"], record["height"]) == (240, 134)  # the rate, then pixels,
    assert record["traded"][-1].startswith("surface colours -> ") and record["colors"] < 256  # then colours
    paths_kept(tight.folder, record, tight.manifest)


@pytest.mark.slow
def test_the_ravine_gif_under_one_mb_keeps_every_optimizer_s_colour(tmp_path, render):
    rendered = render(SCENES / "pathological.py", tmp_path, "--view", "surface", "--format", "gif", "--gif-max-mb", "1")
    record = rendered.records["surface.gif"]
    assert record["bytes"] <= 1_000_000 and record["fps"] >= 10
    paths_kept(rendered.folder, record, rendered.manifest)


def test_a_gif_that_cannot_fit_fails_the_render_and_writes_nothing(tmp_path, tiny_scene, render):
    result = render(tiny_scene, tmp_path, "--size", "320x180", "--view", "contour", "--format", "gif",
                    "--gif-max-mb", "0.001", exit_code=1)
    assert ("error: contour.gif does not fit in 0.001 MB without losing the paths' colours: the smallest it gets is "
            in result.output and "(at 10 fps, 160x90 and 16 colours, 3 of them the paths'); raise --gif-max-mb to at "
            "least " in result.output), result.output
    assert not (tmp_path / "bowl").exists()  # not even the folder it made


def test_a_failing_ffmpeg_fails_the_render_in_one_line_and_keeps_the_earlier_files(tiny_scene, tmp_path,
                                                                                    monkeypatch, render):
    options = ["--size", "160x96", "--view", "contour", "--format", "mp4"]
    render(tiny_scene, tmp_path / "out", *options)
    folder = tmp_path / "out" / "bowl"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    fake = fake_ffmpeg(tmp_path, 'cat > /dev/null; echo "Unknown encoder libx264" >&2; exit 3\n')
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(fake))
    result = render(tiny_scene, tmp_path / "out", *options, exit_code=1)
    assert result.output.splitlines()[-1] == "error: ffmpeg failed (exit 3) writing contour.mp4: Unknown encoder libx264"
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # and no temporary left


def test_a_missing_ffmpeg_is_one_clear_line(tiny_scene, tmp_path, monkeypatch, render):
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(tmp_path / "no-ffmpeg-here"))
    result = render(tiny_scene, tmp_path, "--size", "160x96", "--format", "mp4", exit_code=1)
    assert result.output.splitlines()[-1] == (
        f"error: cannot start ffmpeg ({tmp_path / 'no-ffmpeg-here'}): "
        f"[Errno 2] No such file or directory: '{tmp_path / 'no-ffmpeg-here'}'")
    assert not (tmp_path / "bowl").exists()  # not even the folder it made


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """The folder Python's tempfile uses in this test: the encoder's scratch files go there."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def gif_bytes(folder, n, shape, samples):
    with Encoder({"gif": folder / "full.gif"}, shape, samples=samples) as encoder:
        for frame in frames(n):
            encoder.write(frame)
    (temp, record), = encoder.finished
    files.discard(temp)
    return record.bytes


def files_temp_name(encoder, format):
    return next(temp.name for temp, record in encoder.finished if record.format == format)


def test_a_gif_over_its_budget_is_shrunk_inside_the_encoder_leaving_no_scratch_file(tmp_path, scratch):
    out = tmp_path / "out"
    out.mkdir()
    shape, samples = Shape(160, 96, 30, slide_step=1, slide_size=(160, 96)), list(frames(40))[::5]
    budget = gif_bytes(out, 40, shape, samples) * 4 // 5  # within reach of fewer colours or pixels
    with Encoder({"gif": out / "v.gif", "mp4": out / "v.mp4"}, shape, "contour", samples, budget) as encoder:
        for frame in frames(40):
            encoder.write(frame)
    records = {record.format: record for _, record in encoder.finished}
    gif = records["gif"]
    assert gif.details["max_bytes"] == budget and gif.bytes <= budget
    assert records["mp4"].frames == 40  # the MP4 untouched
    assert (gif.frames, gif.fps, gif.details["traded"]) == (14, 10, ["frame rate 30 -> 10 fps"])  # the rate first
    assert probe.decoded_frames(gif.path.with_name(files_temp_name(encoder, "gif"))) == 14
    # Only the two finished files, under their temporary names: no lossless frames, no palette.
    assert sorted(p.name for p in out.iterdir()) == sorted(temp.name for temp, _ in encoder.finished)
    assert list(scratch.iterdir()) == []
    files.commit_all([(temp, record.path) for temp, record in encoder.finished])
    assert probe.decoded_frames(out / "v.gif") == gif.frames
    assert probe.gif_facts(out / "v.gif")[2] == gif.frames and (out / "v.gif").stat().st_size == gif.bytes


def test_a_gif_that_cannot_fit_its_budget_leaves_no_file_at_all(tmp_path, scratch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "v.gif").write_bytes(b"an earlier good render")
    shape = Shape(160, 96, 30, slide_step=1, slide_size=(160, 96))
    with pytest.raises(EncodeError, match=r"^v\.gif does not fit in 0\.0001 MB without losing the paths' colours: "
                       r"the smallest it gets is [0-9.]+ MB \(at 10 fps, 80x48 and 16 colours\); raise --gif-max-mb to"):
        with Encoder({"gif": out / "v.gif", "mp4": out / "v.mp4"}, shape, "contour", list(frames(4)), 100) as encoder:
            for frame in frames(20):
                encoder.write(frame)
    assert encoder.finished == []
    assert sorted(p.name for p in out.iterdir()) == ["v.gif"] and (out / "v.gif").read_bytes() == b"an earlier good render"
    assert list(scratch.iterdir()) == []


def test_a_failure_while_a_gif_with_a_budget_is_written_leaves_no_file_at_all(tmp_path, scratch):
    out = tmp_path / "out"
    out.mkdir()
    shape = Shape(160, 96, 30, slide_step=1, slide_size=(160, 96))
    with pytest.raises(RuntimeError, match="a view failed"):
        with Encoder({"gif": out / "v.gif"}, shape, "contour", list(frames(4)), 100) as encoder:
            for frame in frames(5):
                encoder.write(frame)
            raise RuntimeError("a view failed")
    assert list(out.iterdir()) == [] and list(scratch.iterdir()) == []
