"""Gunicorn in-process: one worker (Socket.IO state lives in it), many threads."""

from __future__ import annotations

import os
import sys

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
    # gthread also stops accepting at worker_connections (default 1,000), threads or not.
    return {"worker_class": "gthread", "threads": threads, "worker_connections": threads}


# Patch the standard library before anything else is imported, then serve.
GEVENT_BOOT = (
    "from gevent import monkey; monkey.patch_all(); "
    "import sys; from facilitator.server import serve_gevent; serve_gevent(*sys.argv[1:])"
)


def check_gevent(config) -> None:
    """Refuse gevent where it cannot work: without the package, or on SQLite."""
    try:
        import gevent  # noqa: F401
    except ImportError:
        raise SystemExit("SOCKETIO_ASYNC_MODE=gevent needs the gevent package: pip install gevent") from None
    if str(config.get("DATABASE_URL", "")).startswith("sqlite"):
        # psycopg 3 yields to other greenlets while it waits; sqlite3 does not, and
        # a write waiting for SQLite's lock would stall every socket of the process.
        raise SystemExit("SOCKETIO_ASYNC_MODE=gevent needs PostgreSQL (DATABASE_URL); use threading with SQLite")


def serve_gevent(host: str, port: str, threads: str) -> None:
    """Entry of the re-executed, monkey-patched process (see run_gunicorn)."""
    from . import create_app

    run_gunicorn(create_app, host, int(port), int(threads), async_mode="gevent")


def run_gunicorn(factory, host: str, port: int, threads: int, async_mode: str | None = None) -> None:
    """Serve the app that factory() builds with one gunicorn worker (threads, or gevent if configured)."""
    if async_mode is None:
        async_mode = current_app.config.get("SOCKETIO_ASYNC_MODE", "threading") if has_app_context() else "threading"
        if async_mode == "gevent":
            check_gevent(current_app.config)
            # psycopg chooses a wait function that yields to other greenlets only if
            # gevent patched the standard library before psycopg was imported. This
            # process has imported it already, so start again in one that patches first.
            sys.stdout.flush()
            sys.stderr.flush()
            os.execv(sys.executable, [sys.executable, "-c", GEVENT_BOOT, host, str(port), str(threads)])
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
            # No client address or user agent: with an input's time they could tie it to a device
            # (see the privacy page). Time, request line, status, size, duration.
            "access_log_format": '%(t)s "%(r)s" %(s)s %(b)s %(M)sms',
        },
    ).run()
