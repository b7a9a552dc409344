"""The timer's read side and its alarm: what clients are told, and waking up at zero.

A fresh timer answer carries the server's `now_ms`, so a client can work out
how far its own clock is off and count down in the server's time. Events
carry no `now_ms` (a replayed event would carry an old one); clients keep the
offset from their last fresh answer.

The alarm is a background task per process that sleeps until a running
timer's end and then asks services.expire_timer(), which checks under the
workshop's lock that the timer really has run out (it may have been paused,
extended or ended by another process meanwhile). After a restart the alarm
is set again the next time a wall, projector or phone asks for the timer.
"""

from __future__ import annotations

import threading

from flask import current_app

from .models import WorkshopTimer
from .services.timer import now_ms, timer_dict

_lock = threading.Lock()
_armed: set[tuple[int, int]] = set()


def fresh(s, workshop_id: int) -> dict:
    """{timer, now_ms} for a client that needs the server's clock with it; arms the alarm if needed."""
    timer = s.get(WorkshopTimer, workshop_id)
    if timer is not None and timer.state == "running":
        arm(workshop_id, timer.ends_at_ms)
    return {"timer": timer_dict(timer), "now_ms": now_ms()}


def arm(workshop_id: int, ends_at_ms: int | None) -> None:
    """Wake this process at ends_at_ms to end the timer (once per workshop and end time)."""
    if ends_at_ms is None:
        return
    with _lock:
        if (workshop_id, ends_at_ms) in _armed:
            return
        _armed.add((workshop_id, ends_at_ms))
    from .realtime import socketio

    app = current_app._get_current_object()
    socketio.start_background_task(_wait, app, workshop_id, ends_at_ms)


def _wait(app, workshop_id: int, ends_at_ms: int) -> None:
    from . import services
    from .realtime import socketio

    try:
        while (left := ends_at_ms - now_ms()) > 0:
            socketio.sleep(min(left / 1000 + 0.05, 30))
        with app.app_context():
            services.expire_timer(workshop_id)
    except Exception:  # a background task has no caller; the next client asking arms it again
        app.logger.exception("the timer of workshop %s could not be ended", workshop_id)
    finally:
        with _lock:
            _armed.discard((workshop_id, ends_at_ms))
