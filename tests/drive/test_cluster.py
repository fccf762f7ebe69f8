"""A Dask scheduler address that is malformed, unreachable or not a Dask scheduler is one line, with the
right exit code and no traceback, even at exit (each case run as `optianim render --scheduler`)."""

import socket
import subprocess
import sys
import threading

import pytest
from conftest import ROOT

pytest.importorskip("distributed", reason="Dask's distributed is not installed (pip install 'optianim[dask]')")


@pytest.fixture
def listening():
    """listening(answer) -> tcp://127.0.0.1:PORT of a TCP service that is no Dask scheduler: it
    sends `answer` to whatever connects (None: it says nothing, as a web server waiting for a
    request does), and holds the connection open."""
    servers, held = [], []

    def start(answer):
        server = socket.create_server(("127.0.0.1", 0))
        servers.append(server)

        def serve():
            while True:
                try:
                    connection, _ = server.accept()
                except OSError:
                    return
                held.append(connection)
                if answer is not None:
                    connection.sendall(answer)

        threading.Thread(target=serve, daemon=True).start()
        return f"tcp://127.0.0.1:{server.getsockname()[1]}"

    yield start
    for connection in held:
        connection.close()
    for server in servers:
        server.close()


def render(tiny_scene, *options):
    return subprocess.run([sys.executable, "-m", "anim", "render", str(tiny_scene), "-o", str(tiny_scene.parent),
                           *options], cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("address, message", [
    ("foo", "error: scheduler: 'foo' is not a Dask address (missing port number in address 'foo'); give "
            "tcp://HOST:PORT"),
    ("http://127.0.0.1:8787", "error: scheduler: 'http://127.0.0.1:8787' is not a Dask address (unknown address "
                              "scheme 'http' (known schemes: ['inproc', 'tcp', 'tls', 'ucx', 'ws', 'wss'])); give "
                              "tcp://HOST:PORT"),
])
def test_a_malformed_address_is_bad_usage(tiny_scene, address, message):
    done = render(tiny_scene, "--scheduler", address)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", message + "\n")


def test_an_address_nothing_answers_at_is_one_line_within_the_timeout(tiny_scene, listening):
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    for address in (f"tcp://127.0.0.1:{port}", listening(None)):  # refused; accepted, never answered (a dashboard)
        done = render(tiny_scene, "--scheduler", address, "--scheduler-timeout", "1")
        assert done.returncode == 1 and done.stdout == ""
        assert done.stderr in (f"error: cannot reach the Dask scheduler at {address}: no answer within 1 s "
                               "(--scheduler-timeout)\n",
                               f"error: cannot reach the Dask scheduler at {address}: Timed out trying to connect to "
                               f"{address} after 1 s\n")


@pytest.mark.parametrize("answer", [b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n" * 3,  # read as 3 EiB
                                    b"SSH-2.0-OpenSSH_9.2\r\n"])
def test_a_service_that_is_no_dask_scheduler_is_one_line(tiny_scene, listening, answer):
    address = listening(answer)
    done = render(tiny_scene, "--scheduler", address, "--scheduler-timeout", "2")
    assert (done.returncode, done.stdout, done.stderr) == (1, "", (
        f"error: {address} answers, but as something else, not as a Dask scheduler; give the scheduler's address "
        "(tcp://HOST:8786 by default)\n"))
