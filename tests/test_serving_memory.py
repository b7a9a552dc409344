"""What a serving process carries per phone socket and at rest (README, "What a plenary's process holds")."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import socketio as socketio_client
from werkzeug.test import EnvironBuilder

from facilitator import migrate
from facilitator.engineio_patch import GUNICORN_SOCKET_ASIDE
from facilitator.realtime import socketio

from support.servers import ServerProcess


def _open_polling_session(app, environ_extra: dict) -> str:
    """Open an Engine.IO session through the app's whole WSGI stack, as gunicorn would call it; return its sid."""
    environ = EnvironBuilder(path="/socket.io/", query_string="EIO=4&transport=polling").get_environ()
    environ.update(environ_extra)
    statuses = []
    body = b"".join(app.wsgi_app(environ, lambda status, headers, exc_info=None: statuses.append(status)))
    assert statuses == ["200 OK"], body
    return json.loads(body[1:])["sid"]


def test_a_socket_keeps_gunicorns_socket_without_a_class_made_for_it(app):
    """Engine.IO's middleware defines a new class per gunicorn request to wrap its socket for eventlet.

    Its frame keeps that class for as long as a WebSocket is open (about
    2.5 KB; 7 MB for a plenary's 3,000 phones). The guard puts gunicorn's
    socket aside before the middleware runs, so Engine.IO makes none.
    """
    connection = object()
    sid = _open_polling_session(app, {"gunicorn.socket": connection})
    try:
        kept = socketio.server.environ[sid]
        assert kept[GUNICORN_SOCKET_ASIDE] is connection
        assert "eventlet.input" not in kept
    finally:
        # As a client that went away: nothing waits for a poll to carry the close.
        socketio.server.eio.sockets.pop(sid).close(wait=False, abort=True)


PROBE = """
import sys
from facilitator.server import leave_redis_unloaded
leave_redis_unloaded()
from facilitator import create_app, services
from facilitator.realtime import socketio
app = create_app({"DATABASE_URL": sys.argv[1], "SECRET_KEY": "probe", "RATELIMIT_ENABLED": False})
with app.app_context():
    user = services.create_user("probe@example.org", "a long enough password")
    workshop = services.create_workshop(user.id, "Probe", themes=["A"])
    services.set_status(workshop.id, "open")
    code = workshop.join_code
phone = socketio.test_client(app, auth={"role": "participant", "code": code})
print(phone.is_connected(), [m["name"] for m in phone.get_received()], sys.modules["redis"])
"""


def test_a_process_that_needs_no_redis_serves_sockets_without_loading_it(tmp_path):
    """python-socketio imports redis-py (7 MB) at its own import; a SQLite process with no queue and no Redis limits never uses it."""
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    migrate.upgrade(url)
    answer = subprocess.run([sys.executable, "-c", PROBE, url], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.split() == ["True", "['state']", "None"]


@pytest.fixture
def server(app, database_url, tmp_path):
    """`facilitator serve` with its own default (gevent) on the test's database."""
    process = ServerProcess(database_url, tmp_path / "server-instance", tmp_path, threads=None)
    yield process.start()
    process.stop()


def test_phone_sockets_that_close_leave_no_error_in_the_log(server, workshop):
    """The WebSocket driver gets gunicorn's socket back from where the guard put it, and ends as gunicorn expects.

    Under another key simple-websocket ends a socket with an exception gunicorn
    logs with its traceback, one per phone that leaves.
    """
    for transports in (["websocket"], ["polling", "websocket"]):
        phone = socketio_client.Client(reconnection=False)
        phone.connect(server.url, auth={"role": "participant", "code": workshop["join_code"]}, transports=transports, wait_timeout=10)
        assert phone.transport() == "websocket"
        phone.disconnect()
    server.stop()  # gunicorn lets every open connection finish: the log is whole
    log = server.log_tail(1_000_000)
    assert "/socket.io/" in log
    assert "Traceback" not in log and "Error handling request" not in log, log
