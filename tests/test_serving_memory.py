"""What a serving process carries per phone socket and at rest (docs/deploy/README.md, "Memory")."""

from __future__ import annotations

import json

from werkzeug.test import EnvironBuilder

from facilitator.realtime import socketio


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

    A socket keeps its request's environ for as long as it is open, so each
    kept one (about 2.5 KB; 7 MB for a plenary's 3,000 phones). The guard
    hands gunicorn's socket on under the key simple-websocket reads first, so
    Engine.IO makes none.
    """
    connection = object()
    sid = _open_polling_session(app, {"gunicorn.socket": connection})
    try:
        kept = socketio.server.environ[sid]
        assert kept["werkzeug.socket"] is connection
        assert "eventlet.input" not in kept
        assert "gunicorn.socket" not in kept
    finally:
        # As a client that went away: nothing waits for a poll to carry the close.
        socketio.server.eio.sockets.pop(sid).close(wait=False, abort=True)
