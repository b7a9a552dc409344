"""Socket.IO's front door: the WSGI guard, and protect_sockets that the factory installs it with."""

from __future__ import annotations

import json
import threading

from . import extensions
from .engineio_patch import cap_websocket_messages, set_gunicorn_socket_aside
from .errors import ServiceError


class SocketGuard:
    """WSGI middleware in front of Socket.IO: connections per address, body size, clean refusals.

    Connections. A WebSocket holds its request (and a greenlet, or a thread
    in threading mode) for as long as it is open, and a polling client keeps one long-poll
    request open, so open requests count connections. The limit must let a
    whole room behind one venue NAT through (DESIGN.md), so it only stops a
    single address from taking every connection a process has. Counters live
    in this process: behind a proxy with several processes each applies it to
    its share.

    Body size. Engine.IO refuses a polling POST over max_http_buffer_size by
    closing the session, and that close waits for a long-poll GET to carry the
    CLOSE packet; a client that sent no GET leaves the request's thread waiting
    for good. Such a POST is refused here (413) before Engine.IO sees it.

    Refusals. A request for a session that Engine.IO is just closing raises
    KeyError inside it (a 500); it is answered as the bad request it is.
    """

    def __init__(
        self, wsgi_app, app, max_connections: int, max_body: int, path: str = "/socket.io/", trust_forwarded: bool = False,
        socket_aside: bool = False,
    ) -> None:
        self.wsgi_app = wsgi_app
        self.app = app
        self.max_connections = max_connections
        self.max_body = max_body
        self.path = path
        self.trust_forwarded = trust_forwarded
        # Only where the WebSocket driver puts gunicorn's socket back (engineio_patch).
        self.socket_aside = socket_aside
        self._lock = threading.Lock()
        self._open: dict[str, int] = {}

    def open_count(self, address: str) -> int:
        """How many Socket.IO requests from address are open now."""
        with self._lock:
            return self._open.get(address, 0)

    def _address(self, environ) -> str:
        if self.trust_forwarded:
            forwarded = environ.get("HTTP_X_FORWARDED_FOR", "")
            if forwarded:
                return forwarded.split(",")[-1].strip()
        return environ.get("REMOTE_ADDR") or "unknown"

    def _release(self, address: str) -> None:
        with self._lock:
            left = self._open.get(address, 0) - 1
            if left > 0:
                self._open[address] = left
            else:
                self._open.pop(address, None)

    def __call__(self, environ, start_response):
        if not environ.get("PATH_INFO", "").startswith(self.path):
            return self.wsgi_app(environ, start_response)
        length = environ.get("CONTENT_LENGTH") or "0"
        if self.max_body and (not length.isdigit() or int(length) > self.max_body):
            return self._refuse(environ, start_response, "413 Request Entity Too Large", ServiceError("body_too_large"))
        if self.socket_aside:
            set_gunicorn_socket_aside(environ)
        address = self._address(environ)
        with self._lock:
            count = self._open.get(address, 0)
            if self.max_connections > 0 and count >= self.max_connections:
                error = ServiceError("rate_limited", retry_after=10)
                return self._refuse(environ, start_response, "429 Too Many Requests", error)
            self._open[address] = count + 1
        started = []

        def tracking_start_response(status, headers, exc_info=None):
            started.append(status)
            return start_response(status, _with_nosniff(headers), exc_info)

        try:
            result = self.wsgi_app(environ, tracking_start_response)
        except KeyError:
            self._release(address)
            if started:
                raise
            return self._refuse(environ, start_response, "400 Bad Request", ServiceError("invalid"))
        except BaseException:
            # The WebSocket drivers end a finished connection by raising.
            self._release(address)
            raise
        return _OnClose(result, lambda: self._release(address))

    def _refuse(self, environ, start_response, status: str, error: ServiceError):
        # A request context (the body is never read) picks the message's language as for any request.
        with self.app.request_context(environ):
            body = json.dumps(error.to_json()).encode()
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body))), *error.headers().items()]
        start_response(status, _with_nosniff(headers))
        return [body]


def _with_nosniff(headers: list) -> list:
    """Socket.IO's answers bypass Flask's after_request: give them nosniff like every page.

    A polling answer is text/plain holding user text; without nosniff an old browser
    could sniff it as HTML.
    """
    if any(name.lower() == "x-content-type-options" for name, _value in headers):
        return headers
    return [*headers, ("X-Content-Type-Options", "nosniff")]


class _OnClose:
    """A WSGI response that runs a callback when the server closes it."""

    def __init__(self, result, callback) -> None:
        self.result = result
        self.callback = callback
        self.closed = False

    def __iter__(self):
        return iter(self.result)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            close = getattr(self.result, "close", None)
            if close is not None:
                close()
        finally:
            self.callback()


def protect_sockets(app, socketio) -> None:
    """Put the SocketGuard in front of Socket.IO and cap WebSocket messages while they arrive."""
    size = int(app.config["SOCKETIO_MAX_HTTP_BUFFER_SIZE"])
    patched = cap_websocket_messages(socketio, size)
    guard = SocketGuard(
        app.wsgi_app,
        app,
        max_connections=int(app.config.get("SOCKETIO_MAX_CONNECTIONS_PER_ADDRESS") or 0),
        max_body=size,
        trust_forwarded=bool(app.config.get("PROXY_FIX")),
        socket_aside=patched,
    )
    app.wsgi_app = guard
    extensions.register(app, socket_guard=guard)
