"""The write gate: a few writes at a time, reads and Socket.IO never held (facilitator/write_gate.py)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from werkzeug.serving import make_server

from conftest import make_app
from facilitator import extensions
from facilitator.write_gate import WriteGate


class Counting:
    """A WSGI app that holds each request until released and notes how many were inside at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.inside = 0
        self.most = 0
        self.release = threading.Event()

    def __call__(self, environ, start_response):
        with self.lock:
            self.inside += 1
            self.most = max(self.most, self.inside)
        try:
            if environ["REQUEST_METHOD"] == "POST" and not environ["PATH_INFO"].startswith("/socket.io/"):
                self.release.wait(10)
        finally:
            with self.lock:
                self.inside -= 1
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]


@pytest.fixture
def gated():
    """A real threaded server: WriteGate(limit 2) in front of a Counting app; yields (url, app)."""
    inner = Counting()
    server = make_server("127.0.0.1", 0, WriteGate(inner, limit=2), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", inner
    inner.release.set()
    server.shutdown()
    thread.join(5)


def wait_for(predicate, timeout=5.0):
    done = threading.Event()
    deadline = threading.Timer(timeout, done.set)
    deadline.start()
    try:
        while not done.is_set() and not predicate():
            done.wait(0.01)
    finally:
        deadline.cancel()
    return predicate()


def test_writes_past_the_limit_wait_while_reads_and_socket_io_pass(gated):
    url, inner = gated
    with ThreadPoolExecutor(8) as pool:
        posts = [pool.submit(requests.post, f"{url}/api/v1/join/ABC/inputs", timeout=10) for _ in range(6)]
        assert wait_for(lambda: inner.inside == 2)
        # Four writes wait at the door; a page, and a Socket.IO post (a phone's polling transport), go in at once.
        assert requests.get(f"{url}/workshops", timeout=5).status_code == 200
        assert requests.post(f"{url}/socket.io/?EIO=4&transport=polling", timeout=5).status_code == 200
        assert inner.most == 3  # the two writes and the page (or the Socket.IO post), never a third write
        inner.release.set()
        assert [p.result().status_code for p in posts] == [200] * 6
    assert inner.most <= 3


def test_the_setting_sets_the_limit_and_zero_means_no_gate(database_url, tmp_path):
    def gate(app):
        extensions.database(app).dispose()
        return app.wsgi_app if isinstance(app.wsgi_app, WriteGate) else None

    assert gate(make_app(database_url, tmp_path / "a")).limit == 4
    assert gate(make_app(database_url, tmp_path / "b", SERVE_CONCURRENT_WRITES=1)).limit == 1
    assert gate(make_app(database_url, tmp_path / "c", SERVE_CONCURRENT_WRITES=0)) is None
