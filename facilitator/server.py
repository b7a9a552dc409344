"""Gunicorn in-process: one worker (Socket.IO state lives in it), many threads."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):
    def __init__(self, factory, options: dict) -> None:
        self.factory = factory
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # Built in the worker: threads (such as the Redis queue listener) do not survive a fork.
        return self.factory()


def run_gunicorn(factory, host: str, port: int, threads: int) -> None:
    """Serve the app that factory() builds with gunicorn's threaded worker."""
    _Server(
        factory,
        {
            "bind": f"{host}:{port}",
            "workers": 1,
            "worker_class": "gthread",
            "threads": threads,
            # A worker busy with long-lived websockets still heartbeats; this only
            # catches a worker that is truly stuck.
            "timeout": 120,
            "graceful_timeout": 10,
            "accesslog": "-",
        },
    ).run()
