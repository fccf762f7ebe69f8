"""How a render shows itself in Jupyter: its views side by side (embedded up to a size limit, else
linked by a URL that changes with the content), and a progress bar while it renders."""

import base64
import html
import os
import sys
import time
from pathlib import Path

from anim.drive import progress
from anim.drive.result import Result
from anim.write.formats import FORMATS
from anim.write.page import megabytes

EMBED_LIMIT_MB = 10.0  # what a cell embeds at most, all views together; past it files are linked
# The file a view shows, the first of these it has: a video plays in every notebook front end.
SHOWN = ("mp4", "webm", "webp", "gif", "png")


def in_kernel():
    """Whether this process is a Jupyter kernel (IPython is only looked at if already imported)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and getattr(shell, "kernel", None) is not None


class Rendered(Result):
    """A render's Result (anim.drive.result.Result) that displays itself in a notebook: what
    anim.render returns."""

    def display(self, embed_limit_mb=None):
        """What a notebook shows of this render (a Display), embedding files up to
        `embed_limit_mb` in all (default EMBED_LIMIT_MB) and linking the rest."""
        return Display(self, EMBED_LIMIT_MB if embed_limit_mb is None else embed_limit_mb)

    def _repr_mimebundle_(self, include=None, exclude=None):
        return self.display()._repr_mimebundle_(include, exclude)

    def _repr_html_(self):
        return self.display()._repr_html_()


class Display:
    """A rendered scene as a notebook cell shows it: each view's video or image side by side, with
    a caption naming its files. Files are embedded (data URIs) while the cell stays under
    `embed_limit_mb`; a file past it is linked instead, and the cell says so."""

    def __init__(self, result, embed_limit_mb=EMBED_LIMIT_MB):
        self.result, self.embed_limit_mb = result, embed_limit_mb

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self._repr_html_(), "text/plain": repr(self)}

    def __repr__(self):
        names = ", ".join(record.file for record in self.result.files if record.view)
        return f"<optianim render of {self.result.folder}: {names}>"

    def _repr_html_(self):
        budget = self.embed_limit_mb * 1e6
        figures, notes = [], []
        page = next((r for r in self.result.files if r.view is None and r.file == FORMATS["html"].filename), None)
        if page is not None and page.bytes * 4 / 3 <= budget:  # srcdoc escapes about as much as base64 grows
            budget -= page.bytes * 4 / 3
            figures.append(_explorable(page))
        elif page is not None:
            notes.append(f"{page.file} ({megabytes(page.bytes)}) is past embed_limit_mb={self.embed_limit_mb:g} for "
                         f"this cell: linked, not embedded" + _reach(page.path))
            figures.append(f'<p><a href="{_e(_url(page))}" target="_blank">open {_e(page.file)}</a></p>')
        for view, records in _by_view(self.result.files).items():
            shown = min((r for r in records if r.format in SHOWN), key=lambda r: SHOWN.index(r.format), default=None)
            if shown is None:
                figures.append(_figure(view, records, f"<p>{_e(view)}: no format a browser shows</p>"))
                continue
            if shown.bytes * 4 / 3 <= budget:  # base64 takes 4 bytes for 3
                budget -= shown.bytes * 4 / 3
                source = f"data:{FORMATS[shown.format].media_type};base64," + base64.b64encode(
                    shown.path.read_bytes()).decode()
            else:
                source = _url(shown)
                notes.append(f"{shown.file} ({megabytes(shown.bytes)}) is past embed_limit_mb={self.embed_limit_mb:g}"
                             f" for this cell: linked, not embedded" + _reach(shown.path)
                             + " (render(...).display(embed_limit_mb=...) embeds more)")
            figures.append(_figure(view, records, _media(shown, source)))
        notes_html = "".join(f'<p style="margin:4px 0">note: {_e(note)}</p>' for note in notes)
        return (f'<div class="optianim"><div style="display:flex;flex-wrap:wrap;gap:12px">{"".join(figures)}</div>'
                f"{notes_html}</div>")


def _explorable(record):
    """The explorable page inline: in an iframe of its own (its script and style stay apart from the
    notebook's), its script carried inside even when the file loads it from the output root."""
    from anim.write import explore

    page = explore.standalone(record.path.read_text(encoding="utf-8"))
    return (f'<iframe srcdoc="{_e(page)}" title="{_e(record.path.parent.name)}: interactive explorable" '
            'sandbox="allow-scripts" style="width:100%;height:780px;border:0;flex:1 1 100%"></iframe>')


def _by_view(records):
    views = {}
    for record in records:
        if record.view:
            views.setdefault(record.view, []).append(record)
    return views


def _media(record, source):
    size = f'width="{record.width}" height="{record.height}" style="width:100%;height:auto"'
    if FORMATS[record.format].page == "video":
        return (f'<video controls loop autoplay muted playsinline {size}>'
                f'<source src="{_e(source)}" type="{FORMATS[record.format].media_type}"></video>')
    return f'<img src="{_e(source)}" alt="{_e(record.view)} view" {size}>'


def _figure(view, records, media):
    names = ", ".join(f'<a href="{_e(_url(r))}" target="_blank">{_e(r.file)}</a> ({megabytes(r.bytes)})'
                      for r in records)
    return (f'<figure style="margin:0;flex:1 1 360px;max-width:640px">{media}'
            f"<figcaption>{_e(view)}: {names}</figcaption></figure>")


def _url(record):
    """The file's path from the notebook's folder, with its content's hash: a re-render that
    changes the file changes the URL, so no browser shows a cached old one."""
    try:
        path = Path(os.path.relpath(record.path)).as_posix()
    except ValueError:  # another drive (Windows)
        path = record.path.as_posix()
    return f"{path}?v={record.sha256[:16]}"


def _reach(path):
    """Where a linked file can be opened from, when Jupyter cannot serve it."""
    relative = os.path.relpath(path)
    if relative.startswith(".."):
        return f"; it lies outside the notebook's folder, where Jupyter cannot serve it: open {path}"
    return ""


def _e(text):
    return html.escape(str(text), quote=True)


class Progress:
    """A render's progress callback in a notebook: one output area updated in place, a bar per view
    and a line per file (at most a few updates a second, so a long render does not flood the kernel)."""

    INTERVAL = 0.25  # seconds between updates of the bar

    def __init__(self):
        from IPython.display import HTML, display

        self._html = HTML
        self.handle = display(HTML(""), display_id=True)
        self.lines, self.bar, self.shown_at = [], "", 0.0

    def __call__(self, event):
        if isinstance(event, progress.Started):
            self.lines.append(f"{event.scene.title} -> {event.folder}")
        elif isinstance(event, progress.FrameDone):
            self.bar = (f'<progress value="{event.done}" max="{event.total}" style="width:240px"></progress> '
                        f"{_e(event.view)} {event.done}/{event.total}")
            if event.done < event.total and time.monotonic() - self.shown_at < self.INTERVAL:
                return
        elif isinstance(event, progress.FileDone):
            self.bar = ""
            how = "unchanged, reused from the cache" if event.reused else megabytes(event.record.bytes)
            self.lines.append(f"ready {event.record.file} ({how})")
        elif isinstance(event, progress.Notice):
            self.lines.append(f"warning: {event.text}")
        self.shown_at = time.monotonic()
        body = "<br>".join(_e(line) for line in self.lines) + (f"<br>{self.bar}" if self.bar else "")
        self.handle.update(self._html(f'<div style="font-family:monospace;font-size:12px">{body}</div>'))
