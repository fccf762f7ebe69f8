"""The preview page's descriptions in Chromium: every video loads its WebVTT file through
<track kind="descriptions"> with one cue per event of the description, at the event's time; the
pictures carry the manifest's alt text, and a visible "text version" link sits by each video."""

from .conftest import HANG_MS

TRACKS = """async () => {
  const tracks = [...document.querySelectorAll('video track')];
  return Promise.all(tracks.map(element => new Promise(resolve => {
    const done = () => resolve({video: element.parentElement.querySelector('source').getAttribute('src'),
      src: element.getAttribute('src'), kind: element.track.kind, readyState: element.readyState,
      starts: element.track.cues ? [...element.track.cues].map(cue => cue.startTime) : null,
      texts: element.track.cues ? [...element.track.cues].map(cue => cue.text) : null});
    element.addEventListener('load', done);
    element.addEventListener('error', done);
    element.track.mode = 'hidden';  // a descriptions track loads once a player asks for it
    if (element.readyState === 2) done();
  })));
}"""

LINKS = """() => [...document.querySelectorAll('figcaption a[href="#text-version"]')].map(a => {
  const box = a.getBoundingClientRect();
  return {figure: a.closest('figure').querySelector('[src]').getAttribute('src'),
          visible: box.width > 0 && box.height > 0, text: a.textContent};
})"""


def test_each_video_loads_its_descriptions_track_with_a_cue_per_event(renders, server, page):
    render = renders["opaque"]
    events = render.manifest["description"]["events"]
    assert events, "the ravine has events to describe"
    page.goto(f"{server}{render.url_path}index.html", wait_until="load")
    tracks = page.evaluate(TRACKS)
    videos = sorted(r["file"] for r in render.manifest["files"] if r["format"] in ("mp4", "webm"))
    assert sorted(t["video"] for t in tracks) == videos
    for track in tracks:
        view = track["video"].split(".")[0]
        assert (track["src"], track["kind"], track["readyState"]) == (f"{view}.vtt", "descriptions", 2), track
        assert len(track["starts"]) == len(events), track
        assert track["texts"] == [e["text"] for e in events]
        for start, event in zip(track["starts"], events):  # inside the frame that first shows the event
            assert event["time"] <= start < event["time"] + 1 / render.manifest["settings"]["fps"], (start, event)

    alt = render.manifest["alt"]
    for name, view in (("contour.gif", "contour"), ("surface.png", "surface")):
        assert page.get_attribute(f'img[src="{name}"]', "alt", timeout=HANG_MS) == alt[view]
    links = page.evaluate(LINKS)
    animated = sorted(r["file"] for r in render.manifest["files"] if r["format"] in ("mp4", "webm", "gif"))
    assert sorted(link["figure"] for link in links) == animated
    assert all(link["visible"] and link["text"] == "text version" for link in links), links
    assert page.inner_text("#text-version h2") == "Text version"
