"""Gunicorn in-process: one worker (Socket.IO state lives in it), many threads."""

from __future__ import annotations

from flask import current_app, has_app_context
from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):
    def __init__(self, factory, options: dict) -> None:
        self.factory = factory
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        # Gunicorn >= 24 opens a control socket at one fixed path per user; several
        # servers on one machine would fight over it, and nothing here uses it.
        if "control_socket_disable" in self.cfg.settings:
            self.cfg.set("control_socket_disable", True)

    def load(self):
        # Built in the worker: threads (such as the Redis queue listener) do not survive a fork.
        return self.factory()


def worker_options(async_mode: str, threads: int) -> dict:
    """Gunicorn's worker settings for Socket.IO's async mode.

    Threading: every open WebSocket holds one of the worker's threads for as
    long as it is connected, so `threads` must exceed the phones, walls and
    projectors one process serves, plus room for plain HTTP requests.
    Gevent: one greenlet per connection, bounded by worker_connections.
    """
    if async_mode == "gevent":
        return {"worker_class": "gevent", "worker_connections": threads}
    return {"worker_class": "gthread", "threads": threads}


def run_gunicorn(factory, host: str, port: int, threads: int) -> None:
    """Serve the app that factory() builds with one gunicorn worker (threads, or gevent if configured)."""
    async_mode = current_app.config.get("SOCKETIO_ASYNC_MODE", "threading") if has_app_context() else "threading"
    _Server(
        factory,
        {
            "bind": f"{host}:{port}",
            "workers": 1,
            **worker_options(async_mode, threads),
            # A worker busy with long-lived websockets still heartbeats; this only
            # catches a worker that is truly stuck.
            "timeout": 120,
            "graceful_timeout": 10,
            "accesslog": "-",
        },
            # No client address or user agent: with an input's time they could tie it to a device
            # (see the privacy page). Time, request line, status, size, duration.
            "access_log_format": '%(t)s "%(r)s" %(s)s %(b)s %(M)sms',
    ).run()
