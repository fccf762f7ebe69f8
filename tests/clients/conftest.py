"""Real clients for rendered outputs: one small render per session, ffprobe, headless Chromium.

The tools come from the system (Debian's `ffmpeg` for ffprobe, Debian's `chromium`) and the
`playwright` package of the test extra, which drives that Chromium (never `playwright install`).
A missing tool skips the tests that need it, with the reason; under CI (the CI environment
variable set) a missing tool fails them instead, so a CI run can't pass without testing.
"""

import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCENE = ROOT / "scenes" / "pathological.py"
VIEWS = ("contour", "surface")
VIDEO_FORMATS = ("mp4", "webm", "gif")
# Waits in these tests end on events (a video's `ended`, a frame on screen, the page's media
# ready); this only stops a hang, and is never a judgement of speed.
HANG_MS = 120_000
# Small renders of the lecture's ravine scene, each made once, when a test first needs it: both
# views in every format a browser shows (opaque), a see-through WebM and PNG (transparent), the
# contour view at the default 1280x720 (hd), where players guess colours differently for untagged
# video, and the contour view as MOV and WebP, opaque and see-through (editors).
RENDERS = {
    "opaque": ["--size", "640x360", "--view", "contour", "--view", "surface",
               "--format", "mp4", "--format", "gif", "--format", "webm", "--format", "png"],
    "transparent": ["--size", "640x360", "--view", "contour", "--format", "webm", "--format", "png",
                    "--transparent"],
    "hd": ["--size", "1280x720", "--view", "contour", "--format", "mp4", "--format", "webm", "--format", "png"],
    # For ffprobe only: ProRes for video editors (browsers do not play it) and the animated WebP.
    "editors": ["--size", "640x360", "--view", "contour", "--format", "mov", "--format", "webp"],
    "editors-transparent": ["--size", "640x360", "--view", "contour", "--format", "mov", "--format", "webp",
                            "--transparent"],
    # The interactive explorable alone (no video is drawn), in each theme.
    "explore": ["--format", "html"],
    "explore-dark": ["--format", "html", "--theme", "dark"],
    # For LibreOffice and pdflatex: the decks (with the GIFs they embed), on the dark theme so the
    # animation stands out from the white page around it; the MP4 deck of the contour view alone.
    "decks": ["--size", "640x360", "--view", "contour", "--view", "surface", "--format", "pptx", "--format", "beamer",
              "--theme", "dark"],
    "decks-mp4": ["--size", "640x360", "--view", "contour", "--format", "pptx", "--pptx-media", "mp4",
                  "--theme", "dark"],
}
# Test cases as (render, file).
VIDEOS = ([("opaque", f"{view}.{fmt}") for fmt in VIDEO_FORMATS for view in VIEWS]
          + [("transparent", "contour.webm"), ("hd", "contour.mp4"), ("hd", "contour.webm")])
STILLS = [("opaque", f"{view}.png") for view in VIEWS] + [("transparent", "contour.png"), ("hd", "contour.png")]
MOVS = [("editors", "contour.mov"), ("editors-transparent", "contour.mov")]  # not VIDEOS: Chromium cannot play them
WEBPS = [("editors", "contour.webp"), ("editors-transparent", "contour.webp")]


def case_id(case):
    kind, name = case
    return name if kind == "opaque" else f"{kind}-{name}"


# Chromium as root in a container with no network but the package registries: no sandbox, no GPU,
# and none of the background traffic (updates, sync, safe browsing, QUIC probes).
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-domain-reliability", "--no-pings",
    "--autoplay-policy=no-user-gesture-required", "--mute-audio",
]


def in_ci():
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing(reason):
    """Skip for a missing tool, or fail when running under CI, where every tool must be there."""
    if in_ci():
        pytest.fail(f"{reason} (CI is set: the client tests must run, not skip)", pytrace=False)
    pytest.skip(reason)


@dataclass
class Render:
    kind: str                         # a key of RENDERS
    folder: Path                      # OUT/<kind>/<scene>/
    manifest: dict

    @property
    def url_path(self):
        """Where the loopback server serves this render's folder."""
        return f"/{self.kind}/{self.folder.name}/"

    def record(self, name):
        records = {record["file"]: record for record in self.manifest["files"]}
        assert name in records, f"{self.kind} render: manifest.json does not list {name}: {sorted(records)}"
        return records[name]


class Renders:
    """renders[kind] -> Render: `optianim render scenes/pathological.py` with RENDERS[kind], once."""

    def __init__(self, root):
        self.root = root
        self._done = {}

    def __getitem__(self, kind):
        if kind not in self._done:
            out = self.root / kind
            command = [sys.executable, "-m", "anim", "render", str(SCENE), "-o", str(out), *RENDERS[kind]]
            result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=300)
            if result.returncode != 0:
                self._done[kind] = AssertionError(
                    f"{' '.join(command)} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
            else:
                folder = out / "pathological"
                self._done[kind] = Render(kind, folder, json.loads((folder / "manifest.json").read_text()))
        done = self._done[kind]
        if isinstance(done, Exception):
            raise done  # rendered once per session, failure or not
        return done


@pytest.fixture(scope="session")
def renders(tmp_path_factory):
    return Renders(tmp_path_factory.mktemp("clients"))


@pytest.fixture(scope="session")
def ffprobe():
    path = shutil.which("ffprobe")
    if path is None:
        missing("ffprobe not found (Debian: apt-get install ffmpeg)")
    return path


def tool(name, package):
    """The path of a command-line tool, or skip (fail under CI) naming the Debian package."""
    path = shutil.which(name)
    if path is None:
        missing(f"{name} not found (Debian: apt-get install --no-install-recommends {package}; "
                "tests/clients/install-tools.sh does)")
    return path


def find_chromium():
    explicit = os.environ.get("OPTIANIM_CHROMIUM")
    if explicit:
        return explicit
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright; a fresh temporary profile per launch."""
    executable = find_chromium()
    if executable is None:
        missing("chromium not found (Debian: apt-get install chromium; or set OPTIANIM_CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the playwright package is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        # Playwright launches with a new temporary --user-data-dir and removes it on close.
        chromium = playwright.chromium.launch(executable_path=executable, headless=True,
                                              args=CHROMIUM_ARGS, timeout=HANG_MS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(HANG_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files as a web host serves them: right MIME types, byte ranges; and a blank page."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".mp4": "video/mp4", ".webm": "video/webm", ".gif": "image/gif", ".vtt": "text/vtt",
                      ".png": "image/png", ".json": "application/json", ".csv": "text/csv",
                      ".html": "text/html; charset=utf-8", ".js": "text/javascript",
                      ".css": "text/css"}

    def do_GET(self):
        if self.path == "/__blank__":
            body = b"<!doctype html><meta charset=utf-8><title>blank</title><body></body>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        path = Path(self.translate_path(self.path))
        if self.path == "/favicon.ico" and not path.exists():
            self.send_response(204)  # Chromium asks every origin for one; not the page's request
            self.end_headers()
            return
        match = re.fullmatch(r"bytes=(\d*)-(\d*)", self.headers.get("Range", ""))
        if not match or not path.is_file():
            return super().do_GET()
        size = path.stat().st_size
        first, last = match.groups()
        if first:
            start, end = int(first), min(int(last) if last else size - 1, size - 1)
        else:  # a suffix: the last N bytes
            start, end = max(0, size - int(last or 0)), size - 1
        if start > end or start >= size:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        with open(path, "rb") as handle:
            handle.seek(start)
            body = handle.read(end - start + 1)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def end_headers(self):
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format, *args):
        pass  # quiet; pytest shows what failed

    def handle(self):
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser dropped a media request it no longer needed


@pytest.fixture(scope="session")
def server(renders):
    """A loopback HTTP server for the renders' root, on a free port: yields its base URL."""

    def handler(*args, **kwargs):
        return _Handler(*args, directory=str(renders.root), **kwargs)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, name="clients-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
