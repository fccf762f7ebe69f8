"""ffprobe (Debian's FFmpeg, not the one the renderer encodes with) reads each video as manifest.json describes it."""

import functools
import json
import re
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import pytest

from .conftest import MOVS, STILLS, VIDEOS, VIEWS, WEBPS, case_id

# The manifest keys each format's record carries about its stream, as ffprobe names them.
STREAM_KEYS = {"mp4": ("codec", "profile", "pix_fmt", "color_space"), "webm": ("codec", "pix_fmt", "color_space"),
               "gif": ("codec",), "mov": ("codec", "profile", "pix_fmt", "color_space")}


@functools.lru_cache(maxsize=None)
def probe(ffprobe, path):
    """ffprobe's view of the first video stream, every frame counted by decoding."""
    result = subprocess.run(
        [ffprobe, "-v", "error", "-select_streams", "v:0", "-count_frames",
         "-show_entries", "stream=codec_name,profile,pix_fmt,color_space,width,height,nb_read_frames,"
                          "r_frame_rate,avg_frame_rate:stream_tags=alpha_mode:format=format_name,duration",
         "-of", "json", str(path)],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"ffprobe failed on {path.name}:\n{result.stderr}"
    facts = json.loads(result.stdout)
    assert len(facts["streams"]) == 1, f"{path.name}: no video stream: {facts}"
    stream = facts["streams"][0]
    stream["format"] = facts["format"]
    return stream


def libvpx_pix_fmt(ffprobe, path):
    """The pixel format libvpx decodes a WebM to: yuva420p when the alpha plane is there.

    FFmpeg's native VP9 decoder (the one ffprobe uses, and ffprobe cannot be told otherwise)
    ignores the alpha stored beside each frame, so ask Debian's ffmpeg with libvpx-vp9 instead.
    """
    ffmpeg = shutil.which("ffmpeg", path=str(Path(ffprobe).parent))
    assert ffmpeg, f"no ffmpeg next to {ffprobe}"
    result = subprocess.run([ffmpeg, "-hide_banner", "-c:v", "libvpx-vp9", "-i", str(path)],
                            capture_output=True, text=True, timeout=60)
    line = next((l for l in result.stderr.splitlines() if "Video:" in l), None)
    assert line, f"ffmpeg (libvpx-vp9) found no video stream in {path.name}:\n{result.stderr}"
    return re.search(r"Video: vp9[^,]*, (\w+)", line)[1]


def top_level_boxes(ffprobe, path):
    """The MP4's top-level boxes in file order, as ffprobe's mov demuxer walks them (-v trace)."""
    result = subprocess.run([ffprobe, "-v", "trace", str(path)], capture_output=True, text=True, timeout=60)
    return re.findall(r"type:'(\w{4})' parent:'root'", result.stderr)


@pytest.mark.parametrize("case", VIDEOS + MOVS, ids=case_id)
def test_frames_size_rate_and_duration(renders, ffprobe, case):
    """Decoded frame count, width, height, frame rate and duration equal the manifest's."""
    kind, name = case
    render, fmt = renders[kind], name.rsplit(".", 1)[1]
    record = render.record(name)
    stream = probe(ffprobe, render.folder / name)
    frame = 1 / record["fps"]
    assert int(stream["nb_read_frames"]) == record["frames"], (name, stream)
    assert (stream["width"], stream["height"]) == (record["width"], record["height"]), (name, stream)
    assert float(stream["format"]["duration"]) == pytest.approx(record["duration"], abs=frame), (name, stream)
    if fmt != "gif":  # a GIF has per-frame delays, no stream rate
        assert Fraction(stream["r_frame_rate"]) == Fraction(record["fps"]), (name, stream)
        assert Fraction(stream["avg_frame_rate"]) == Fraction(record["fps"]), (name, stream)


@pytest.mark.parametrize("case", VIDEOS + MOVS, ids=case_id)
def test_codec_profile_and_pixel_format(renders, ffprobe, case):
    """codec, profile, pix_fmt and colour matrix as ffprobe reads them equal the manifest's record of the file."""
    kind, name = case
    render, fmt = renders[kind], name.rsplit(".", 1)[1]
    record = render.record(name)
    stream = probe(ffprobe, render.folder / name)
    actual = {"codec": stream["codec_name"], "profile": stream.get("profile"), "pix_fmt": stream.get("pix_fmt"),
              "color_space": stream.get("color_space")}
    if fmt == "webm":
        actual["pix_fmt"] = libvpx_pix_fmt(ffprobe, render.folder / name)
        has_alpha = stream.get("tags", {}).get("alpha_mode") == "1"
        assert has_alpha == (actual["pix_fmt"] == "yuva420p"), (name, stream, actual)
    keys = STREAM_KEYS[fmt]
    assert {k: actual[k] for k in keys} == {k: record[k] for k in keys}, (name, stream)


@pytest.mark.parametrize("view", VIEWS)
def test_mp4_faststart(renders, ffprobe, view):
    """moov comes before mdat (playback starts before the download ends) exactly when the manifest says faststart."""
    render, name = renders["opaque"], f"{view}.mp4"
    record = render.record(name)
    boxes = top_level_boxes(ffprobe, render.folder / name)
    assert "moov" in boxes and "mdat" in boxes, (name, boxes)
    assert (boxes.index("moov") < boxes.index("mdat")) == record["faststart"], (name, boxes)


@pytest.mark.parametrize("case", STILLS, ids=case_id)
def test_png_still(renders, ffprobe, case):
    """A PNG still decodes as one PNG image of the manifest's size, with an alpha channel when it says so."""
    kind, name = case
    render = renders[kind]
    record = render.record(name)
    stream = probe(ffprobe, render.folder / name)
    assert stream["codec_name"] == record["codec"] == "png", (name, stream)
    assert int(stream["nb_read_frames"]) == 1, (name, stream)
    assert (stream["width"], stream["height"]) == (record["width"], record["height"]), (name, stream)
    assert stream["pix_fmt"] in ("rgba", "rgb24"), (name, stream)
    assert (stream["pix_fmt"] == "rgba") == record["alpha"], (name, stream)


@pytest.mark.parametrize("case", WEBPS, ids=case_id)
def test_webp_frames_and_size(renders, ffprobe, case):
    """An animated WebP's size and decoded frame count equal the manifest's, where ffprobe can decode
    one: FFmpeg 5.1 (Debian 12's) cannot, it finds no image in the ANMF chunks."""
    kind, name = case
    render = renders[kind]
    record = render.record(name)
    stream = probe(ffprobe, render.folder / name)
    if not stream.get("width"):
        pytest.skip(f"this ffprobe cannot decode an animated WebP (it reads {stream})")
    assert (stream["width"], stream["height"]) == (record["width"], record["height"]), (name, stream)
    assert int(stream["nb_read_frames"]) == record["frames"], (name, stream)
