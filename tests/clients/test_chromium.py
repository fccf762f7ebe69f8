"""Headless Chromium (Debian's package) plays, animates and shows the outputs as a page in a browser would."""

from urllib.parse import unquote, urlsplit

import pytest

from .conftest import HANG_MS, STILLS, VIDEOS, VIEWS, case_id

# MIME type and codec string a page would put in <source type=...>: H.264 High, VP9 profile 0.
CODEC_TYPES = {"mp4": 'video/mp4; codecs="avc1.640028"', "webm": 'video/webm; codecs="vp09.00.10.08"'}

PLAY = """async ({src, type, rate, timeout}) => {
  const video = document.createElement('video');
  video.muted = true;
  video.preload = 'auto';
  video.defaultPlaybackRate = rate;
  document.body.appendChild(video);
  const events = [];
  for (const name of ['loadedmetadata', 'loadeddata', 'canplay', 'playing', 'waiting', 'stalled', 'ended', 'error'])
    video.addEventListener(name, () => events.push(name));
  let presented = 0, lastMediaTime = null, alpha = null, playError = null;
  const minAlpha = () => {  // the alpha channel of the frame on screen, as a page composites it
    const canvas = new OffscreenCanvas(video.videoWidth, video.videoHeight);
    const context = canvas.getContext('2d');
    context.drawImage(video, 0, 0);
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let min = 255;
    for (let i = 3; i < pixels.length; i += 4) min = Math.min(min, pixels[i]);
    return min;
  };
  // Read in the first frame callback: a frame is presented then (right after 'loadeddata' a busy
  // machine may not have one decoded yet, and the canvas reads as transparent).
  const onFrame = (now, meta) => {
    if (alpha === null) alpha = minAlpha();
    presented++; lastMediaTime = meta.mediaTime; video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
  const outcome = new Promise(resolve => {
    video.addEventListener('ended', () => resolve('ended'));
    video.addEventListener('error', () => resolve('error'));
    setTimeout(() => resolve('timeout'), timeout);
  });
  video.src = src;
  try {
    await video.play();
  } catch (e) {
    playError = String(e);
  }
  const result = playError ? 'play() rejected' : await outcome;
  const quality = video.getVideoPlaybackQuality();
  return {
    result, playError, events, alpha, presented, lastMediaTime,
    error: video.error && {code: video.error.code, message: video.error.message},
    canPlayType: video.canPlayType(type),
    videoWidth: video.videoWidth, videoHeight: video.videoHeight,
    duration: video.duration, currentTime: video.currentTime,
    decodedFrames: quality.totalVideoFrames, droppedFrames: quality.droppedVideoFrames,
  };
}"""

GIF_DECODE = """async ({src}) => {
  const data = await (await fetch(src)).arrayBuffer();
  const decoder = new ImageDecoder({data, type: 'image/gif'});
  await decoder.tracks.ready;
  await decoder.completed;
  const track = decoder.tracks.selectedTrack;
  let seconds = 0, width = null, height = null;
  for (let i = 0; i < track.frameCount; i++) {
    const {image} = await decoder.decode({frameIndex: i});
    seconds += image.duration / 1e6;
    width = image.displayWidth; height = image.displayHeight;
    image.close();
  }
  return {frameCount: track.frameCount, animated: track.animated, seconds, width, height,
          repetitionCount: track.repetitionCount === Infinity ? 'Infinity' : track.repetitionCount};
}"""

GIF_ON_SCREEN = """async ({src}) => {
  const img = document.createElement('img');
  img.id = 'gif';
  img.style.cssText = 'position:fixed;left:0;top:0';
  const loaded = new Promise((resolve, reject) => { img.onload = resolve; img.onerror = () => reject(new Error('img error')); });
  img.src = src;
  document.body.appendChild(img);
  await loaded;
  return {naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight};
}"""

PAGE_STATE = """() => ({
  videos: [...document.querySelectorAll('video')].map(v => ({src: v.currentSrc || v.src, readyState: v.readyState,
                                                             error: v.error && v.error.code, width: v.videoWidth})),
  images: [...document.images].map(i => ({src: i.currentSrc || i.src, complete: i.complete, naturalWidth: i.naturalWidth})),
  // each picture on the page: its file and the text around it (its figure, else its parent)
  media: [...document.querySelectorAll('video[src], video source[src], img[src]')].map(e => {
    const box = e.closest('figure') || (e.closest('video') || e).parentElement;
    return {src: e.src, caption: box ? box.innerText : ''};
  }),
})"""

PAGE_READY = """() => [...document.querySelectorAll('video')].every(v => v.readyState >= 2)
                   && [...document.images].every(i => i.complete && i.naturalWidth > 0)"""


PLAYED = [case for case in VIDEOS if not case[1].endswith(".gif")]


@pytest.mark.parametrize("case", PLAYED, ids=case_id)
def test_video_plays_to_the_end(renders, server, page, case):
    """<video> plays the file through to `ended`, at the manifest's size and duration, every frame decoded.

    And the picture is see-through exactly when the manifest says yuva420p (the transparent WebM).
    """
    kind, name = case
    render, fmt = renders[kind], name.rsplit(".", 1)[1]
    record = render.record(name)
    page.goto(f"{server}/__blank__")
    # Twice real time keeps the suite short; Chromium still decodes every frame. The timeout only
    # stops a hang: the test waits for `ended` (or `error`).
    played = page.evaluate(PLAY, {"src": render.url_path + name, "type": CODEC_TYPES[fmt],
                                  "rate": 2.0, "timeout": HANG_MS})
    frame = 1 / record["fps"]
    assert played["result"] == "ended", played
    assert played["error"] is None, played
    assert played["canPlayType"] == "probably", played
    assert (played["videoWidth"], played["videoHeight"]) == (record["width"], record["height"]), played
    assert played["duration"] == pytest.approx(record["duration"], abs=frame), played
    assert played["currentTime"] == pytest.approx(played["duration"], abs=frame), played
    assert played["decodedFrames"] == record["frames"], played
    # The picture got to the end too: the last frame painted is within 3 frames of the end (some go
    # unpainted at twice real time), give or take the frames Chromium itself reports it dropped for
    # being late, so a busy machine is not mistaken for a broken file.
    late = 3 + played["droppedFrames"]
    assert played["lastMediaTime"] == pytest.approx(record["duration"] - frame, abs=late * frame), played
    transparent = record.get("pix_fmt") == "yuva420p"
    assert (played["alpha"] < 255) if transparent else (played["alpha"] == 255), played


@pytest.mark.parametrize("view", VIEWS)
def test_gif_frames_and_loop(renders, server, page, view):
    """WebCodecs' ImageDecoder reads the manifest's frame count, duration and looping (forever)."""
    render, name = renders["opaque"], f"{view}.gif"
    record = render.record(name)
    page.goto(f"{server}/__blank__")
    assert page.evaluate("typeof ImageDecoder") == "function", "this Chromium has no WebCodecs ImageDecoder"
    gif = page.evaluate(GIF_DECODE, {"src": render.url_path + name})
    assert gif["frameCount"] == record["frames"], gif
    assert record["loop"] == "forever" and gif["repetitionCount"] == "Infinity", (record, gif)
    assert gif["animated"] is True, gif
    assert (gif["width"], gif["height"]) == (record["width"], record["height"]), gif
    assert gif["seconds"] == pytest.approx(record["duration"], abs=1 / record["fps"]), gif


@pytest.mark.parametrize("view", VIEWS)
def test_gif_animates_on_the_page(renders, server, page, view):
    """An <img> of the GIF changes on screen by itself: a later screenshot of it differs from the first."""
    render, name = renders["opaque"], f"{view}.gif"
    record = render.record(name)
    page.goto(f"{server}/__blank__")
    shown = page.evaluate(GIF_ON_SCREEN, {"src": render.url_path + name})
    assert (shown["naturalWidth"], shown["naturalHeight"]) == (record["width"], record["height"]), shown
    # A canvas draws an animated <img> as its first frame whatever is on screen, so compare what the
    # compositor shows: screenshots of the element, a GIF frame apart, until one differs from the
    # first (after the held start, the picture changes every frame). Waiting for that change is the
    # test; the bound only stops a GIF that never moves from hanging the suite.
    gif = page.locator("#gif")
    first, delay_ms = gif.screenshot(), 1000 / record["fps"]
    for shots in range(2, int(HANG_MS / delay_ms) + 2):
        page.wait_for_timeout(delay_ms)
        if gif.screenshot() != first:
            break
    else:
        pytest.fail(f"the GIF showed the same picture in {shots} screenshots, a frame ({delay_ms:.0f} ms) "
                    "apart or more")


PNG_ALPHA = """async ({src}) => {
  const img = new Image();
  img.src = src;
  await img.decode();
  const canvas = new OffscreenCanvas(img.naturalWidth, img.naturalHeight);
  const context = canvas.getContext('2d');
  context.drawImage(img, 0, 0);
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
  let min = 255;
  for (let i = 3; i < pixels.length; i += 4) min = Math.min(min, pixels[i]);
  return {naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight, minAlpha: min};
}"""


@pytest.mark.parametrize("case", STILLS, ids=case_id)
def test_png_shows(renders, server, page, case):
    """<img> decodes the PNG at the manifest's size; see-through pixels exactly when the manifest says alpha."""
    kind, name = case
    render = renders[kind]
    record = render.record(name)
    page.goto(f"{server}/__blank__")
    shown = page.evaluate(PNG_ALPHA, {"src": render.url_path + name})
    assert (shown["naturalWidth"], shown["naturalHeight"]) == (record["width"], record["height"]), shown
    assert (shown["minAlpha"] < 255) == record["alpha"], shown


LAST_FRAME_VS_PNG = """async ({video, png, frame}) => {
  const pixels = (source, width, height) => {
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext('2d');
    context.drawImage(source, 0, 0, width, height);
    return context.getImageData(0, 0, width, height).data;
  };
  const img = new Image();
  img.src = png;
  await img.decode();
  const W = img.naturalWidth, H = img.naturalHeight, want = pixels(img, W, H);
  const v = document.createElement('video');
  v.muted = true; v.preload = 'auto'; v.src = video;
  document.body.appendChild(v);
  await new Promise((resolve, reject) => { v.onloadeddata = resolve; v.onerror = () => reject(new Error('video error')); });
  v.currentTime = v.duration - frame / 2;  // the last frame
  // 'seeked' fires once the frame there is decoded (readyState >= 2): drawImage below gets it. (No
  // wait for a frame callback: Chromium gives none for a paused video, so that was a 1 s sleep.)
  await new Promise(resolve => v.addEventListener('seeked', resolve, {once: true}));
  if (v.readyState < 2) return {readyState: v.readyState};
  if (v.videoWidth !== W || v.videoHeight !== H) return {size: [v.videoWidth, v.videoHeight, W, H]};
  const got = pixels(v, W, H);
  // Only flat, saturated areas (5x5 of one colour in the PNG): edges blur in 4:2:0 chroma, greys hide a
  // wrong YUV matrix, colour doesn't.
  const bias = [0, 0, 0], mae = [0, 0, 0];
  let count = 0;
  for (let y = 2; y < H - 2; y++) for (let x = 2; x < W - 2; x++) {
    const i = (y * W + x) * 4;
    if (Math.max(want[i], want[i + 1], want[i + 2]) - Math.min(want[i], want[i + 1], want[i + 2]) < 60) continue;
    let flat = true;
    for (let dy = -2; dy <= 2 && flat; dy++) for (let dx = -2; dx <= 2 && flat; dx++) {
      const j = ((y + dy) * W + x + dx) * 4;
      flat = want[j] === want[i] && want[j + 1] === want[i + 1] && want[j + 2] === want[i + 2];
    }
    if (!flat) continue;
    count++;
    for (let k = 0; k < 3; k++) { const d = got[i + k] - want[i + k]; bias[k] += d; mae[k] += Math.abs(d); }
  }
  return {count, bias: bias.map(b => b / count), mae: mae.map(m => m / count)};
}"""

COLOURS = [("opaque", "contour.mp4"), ("opaque", "contour.webm"), ("hd", "contour.mp4"), ("hd", "contour.webm")]


@pytest.mark.parametrize("case", COLOURS, ids=case_id)
def test_video_colours_match_the_png(renders, server, page, case):
    """Chromium shows the video's last frame in the colours of the PNG of the same frame.

    A YUV video must say which RGB<->YUV matrix it was made with (and its primaries and transfer);
    untagged, each player guesses (this Chromium: BT.601 for an H.264 of 640x360, BT.709 for one
    of 1280x720), and a wrong guess shifts colours by up to ~10 levels. Passes within 3 levels of
    mean error per channel, in the PNG's flat coloured areas.
    """
    kind, name = case
    render = renders[kind]
    record = render.record(name)
    png = name.rsplit(".", 1)[0] + ".png"
    page.goto(f"{server}/__blank__")
    seen = page.evaluate(LAST_FRAME_VS_PNG, {"video": render.url_path + name, "png": render.url_path + png,
                                             "frame": 1 / record["fps"]})
    assert "size" not in seen and "readyState" not in seen, seen
    assert seen["count"] > 1000, seen
    bias, mae = [round(b, 2) for b in seen["bias"]], [round(m, 2) for m in seen["mae"]]
    assert max(map(abs, bias)) <= 3 and max(mae) <= 3, (
        f"{name} ({record['width']}x{record['height']}) in Chromium vs {png}: mean RGB error {bias}, "
        f"mean |error| {mae} over {seen['count']} pixels")


def _file_name(url, base):
    """The file of the render's folder a URL points at, or None for anything else."""
    if not url.startswith(base):
        return None
    return unquote(urlsplit(url).path).rsplit("/", 1)[-1]


@pytest.mark.parametrize("kind", ["opaque", "transparent"])
@pytest.mark.parametrize("via", ["http", "file"])
def test_preview_page(renders, server, page, tmp_path, kind, via):
    """index.html loads cleanly, from a web server or opened as a file, and shows every output with its numbers.

    No console error, uncaught exception, failed request or HTTP error; nothing fetched from
    elsewhere (the page works offline); every <video> has its current frame (readyState >= 2)
    and every <img> decoded; each video, GIF and PNG of the manifest is on the page, captioned
    with its size and frame count. The screenshot is left in the test's tmp_path.
    """
    render = renders[kind]
    index = render.folder / "index.html"
    assert index.is_file(), f"the render wrote no index.html: {sorted(p.name for p in render.folder.iterdir())}"
    base = server + render.url_path if via == "http" else render.folder.as_uri() + "/"
    problems, requests = [], []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console error: {m.text} at {m.location}"))
    page.on("pageerror", lambda error: problems.append(f"uncaught exception: {error}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} ({r.failure})"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"HTTP {r.status}: {r.url}"))
    page.on("request", lambda r: requests.append(r.url))

    response = page.goto(base + "index.html", wait_until="load")
    if via == "http":
        assert response.status == 200
    try:
        page.wait_for_function(PAGE_READY, timeout=HANG_MS, polling=100)
    except Exception:
        pytest.fail(f"media on the page never got ready (waited {HANG_MS // 1000} s for a hang): "
                    f"{page.evaluate(PAGE_STATE)}; problems: {problems}")
    # The media controls' loading spinner fades out over about a second after the data arrives: a
    # pause for the screenshot left for people to look at; no assertion depends on it.
    page.wait_for_timeout(1500)
    state = page.evaluate(PAGE_STATE)
    shot = tmp_path / f"index-{kind}-{via}.png"
    page.screenshot(path=str(shot), full_page=True)

    assert not problems, "\n".join(problems)
    offsite = [url for url in requests if not url.startswith((base, "data:", "blob:"))]
    assert not offsite, f"the page is not self-contained, it asked for: {offsite}"
    assert state["videos"] and all(v["readyState"] >= 2 and v["error"] is None for v in state["videos"]), state
    assert all(i["complete"] and i["naturalWidth"] > 0 for i in state["images"]), state
    captions = {}
    for item in state["media"]:
        name = _file_name(item["src"], base)
        if name:
            captions.setdefault(name, "")
            captions[name] += item["caption"]
    for record in render.manifest["files"]:
        if record["format"] not in ("mp4", "webm", "gif", "png"):
            continue
        name = record["file"]
        assert name in captions, f"{name} is not shown on the page (shown: {sorted(captions)})"
        assert f"{record['width']}x{record['height']}" in captions[name], (name, captions[name])
        if record["format"] != "png":
            assert f"{record['frames']} frames" in captions[name], (name, captions[name])
    assert shot.stat().st_size > 10_000, "the screenshot is (nearly) empty"
