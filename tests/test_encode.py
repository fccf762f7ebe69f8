"""The encoder writes exactly the frames it is given, as browsers want them, atomically."""

import os

import numpy as np
import pytest

import probe
from anim import files
from anim.encode import Encoder, Shape, palette
from anim.errors import EncodeError
from conftest import fake_ffmpeg


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
