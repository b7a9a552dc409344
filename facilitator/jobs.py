"""The background jobs of a serving process: the retention purge and the embedding worker.

They start here, from `facilitator serve`, never from the factory: an app
built by a test, a benchmark or a CLI command runs no thread of its own
(a worker left behind by one would embed another test's inputs).
"""

from __future__ import annotations

import logging
import threading

from flask import Flask

from . import extensions
from .services.retention import purge_expired

log = logging.getLogger("facilitator.retention")


def start(app: Flask) -> None:
    """Start the jobs this server's settings ask for (RETENTION_PURGE_HOURS, SUGGEST_WORKER)."""
    start_daily_purge(app)
    worker = extensions.embed_worker(app)
    if worker is not None and app.config["SUGGEST_WORKER"]:
        worker.start()


def start_daily_purge(app, first_delay: float = 60.0) -> threading.Thread | None:
    """Run purge_expired in this process every RETENTION_PURGE_HOURS (0: never; use cron instead)."""
    hours = float(app.config.get("RETENTION_PURGE_HOURS") or 0)
    if hours <= 0:
        return None
    stop = threading.Event()

    def loop() -> None:
        # A first run soon after start, then one per interval.
        delay = first_delay
        while not stop.wait(delay):
            try:
                with app.app_context():
                    purge_expired()
            except Exception:  # a background job has no caller to tell; the next run tries again
                log.exception("scheduled purge failed")
            delay = hours * 3600

    thread = threading.Thread(target=loop, name="facilitator-purge", daemon=True)
    thread.stop = stop  # type: ignore[attr-defined]
    thread.start()
    return thread
