"""The lecture's static figures: each view's last frame as PNG (its very pixels), SVG or PDF; and other
figures (the tuner's curves) as PNG."""

import io

import matplotlib

from anim.look import style
from anim.version import __version__
from anim.write import encode


def figure_bytes(view, frame, fmt, title, settings):
    """View `view` at timeline frame `frame` as `fmt` bytes. PNG is the animation's own pixels;
    SVG and PDF keep text as text (searchable, editable in a slide), with no creation date and
    fixed SVG ids, so the same scene gives the same bytes."""
    if fmt == "png":
        return encode.png_bytes(view.frame(frame).copy(), settings.transparent)
    buffer = io.BytesIO()
    with style.look(settings.theme), matplotlib.rc_context(
            {"svg.fonttype": "none", "pdf.fonttype": 42, "svg.hashsalt": "optianim"}):
        figure = view.still(frame)
        figure.savefig(buffer, format=fmt, dpi=figure.dpi, transparent=settings.transparent,
                       metadata=_metadata(fmt, title))
    return buffer.getvalue()


def plain_png(figure):
    """A figure that is not a view's frame (the tuner's curves) as PNG bytes, the same every time."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=figure.dpi, metadata={"Software": None})
    return buffer.getvalue()


def _metadata(fmt, title):
    if fmt == "pdf":
        return {"Title": title, "Creator": f"optianim {__version__}", "CreationDate": None}
    return {"Title": title, "Date": None, "Creator": f"optianim {__version__}"}
