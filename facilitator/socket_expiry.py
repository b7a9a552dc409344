"""Wall sockets end when their credential stops admitting them, wherever that was decided.

HTTP refuses a credential on its next request; a wall socket that only listens
sends nothing to be refused, so it would keep receiving events. Two things end
it here:

- a login cookie grows older than SESSION_MAX_AGE: each socket's deadline is
  kept and it is disconnected when it passes;
- the credential is revoked in another process (the CLI's `user deactivate`
  on the embedded default, or a server while the message queue is away): the
  revocation's own "revoked" message cannot reach this process's sockets, so
  each watched socket's check (socket_auth.still_valid) is run again at every
  wake, and a socket that fails it is disconnected.

Revocations made in this process end their sockets at once (realtime.end_revoked);
this is the net under them. One background task serves every socket of the process
and stops when none is left; it wakes at least every WAKE_SECONDS, so a deadline
or a revocation elsewhere takes effect within that.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable

WAKE_SECONDS = 30.0

log = logging.getLogger(__name__)


class SocketExpiry:
    """Deadlines and credential checks of this process's wall sockets, and the task that ends them."""

    def __init__(self, socketio) -> None:
        self.socketio = socketio
        self.lock = threading.Lock()
        self.deadlines: dict[str, float] = {}
        self.checks: dict[str, Callable[[], bool]] = {}
        self.running = False

    def watch(self, sid: str, deadline: float = math.inf, check: Callable[[], bool] | None = None) -> None:
        """Disconnect socket sid at deadline (seconds since the epoch), or as soon as check() answers False."""
        with self.lock:
            self.deadlines[sid] = deadline
            if check is not None:
                self.checks[sid] = check
            if self.running:
                return
            self.running = True
        self.socketio.start_background_task(self._run)

    def forget(self, sid: str) -> None:
        """The socket went: stop watching it."""
        with self.lock:
            self.deadlines.pop(sid, None)
            self.checks.pop(sid, None)

    def _run(self) -> None:
        while True:
            with self.lock:
                if not self.deadlines:
                    self.running = False
                    return
                now = time.time()
                due = [sid for sid, deadline in self.deadlines.items() if deadline <= now]
                for sid in due:
                    del self.deadlines[sid]
                    self.checks.pop(sid, None)
                checks = list(self.checks.items())
                wait = min(self.deadlines.values(), default=now + WAKE_SECONDS) - now
            for sid in due + [sid for sid, check in checks if not self._passes(check)]:
                self.forget(sid)
                self._end(sid)
            self.socketio.sleep(max(0.05, min(wait, WAKE_SECONDS)))

    @staticmethod
    def _passes(check: Callable[[], bool]) -> bool:
        try:
            return check()
        except Exception:  # the database away: keep the socket; its next message is checked again
            log.warning("could not check a wall socket's credential; checking again later", exc_info=True)
            return True

    def _end(self, sid: str) -> None:
        try:
            self.socketio.emit("revoked", {}, to=sid)
            self.socketio.server.disconnect(sid, namespace="/")
        except Exception:  # a socket that went meanwhile; the others must still end
            pass
