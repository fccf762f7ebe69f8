"""Read written videos back as a player would: stream facts via ffmpeg, decoded frame counts, container bytes."""

import re
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg


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
