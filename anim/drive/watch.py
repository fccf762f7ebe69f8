"""Watch mode: render a scene again whenever a file in its folder is saved, and serve the preview page
on 127.0.0.1 (Starlette on uvicorn: Range requests, HEAD, many clients at once), which reloads
itself after each render and shows a failed one's error."""

import html
import logging
import socket
import threading
from pathlib import Path
from urllib.parse import unquote

from anim.errors import AnimError
from anim.write.formats import FORMATS
from anim.write.page import PAGE_FILE

DEBOUNCE_MS = 300  # saves closer together than this are one change (editors write a file in steps)
POLL_MS = 300      # how often the page asks whether a render finished
# Paths under these names never start a render: caches, version control, editors' swap files.
IGNORED = ("__pycache__", ".git", ".ipynb_checkpoints", ".mypy_cache", ".pytest_cache")
LOOPBACK_HOSTS = ["127.0.0.1", "localhost"]  # the Host headers answered: a DNS-rebinding page gets a 400
BACKLOG = 2048  # connections waiting to be accepted: a page's burst of requests never times out
NO_STORE = {"Cache-Control": "no-store"}  # a reload never shows an older file
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

    def file(self, raw_path):
        """The file a request's path (as sent, percent-encoded) names, if it is a file directly in
        the render folder; else None. Nothing with '..', a slash, a backslash or a leading dot in
        its name is served."""
        with self.lock:
            folder = self.folder
        name = unquote(raw_path)[1:]
        if folder is None or not name or "/" in name or "\\" in name or name.startswith(".") or "\0" in name:
            return None
        path = folder / name
        return path if path.is_file() and path.resolve().parent == folder.resolve() else None


def app(preview):
    """The preview page's ASGI application: the page, its version and the render folder's files
    (streamed, with Range requests and HEAD), to a loopback Host header only."""
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware
    from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse
    from starlette.routing import Route

    async def page(request):
        return HTMLResponse(preview.page(), headers=NO_STORE)

    async def version(request):
        return PlainTextResponse(str(preview.version), headers=NO_STORE)

    async def file(request):
        path = preview.file(request.scope.get("raw_path", b"").decode("latin-1") or request.url.path)
        if path is None:
            return PlainTextResponse("not found\n", status_code=404)
        return FileResponse(path, media_type=MEDIA_TYPES.get(path.suffix, "application/octet-stream"),
                            headers=NO_STORE)

    routes = [Route("/", page), Route("/" + PAGE_FILE, page), Route("/__version__", version),
              Route("/{name:path}", file)]
    return Starlette(routes=routes, middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=LOOPBACK_HOSTS)])


class Server:
    """The preview server, serving in a daemon thread of its own: `address` (host, port); close()."""

    def __init__(self, preview):
        import uvicorn

        listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listening.bind(("127.0.0.1", 0))
        listening.listen(BACKLOG)
        self.address = listening.getsockname()
        for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):  # the terminal is for renders
            logging.getLogger(name).addHandler(logging.NullHandler())
            logging.getLogger(name).propagate = False
        config = uvicorn.Config(app(preview), log_config=None, access_log=False, backlog=BACKLOG,
                                lifespan="off", server_header=False, timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._socket = listening
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [listening]}, daemon=True,
                                        name="optianim-preview")
        self._thread.start()

    def close(self):
        self._server.should_exit = True
        self._thread.join(timeout=5)
        self._socket.close()


def serve(preview):
    """A Server for `preview` on 127.0.0.1 at a free port."""
    return Server(preview)


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
        report(f"preview: http://127.0.0.1:{server.address[1]}/ (reloads after each render; Ctrl-C stops)")
        once()
        report(f"watching {folder} for saves")
        for _ in watchfiles.watch(folder, watch_filter=wanted, debounce=DEBOUNCE_MS, stop_event=stop):
            once()
    finally:
        server.close()
