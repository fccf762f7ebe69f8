"""--format beamer: each view's frames PDF holds the GIF's frames exactly, one page each; <view>.tex
plays them with the animate package at the GIF's rate, looping, with controls; deck.tex has a frame
per view with the scene's title and the transcript as its notes, LaTeX's special characters escaped."""

import re
import zlib

import numpy as np
from PIL import Image, ImageSequence

import anim
from anim.write import beamer
from compute.test_events import KNOWN


def pdf_pages(data):
    """The images of a PDF beamer._pdf wrote, page by page, as HxWx3 arrays (read without a PDF library:
    the dictionary of each image, its Flate stream, its palette)."""
    images = []
    for match in re.finditer(rb"<< /Type /XObject /Subtype /Image /Width (\d+) /Height (\d+) /ColorSpace "
                             rb"(\[/Indexed /DeviceRGB \d+ <([0-9a-f]+)>\]|/DeviceRGB) /BitsPerComponent 8 "
                             rb"/Filter /FlateDecode /Length (\d+) >>\nstream\n", data):
        width, height, length = int(match[1]), int(match[2]), int(match[5])
        pixels = np.frombuffer(zlib.decompress(data[match.end():match.end() + length]), np.uint8)
        if match[4]:
            palette = np.frombuffer(bytes.fromhex(match[4].decode()), np.uint8).reshape(-1, 3)
            images.append(palette[pixels].reshape(height, width, 3))
        else:
            images.append(pixels.reshape(height, width, 3))
    return images


def test_the_frames_pdf_holds_the_gifs_frames_and_the_snippets_play_them(tmp_path):
    result = anim.render(KNOWN, tmp_path, views=["contour", "surface"], formats=["beamer"], size="160x96", fps=30,
                         jobs=1)
    folder = result.folder
    records = {r["file"]: r for r in result.manifest["files"]}
    for view in ("contour", "surface"):
        with Image.open(folder / f"{view}.gif") as gif:
            frames = [np.asarray(frame.convert("RGB")) for frame in ImageSequence.Iterator(gif)]
        data = (folder / f"{view}-frames.pdf").read_bytes()
        assert data.startswith(b"%PDF-1.5") and data.rstrip().endswith(b"%%EOF")
        pages = pdf_pages(data)
        assert len(pages) == len(frames) == records[f"{view}.gif"]["frames"] == records[f"{view}-frames.pdf"]["frames"]
        assert all(np.array_equal(page, frame) for page, frame in zip(pages, frames))
        assert data.count(b"/Type /Page ") == len(frames)
        snippet = (folder / f"{view}.tex").read_text()
        assert snippet.endswith("\\animategraphics[loop,controls,width=\\linewidth,height=0.8\\textheight,"
                                f"keepaspectratio]{{15}}{{{view}-frames}}{{}}{{}}%\n")  # the GIF's 15 fps
        assert f"% Alt text: {result.manifest['alt'][view]}" in snippet
    deck = (folder / "deck.tex").read_text()
    assert deck.count("\\begin{frame}{known}") == 2
    assert "\\input{contour.tex}" in deck and "\\input{surface.tex}" in deck
    assert "\\usepackage{animate}" in deck and "\\documentclass[aspectratio=169]{beamer}" in deck
    assert "\\note{known: text version of the videos" in deck
    assert {records[name]["format"] for name in ("deck.tex", "contour.tex", "contour-frames.pdf")} == {"beamer"}


def test_latex_special_characters_are_typeset_as_they_are():
    assert beamer._latex(r"SGD lr=1e-3 & Adam_w: 50% {of} $x^2$ #1 ~\ <b>|") == (
        r"SGD lr=1e-3 \& Adam\_w: 50\% \{of\} \$x\textasciicircum{}2\$ \#1 \textasciitilde{}\textbackslash{} "
        r"\textless{}b\textgreater{}\textbar{}")


def test_a_frame_of_more_than_256_colours_is_kept_in_rgb():
    noise = np.random.default_rng(0).integers(0, 256, (20, 30, 3), dtype=np.uint8)
    flat = np.full((20, 30, 3), 7, np.uint8)
    pages = pdf_pages(beamer._pdf([noise, flat]))
    assert np.array_equal(pages[0], noise) and np.array_equal(pages[1], flat)
    assert beamer._pdf([noise, flat]) == beamer._pdf([noise, flat])  # no dates or ids
