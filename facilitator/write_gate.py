"""Writes queue at the door: a few at a time, so a burst of posts cannot crowd out everything else."""

from __future__ import annotations

import threading

# Methods that read: never gated.
READS = frozenset({"GET", "HEAD", "OPTIONS"})


class WriteGate:
    """WSGI middleware: at most `limit` write requests are handled at once; the rest wait their turn.

    Why. A request holds the CPU from its start until it waits for I/O. Under
    gevent a plenary's burst puts hundreds of posts in flight, every turn of
    the event loop lasts as long as all of them together, and a phone's
    reconnect, which takes several turns, waited many seconds (measured:
    bench/, the restart scenario); threads contend for the GIL alike. Here a
    write past the limit waits before any of its work, in arrival order, in a
    wait that yields (threading is gevent's when gevent serves). Reads and
    Socket.IO (connects, syncs, pings) pass at once. The writes still run one
    after another on SQLite's lock or a workshop's row lock; only the order
    in which the CPU is shared changes.

    A write that has waited `patience` seconds goes ahead without a slot: the
    gate orders work and never refuses it (a request stuck in the app must not
    stop every write after it).
    """

    def __init__(self, wsgi_app, limit: int, patience: float = 30.0, socket_path: str = "/socket.io/") -> None:
        self.wsgi_app = wsgi_app
        self.limit = limit
        self.patience = patience
        self.socket_path = socket_path
        self._slots = threading.BoundedSemaphore(limit) if limit > 0 else None

    def gated(self, environ) -> bool:
        """Whether this request waits for a slot."""
        return (
            self._slots is not None
            and environ.get("REQUEST_METHOD", "GET") not in READS
            and not environ.get("PATH_INFO", "").startswith(self.socket_path)
        )

    def __call__(self, environ, start_response):
        if not self.gated(environ):
            return self.wsgi_app(environ, start_response)
        slot = self._slots.acquire(timeout=self.patience)
        try:
            # The answer is made inside the app; sending it to a slow phone holds no slot.
            return self.wsgi_app(environ, start_response)
        finally:
            if slot:
                self._slots.release()


def gate_writes(app) -> None:
    """Put the WriteGate in front of the app (SERVE_CONCURRENT_WRITES; 0: no gate)."""
    limit = int(app.config["SERVE_CONCURRENT_WRITES"])
    if limit > 0:
        app.wsgi_app = WriteGate(app.wsgi_app, limit)
