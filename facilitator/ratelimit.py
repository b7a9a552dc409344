"""Fixed-window rate limits in memory (one process) or Redis (several processes)."""

from __future__ import annotations

import threading
import time

from .errors import ServiceError

_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def parse(rule: str) -> tuple[int, int]:
    """'20/minute' -> (20, 60)."""
    count, _, unit = rule.partition("/")
    return int(count), _UNITS[unit.strip().rstrip("s")]


class MemoryStore:
    """Counters in this process; enough for the embedded single-process default."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, float]] = {}

    def hit(self, key: str, window: int) -> tuple[int, float]:
        """Count one hit; return (hits in the window, seconds until it resets)."""
        now = time.monotonic()
        with self._lock:
            count, reset = self._counts.get(key, (0, now + window))
            if now >= reset:
                count, reset = 0, now + window
            count += 1
            self._counts[key] = (count, reset)
            if len(self._counts) > 100_000:
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
            return count, reset - now

    def count(self, key: str) -> tuple[int, float]:
        """The hits in the current window and seconds until it resets, without counting one."""
        now = time.monotonic()
        with self._lock:
            count, reset = self._counts.get(key, (0, now))
            return (count, reset - now) if now < reset else (0, 0.0)


class RedisStore:
    """Counters shared by every process through Redis."""

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url)

    def hit(self, key: str, window: int) -> tuple[int, float]:
        """Count one hit; return (hits in the window, seconds until it resets)."""
        name = f"facilitator:rl:{key}"
        pipe = self._redis.pipeline()
        pipe.incr(name)
        pipe.expire(name, window, nx=True)
        pipe.pttl(name)
        count, _, ttl = pipe.execute()
        return int(count), max(ttl, 0) / 1000

    def count(self, key: str) -> tuple[int, float]:
        """The hits in the current window and seconds until it resets, without counting one."""
        name = f"facilitator:rl:{key}"
        pipe = self._redis.pipeline()
        pipe.get(name)
        pipe.pttl(name)
        count, ttl = pipe.execute()
        return int(count or 0), max(ttl, 0) / 1000


class Limiter:
    """Applies the configured rules; raises ServiceError('rate_limited') with Retry-After."""

    def __init__(self, app) -> None:
        url = app.config.get("RATELIMIT_STORAGE_URL") or app.config.get("SOCKETIO_MESSAGE_QUEUE")
        self.store = RedisStore(url) if url and url.startswith("redis") else MemoryStore()
        self.config = app.config

    def check(self, setting: str, key: str) -> None:
        """Count a hit on the rule named by setting for key."""
        if not self.config.get("RATELIMIT_ENABLED", True):
            return
        limit, window = parse(self.config[setting])
        count, reset_in = self.store.hit(f"{setting}:{window}:{key}", window)
        if count > limit:
            raise ServiceError("rate_limited", retry_after=max(1, int(reset_in + 0.999)))

    def check_not_exceeded(self, setting: str, key: str) -> None:
        """Refuse while key is over the rule's limit, without counting this request."""
        if not self.config.get("RATELIMIT_ENABLED", True):
            return
        limit, window = parse(self.config[setting])
        count, reset_in = self.store.count(f"{setting}:{window}:{key}")
        if count >= limit:
            raise ServiceError("rate_limited", retry_after=max(1, int(reset_in + 0.999)))


class SocketGuard:
    """WSGI middleware in front of Socket.IO: connections per address, body size, clean refusals.

    Connections. In the threading server a WebSocket holds its request (and a
    thread) for as long as it is open, and a polling client keeps one long-poll
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

    def __init__(self, wsgi_app, app, max_connections: int, max_body: int, path: str = "/socket.io/", trust_forwarded: bool = False) -> None:
        self.wsgi_app = wsgi_app
        self.app = app
        self.max_connections = max_connections
        self.max_body = max_body
        self.path = path
        self.trust_forwarded = trust_forwarded
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
        address = self._address(environ)
        with self._lock:
            count = self._open.get(address, 0)
            if self.max_connections > 0 and count >= self.max_connections:
                error = ServiceError("rate_limited", retry_after=10)
                return self._refuse(environ, start_response, "429 Too Many Requests", error, [("Retry-After", "10")])
            self._open[address] = count + 1
        started = []

        def tracking_start_response(status, headers, exc_info=None):
            started.append(status)
            return start_response(status, headers, exc_info)

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

    def _refuse(self, environ, start_response, status: str, error: ServiceError, headers=()):
        import json

        # A request context (the body is never read) picks the message's language as for any request.
        with self.app.request_context(environ):
            body = json.dumps(error.to_json()).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body))), *headers])
        return [body]


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
    guard = SocketGuard(
        app.wsgi_app,
        app,
        max_connections=int(app.config.get("SOCKETIO_MAX_CONNECTIONS_PER_ADDRESS") or 0),
        max_body=size,
        trust_forwarded=bool(app.config.get("PROXY_FIX")),
    )
    app.wsgi_app = guard
    app.extensions["facilitator.socket_guard"] = guard
    _cap_websocket_messages(socketio, size)


def _cap_websocket_messages(socketio, size: int) -> None:
    """Make the WebSocket layer refuse a message larger than size while it arrives.

    Engine.IO checks max_http_buffer_size only once a WebSocket message has
    been read whole; simple-websocket can stop reading at the limit instead
    (close code 1009), so one client cannot make the server buffer megabytes.
    """
    import functools

    from engineio.async_drivers._websocket_wsgi import SimpleWebSocketWSGI

    eio = getattr(socketio.server, "eio", None)
    factory = getattr(eio, "_async", {}).get("websocket") if eio is not None else None
    if factory is SimpleWebSocketWSGI:
        # The same bound Engine.IO applies afterwards (it counts the whole frame).
        eio._async = {**eio._async, "websocket": functools.partial(SimpleWebSocketWSGI, max_message_size=size)}
