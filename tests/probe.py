"""Read written videos back as a player would: stream facts via ffmpeg, decoded frame counts,
container bytes; and `check_outputs`, a whole render checked against what `anim.info` planned."""

import hashlib
import json
import re
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

from anim.write.formats import FORMATS


@dataclass
class Stream:
    codec: str
    profile: str
    pix_fmt: str
    width: int
    height: int
    fps: float


def _ffmpeg(*args):
    return subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", *args],
                          capture_output=True, text=True)


def stream(path):
    """Codec, profile, pixel format, size and frame rate of the first video stream, as ffmpeg reads them."""
    line = next(l for l in _ffmpeg("-i", str(path)).stderr.splitlines() if "Video:" in l)
    codec = re.search(r"Video: (\w+)", line)[1]
    profile = re.search(r"Video: \w+ \(([^)]+)\)", line)
    pix_fmt = re.search(r", (yuv\w+|rgb\w+|bgr\w+|pal8|gray)\b", line)
    width, height = map(int, re.search(r", (\d{2,5})x(\d{2,5})", line).groups())
    fps = re.search(r", ([\d.]+) (?:fps|tbr)", line)
    return Stream(codec, profile[1] if profile else "", pix_fmt[1] if pix_fmt else "",
                  width, height, float(fps[1]) if fps else 0.0)


def alpha_mode(path):
    """Whether a WebM's video stream carries an alpha channel (Matroska's ALPHA_MODE tag)."""
    return bool(re.search(r"alpha_mode\s*:\s*1", _ffmpeg("-i", str(path)).stderr, re.IGNORECASE))


def decoded_frames(path):
    """How many frames a decoder gets out of the file (every frame decoded, none dropped)."""
    result = _ffmpeg("-i", str(path), "-map", "0:v:0", "-fps_mode", "passthrough", "-f", "null", "-")
    assert result.returncode == 0, result.stderr
    return int(re.findall(r"frame=\s*(\d+)", result.stderr)[-1])


def check_decoded_frames(folder, records, message=None):
    """Every animation among `records` (manifest entries) decodes to the frame count it records."""
    for record in records:
        if record.get("frames"):
            assert decoded_frames(Path(folder) / record["file"]) == record["frames"], message or record["file"]


def first_frame_rgb(path, width, height):
    """The first decoded frame of a video as an HxWx3 array."""
    raw = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path), "-frames:v", "1",
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(height, width, 3)


def first_frame_alpha(path, width, height):
    """The alpha plane of the first decoded frame of a video as an HxW array (255 where it has none)."""
    raw = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path), "-frames:v", "1",
                          "-f", "rawvideo", "-pix_fmt", "rgba", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(height, width, 4)[..., 3]


def mp4_top_level_boxes(path):
    """The MP4's top-level box types in file order ('moov' before 'mdat' means faststart)."""
    data = Path(path).read_bytes()
    boxes, offset = [], 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset:offset + 8])
        if size == 1:
            size = struct.unpack(">Q", data[offset + 8:offset + 16])[0]
        boxes.append(kind.decode("latin-1"))
        if size == 0:
            break
        offset += size
    return boxes


def gif_facts(path):
    """(loop count or None, frame delays in 1/100 s, image count), walking the GIF's blocks."""
    data = Path(path).read_bytes()
    assert data[:6] in (b"GIF87a", b"GIF89a"), "not a GIF"
    packed = data[10]
    pos = 13 + (3 * 2 ** ((packed & 7) + 1) if packed & 0x80 else 0)
    loop, delays, images = None, [], 0

    def skip_sub_blocks(pos):
        while data[pos]:
            pos += data[pos] + 1
        return pos + 1

    while data[pos] != 0x3B:
        if data[pos] == 0x21:
            label = data[pos + 1]
            if label == 0xF9:
                delays.append(struct.unpack("<H", data[pos + 4:pos + 6])[0])
            elif label == 0xFF and data[pos + 3:pos + 14] == b"NETSCAPE2.0":
                loop = struct.unpack("<H", data[pos + 16:pos + 18])[0]
            pos = skip_sub_blocks(pos + 2)
        elif data[pos] == 0x2C:
            images += 1
            local = data[pos + 9]
            pos += 10 + (3 * 2 ** ((local & 7) + 1) if local & 0x80 else 0)
            pos = skip_sub_blocks(pos + 1)  # after the LZW minimum code size
        else:
            raise AssertionError(f"unexpected GIF block 0x{data[pos]:02x} at {pos}")
    return loop, delays, images


@dataclass
class WebP:
    chunks: list      # the RIFF chunk types in file order
    canvas: tuple     # (width, height) from VP8X
    loop: int         # the ANIM chunk's loop count: 0 is forever
    durations: list   # each ANMF frame's duration in ms


def webp_facts(path):
    """The RIFF chunks of an animated WebP (Google's container spec): canvas size, loop count and
    the duration of each stored frame (ANMF chunk)."""
    data = Path(path).read_bytes()
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP", "not a WebP"
    assert struct.unpack("<I", data[4:8])[0] == len(data) - 8, "RIFF size is not the file's"
    chunks, canvas, loop, durations, pos = [], None, None, [], 12
    while pos + 8 <= len(data):
        kind, size = data[pos:pos + 4].decode("latin-1"), struct.unpack("<I", data[pos + 4:pos + 8])[0]
        body = data[pos + 8:pos + 8 + size]
        chunks.append(kind)
        if kind == "VP8X":
            canvas = (int.from_bytes(body[4:7], "little") + 1, int.from_bytes(body[7:10], "little") + 1)
        elif kind == "ANIM":
            loop = struct.unpack("<H", body[4:6])[0]
        elif kind == "ANMF":
            durations.append(int.from_bytes(body[12:15], "little"))
        pos += 8 + size + (size & 1)
    assert pos == len(data), f"{len(data) - pos} bytes after the last chunk"
    return WebP(chunks, canvas, loop, durations)


def webp_alphas(path):
    """The smallest alpha of each frame of an animated WebP as Pillow composes it (mode RGBA)."""
    with Image.open(path) as image:
        assert image.format == "WEBP" and image.mode == "RGBA", (image.format, image.mode)
        lowest = []
        for index in range(image.n_frames):
            image.seek(index)
            lowest.append(int(np.asarray(image.convert("RGBA"))[..., 3].min()))
    return lowest


def check_outputs(folder, scene_path, plan):
    """Every file a render wrote, read back: decoded frames == manifest == the plan of `anim.info`
    for the same options; codec, size, rate as promised. Returns the manifest."""
    info = {output.filename: output for output in plan.outputs}
    manifest = json.loads((folder / "manifest.json").read_text())
    records = {r["file"]: r for r in manifest["files"]}
    # beside animations, their text alternative and a descriptions track per view (anim.write.describe)
    views = {o.view for o in plan.outputs if o.view and FORMATS[o.format].animated}
    described = {"description.txt", *(f"{view}.vtt" for view in views)} if views else set()
    assert set(records) == set(info) | {"trajectories.csv", "index.html"} | described
    assert set(manifest["alt"]) == set(plan.settings.views)
    for name in described:
        data = (folder / name).read_bytes()
        assert records[name]["bytes"] == len(data) and records[name]["sha256"] == hashlib.sha256(data).hexdigest()
        if name.endswith(".vtt"):
            assert data.startswith(b"WEBVTT\n") and data.count(b" --> ") == len(manifest["description"]["events"])
    for name, promised in info.items():
        path, record = folder / name, records[name]
        data = path.read_bytes()
        assert record["bytes"] == len(data) and record["sha256"] == hashlib.sha256(data).hexdigest()
        if name.endswith(".png"):
            with Image.open(path) as image:
                assert (image.format, image.size) == ("PNG", (record["width"], record["height"]))
                assert image.mode == ("RGBA" if record["alpha"] else "RGB")
            assert (record["width"], record["height"]) == (promised.width, promised.height)
            continue
        assert decoded_frames(path) == record["frames"] == promised.frames, name
        assert (record["width"], record["height"]) == (promised.width, promised.height)
        video = stream(path)
        assert (video.width, video.height) == (record["width"], record["height"])
        if name.endswith(".mp4"):
            assert (video.codec, video.profile, video.pix_fmt) == ("h264", "High", "yuv420p")
            assert video.fps == record["fps"] == promised.fps
            assert record["width"] % 2 == 0 and record["height"] % 2 == 0
            boxes = mp4_top_level_boxes(path)
            assert boxes.index("moov") < boxes.index("mdat"), "not faststart"
        elif name.endswith(".webm"):
            assert video.codec == record["codec"] == "vp9"
            assert alpha_mode(path) == (record["pix_fmt"] == "yuva420p")
            assert video.fps == record["fps"] == promised.fps
        elif name.endswith(".gif"):
            loop, delays, images = gif_facts(path)
            assert loop == 0 and images == record["frames"] and min(delays) >= 2
            assert sum(delays) / 100 == pytest.approx(record["duration"], abs=0.02)
        else:
            raise AssertionError(f"check_outputs has no check for {name}")
    page = (folder / "index.html").read_text()
    for name in info:  # the preview page shows every file, by its relative name
        assert f'src="{name}"' in page, name
    assert manifest["scene_sha256"] == hashlib.sha256(scene_path.read_bytes()).hexdigest()
    assert {"torch", "matplotlib", "ffmpeg"} <= set(manifest["versions"])
    return manifest
