"""The lecture's static figures: each view's last frame as PNG, SVG and PDF."""

from xml.etree import ElementTree

import numpy as np
from click.testing import CliRunner
from PIL import Image

from anim.faces.cli import main


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
        assert {"Bowl", "SGD  lr 0.1", "Adam  lr 0.3"} <= texts  # text stays text: searchable and editable
        pdf = (folder / f"{view}-still.pdf").read_bytes()
        assert pdf.startswith(b"%PDF-") and b"/Title (Bowl)" in pdf


def test_still_matches_the_last_video_frame(tmp_path, tiny_scene, render):
    """The figure shows what the animation ends on: whole paths, heads at the last points."""
    CliRunner().invoke(main, ["still", str(tiny_scene), "-o", str(tmp_path), "--size", "320x180",
                              "--view", "contour", "--format", "png", "--counter"])
    folder = render(tiny_scene, tmp_path / "r", "--size", "320x180", "--view", "contour", "--format", "png").folder
    with Image.open(tmp_path / "bowl" / "contour-still.png") as still, Image.open(folder / "contour.png") as last:
        np.testing.assert_array_equal(np.asarray(still), np.asarray(last))
