"""The preview page shows each file as a browser can: videos it plays in <video>, pictures in <img>,
the rest (ProRes) as a link; every file captioned with its numbers."""

from html.parser import HTMLParser
from pathlib import Path

import pytest

from anim.write import page
from anim.write.manifest import FileRecord

# format -> what the page shows it in, as browsers can
SHOWN_AS = {"mp4": "video", "webm": "video", "gif": "img", "webp": "img", "png": "img", "mov": "link"}
MEDIA_TYPES = {"mp4": "video/mp4", "webm": "video/webm"}


class Page(HTMLParser):
    """Each element of the page with its attributes, and the text of each <figcaption>."""

    def __init__(self, text):
        super().__init__()
        self.elements, self.captions, self._caption = [], [], None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag == "figcaption":
            self._caption = []

    def handle_data(self, data):
        if self._caption is not None:
            self._caption.append(data)

    def handle_endtag(self, tag):
        if tag == "figcaption":
            self.captions.append("".join(self._caption))
            self._caption = None


def record(fmt, view="contour", **facts):
    animated = fmt != "png"
    return FileRecord(Path(f"{view}.{fmt}"), view, fmt, 123_456, "0" * 64, frames=58 if animated else 1,
                      fps=20 if animated else None, width=320, height=180, duration=2.9 if animated else None,
                      details={"codec": fmt, **facts})


@pytest.fixture
def shown():
    records = [FileRecord(Path("trajectories.csv"), None, "csv", 1087, "1" * 64, details={"rows": 24})]
    records += [record(fmt) for fmt in SHOWN_AS]
    records += [FileRecord(Path("index.html"), None, "html", 2093, "2" * 64)]
    return Page(page.document("Bowl <2>", "bowl", records, "dark"))


@pytest.mark.parametrize("fmt", SHOWN_AS)
def test_each_format_is_shown_as_a_browser_can(shown, fmt):
    name = f"contour.{fmt}"
    sources = {(tag, attrs.get("src")) for tag, attrs in shown.elements if attrs.get("src")}
    if SHOWN_AS[fmt] == "video":
        assert ("source", name) in sources
        source = next(attrs for tag, attrs in shown.elements if tag == "source" and attrs["src"] == name)
        assert source["type"] == MEDIA_TYPES[fmt]
    elif SHOWN_AS[fmt] == "img":
        assert ("img", name) in sources
    else:
        assert not any(src == name for _, src in sources)  # not played, not shown as a picture
    assert ("a", {"href": name}) in shown.elements  # every file links to itself


def test_there_is_a_video_element_per_video_and_nothing_else_plays(shown):
    videos = [tag for tag, _ in shown.elements if tag == "video"]
    assert len(videos) == sum(kind == "video" for kind in SHOWN_AS.values())


def test_captions_give_each_files_numbers(shown):
    captions = {caption.split(":")[0]: caption for caption in shown.captions}
    assert set(captions) == {f"contour.{fmt}" for fmt in SHOWN_AS}
    for fmt in SHOWN_AS:
        caption = captions[f"contour.{fmt}"]
        assert "320x180" in caption and "0.12 MB" in caption, caption
        if fmt != "png":
            assert "58 frames" in caption and "20 fps" in caption and "2.90 s" in caption, caption


def test_data_files_are_listed_and_the_title_escaped(shown):
    links = [attrs["href"] for tag, attrs in shown.elements if tag == "a"]
    assert {"trajectories.csv", "index.html", "manifest.json"} <= set(links)
    text = page.document("Bowl <2>", "bowl", [], "light")
    assert "<title>Bowl &lt;2&gt; - optianim</title>" in text and "Bowl <2>" not in text
