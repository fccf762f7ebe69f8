"""Videos carry the PNG's colours, read without a browser: the last frame decoded to raw YUV by
ffmpeg and turned into RGB here with the BT.709 limited-range matrix the files are tagged with.

Only ffmpeg (imageio-ffmpeg's) is needed. A video converted with one RGB->YUV matrix but tagged
with another decodes, in any player that honours the tags, up to ~18 levels off in saturated
colours (BT.601 vs BT.709 on viridis); greys would hide it, so only flat saturated areas count.
"""

import re
import subprocess

import imageio_ffmpeg
import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from anim.faces.cli import main

WIDTH, HEIGHT = 160, 96

# Four plateaus (sigmoid steps in w1 and w2), so the contour view is four large flat areas of
# viridis: purple, blue, green and yellow, all saturated.
PLATEAUS = """
import torch
from anim import Scene, Optimizer

scene = Scene(
    name="plateaus", title="Plateaus",
    surface=lambda w1, w2: torch.sigmoid(12 * w1) + 0.5 * torch.sigmoid(12 * w2),
    init=(0.1, 0.1), steps=6, x_range=(-2, 2), y_range=(-2, 2),
    optimizers=[Optimizer("SGD", torch.optim.SGD, lr=0.1, color="red")],
)
"""

# BT.709 (ITU-R BT.709-6): luma weights Kr, Kb; limited ("tv") range: Y' in 16..235, Cb/Cr in 16..240.
KR, KB = 0.2126, 0.0722
KG = 1 - KR - KB
# RGB (0..1) from (Y' - 16) / 219, (Cb - 128) / 224, (Cr - 128) / 224:
YUV_TO_RGB = np.array([
    [1.0, 0.0, 2 * (1 - KR)],                                   # R = Y + 1.5748 Cr
    [1.0, -2 * KB * (1 - KB) / KG, -2 * KR * (1 - KR) / KG],    # G = Y - 0.1873 Cb - 0.4681 Cr
    [1.0, 2 * (1 - KB), 0.0],                                   # B = Y + 1.8556 Cb
])


def ffmpeg(*args, text=False):
    return subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", *args], capture_output=True,
                          text=text, timeout=120)


def last_frame_yuv420p(path):
    """The planes (Y at full size, Cb and Cr at half size) of the video's last frame, as decoded."""
    result = ffmpeg("-loglevel", "error", "-i", str(path), "-map", "0:v:0", "-fps_mode", "passthrough",
                    "-f", "rawvideo", "-pix_fmt", "yuv420p", "pipe:1")
    assert result.returncode == 0, result.stderr.decode()
    size = WIDTH * HEIGHT
    frame_bytes = size * 3 // 2
    data = np.frombuffer(result.stdout, np.uint8)
    assert data.size and data.size % frame_bytes == 0, f"{data.size} bytes is not whole {WIDTH}x{HEIGHT} frames"
    last = data[-frame_bytes:]
    return (last[:size].reshape(HEIGHT, WIDTH), last[size:size * 5 // 4].reshape(HEIGHT // 2, WIDTH // 2),
            last[size * 5 // 4:].reshape(HEIGHT // 2, WIDTH // 2))


def bt709_tv_to_rgb(y, cb, cr):
    """HxWx3 RGB in 0..255 (floats) from 4:2:0 planes, chroma repeated over its 2x2 pixels."""
    cb, cr = (plane.repeat(2, axis=0).repeat(2, axis=1) for plane in (cb, cr))
    yuv = np.stack([(y - 16.0) / 219, (cb - 128.0) / 224, (cr - 128.0) / 224], axis=-1)
    return np.clip(yuv @ YUV_TO_RGB.T, 0, 1) * 255


def flat_saturated_blocks(png, block=4, margin=2):
    """(y, x, colour) of each block x block square (at even coordinates, so it holds whole chroma
    samples) whose pixels, and `margin` more around it, are all one colour of the PNG, a saturated
    one (channels 60+ levels apart): where neither 4:2:0 chroma nor compression blurs edges."""
    blocks = []
    for y in range(margin, HEIGHT - block - margin + 1, block):
        for x in range(margin, WIDTH - block - margin + 1, block):
            area = png[y - margin:y + block + margin, x - margin:x + block + margin].reshape(-1, 3)
            colour = area[0]
            if (area == colour).all() and int(colour.max()) - int(colour.min()) >= 60:
                blocks.append((y, x, tuple(int(c) for c in colour)))
    return blocks


def colour_tags(path):
    """(range, matrix, primaries, transfer) of the first video stream, as `ffmpeg -i` prints them:
    'yuv420p(tv, bt709, progressive)' or, when they differ, 'yuv420p(tv, bt709/bt470bg/bt709)'."""
    line = next(l for l in ffmpeg("-i", str(path), text=True).stderr.splitlines() if "Video:" in l)
    details = re.search(r", yuva?420p\(([^)]*)\)", line)
    assert details, f"no pixel format details (range, colours) in: {line}"
    fields = [f.strip() for f in details[1].split(",")]
    colour_range = fields.pop(0) if fields and fields[0] in ("tv", "pc") else "unknown"
    colours = next((f for f in fields if re.fullmatch(r"[\w-]+(/[\w-]+/[\w-]+)?", f)
                    and f not in ("progressive", "tt", "bb", "tb", "bt")), None)
    if colours is None:
        return colour_range, "unknown", "unknown", "unknown"
    matrix, primaries, transfer = colours.split("/") if "/" in colours else [colours] * 3
    return colour_range, matrix, primaries, transfer


def frame_colour_tags(path):
    """The same four facts as the decoder attaches them to each frame (ffmpeg's showinfo filter)."""
    result = ffmpeg("-i", str(path), "-map", "0:v:0", "-vf", "showinfo", "-frames:v", "1", "-f", "null", "-",
                    text=True)
    assert result.returncode == 0, result.stderr
    found = re.search(r"color_range:(\w+) color_space:(\w+) color_primaries:(\w+) color_trc:(\w+)", result.stderr)
    assert found, result.stderr
    return found.groups()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The plateaus' contour view as MP4, WebM and PNG (the PNG is the videos' last frame)."""
    root = tmp_path_factory.mktemp("fidelity")
    scene = root / "plateaus.py"
    scene.write_text(PLATEAUS)
    result = CliRunner().invoke(main, ["render", str(scene), "-o", str(root / "out"), "--size",
                                       f"{WIDTH}x{HEIGHT}", "--view", "contour", "--format", "mp4",
                                       "--format", "webm", "--format", "png", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    return root / "out" / "plateaus"


@pytest.mark.parametrize("fmt", ["mp4", "webm"])
def test_the_last_frame_decodes_to_the_png_colours_in_flat_saturated_areas(rendered, fmt):
    png = np.asarray(Image.open(rendered / "contour.png").convert("RGB"))
    assert png.shape == (HEIGHT, WIDTH, 3)
    shown = bt709_tv_to_rgb(*(plane.astype(np.float64) for plane in last_frame_yuv420p(rendered / f"contour.{fmt}")))
    blocks = flat_saturated_blocks(png)
    by_colour = {}
    for y, x, colour in blocks:
        error = np.median(shown[y:y + 4, x:x + 4].reshape(-1, 3), axis=0) - colour
        by_colour.setdefault(colour, []).append(error)
    # The test has teeth only with enough of the picture in play: the four plateaus here.
    assert len(blocks) >= 100 and len(by_colour) >= 3, (len(blocks), sorted(by_colour))
    report = {colour: np.round(np.median(errors, axis=0), 1).tolist() for colour, errors in by_colour.items()}
    worst = max(float(np.abs(errors).max()) for errors in by_colour.values())
    # Each colour's typical error (median over its blocks) within 3 levels per channel, and no
    # single block more than 6 off: x264 and VP9 here stay within 1.5 and 3; BT.601 under a
    # BT.709 tag is 5 to 16 levels off on three of these four colours.
    assert all(max(map(abs, error)) <= 3 for error in report.values()), f"median RGB error by colour: {report}"
    assert worst <= 6, f"a flat block {worst} levels off; median RGB error by colour: {report}"


@pytest.mark.parametrize("fmt", ["mp4", "webm"])
def test_the_video_says_it_is_bt709_limited_range(rendered, fmt):
    """The stream's tags (the H.264 VUI / VP9 header and the container) and each decoded frame's."""
    path = rendered / f"contour.{fmt}"
    assert colour_tags(path) == ("tv", "bt709", "bt709", "bt709")
    assert frame_colour_tags(path) == ("tv", "bt709", "bt709", "bt709")
