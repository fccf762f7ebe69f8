"""The watch mode's preview server: loopback only, and nothing outside the render folder."""

import http.client

import pytest

from anim.drive import watch


@pytest.fixture
def served(tmp_path):
    """A preview server on a render folder holding index.html and contour.png, a secret beside it."""
    folder = tmp_path / "media" / "bowl"
    folder.mkdir(parents=True)
    (folder / "index.html").write_text("<!doctype html>\n<html>\n<body>\n<img src=\"contour.png\">\n</body>\n</html>\n")
    (folder / "contour.png").write_bytes(b"\x89PNG pixels")
    (folder / ".contour.png.123-abcdef01.part").write_bytes(b"a temporary")
    (tmp_path / "media" / "secret.txt").write_text("not for the browser")
    preview = watch.Preview()
    preview.rendered(folder)
    server = watch.serve(preview)
    yield server, preview
    server.shutdown()
    server.server_close()


def get(server, path):
    connection = http.client.HTTPConnection(*server.server_address, timeout=30)
    connection.request("GET", path)  # sent as written: http.client does not tidy '..' away
    response = connection.getresponse()
    return response.status, response.read(), response.getheader("Cache-Control")


def test_the_server_listens_on_loopback_only(served):
    server, _ = served
    assert server.server_address[0] == "127.0.0.1" and server.server_address[1] > 0


@pytest.mark.parametrize("path", ["/../secret.txt", "/..%2fsecret.txt", "/%2e%2e/secret.txt", "/%2e%2e%2fsecret.txt",
                                  "//etc/passwd", "/%2fetc%2fpasswd", "/%2Fetc%2Fpasswd", "/..\\secret.txt",
                                  "/..%5csecret.txt", "/./contour.png", "/.contour.png.123-abcdef01.part",
                                  "/missing.mp4", "/contour.png%00.html"])
def test_nothing_outside_the_render_folder_is_served(served, path):
    server, _ = served
    status, body, _ = get(server, path)
    assert (status, body) == (404, b"not found\n")


def test_the_folder_files_the_page_and_its_version_are_served_never_cached(served):
    server, preview = served
    assert get(server, "/contour.png") == (200, b"\x89PNG pixels", "no-store")
    status, page, _ = get(server, "/")
    assert status == 200 and b'<img src="contour.png">' in page and b"const optianimVersion = 1;" in page
    preview.failed("scene.py:3: syntax error: invalid syntax")
    assert get(server, "/__version__")[:2] == (200, b"2")
    page = get(server, "/")[1].decode()
    assert "The last save failed to render" in page and "scene.py:3: syntax error: invalid syntax" in page
    assert '<img src="contour.png">' in page  # the last good render stays
