"""The outputs people drop into slides, videos and pages: presets, WebM, PNG, themes, GIF budgets."""

import json
import os
import subprocess
from xml.etree import ElementTree

import imageio_ffmpeg
import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

import probe
from anim.cli import main
from conftest import SCENES


def render(scene, out, *options):
    result = CliRunner().invoke(main, ["render", str(scene), "-o", str(out), *options])
    assert result.exit_code == 0, result.output
    folder = out / json.loads(next(out.glob("*/manifest.json")).read_text())["scene"]
    manifest = json.loads((folder / "manifest.json").read_text())
    return folder, {r["file"]: r for r in manifest["files"]}, result.output


def first_frame_rgb(path, width, height):
    """The first decoded frame of a video as an HxWx3 array."""
    raw = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path), "-frames:v", "1",
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(height, width, 3)


@pytest.mark.parametrize("quality, size, fps", [
    ("low", (854, 480), 15), ("medium", (1280, 720), 30),
    pytest.param("high", (1920, 1080), 60, marks=pytest.mark.slow),
    pytest.param("4k", (3840, 2160), 60, marks=pytest.mark.slow),
])
def test_presets_give_the_size_and_rate_they_name_read_back_from_the_file(tmp_path, tiny_scene, quality, size,
                                                                           fps):
    folder, records, _ = render(tiny_scene, tmp_path, "--quality", quality, "--view", "contour",
                                "--format", "mp4")
    stream = probe.stream(folder / "contour.mp4")
    assert ((stream.width, stream.height), stream.fps) == (size, fps)
    assert probe.decoded_frames(folder / "contour.mp4") == records["contour.mp4"]["frames"]


def test_odd_size_is_rounded_and_the_real_size_reported(tmp_path, tiny_scene):
    folder, records, output = render(tiny_scene, tmp_path, "--size", "321x181", "--view", "contour",
                                     "--format", "mp4")
    assert "note: --size 321x181 rounded to 320x180 (H.264 needs even sides)" in output
    assert (probe.stream(folder / "contour.mp4").width, records["contour.mp4"]["height"]) == (320, 180)


def test_transparent_png_and_webm_keep_alpha_while_mp4_and_gif_lie_on_the_theme(tmp_path, tiny_scene):
    folder, records, _ = render(tiny_scene, tmp_path, "--transparent", "--size", "320x180", "--view", "contour",
                                "--format", "png", "--format", "webm", "--format", "mp4")
    with Image.open(folder / "contour.png") as image:
        pixels = np.asarray(image)
    assert image.mode == "RGBA" and pixels[0, 0, 3] == 0  # the margin is see-through...
    assert pixels[90, 140, 3] == 255                       # ...the plot is not
    assert records["contour.webm"]["pix_fmt"] == "yuva420p" and probe.alpha_mode(folder / "contour.webm")
    corner = first_frame_rgb(folder / "contour.mp4", 320, 180)[2, 2]
    assert np.abs(corner.astype(int) - 255).max() <= 3  # white, the light theme's background


def test_dark_theme_frames_are_dark_and_opaque_by_default(tmp_path, tiny_scene):
    folder, records, _ = render(tiny_scene, tmp_path, "--theme", "dark", "--size", "320x180",
                                "--view", "surface", "--format", "png", "--format", "webm")
    with Image.open(folder / "surface.png") as image:
        assert image.mode == "RGB"
        corner = np.asarray(image)[2, 2]
    np.testing.assert_array_equal(corner, [0x15, 0x17, 0x1C])
    assert records["surface.webm"]["pix_fmt"] == "yuv420p" and not probe.alpha_mode(folder / "surface.webm")
    assert probe.decoded_frames(folder / "surface.webm") == records["surface.webm"]["frames"]


def test_ravine_contour_gif_at_640x360_is_well_under_300_kb(tmp_path):
    folder, records, _ = render(SCENES / "pathological.py", tmp_path, "--size", "640x360",
                                "--view", "contour", "--format", "gif")
    assert records["contour.gif"]["bytes"] == (folder / "contour.gif").stat().st_size < 200_000


def test_gif_max_mb_shrinks_until_the_file_fits_and_says_what_it_chose(tmp_path, tiny_scene):
    options = ["--size", "480x270", "--view", "surface", "--format", "gif"]
    _, unlimited, _ = render(tiny_scene, tmp_path / "a", *options)
    budget_mb = unlimited["surface.gif"]["bytes"] / 2 / 1e6
    folder, records, _ = render(tiny_scene, tmp_path / "b", *options, "--gif-max-mb", f"{budget_mb:.6f}")
    record = records["surface.gif"]
    assert record["bytes"] <= record["max_bytes"] == round(budget_mb * 1e6)
    assert (record["fps"], record["width"]) < (unlimited["surface.gif"]["fps"], 480)  # fps first
    loop, delays, images = probe.gif_facts(folder / "surface.gif")
    stream = probe.stream(folder / "surface.gif")
    assert (images, stream.width, stream.height) == (record["frames"], record["width"], record["height"])
    assert sum(delays) / 100 == pytest.approx(record["duration"], abs=0.05) and loop == 0


def test_a_gif_that_cannot_fit_fails_the_render_and_writes_nothing(tmp_path, tiny_scene):
    result = CliRunner().invoke(main, ["render", str(tiny_scene), "-o", str(tmp_path), "--size", "320x180",
                                       "--view", "contour", "--format", "gif", "--gif-max-mb", "0.001"])
    assert result.exit_code == 1
    assert "error: contour.gif does not fit in 0.001 MB even at 5 fps, 160x90 and 16 colours" in result.output
    assert sorted(p.name for p in (tmp_path / "bowl").iterdir()) == []


def test_dashboard_shows_every_panel_in_one_frame(tmp_path, tiny_scene):
    folder, records, _ = render(tiny_scene, tmp_path, "--view", "dashboard", "--size", "640x360",
                                "--format", "mp4", "--format", "png", "--trail", "4")
    assert probe.decoded_frames(folder / "dashboard.mp4") == records["dashboard.mp4"]["frames"]
    with Image.open(folder / "dashboard.png") as image:
        assert image.size == (640, 360)


def test_still_writes_the_final_figures_as_png_svg_and_pdf(tmp_path, tiny_scene):
    result = CliRunner().invoke(main, ["still", str(tiny_scene), "-o", str(tmp_path), "--size", "640x360"])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "bowl"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{view}-still.{fmt}" for view in ("contour", "surface") for fmt in ("png", "svg", "pdf"))
    first_svg = (folder / "surface-still.svg").read_bytes()
    assert CliRunner().invoke(main, ["still", str(tiny_scene), "-o", str(tmp_path), "--size", "640x360",
                                     "--format", "svg", "--format", "pdf"]).exit_code == 0
    assert (folder / "surface-still.svg").read_bytes() == first_svg  # reproducible, byte for byte
    for view in ("contour", "surface"):
        with Image.open(folder / f"{view}-still.png") as image:
            assert (image.format, image.size, image.mode) == ("PNG", (640, 360), "RGB")  # RGBA if --transparent
        svg = ElementTree.parse(folder / f"{view}-still.svg").getroot()
        texts = {"".join(t.itertext()).strip() for t in svg.iter("{http://www.w3.org/2000/svg}text")}
        assert {"Bowl", "SGD", "Adam"} <= texts  # text stays text: searchable and editable
        pdf = (folder / f"{view}-still.pdf").read_bytes()
        assert pdf.startswith(b"%PDF-") and b"/Title (Bowl)" in pdf


def test_still_matches_the_last_video_frame(tmp_path, tiny_scene):
    """The figure shows what the animation ends on: whole paths, heads at the last points."""
    CliRunner().invoke(main, ["still", str(tiny_scene), "-o", str(tmp_path), "--size", "320x180",
                              "--view", "contour", "--format", "png"])
    folder, records, _ = render(tiny_scene, tmp_path / "r", "--size", "320x180", "--view", "contour",
                                "--format", "png")
    with Image.open(tmp_path / "bowl" / "contour-still.png") as still, Image.open(folder / "contour.png") as last:
        np.testing.assert_array_equal(np.asarray(still), np.asarray(last))


def test_a_folder_in_the_way_of_one_output_fails_the_render_and_changes_nothing(tmp_path, tiny_scene):
    options = ["--size", "160x96", "--view", "contour", "--format", "mp4", "--format", "png"]
    folder, _, _ = render(tiny_scene, tmp_path, *options)
    (folder / "contour.png").unlink()
    (folder / "contour.png").mkdir()
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    result = CliRunner().invoke(main, ["render", str(tiny_scene), "-o", str(tmp_path), *options, "--trail", "3"])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == f"error: cannot write {folder / 'contour.png'}: a folder is in the way"
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == before


def test_commit_all_puts_back_what_it_replaced_when_a_later_rename_fails(tmp_path, monkeypatch):
    from anim import files

    finals = [tmp_path / name for name in ("a.mp4", "b.gif", "c.json")]
    for final in finals[:2]:
        final.write_bytes(b"old " + final.name.encode())
    pairs = [(files.write_temp(final, b"new"), final) for final in finals]
    real_replace = os.replace

    def failing_replace(source, target):
        if str(target).endswith("c.json"):
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(files.os, "replace", failing_replace)
    with pytest.raises(OSError, match=r"No space left on device: '.*c\.json'"):
        files.commit_all(pairs)
    assert [f.read_bytes() for f in finals[:2]] == [b"old a.mp4", b"old b.gif"] and not finals[2].exists()
    # No backup is left behind; the temporary not yet moved is the caller's to discard.
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["a.mp4", "b.gif", pairs[2][0].name])
