"""Wall sockets on a login cookie end when the login grows older than SESSION_MAX_AGE.

HTTP refuses such a cookie on its next request; a socket that only listens
sends nothing to be refused, so it would keep receiving events. Each such
socket is watched here with its deadline and disconnected when it passes
(socket_auth.still_valid refuses its messages from then on as well). One
background task serves every socket of the process and stops when none is
left; it wakes at least every WAKE_SECONDS, so a deadline is kept to within that.
"""

from __future__ import annotations

import threading
import time

WAKE_SECONDS = 30.0


class SocketExpiry:
    """Deadlines of this process's wall sockets, and the task that ends them."""

    def __init__(self, socketio) -> None:
        self.socketio = socketio
        self.lock = threading.Lock()
        self.deadlines: dict[str, float] = {}
        self.running = False

    def watch(self, sid: str, deadline: float) -> None:
        """Disconnect socket sid at deadline (seconds since the epoch)."""
        with self.lock:
            self.deadlines[sid] = deadline
            if self.running:
                return
            self.running = True
        self.socketio.start_background_task(self._run)

    def forget(self, sid: str) -> None:
        """The socket went: stop watching it."""
        with self.lock:
            self.deadlines.pop(sid, None)

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
                wait = min(self.deadlines.values(), default=now + WAKE_SECONDS) - now
            for sid in due:
                self._end(sid)
            self.socketio.sleep(max(0.05, min(wait, WAKE_SECONDS)))

    def _end(self, sid: str) -> None:
        try:
            self.socketio.emit("revoked", {}, to=sid)
            self.socketio.server.disconnect(sid, namespace="/")
        except Exception:  # a socket that went meanwhile; the others must still end
            pass
