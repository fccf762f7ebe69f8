"""--format pptx read back with python-pptx: a 16:9 deck, a title slide and a slide per view titled with
the scene's title, the animation embedded byte for byte with the manifest's alt text on it, the
transcript in the notes; the MP4 as a movie with its first frame as poster; one course deck for a
batch; the same bytes every time; the pip line without the extra and a usage error for --pptx-media."""

import io
import json

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

import anim
from anim.errors import RenderError, UsageError
from anim.faces import cli
from anim.write import encode, slides
from compute.test_events import KNOWN

OPTIONS = dict(views=["contour", "surface"], size="160x96", fps=10, jobs=1)


def animation(slide):
    """The slide's one picture or movie, and its alt text."""
    found = [s for s in slide.shapes if s.shape_type in (MSO_SHAPE_TYPE.PICTURE, MSO_SHAPE_TYPE.MEDIA)]
    assert len(found) == 1
    return found[0], found[0]._element._nvXxPr.cNvPr.get("descr")


def media_blobs(path):
    package = Presentation(path).part.package
    return {str(part.partname): part.blob for part in package.iter_parts()
            if str(part.partname).startswith("/ppt/media/")}


def test_a_deck_with_a_slide_per_view_its_gif_alt_text_and_notes(tmp_path):
    result = anim.render(KNOWN, tmp_path, formats=["pptx"], **OPTIONS)
    folder = result.folder
    assert {"contour.gif", "surface.gif", "deck.pptx"} <= {p.name for p in folder.iterdir()}  # the GIFs it embeds
    deck = Presentation(folder / "deck.pptx")
    assert (deck.slide_width, deck.slide_height) == (12_192_000, 6_858_000)  # 16:9
    first, *views = deck.slides
    assert first.shapes.title.text == "known" and len(views) == 2
    manifest = json.loads((folder / "manifest.json").read_text())
    notes = (folder / "description.txt").read_text()
    blobs = set(media_blobs(folder / "deck.pptx").values())
    for slide, view in zip(views, ("contour", "surface")):
        assert slide.shapes.title.text == "known"
        picture, alt = animation(slide)
        assert alt == manifest["alt"][view]
        assert picture.image.content_type == "image/gif" and picture.image.blob == (folder / f"{view}.gif").read_bytes()
        assert slide.notes_slide.notes_text_frame.text == notes.rstrip("\n")
        # the animation fills the body: the slide's width or the height under the title, in the GIF's aspect
        assert picture.width / picture.height == pytest.approx(160 / 96, rel=1e-3)
        assert picture.top > slide.shapes.title.top + slide.shapes.title.height - 1
        assert picture.height >= 0.75 * deck.slide_height or picture.width >= 0.9 * deck.slide_width
    assert blobs == {(folder / f"{view}.gif").read_bytes() for view in ("contour", "surface")}
    record = next(f for f in manifest["files"] if f["file"] == "deck.pptx")
    assert (record["format"], record["slides"], record["media"]) == ("pptx", 3, "gif")


def test_with_pptx_media_mp4_each_slide_holds_the_movie_with_its_first_frame_as_poster(tmp_path):
    result = anim.render(KNOWN, tmp_path, formats=["pptx"], pptx_media="mp4", **OPTIONS)
    folder = result.folder
    deck = Presentation(folder / "deck.pptx")
    blobs = media_blobs(folder / "deck.pptx")
    for slide, view in zip(list(deck.slides)[1:], ("contour", "surface")):
        movie, alt = animation(slide)
        assert movie.shape_type == MSO_SHAPE_TYPE.MEDIA and alt == result.manifest["alt"][view]
        mp4 = (folder / f"{view}.mp4").read_bytes()
        assert mp4 in blobs.values()
        poster = movie.poster_frame.blob
        assert poster == encode.first_frame_png(folder / f"{view}.mp4")
        with Image.open(io.BytesIO(poster)) as image:
            assert image.size == (160, 96)
    assert not any(name.endswith(".gif") for name in blobs)


def test_the_same_render_gives_the_same_deck(tmp_path):
    one = anim.render(KNOWN, tmp_path / "one", formats=["pptx"], **OPTIONS)
    two = anim.render(KNOWN, tmp_path / "two", formats=["pptx"], **OPTIONS)
    assert (one.folder / "deck.pptx").read_bytes() == (two.folder / "deck.pptx").read_bytes()


def test_a_batch_writes_one_deck_for_the_course_in_file_order(tmp_path, scene_file):
    from conftest import TINY_SCENE

    scene_file(TINY_SCENE.replace('name="bowl", title="Bowl"', 'name="b", title="Second"'), "b_second.py")
    scene_file(TINY_SCENE.replace('name="bowl", title="Bowl"', 'name="a", title="First"'), "a_first.py")
    done = anim.render_many([tmp_path], tmp_path / "course", formats=["pptx"], views=["contour"], size="160x96",
                            fps=10, jobs=1)
    assert not done.failed and done.course == tmp_path / "course" / "course.pptx"
    deck = Presentation(done.course)
    assert [s.shapes.title.text for s in deck.slides] == ["course", "First", "Second"]
    for slide, name in zip(list(deck.slides)[1:], ("a", "b")):
        manifest = json.loads((tmp_path / "course" / name / "manifest.json").read_text())
        picture, alt = animation(slide)
        assert alt == manifest["alt"]["contour"]
        assert picture.image.blob == (tmp_path / "course" / name / "contour.gif").read_bytes()
    assert json.loads(done.batch_file.read_text())["course"] == "course.pptx"
    assert '<a href="course.pptx">course.pptx</a>' in done.index_file.read_text()


def test_without_python_pptx_the_pip_line_and_exit_1(tmp_path, tiny_scene, monkeypatch):
    import importlib.util

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pptx" else find_spec(name, *a))
    result = CliRunner().invoke(cli.main, ["render", str(tiny_scene), "-o", str(tmp_path), "--format", "pptx"])
    assert result.exit_code == 1
    assert result.output == "error: --format pptx needs the pptx package: pip install 'optianim[slides]'\n"
    assert not (tmp_path / "bowl").exists()  # refused before anything was rendered
    with pytest.raises(RenderError, match=r"pip install 'optianim\[slides\]'"):
        anim.render(tiny_scene, tmp_path, formats=["pptx"])


def test_an_unknown_pptx_media_is_a_usage_error_naming_the_valid_ones(tmp_path, tiny_scene):
    result = CliRunner().invoke(cli.main, ["render", str(tiny_scene), "--format", "pptx", "--pptx-media", "mov"])
    assert result.exit_code == 2
    assert "Invalid value for '--pptx-media': 'mov' is not one of 'gif', 'mp4'." in result.output
    with pytest.raises(UsageError, match=r"^pptx_media: got 'mov'; use one of gif, mp4$"):
        anim.render(tiny_scene, tmp_path, formats=["pptx"], pptx_media="mov")


def test_body_box_keeps_the_aspect_and_centres():
    left, top, width, height = slides._body((1280, 720))
    assert width / height == pytest.approx(16 / 9, rel=1e-6)
    assert left == (slides.SLIDE_WIDTH - width) // 2 and top + height <= slides.SLIDE_HEIGHT
    assert np.isclose(width, slides.SLIDE_WIDTH - 2 * slides.MARGIN) or top + height + slides.MARGIN // 2 >= \
        slides.SLIDE_HEIGHT - 1
