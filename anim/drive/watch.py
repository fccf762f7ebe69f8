"""Watch mode: render a scene again whenever a file in its folder is saved, and serve the preview page
on 127.0.0.1, which reloads itself after each render and shows a failed one's error."""

import html
import http.server
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from anim.errors import AnimError
from anim.write.formats import FORMATS
from anim.write.page import PAGE_FILE

DEBOUNCE_MS = 300  # saves closer together than this are one change (editors write a file in steps)
POLL_MS = 300      # how often the page asks whether a render finished
# Paths under these names never start a render: caches, version control, editors' swap files.
IGNORED = ("__pycache__", ".git", ".ipynb_checkpoints", ".mypy_cache", ".pytest_cache")
MEDIA_TYPES = {**{f".{name}": fmt.media_type for name, fmt in FORMATS.items()},
               ".html": "text/html; charset=utf-8", ".json": "application/json", ".csv": "text/csv",
               ".npz": "application/octet-stream"}


class Preview:
    """The preview server's state: the render folder it serves, how many renders it has seen (the
    page reloads when that changes) and the last render's error, if it failed."""

    def __init__(self):
        self.folder, self.version, self.error = None, 0, None
        self.lock = threading.Lock()

    def rendered(self, folder):
        with self.lock:
            self.folder, self.error, self.version = Path(folder), None, self.version + 1

    def failed(self, message):
        with self.lock:
            self.error, self.version = message, self.version + 1

    def page(self):
        """The folder's index.html (or a placeholder), with the error above it and the reload script."""
        with self.lock:
            folder, version, error = self.folder, self.version, self.error
        index = folder / PAGE_FILE if folder else None
        body = index.read_text() if index and index.is_file() else (
            "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>optianim</title></head>\n"
            "<body>\n<p>No render yet.</p>\n</body>\n</html>\n")
        banner = ""
        if error:
            banner = ('<pre id="optianim-error" style="white-space:pre-wrap;background:#fde8e8;color:#8a1111;'
                      'padding:12px;border:1px solid #e0a0a0">The last save failed to render (the files below '
                      f"are the last good render):\n{html.escape(error)}</pre>")
        script = (f"<script>const optianimVersion = {version};\n"
                  "setInterval(async () => {\n"
                  "  try {\n"
                  "    const now = await (await fetch('/__version__', {cache: 'no-store'})).text();\n"
                  "    if (Number(now) !== optianimVersion) location.reload();\n"
                  "  } catch (e) {}\n"
                  f"}}, {POLL_MS});</script>")
        return body.replace("<body>\n", f"<body>\n{banner}{script}\n", 1)

    def file(self, url_path):
        """The file a request names, if it is a file directly in the render folder; else None.
        Nothing with '..', a slash, a backslash or a leading dot in its name is served."""
        with self.lock:
            folder = self.folder
        name = unquote(urlsplit(url_path).path)[1:]
        if folder is None or not name or "/" in name or "\\" in name or name.startswith(".") or "\0" in name:
            return None
        path = folder / name
        return path if path.is_file() and path.resolve().parent == folder.resolve() else None


def serve(preview):
    """An HTTP server for `preview` on 127.0.0.1 at a free port, serving in a daemon thread."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            target = urlsplit(self.path).path
            if target in ("/", "/" + PAGE_FILE):
                return self._send(200, preview.page().encode(), "text/html; charset=utf-8")
            if target == "/__version__":
                return self._send(200, str(preview.version).encode(), "text/plain")
            path = preview.file(self.path)
            if path is None:
                return self._send(404, b"not found\n", "text/plain")
            self._send(200, path.read_bytes(), MEDIA_TYPES.get(path.suffix, "application/octet-stream"))

        def _send(self, status, body, media_type):
            self.send_response(status)
            self.send_header("Content-Type", media_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")  # a reload never shows an older file
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # the terminal is for renders
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server


def watch(scene_path, out_root, render, report, stop=None):
    """Render now (`render()` returns the Result or raises), then again after each save of a file
    in the scene's folder (outside `out_root`), until Ctrl-C or `stop` (a threading.Event) is set.
    `report(line)` is told the preview's address and each failure."""
    import watchfiles

    preview = Preview()
    server = serve(preview)
    folder, out_root = Path(scene_path).resolve().parent, Path(out_root).resolve()

    def wanted(change, path):
        path = Path(path)
        return (not path.is_relative_to(out_root) and not any(part in IGNORED for part in path.parts)
                and not path.name.startswith(".") and not path.name.endswith("~"))

    def once():
        try:
            preview.rendered(render().folder)
        except AnimError as exc:
            preview.failed(str(exc))
            report(f"error: {exc}")
        except Exception as exc:  # a bug in optianim: said, and watching goes on
            preview.failed(f"internal error: {type(exc).__name__}: {exc}")
            report(f"internal error: {type(exc).__name__}: {exc}")

    try:
        report(f"preview: http://127.0.0.1:{server.server_address[1]}/ (reloads after each render; Ctrl-C stops)")
        once()
        report(f"watching {folder} for saves")
        for _ in watchfiles.watch(folder, watch_filter=wanted, debounce=DEBOUNCE_MS, stop_event=stop):
            once()
    finally:
        server.shutdown()
        server.server_close()
