"""Gunicorn in-process: one worker (Socket.IO state lives in it), a greenlet (or threads) per connection.

gevent is the default: a plenary's 3,000 phone sockets are 3,000 greenlets in
one process, where threading needs about three OS threads per socket and
stalled at that size (measured: docs/deploy/README.md).
"""

from __future__ import annotations

import os
import sys

from flask import current_app, has_app_context
from gunicorn.app.base import BaseApplication

from .log_redaction import RedactingGunicornLogger


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


def connections(config) -> int:
    """Connections one process accepts at once: the phones' cap plus the reserve for everyone else."""
    return int(config["SOCKETIO_MAX_PARTICIPANTS"]) + int(config["SERVE_RESERVED_CONNECTIONS"])


def raise_open_files_limit(connections: int) -> int:
    """Raise this process's soft limit on open files to fit `connections` sockets; return the limit.

    Each socket is a file descriptor (in threading mode two: simple-websocket
    gives each its own selector), and many systems start processes with a soft
    limit of 1,024: the 1,021st phone would be refused by accept(). The hard
    limit is the most an unprivileged process may ask for.
    """
    import resource

    wanted = 2 * connections + 256
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    if soft != resource.RLIM_INFINITY and soft < wanted:
        print(
            f"facilitator: open files are limited to {soft} (hard limit); {connections} connections need about "
            f"{wanted}. Raise it (LimitNOFILE= in systemd, `ulimit -Hn` in a shell): see docs/deploy/README.md.",
            file=sys.stderr,
        )
    return soft


def worker_options(async_mode: str, threads: int) -> dict:
    """Gunicorn's worker settings for Socket.IO's async mode.

    Gevent: one greenlet per connection; past worker_connections gunicorn stops
    accepting, so it must exceed every socket plus the HTTP requests (the phones'
    cap plus the reserve, see connections()).
    Threading: every open WebSocket holds one of the worker's threads for as
    long as it is connected, so `threads` must exceed the same sum.
    """
    if async_mode == "gevent":
        return {"worker_class": "gevent", "worker_connections": threads}
    # gthread also stops accepting at worker_connections, threads or not, and keeps idle
    # keep-alive connections only in what worker_connections leaves beyond the threads
    # (equal numbers: "No keepalived connections can be handled" at every start).
    return {"worker_class": "gthread", "threads": threads, "worker_connections": threads * 2}


# Patch the standard library before anything else is imported, then serve.
GEVENT_BOOT = (
    "from gevent import monkey; monkey.patch_all(); "
    "import sys; from facilitator.server import serve_gevent; serve_gevent(*sys.argv[1:])"
)


def check_gevent() -> None:
    """Refuse gevent where it cannot work: without the package."""
    try:
        import gevent  # noqa: F401
    except ImportError:
        raise SystemExit("SOCKETIO_ASYNC_MODE=gevent needs the gevent package: pip install gevent") from None


def serve_gevent(host: str, port: str, threads: str, redis: str = "used") -> None:
    """Entry of the re-executed, monkey-patched process (see run_gunicorn)."""
    from .cli import _serving_app

    if redis == "unused":
        leave_redis_unloaded()
    run_gunicorn(_serving_app, host, int(port), int(threads), async_mode="gevent")


def uses_redis(config) -> bool:
    """Whether these settings give the process anything that talks to Redis (its Socket.IO queue, its limits)."""
    return bool(config.get("SOCKETIO_MESSAGE_QUEUE") or config.get("RATELIMIT_STORAGE_URL"))


def leave_redis_unloaded() -> None:
    """Make `import redis` fail in this process, so python-socketio does without it.

    python-socketio imports redis-py when it is itself imported, for a
    RedisManager that only SOCKETIO_MESSAGE_QUEUE uses: 7 MB in every serving
    process (measured), which a plenary's single process on SQLite never uses.
    Only called where uses_redis() is false; the settings cannot change later.
    """
    sys.modules.setdefault("redis", None)


def run_gunicorn(factory, host: str, port: int, threads: int, async_mode: str | None = None) -> None:
    """Serve the app that factory() builds with one gunicorn worker (gevent unless threading is configured)."""
    if async_mode is None:
        config = current_app.config if has_app_context() else {}
        async_mode = config.get("SOCKETIO_ASYNC_MODE") or "gevent"
        # Without settings to read, assume the process may need Redis.
        redis = "unused" if has_app_context() and not uses_redis(config) else "used"
        if async_mode == "gevent":
            check_gevent()
            # psycopg chooses a wait function that yields to other greenlets only if
            # gevent patched the standard library before psycopg was imported. This
            # process has imported it already, so start again in one that patches first.
            sys.stdout.flush()
            sys.stderr.flush()
            # -P: `python -c` would put the working directory first on sys.path, and a
            # `facilitator` folder there (a checkout, a decoy) would be served instead.
            os.execv(sys.executable, [sys.executable, "-P", "-c", GEVENT_BOOT, host, str(port), str(threads), redis])
        if redis == "unused":
            # Before the fork, so the worker inherits it.
            leave_redis_unloaded()
    raise_open_files_limit(threads)
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
            # The projector secret in /p/<secret> never reaches the log.
            "logger_class": RedactingGunicornLogger,
        },
    ).run()
