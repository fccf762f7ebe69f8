"""The format registry, and what each format's files hold, read back from the files: MOV is ProRes
4444 with alpha only when see-through, WebP loops forever, the page shows each as browsers can."""

import json
import re
import textwrap
from html.parser import HTMLParser

import numpy as np
import probe
import pytest
from click.testing import CliRunner
from conftest import ROOT, SCENES, TINY_SCENE, Rendered
from PIL import Image

import anim
from anim.faces.cli import main

EDITOR_FORMATS = ["--view", "contour", "--format", "mov", "--format", "webp", "--format", "gif", "--size", "320x180"]
KINDS = {"opaque": [], "transparent": ["--transparent"]}


@pytest.fixture(scope="module")
def editors(tmp_path_factory):
    """The bowl's contour view as MOV, WebP and GIF, opaque and see-through, rendered once for the module."""
    root = tmp_path_factory.mktemp("editors")
    scene = root / "bowl.py"
    scene.write_text(textwrap.dedent(TINY_SCENE))
    renders = {"scene": scene}
    for kind, flags in KINDS.items():
        result = CliRunner().invoke(main, ["render", str(scene), "-o", str(root / kind), *EDITOR_FORMATS, *flags])
        assert result.exit_code == 0, result.output
        folder = root / kind / "bowl"
        renders[kind] = Rendered(0, result.output, folder, json.loads((folder / "manifest.json").read_text()))
    return renders


@pytest.mark.parametrize("kind", KINDS)
def test_mov_is_prores_4444_decoded_as_the_manifest_says(editors, kind):
    rendered = editors[kind]
    path, record = rendered.folder / "contour.mov", rendered.records["contour.mov"]
    assert probe.decoded_frames(path) == record["frames"] == 87
    video = probe.stream(path)
    # FFmpeg's ProRes decoder gives 12 bits; alpha only for a see-through render.
    assert (video.codec, video.profile, video.pix_fmt) == ("prores", "4444", record["pix_fmt"])
    assert record["pix_fmt"] == {"opaque": "yuv444p12le", "transparent": "yuva444p12le"}[kind]
    assert (video.width, video.height, video.fps) == (record["width"], record["height"], record["fps"]) == (
        320, 180, 30)
    alpha = probe.first_frame_alpha(path, 320, 180)
    if kind == "transparent":
        assert alpha[0, 0] == 0 and alpha[90, 140] == 255  # the margin is see-through, the plot is not
    else:
        assert alpha.min() == 255


@pytest.mark.parametrize("kind", KINDS)
def test_webp_loops_forever_at_the_manifests_size_and_duration(editors, kind):
    rendered = editors[kind]
    path, record = rendered.folder / "contour.webp", rendered.records["contour.webp"]
    webp = probe.webp_facts(path)
    assert webp.chunks[:2] == ["VP8X", "ANIM"] and set(webp.chunks[2:]) == {"ANMF"}
    assert webp.loop == 0 and record["loop"] == "forever"
    assert webp.canvas == (record["width"], record["height"]) == (320, 180)
    assert sum(webp.durations) / 1000 == pytest.approx(record["duration"], abs=1 / record["fps"])
    with Image.open(path) as image:  # a second reader agrees
        assert (image.format, image.size, image.info["loop"]) == ("WEBP", (320, 180), 0)


@pytest.mark.parametrize("kind", KINDS)
def test_webp_has_alpha_only_when_transparent(editors, kind):
    lowest = probe.webp_alphas(editors[kind].folder / "contour.webp")
    if kind == "transparent":
        assert all(alpha < 255 for alpha in lowest), lowest  # every frame's margin is see-through
    else:
        assert all(alpha == 255 for alpha in lowest), lowest


def test_webp_frames_in_the_manifest_are_the_frames_the_file_holds(editors):
    """libwebp keeps a run of identical frames (the holds) as one frame shown as long: the manifest
    counts what the file holds, and the duration is the video's."""
    rendered = editors["opaque"]
    path, record = rendered.folder / "contour.webp", rendered.records["contour.webp"]
    assert len(probe.webp_facts(path).durations) == record["frames"]
    assert probe.decoded_frames(path) == record["frames"]


@pytest.mark.slow
def test_the_3d_webp_of_the_lecture_scene_is_two_thirds_of_the_gifs_size(tmp_path, render):
    """What the README says of WebP's size: the turning surface in full colour in a fraction of the
    GIF's bytes (flat contour frames are another matter: there the GIF's palette wins). Since the
    turning 3-D GIF keeps whole frames it is smaller, and the WebP about two thirds of it (0.67)."""
    records = render(SCENES / "pathological.py", tmp_path, "--size", "640x360", "--view", "surface",
                     "--format", "webp", "--format", "gif").records
    assert records["surface.webp"]["bytes"] < 0.75 * records["surface.gif"]["bytes"]


class _Tags(HTMLParser):
    def __init__(self, text):
        super().__init__()
        self.tags = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


@pytest.mark.parametrize("kind", KINDS)
def test_the_page_shows_the_webp_as_a_picture_and_links_the_mov(editors, kind):
    tags = _Tags((editors[kind].folder / "index.html").read_text()).tags
    pictures = [attrs["src"] for tag, attrs in tags if tag == "img"]
    played = [attrs.get("src") for tag, attrs in tags if tag in ("video", "source")]
    links = [attrs["href"] for tag, attrs in tags if tag == "a"]
    assert pictures == ["contour.webp", "contour.gif"]
    assert played == []  # browsers do not play ProRes: no <video> for it
    assert "contour.mov" in links


def test_info_plans_the_mov_and_webp_a_render_writes(editors):
    plan = anim.info(editors["scene"], views=["contour"], formats=["mov", "webp", "gif"], size="320x180")
    planned = {o.filename: (o.frames, o.fps, o.width, o.height) for o in plan.outputs}
    written = {name: (r["frames"], r["fps"], r["width"], r["height"])
               for name, r in editors["opaque"].records.items() if r["view"]}
    assert set(planned) == set(written) == {"contour.mov", "contour.webp", "contour.gif"}
    frames, *rest = planned.pop("contour.webp")  # at most: identical frames merge (see above)
    assert written["contour.webp"][0] <= frames and written.pop("contour.webp")[1:] == tuple(rest)
    assert planned == written


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


def test_the_word_webm_is_in_at_most_two_files_of_the_package():
    """A format is one record of the registry: the rest of optianim does not name it."""
    naming = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "anim").rglob("*.py")
                    if re.search(r"webm", path.read_text(), re.IGNORECASE))
    assert len(naming) <= 2, naming

