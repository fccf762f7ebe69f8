"""The gallery: one page per scene file, written and rendered (through optianim's render cache) at every build.

At `builder-inited` every scene file of `scene_gallery_folder` (the files `optianim list` shows and
a folder render renders) is rendered at a low preset into `<html>/_scenes/<scene name>/` with
anim.render_many, each scene in its own views (`Scene.views`, else the default ones) and in its own
process: an animated preview and the last frame of each view, plus any page a document format
writes as HTML (the explorable, explore.html). A scene file rendered before and unchanged is
answered by the render cache's direct mode without running it. Each page is made from its render's
manifest (title, files, each view's alt text) and the file's docstring. Then gallery/<file stem>.md
is written for each (only when its text changes, so Sphinx re-reads only what changed) and
gallery/index.md groups them as `scene_gallery_groups` says; a file no group names goes under the
last heading, so a new scene file appears after a rebuild without editing the docs. A scene that
fails to load or render is a warning (an error under -W) naming the file."""

import ast
import html
import json
import os
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)

PAGES = "gallery"            # the generated pages, under the source folder (git-ignored)
RENDERS = "_scenes"          # the renders, under the html output folder
PREVIEW = "webp"             # the looping preview: animated WebP, the GIF's frames in a fraction of its bytes
STILL = "png"                # the last frame of each view
OTHERS = "More scenes"       # where a file that no group names goes


def setup(app):
    app.add_config_value("scene_gallery_folder", "../scenes", "env", str)
    app.add_config_value("scene_gallery_groups", [], "env", list)
    app.add_config_value("scene_gallery_render", {"quality": "low"}, "env", dict)
    app.connect("builder-inited", build_gallery)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def build_gallery(app):
    folder = (Path(app.confdir) / app.config.scene_gallery_folder).resolve()
    pages = Path(app.srcdir) / PAGES
    out = Path(app.outdir) / RENDERS
    scenes = [_Scene(path) for path in _scene_paths(folder)]
    _render(scenes, out, app.config.scene_gallery_render)
    pages.mkdir(exist_ok=True)
    written = {_write(pages / f"{s.stem}.md", s.page(pages, out)) for s in scenes}
    written.add(_write(pages / "index.md", _index(scenes, app.config.scene_gallery_groups)))
    for stale in set(pages.glob("*.md")) - written:  # a scene file that is gone
        stale.unlink()
    logger.info(f"gallery: {len(scenes)} scenes from {folder}")


def _scene_paths(folder):
    from anim.declare.library import scene_paths

    return scene_paths(folder)


class _Scene:
    """One scene file: what its page shows, and where its render is."""

    def __init__(self, path):
        self.path = path
        self.stem = path.stem
        self.docstring = _docstring(path)
        self.title = self.stem
        self.views = ()        # the views its render drew (the scene's own, or the default ones)
        self.alt = {}          # view -> its alt text, as the render worked it out
        self.folder = None     # its render's folder name under RENDERS, once rendered
        self.files = {}        # (view, format) -> file name, from the render's manifest
        self.documents = []    # file names of the document formats' HTML pages (the explorable), from the manifest
        self.pictures = []     # pictures the render wrote beside the views (tune.png), from the manifest

    def rendered(self, out, folder):
        from anim.write.formats import FORMATS
        from anim.write.mathtext import title_text

        self.folder = folder
        manifest = json.loads((out / folder / "manifest.json").read_text())
        self.title = title_text(manifest["title"] or self.stem)  # mathtext as it reads: w₁³ − 3w₁w₂²
        self.alt = manifest.get("alt", {})
        for record in manifest["files"]:
            kind = FORMATS.get(record.get("format"))
            if kind is not None and kind.document and kind.media_type == "text/html" and record["file"] == kind.filename:
                self.documents.append(record["file"])  # (not index.html, the preview page, also HTML)
            elif record.get("view"):
                self.files[record["view"], record.get("format")] = record["file"]
            elif record.get("format") == STILL:
                self.pictures.append(record["file"])
        self.views = tuple(dict.fromkeys(view for view, _ in self.files))

    def src(self, view, fmt):
        name = self.files.get((view, fmt))
        return None if name is None else f"../{RENDERS}/{self.folder}/{name}"

    @property
    def preview(self):
        return next((self.src(v, PREVIEW) for v in self.views if self.src(v, PREVIEW)), None)

    @property
    def command_name(self):
        """How `optianim render` names it: a shipped scene by its bare name (from any folder), else its path."""
        from anim.declare.library import shipped

        ships = shipped(self.stem)
        return self.stem if ships is not None and ships.resolve() == self.path.resolve() else \
            f"{self.path.parent.name}/{self.path.name}"

    def page(self, pages, out):
        source = os.path.relpath(self.path, pages)
        lines = [f"({PAGES}-{self.stem})=", f"# {_md(self.title)}", "", self.docstring or "", ""]
        if self.preview:
            view = next(v for v in self.views if self.src(v, PREVIEW) == self.preview)
            lines += _raw(f'<figure class="scene-preview"><img src="{self.preview}" '
                          f'alt="{_attr(self.alt.get(view, self.title))}"></figure>')
        lines += ["Render it (every view it shows, as MP4 and GIF, at 1280x720):", "",
                  "```sh", f"optianim render {self.command_name}", "```", ""]
        stills = [(v, self.src(v, STILL), self.src(v, PREVIEW)) for v in self.views]
        stills = [(v, still, moving) for v, still, moving in stills if still]
        if stills:
            lines += ["## Each view as it ends", ""]
            figures = "".join(
                f'<figure><a href="{moving or still}"><img src="{still}" alt="{_attr(self.alt.get(v, v))}"></a>'
                f"<figcaption><code>--view {v}</code></figcaption></figure>" for v, still, moving in stills)
            lines += _raw(f'<div class="scene-stills">{figures}</div>')
        if self.pictures:
            lines += ["## Beside the views", ""]
            lines += _raw("".join(f'<figure class="scene-picture"><img src="../{RENDERS}/{self.folder}/{name}" '
                                  f'alt="{_attr(name)}"><figcaption><code>{_attr(name)}</code></figcaption></figure>'
                                  for name in self.pictures))
        for name in self.documents:
            lines += ["## Explore it", "", "Scrub through the steps, turn the surface, hover a path:", ""]
            lines += _raw(f'<iframe class="scene-explorable" src="../{RENDERS}/{self.folder}/{name}" '
                          f'title="{_attr(self.title)}: explorable"></iframe>')
        lines += ["## The scene file", "", "```{literalinclude} " + source, ":language: python", "```", ""]
        return "\n".join(lines)


def _render(scenes, out, options):
    """Render every scene, each in its own views and process, and read each one's manifest."""
    import anim
    from anim.write.formats import FORMATS

    if not scenes:
        return
    explorables = [name for name, f in FORMATS.items() if f.document and f.media_type == "text/html"]
    done = anim.render_many([s.path for s in scenes], out, formats=[PREVIEW, STILL, *explorables], **options)
    for scene, outcome in zip(scenes, done.outcomes):
        if outcome.ok:
            scene.rendered(out, outcome.folder)
        else:
            named = outcome.error if str(scene.path) in outcome.error else f"{scene.path}: {outcome.error}"
            logger.warning(f"gallery: {named}")


def _index(scenes, groups):
    named = {stem: title for title, stems in groups for stem in stems}
    by_group = {title: [] for title, _ in groups}
    for scene in scenes:
        by_group.setdefault(named.get(scene.stem, OTHERS), []).append(scene)
    lines = ["(gallery)=", "# Gallery", "",
             "Every scene shipped in `scenes/`, rendered by the documentation's build at a low preset. "
             "Each page shows the animation, each view's last frame, the scene file and the command "
             "that renders it.", ""]
    for title, members in by_group.items():
        if not members:
            continue
        cards = "".join(
            f'<a class="scene-card" href="{s.stem}.html">'
            + (f'<img src="{s.preview}" alt="{_attr(s.title)}">' if s.preview else "")
            + f"<strong>{html.escape(s.title)}</strong><span>{html.escape(_first_line(s.docstring))}</span></a>"
            for s in members)
        lines += [f"## {_md(title)}", ""] + _raw(f'<div class="scene-cards">{cards}</div>')
    lines += ["```{toctree}", ":hidden:", ""] + [s.stem for members in by_group.values() for s in members] + ["```"]
    return "\n".join(lines) + "\n"


def _docstring(path):
    try:
        return (ast.get_docstring(ast.parse(path.read_bytes(), filename=str(path))) or "").strip()
    except (SyntaxError, ValueError, OSError):
        return ""  # the load reports it


def _first_line(text):
    return text.splitlines()[0] if text else ""


def _raw(markup):
    return ["```{raw} html", markup, "```", ""]


def _md(text):
    """Text as a Markdown heading shows it literally."""
    return "".join("\\" + c if c in "\\`*_[]<>#" else c for c in text)


def _attr(text):
    return html.escape(text, quote=True)


def _write(path, text):
    """Write `text` to `path` unless it already holds it (Sphinx re-reads a page whose file changed)."""
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    return path
