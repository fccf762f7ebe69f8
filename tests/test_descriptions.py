"""A render's words are true: the alt text and the transcript name the known facts of a scene with their
steps, each event's time is the frame where the video shows it, and every WebVTT cue starts within that
frame; the files sit beside the videos and the preview page uses them."""

import json
import re

import anim
from anim.drive.settings import Settings
from anim.drive.timeline import timeline
from anim.write.describe import clock
from compute.test_events import KNOWN


def shown_at(scene, settings, run, event):
    """The first frame where the video shows the event, found by walking the timeline the views draw
    from: where the heads reach its step, or, for a run that stopped, where its path ends in a cross."""
    for frame in timeline(scene, settings):
        if (run.ended(frame.position) if event["kind"] in ("diverges", "leaves") else frame.position >= event["step"]):
            return frame.index
    raise AssertionError(f"no frame shows {event}")


def cues(vtt):
    """(start seconds, text) of each cue of a WebVTT file."""
    found = re.findall(r"(\d\d):(\d\d):(\d\d\.\d{3}) --> [\d:.]+\n(.+)", vtt)
    return [(int(h) * 3600 + int(m) * 60 + float(s), text) for h, m, s, text in found]


def test_the_alt_text_and_the_transcript_name_the_facts_with_their_steps_and_times(tmp_path):
    # two frames per update (20 fps, 10 updates a second): a time one update off is two frames off
    options = dict(views=["contour", "surface"], formats=["mp4", "gif"], size="160x96", fps=20, pace=10, jobs=1)
    result = anim.render(KNOWN, tmp_path, **options)
    manifest = json.loads((result.folder / "manifest.json").read_text())
    for view in ("contour", "surface"):
        alt = manifest["alt"][view]
        assert alt.startswith({"contour": "A contour map of known: ", "surface": "A 3-D surface of known: "}[view])
        for fact in ("4 optimizers (Too fast, Halving, Frozen, Zig-zag) from (1, 0) over 40 steps",
                     "Halving (step 4) and Zig-zag (step 11) reach the lowest loss seen",
                     "Zig-zag (from step 1) oscillates", "Frozen (at its start) stalls", "Too fast (step 3) diverges",
                     "Halving ends with the lowest loss"):
            assert fact in alt
        assert alt.count(".") <= 4 and alt.count(". ") == 1  # two sentences (numbers have points)
    described = manifest["description"]
    assert described["file"] == "description.txt"
    assert [(e["kind"], e["optimizer"], e["step"]) for e in described["events"]] == [
        ("stalls", "Frozen", 0), ("oscillates", "Zig-zag", 1), ("diverges", "Too fast", 3),
        ("reaches", "Halving", 4), ("reaches", "Zig-zag", 11)]
    settings = Settings(width=160, height=96, fps=20, pace=10)
    runs = {run.label: run for run in result.runs}
    text = (result.folder / "description.txt").read_text()
    for event in described["events"]:
        frame = shown_at(KNOWN, settings, runs[event["optimizer"]], event)
        assert event["frame"] == frame and event["time"] == round(frame / 20, 6)
        assert f"{clock(event['time'])}  step {event['step']:<5} {event['text']}" in text
    assert "Frozen stalls at its start" in text and "Too fast diverges: its loss is not finite at step 3" in text
    assert "Final losses, lowest first: Halving 3.31e-24; Zig-zag 2.76e-08; Frozen 1; Too fast diverged at step 3." \
        in text
    # each view's WebVTT track: a cue per event, starting inside the frame that first shows it
    for view in ("contour", "surface"):
        found = cues((result.folder / f"{view}.vtt").read_text())
        assert [text for _, text in found] == [e["text"] for e in described["events"]]
        for (start, _), event in zip(found, described["events"]):
            frame = shown_at(KNOWN, settings, runs[event["optimizer"]], event)
            assert frame / 20 <= start < (frame + 1) / 20


def test_the_preview_page_gives_alt_text_descriptions_tracks_and_the_text_version(tmp_path):
    result = anim.render(KNOWN, tmp_path, views=["contour"], formats=["mp4", "gif"], size="160x96", jobs=1)
    page = (result.folder / "index.html").read_text()
    alt = result.manifest["alt"]["contour"].replace("&", "&amp;")
    assert f'<img src="contour.gif" alt="{alt}"' in page
    assert ('<source src="contour.mp4" type="video/mp4"><track kind="descriptions" src="contour.vtt" srclang="en" '
            'label="Descriptions"></video>') in page
    assert page.count('<a href="#text-version">text version</a>') == 2  # beside the video and the GIF
    assert '<div id="text-version" class="text-version">' in page and 'href="description.txt"' in page
    for event in result.manifest["description"]["events"]:
        assert f"step {event['step']}: {event['text']}" in page


def test_without_an_animation_there_is_alt_text_but_no_transcript_file(tmp_path):
    result = anim.render(KNOWN, tmp_path, views=["contour"], formats=["png"], size="160x96")
    assert sorted(p.name for p in result.folder.iterdir()) == ["contour.png", "index.html", "manifest.json",
                                                               "trajectories.csv"]
    assert result.manifest["alt"]["contour"].startswith("A contour map of known")
    assert result.manifest["description"]["file"] is None
    assert f'alt="{result.manifest["alt"]["contour"]}"' in (result.folder / "index.html").read_text()
