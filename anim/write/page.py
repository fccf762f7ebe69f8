"""The preview page: one offline HTML file showing every output of a scene with its numbers."""

import html

from anim.write.formats import FORMATS
from anim.write.mathtext import title_html, title_text

STYLE = """
body { font: 15px/1.4 system-ui, sans-serif; margin: 24px; background: %(page)s; color: %(text)s; }
h1 { font-size: 22px; margin: 0 0 4px; }
p.meta { margin: 0 0 20px; opacity: .75; }
section { display: flex; flex-wrap: wrap; gap: 20px; margin-bottom: 28px; }
figure { margin: 0; flex: 1 1 420px; max-width: 720px; }
figure video, figure img { width: 100%%; height: auto; display: block; border: 1px solid %(rule)s;
  background: repeating-conic-gradient(%(rule)s 0 25%%, transparent 0 50%%) 0 0 / 16px 16px; }
figcaption { margin-top: 6px; font-variant-numeric: tabular-nums; }
figcaption a { color: inherit; font-weight: 600; }
p.link { margin: 0; padding: 24px; border: 1px dashed %(rule)s; }
p.explore { font-size: 17px; margin: 0 0 20px; }
p.explore a { color: inherit; font-weight: 600; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
td, th { padding: 3px 10px; border-bottom: 1px solid %(rule)s; text-align: right; }
td:first-child, th:first-child { text-align: left; }
.text-version { max-width: 60em; margin-bottom: 28px; }
.text-version li { margin: 2px 0; }
.text-version time { font-variant-numeric: tabular-nums; font-weight: 600; }
"""
COLORS = {"light": {"page": "#ffffff", "text": "#1a1a1a", "rule": "#dddddd"},
          "dark": {"page": "#15171c", "text": "#e6e6e6", "rule": "#3a3d45"}}
PAGE_FILE = "index.html"


def document(title, scene_name, records, theme="light", description=None):
    """The page for the FileRecords of one render: every view's files side by side; with a
    `description` (anim.write.describe.Description), each picture's alt text, each video's
    descriptions track and a "text version" link to the transcript, shown on the page."""
    pictures = [r for r in records if r.view and r.format in FORMATS]
    tracks = {r.path.stem: r.file for r in records if r.format == "vtt"}  # <view>.vtt
    sections = []
    for view in dict.fromkeys(r.view for r in pictures):
        alt = description.alt.get(view) if description else None
        figures = [_figure(r, alt, tracks.get(view), description is not None) for r in pictures if r.view == view]
        sections.append(f"<h2>{_e(view)}</h2>\n<section>\n" + "\n".join(figures) + "\n</section>")
    if description is not None:
        sections.append(description.html())
    data = [r for r in records if r not in pictures]
    explorable = next((r for r in data if r.file == FORMATS["html"].filename), None)
    if explorable is not None:  # the interactive page first: it is what a reader opens to ask "what happened at step 40?"
        sections.insert(0, f'<p class="explore"><a href="{_e(explorable.file)}">Open the interactive explorable</a>: '
                           "scrub the steps, turn the 3-D surface, hide optimizers, hover a point for its numbers "
                           f"({megabytes(explorable.bytes)}, works offline)</p>")
    rows = "\n".join(f'<tr><td><a href="{_e(r.file)}">{_e(r.file)}</a></td>'
                     f"<td>{megabytes(r.bytes)}</td></tr>" for r in data)
    return (f"<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{_e(title_text(title))} - optianim</title>\n<style>{STYLE % COLORS[theme]}</style>\n</head>\n"
            f"<body>\n<h1>{title_html(title)}</h1>\n<p class=\"meta\">scene <code>{_e(scene_name)}</code>; "
            f"every file of this render, with what a decoder reads from it "
            f"(<a href=\"manifest.json\">manifest.json</a>)</p>\n"
            + "\n".join(sections)
            + f"\n<h2>data</h2>\n<table>\n<tr><th>file</th><th>size</th></tr>\n{rows}\n</table>\n"
            "</body>\n</html>\n")


def _figure(record, alt=None, track=None, text_version=False):
    name, fmt = _e(record.file), FORMATS[record.format]
    size = f'width="{record.width}" height="{record.height}"'
    if fmt.page == "video":
        described = (f'<track kind="descriptions" src="{_e(track)}" srclang="en" label="Descriptions">'
                     if track and fmt.animated else "")
        media = (f'<video controls loop muted playsinline preload="auto" {size}>'
                 f'<source src="{name}" type="{fmt.media_type}">{described}</video>')
    elif fmt.page == "img":
        media = f'<img src="{name}" alt="{_e(alt or f"{record.view} view, {fmt.name.upper()}")}" {size}>'
    else:
        media = f'<p class="link">{fmt.name.upper()} ({_e(fmt.codec)}) does not play in a browser: download it.</p>'
    numbers = [f"{record.width}x{record.height}"]
    if fmt.animated:
        numbers += [f"{record.frames} frames", f"{record.fps:g} fps", f"{record.duration:.2f} s"]
    codec, pix_fmt = record.details.get("codec"), record.details.get("pix_fmt")
    if codec:
        numbers.append(codec + (f" {pix_fmt}" if pix_fmt else ""))
    numbers.append(megabytes(record.bytes))
    text = ' (<a href="#text-version">text version</a>)' if text_version and fmt.animated else ""
    return (f"<figure>{media}\n<figcaption><a href=\"{name}\">{name}</a>: "
            + ", ".join(numbers) + f"{text}</figcaption></figure>")


def megabytes(size):
    """A file size as people read it: 0.13 MB, 28.4 kB."""
    return f"{size / 1e6:.2f} MB" if size >= 1e5 else f"{size / 1e3:.1f} kB"


def _e(text):
    return html.escape(str(text), quote=True)
