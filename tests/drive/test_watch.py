"""The watch mode's preview server: loopback only, nothing outside the render folder, and what browsers
need of a server (HEAD, Range requests, many connections at once, slow and vanishing clients)."""

import http.client
import os
import shutil
import socket
import struct
import subprocess
import threading
from pathlib import Path

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
    server.close()


def get(server, path):
    connection = http.client.HTTPConnection(*server.address, timeout=30)
    connection.request("GET", path)  # sent as written: http.client does not tidy '..' away
    response = connection.getresponse()
    return response.status, response.read(), response.getheader("Cache-Control")


def test_the_server_listens_on_loopback_only(served):
    server, _ = served
    assert server.address[0] == "127.0.0.1" and server.address[1] > 0


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


def request(server, method, path, headers=None):
    connection = http.client.HTTPConnection(*server.address, timeout=30)
    connection.request(method, path, headers=headers or {})
    response = connection.getresponse()
    return response.status, dict(response.getheaders()), response.read()


def test_only_a_loopback_host_header_is_answered(served):
    server, _ = served
    port = server.address[1]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
        assert request(server, "GET", "/contour.png", {"Host": host})[::2] == (200, b"\x89PNG pixels")
    for host in ("attacker.example", f"attacker.example:{port}", "127.0.0.1.attacker.example"):
        status, _, body = request(server, "GET", "/contour.png", {"Host": host})  # a DNS-rebinding page
        assert status == 400 and b"PNG" not in body


def test_head_and_range_requests_as_safari_needs_them_for_video(served):
    server, _ = served
    status, headers, body = request(server, "HEAD", "/contour.png")
    assert (status, headers["content-length"], body) == (200, "11", b"")
    assert headers["accept-ranges"] == "bytes" and headers["cache-control"] == "no-store"
    status, headers, body = request(server, "GET", "/contour.png", {"Range": "bytes=2-5"})
    assert (status, headers["content-range"], body) == (206, "bytes 2-5/11", b"NG p")
    assert request(server, "GET", "/contour.png", {"Range": "bytes=40-50"})[0] == 416


def test_a_burst_of_connections_is_served_whole(served):
    server, _ = served
    if shutil.which("ss"):  # the listen queue holds a page's burst (the kernel's Send-Q of a listening socket)
        listed = subprocess.run(["ss", "-ltnH", f"sport = :{server.address[1]}"], capture_output=True, text=True)
        assert int(listed.stdout.split()[2]) >= min(200, int(Path("/proc/sys/net/core/somaxconn").read_text()))
    results = []

    def fetch():
        try:
            results.append(request(server, "GET", "/contour.png")[::2])
        except OSError as exc:
            results.append(exc)

    threads = [threading.Thread(target=fetch) for _ in range(200)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [(200, b"\x89PNG pixels")] * 200


def test_slow_clients_hold_no_thread_and_block_no_one(served):
    server, _ = served
    before = threading.active_count()
    idle = [socket.create_connection(server.address, timeout=30) for _ in range(300)]
    try:
        for connection in idle[:150]:
            connection.sendall(b"GET /contour.png HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and never the end
        assert request(server, "GET", "/contour.png")[::2] == (200, b"\x89PNG pixels")
        assert threading.active_count() - before < 5
    finally:
        for connection in idle:
            connection.close()


def test_a_download_dropped_midway_is_quiet(served, capfd):
    server, preview = served
    big = preview.folder / "surface.mp4"
    big.write_bytes(os.urandom(1 << 20) * 24)  # far more than the sockets' buffers
    for _ in range(3):  # a browser dropping a video request: read a little, then close
        connection = socket.create_connection(server.address, timeout=30)
        connection.sendall(b"GET /surface.mp4 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert connection.recv(1024).startswith(b"HTTP/1.1 200")
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # a reset, at once
        connection.close()
    for _ in range(2):  # the server has moved on, whole
        status, _, body = request(server, "GET", "/surface.mp4")
        assert status == 200 and body == big.read_bytes()
    captured = capfd.readouterr()
    assert captured.out == captured.err == ""
