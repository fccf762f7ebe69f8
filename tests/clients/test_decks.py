"""The decks in their real clients: LibreOffice Impress (Debian's, headless) turns deck.pptx into a PDF
in which every slide shows its animation's first frame, and pdflatex (TeX Live's animate package)
compiles deck.tex into a PDF whose first page shows it; both rasterised with pdftoppm and compared,
pixel by pixel, with the first frame of the GIF the deck was made from."""

import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image, ImageSequence

from .conftest import tool

TOOL_TIMEOUT = 300  # seconds: only stops a hang


def first_and_last(gif):
    with Image.open(gif) as image:
        frames = [frame.convert("RGB") for frame in ImageSequence.Iterator(image)]
    return frames[0], frames[-1]


def pages(pdf, folder, dpi=72):
    """The PDF's pages as RGB arrays, rasterised by pdftoppm."""
    subprocess.run([tool("pdftoppm", "poppler-utils"), "-r", str(dpi), "-png", str(pdf), str(folder / "page")],
                   check=True, capture_output=True, timeout=TOOL_TIMEOUT)
    return [np.asarray(Image.open(path).convert("RGB")) for path in sorted(folder.glob("page-*.png"),
                                                                              key=lambda p: int(p.stem.split("-")[1]))]


def animation_box(page):
    """(top, bottom, left, right) of the animation on a white page: the rows and columns mostly not white
    (on the dark theme the whole picture is; a title's letters or the player's buttons are not)."""
    coloured = (page < 200).any(axis=2)
    rows, columns = np.flatnonzero(coloured.mean(axis=1) > 0.3), np.flatnonzero(coloured.mean(axis=0) > 0.3)
    assert len(rows) and len(columns), "no picture on the page"
    return rows[0], rows[-1] + 1, columns[0], columns[-1] + 1


def difference(page, box, frame):
    """Mean |difference| (0-255) between the page inside `box` (3 pixels in from its edges) and the
    frame scaled to the box."""
    top, bottom, left, right = box
    seen = page[top + 3:bottom - 3, left + 3:right - 3].astype(float)
    expected = np.asarray(frame.resize((right - left, bottom - top), Image.Resampling.BILINEAR))[3:-3, 3:-3]
    return float(np.abs(seen - expected).mean())


def shows_first_frame(page, gif, other_gif):
    """The page shows the GIF's first frame: closer to it than to its last frame and to another view's."""
    first, last = first_and_last(gif)
    box = animation_box(page)
    to_first = difference(page, box, first)
    others = {"last frame": difference(page, box, last),
              "other view": difference(page, box, first_and_last(other_gif)[0])}
    assert to_first < 4, (to_first, others, box)
    for what, value in others.items():
        assert to_first < value, f"closer to the {what} ({value:.2f}) than to the first frame ({to_first:.2f})"
    return box


@pytest.mark.parametrize("kind", ["decks", "decks-mp4"])
def test_libreoffice_shows_each_slides_first_frame(renders, tmp_path, kind):
    soffice = tool("soffice", "libreoffice-impress")
    render = renders[kind]
    profile = tmp_path / "profile"  # its own profile: nothing shared with another LibreOffice
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(render.folder / "deck.pptx")],
                   check=True, capture_output=True, timeout=TOOL_TIMEOUT)
    views = [r["view"] for r in render.manifest["files"] if r["format"] == render.manifest["settings"]["pptx_media"]]
    shown = pages(tmp_path / "deck.pdf", tmp_path)
    assert len(shown) == 1 + len(views)  # the title slide, then a slide per view
    for page, view in zip(shown[1:], views):
        other = "surface" if view == "contour" else "contour"
        other_gif = renders["decks"].folder / f"{other}.gif"
        box = shows_first_frame(page, render.folder / f"{view}.gif" if kind == "decks" else
                                renders["decks"].folder / f"{view}.gif", other_gif)
        # where the deck put it: centred, in the GIF's aspect, under the title
        top, bottom, left, right = box
        assert abs((left + right) / 2 - page.shape[1] / 2) <= 2 and top > page.shape[0] // 8
        assert (right - left) / (bottom - top) == pytest.approx(640 / 360, abs=0.02)


def test_pdflatex_compiles_the_beamer_deck_and_its_first_page_shows_the_first_frame(renders, tmp_path):
    pdflatex = tool("pdflatex", "texlive-latex-extra")
    render = renders["decks"]
    folder = tmp_path / "deck"
    shutil.copytree(render.folder, folder)
    for _ in range(2):  # animate settles its frames' layout on the second run, as LaTeX's references do
        run = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "deck.tex"], cwd=folder,
                             capture_output=True, text=True, timeout=TOOL_TIMEOUT)
        assert run.returncode == 0, run.stdout[-3000:]
    shown = pages(folder / "deck.pdf", tmp_path, dpi=150)
    assert len(shown) == 2  # a frame per view
    for page, view, other in zip(shown, ("contour", "surface"), ("surface", "contour")):
        shows_first_frame(page, folder / f"{view}.gif", folder / f"{other}.gif")
