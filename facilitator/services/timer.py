"""Writes of the workshop timer: start, pause, resume, extend, clear, and what happens at zero.

Times are the server's clock in epoch milliseconds: a running timer stores
when it ends, a paused one what was left, so every screen computes the same
countdown from the same numbers, across reconnects and restarts. Reaching
zero does nothing unless the facilitator chose "pause_input" (the workshop
stops taking inputs) or "close_vote" (the open vote round closes).
"""

from __future__ import annotations

import time

from ..errors import ServiceError
from ..models import WorkshopTimer
from ..vote_queries import open_round
from .unit import write
from .votes import close_in

ACTIONS = ("start", "pause", "resume", "extend", "clear")
ON_ZERO = ("nothing", "pause_input", "close_vote")
LONGEST_S = 24 * 3600


def now_ms() -> int:
    """The server's clock in epoch milliseconds."""
    return int(time.time() * 1000)


def timer_dict(timer: WorkshopTimer | None) -> dict | None:
    """The timer as clients see it (add the server's `now_ms` when sending it fresh)."""
    if timer is None:
        return None
    return {
        "state": timer.state,
        "duration_ms": timer.duration_ms,
        "ends_at_ms": timer.ends_at_ms,
        "remaining_ms": timer.remaining_ms,
        "on_zero": timer.on_zero,
    }


def _seconds(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= LONGEST_S:
        raise ServiceError("invalid")
    return value


def set_timer(workshop_id: int, action: object, seconds: object = None, on_zero: object = None, actor: str = "") -> WorkshopTimer | None:
    """Apply one facilitator action to the workshop's timer; return it (None once cleared)."""
    if action not in ACTIONS or (on_zero is not None and on_zero not in ON_ZERO):
        raise ServiceError("invalid")
    with write(actor) as uow:
        uow.lock(workshop_id)
        s = uow.session
        timer = s.get(WorkshopTimer, workshop_id)
        now = now_ms()
        if action == "start":
            length = _seconds(seconds) * 1000
            if timer is None:
                timer = WorkshopTimer(workshop_id=workshop_id)
                s.add(timer)
            timer.state, timer.duration_ms, timer.ends_at_ms, timer.remaining_ms = "running", length, now + length, None
            timer.on_zero = on_zero or "nothing"
        elif timer is None:
            raise ServiceError("not_found")
        elif action == "clear":
            s.delete(timer)
            uow.record("timer.updated", {"timer": None})
            return None
        elif action == "pause":
            if timer.state != "running":
                return timer
            timer.state, timer.remaining_ms, timer.ends_at_ms = "paused", max(0, timer.ends_at_ms - now), None
        elif action == "resume":
            if timer.state != "paused":
                return timer
            timer.state, timer.ends_at_ms, timer.remaining_ms = "running", now + timer.remaining_ms, None
        elif action == "extend":
            more = _seconds(seconds) * 1000
            timer.duration_ms += more
            if timer.state == "running":
                timer.ends_at_ms += more
            elif timer.state == "paused":
                timer.remaining_ms += more
            else:  # done: extending starts it again with the extra time
                timer.state, timer.ends_at_ms, timer.remaining_ms = "running", now + more, None
        if on_zero is not None:
            timer.on_zero = on_zero
        s.flush()
        uow.record("timer.updated", {"timer": timer_dict(timer)})
    return timer


def expire_timer(workshop_id: int, at_ms: int | None = None) -> bool:
    """If the running timer has reached zero (by the server's clock, or at_ms), end it and do its action."""
    at = now_ms() if at_ms is None else at_ms
    with write("timer") as uow:
        workshop = uow.lock(workshop_id)
        timer = uow.session.get(WorkshopTimer, workshop_id)
        # Another process (or an earlier check) may have ended it, or it was paused or extended.
        if timer is None or timer.state != "running" or timer.ends_at_ms > at:
            return False
        timer.state, timer.ends_at_ms, timer.remaining_ms = "done", None, 0
        uow.session.flush()
        uow.record("timer.updated", {"timer": timer_dict(timer), "expired": True})
        if timer.on_zero == "pause_input" and workshop.status == "open":
            workshop.status = "paused"
            uow.record("workshop.status", {"status": "paused"})
        elif timer.on_zero == "close_vote":
            round_ = open_round(uow.session, workshop_id)
            if round_ is not None:
                close_in(uow, round_)
    return True
