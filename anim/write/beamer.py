"""LaTeX Beamer: each view's animation as the pages of one PDF, `<view>-frames.pdf` (the GIF's frames,
so the slide shows what the GIF shows, at its rate), `<view>.tex` (a snippet: the animate package's
\\animategraphics, looping, with controls) and a minimal deck.tex with a frame per view that pdflatex
compiles as it is."""

import io
import zlib

import numpy as np

from anim.write import files
from anim.write.manifest import FileRecord

DECK_FILE = "deck.tex"


def write(document):
    """The beamer format's writer: from each view's GIF (written just before), its frames PDF and
    snippet, then the deck; the (temporary path, FileRecord) of each."""
    written, frames = [], []
    description = document.description
    for view in document.settings.views:
        gif = next(r for r in document.records if r.view == view and r.format == "gif")
        pages = _pdf(_gif_frames(document.temps[gif.path]))
        name = f"{view}-frames"
        snippet = (f"% {view} view of {_comment(document.scene.title)}, made by optianim: \\input{{{view}.tex}} in a\n"
                   "% frame, with \\usepackage{animate}; it reads " + name + ".pdf, one page per frame.\n"
                   f"% Alt text: {_comment(description.alt[view])}\n"
                   f"\\animategraphics[loop,controls,width=\\linewidth,height=0.8\\textheight,keepaspectratio]"
                   f"{{{gif.fps:g}}}{{{name}}}{{}}{{}}%\n")
        for final, data in ((document.folder / f"{name}.pdf", pages), (document.folder / f"{view}.tex",
                                                                         snippet.encode())):
            temp = files.write_temp(final, data)
            written.append((temp, FileRecord.of(temp, final, None, "beamer", **(
                {"frames": gif.frames, "fps": gif.fps, "width": gif.width, "height": gif.height}
                if final.suffix == ".pdf" else {}))))
        frames.append(view)
    deck = document.folder / DECK_FILE
    temp = files.write_temp(deck, _deck(document.scene.title, frames, description.text()).encode())
    return [*written, (temp, FileRecord.of(temp, deck, None, "beamer"))]


def _deck(title, views, notes):
    """A Beamer document: a frame per view, titled with the scene's title, the transcript as its notes."""
    slides = "".join(f"\\begin{{frame}}{{{_latex(title)}}}\n  \\centering\n  \\input{{{view}.tex}}\n"
                     f"  \\note{{{_latex(notes)}}}\n\\end{{frame}}\n\n" for view in views)
    return ("% Made by optianim: pdflatex deck.tex (needs the animate package, in TeX Live's latex-extra).\n"
            "% Acrobat Reader, Okular, PDF-XChange and Foxit play the animations; other viewers show the first frame.\n"
            "\\documentclass[aspectratio=169]{beamer}\n\\usepackage{animate}\n"
            f"\\title{{{_latex(title)}}}\n\\begin{{document}}\n\n{slides}\\end{{document}}\n")


def _gif_frames(path):
    """The GIF's frames as HxWx3 uint8 arrays, as a player composes them."""
    from PIL import Image, ImageSequence

    with Image.open(path) as image:
        return [np.asarray(frame.convert("RGB")) for frame in ImageSequence.Iterator(image)]


def _pdf(frames):
    """A PDF with one page per frame, the page the frame's size in points (1 px = 1 pt), each frame an
    image compressed losslessly (Flate): indexed colour when it has at most 256 colours (a GIF's
    frames do), else RGB. No dates or ids: the same frames give the same bytes."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", None]
    kids = []
    for frame in frames:
        height, width = frame.shape[:2]
        packed = (frame[..., 0].astype(np.uint32) << 16) | (frame[..., 1].astype(np.uint32) << 8) | frame[..., 2]
        colors, index = np.unique(packed, return_inverse=True)
        if len(colors) <= 256:
            palette = np.stack([colors >> 16, (colors >> 8) & 255, colors & 255], axis=1).astype(np.uint8)
            space = f"[/Indexed /DeviceRGB {len(colors) - 1} <{palette.tobytes().hex()}>]".encode()
            pixels = index.astype(np.uint8).tobytes()
        else:
            space, pixels = b"/DeviceRGB", np.ascontiguousarray(frame).tobytes()
        data = zlib.compress(pixels, 9)
        image = len(objects) + 1
        objects.append(b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent 8 "
                       b"/Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream"
                       % (width, height, space, len(data), data))
        content = b"q %d 0 0 %d 0 0 cm /I Do Q" % (width, height)
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /XObject << /I %d 0 R >> >> "
                       b"/Contents %d 0 R >>" % (width, height, image, image + 1))
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    out = io.BytesIO()
    out.write(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


LATEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "#": r"\#", "$": r"\$", "%": r"\%", "&": r"\&",
                 "_": r"\_", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}", "<": r"\textless{}",
                 ">": r"\textgreater{}", "|": r"\textbar{}"}


def _latex(text):
    """Text as LaTeX typesets it literally (a paragraph break stays one)."""
    return "".join(LATEX_SPECIAL.get(c, c) for c in text).replace("\n\n", "\\par ").replace("\n", " ")


def _comment(text):
    return " ".join(text.split())
