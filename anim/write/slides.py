"""PowerPoint decks (python-pptx, the `slides` extra): 16:9, a title slide, then a slide per scene and
view whose body is the animation (the GIF as a picture, which animates in PowerPoint, Keynote,
LibreOffice and a Google Slides import; or the MP4 as a movie, its first frame as poster), with the
view's alt text on it, the transcript in the speaker notes and the scene's title as the slide title."""

import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

from anim.write import encode, files
from anim.write.describe import DESCRIPTION_FILE
from anim.write.manifest import MANIFEST_FILE, FileRecord

DECK_FILE = "deck.pptx"
COURSE_FILE = "course.pptx"
SLIDE_WIDTH, SLIDE_HEIGHT = 12_192_000, 6_858_000  # EMU: 13.33 x 7.5 inches, PowerPoint's 16:9
MARGIN = 304_800  # a third of an inch around the title and the animation
TITLE_HEIGHT = 914_400
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # every member's date: the same deck for the same render, byte for byte
MIME = {"gif": "image/gif", "mp4": "video/mp4"}


@dataclass(frozen=True)
class Slide:
    """One slide: the scene's `title`, its `view`'s animation at `media` (a GIF or an MP4 file, of
    `size` in pixels), its `alt` text and the speaker `notes`."""

    title: str
    view: str
    media: Path
    kind: str
    size: tuple
    alt: str
    notes: str


def write(document):
    """The pptx format's writer: deck.pptx in the scene's folder, a slide per view asked, embedding
    the files of the frame format `settings.pptx_media` those views were just written to."""
    kind = document.settings.pptx_media
    slides = []
    for view in document.settings.views:
        record = next(r for r in document.records if r.view == view and r.format == kind)
        slides.append(Slide(document.scene.title, view, document.temps[record.path], kind,
                            (record.width, record.height), document.description.alt[view], document.description.text()))
    final = document.folder / DECK_FILE
    temp = files.write_temp(final, deck(document.scene.title, document.description.summary, slides))
    return [(temp, FileRecord.of(temp, final, None, "pptx", slides=len(slides) + 1, media=kind))]


def course(root, folders, kind):
    """COURSE_FILE at `root`: one deck for a batch, a slide per view of each scene folder in
    `folders` (in that order), from the files and manifest each render left there. Its path."""
    slides = []
    for folder in map(Path, folders):
        manifest = json.loads((folder / MANIFEST_FILE).read_text())
        notes = (folder / DESCRIPTION_FILE).read_text()
        for entry in manifest["files"]:
            if entry["format"] == kind and entry.get("view"):
                slides.append(Slide(manifest["title"], entry["view"], folder / entry["file"], kind,
                                    (entry["width"], entry["height"]), manifest["alt"][entry["view"]], notes))
    scenes = len(folders)
    path = Path(root) / COURSE_FILE
    files.write_bytes(path, deck(Path(root).resolve().name, f"{scenes} scene{'s' * (scenes != 1)}, "
                                 f"{len(slides)} animations, rendered by optianim", slides))
    return path


def deck(title, subtitle, slides):
    """The .pptx bytes: a title slide, then each Slide."""
    from pptx import Presentation

    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    first = presentation.slides.add_slide(presentation.slide_layouts[0])  # "Title Slide"
    first.shapes.title.text, first.placeholders[1].text = title, subtitle
    _place(first.shapes.title, MARGIN * 2, SLIDE_HEIGHT // 3 - TITLE_HEIGHT // 2, SLIDE_WIDTH - MARGIN * 4,
           TITLE_HEIGHT * 3 // 2)
    _place(first.placeholders[1], MARGIN * 4, SLIDE_HEIGHT // 2 + MARGIN, SLIDE_WIDTH - MARGIN * 8, TITLE_HEIGHT * 2)
    for slide in slides:
        page = presentation.slides.add_slide(presentation.slide_layouts[5])  # "Title Only"
        page.shapes.title.text = slide.title
        _place(page.shapes.title, MARGIN, MARGIN // 2, SLIDE_WIDTH - 2 * MARGIN, TITLE_HEIGHT)
        left, top, width, height = _body(slide.size)
        media = io.BytesIO(Path(slide.media).read_bytes())  # embedded as they are, named by their type
        if slide.kind == "gif":
            shape = page.shapes.add_picture(media, left, top, width, height)
        else:
            poster = io.BytesIO(encode.first_frame_png(slide.media))
            shape = page.shapes.add_movie(media, left, top, width, height, poster_frame_image=poster,
                                          mime_type=MIME[slide.kind])
        shape.name = f"{slide.view} view"
        shape._element._nvXxPr.cNvPr.set("descr", slide.alt)  # the alt text; python-pptx has no call for it
        page.notes_slide.notes_text_frame.text = slide.notes.rstrip("\n")
    properties = presentation.core_properties
    properties.title, properties.author, properties.last_modified_by = title, "optianim", "optianim"
    for stamp in ("created", "modified"):  # the template's dates are not this deck's: none, as stills have none
        for element in properties._element.findall(f"{{http://purl.org/dc/terms/}}{stamp}"):
            properties._element.remove(element)
    buffer = io.BytesIO()
    presentation.save(buffer)
    return _stamped(buffer.getvalue())


def _place(shape, left, top, width, height):
    shape.left, shape.top, shape.width, shape.height = int(left), int(top), int(width), int(height)


def _body(size):
    """(left, top, width, height) of the largest box of the animation's aspect under the title, centred."""
    top = MARGIN // 2 + TITLE_HEIGHT
    room_width, room_height = SLIDE_WIDTH - 2 * MARGIN, SLIDE_HEIGHT - top - MARGIN // 2
    scale = min(room_width / size[0], room_height / size[1])
    width, height = round(size[0] * scale), round(size[1] * scale)
    return (SLIDE_WIDTH - width) // 2, top + (room_height - height) // 2, width, height


def _stamped(data):
    """The zip `data` with every member dated ZIP_TIME (python-pptx dates them now), in the same order."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, ZIP_TIME)
            member.compress_type, member.external_attr = info.compress_type, info.external_attr
            target.writestr(member, source.read(info.filename))
    return out.getvalue()
