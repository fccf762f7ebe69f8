"""What each format's files hold, read back from the files."""

import numpy as np
from PIL import Image

import probe


def test_transparent_png_and_webm_keep_alpha_while_mp4_and_gif_lie_on_the_theme(tmp_path, tiny_scene, render):
    rendered = render(tiny_scene, tmp_path, "--transparent", "--size", "320x180", "--view", "contour",
                      "--format", "png", "--format", "webm", "--format", "mp4")
    folder, records = rendered.folder, rendered.records
    with Image.open(folder / "contour.png") as image:
        pixels = np.asarray(image)
    assert image.mode == "RGBA" and pixels[0, 0, 3] == 0  # the margin is see-through...
    assert pixels[90, 140, 3] == 255                       # ...the plot is not
    assert records["contour.webm"]["pix_fmt"] == "yuva420p" and probe.alpha_mode(folder / "contour.webm")
    corner = probe.first_frame_rgb(folder / "contour.mp4", 320, 180)[2, 2]
    assert np.abs(corner.astype(int) - 255).max() <= 3  # white, the light theme's background
