"""Retention: a closed workshop's inputs are deleted N days after closing; a workshop can be deleted at once.

What a purge deletes: every input of the workshop (text, hidden reasons,
names) and the workshop's whole event log, because input.created and
input.unhidden events carry the input text. One `workshop.purged` event with
the counts starts the new log. The workshop itself, its prompts and its themes
with the facilitator's summaries stay, so the facilitator can see what
happened. Deleting a workshop removes all of it.

Deletion is real: the rows are gone at commit; on SQLite the deleted pages are
overwritten (secure_delete), then the file is vacuumed and the write-ahead log
truncated, so the text is no longer anywhere in the database files. On
PostgreSQL the rows are gone at commit and autovacuum reuses their space.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, select, text

from ..db import database
from ..models import CoFacilitator, Event, Input, Prompt, Theme, Workshop, utcnow
from .unit import write
from .workshops import CLOSED_STATUSES

log = logging.getLogger("facilitator.retention")


@dataclass(frozen=True)
class Deleted:
    """What one purge or deletion removed."""

    workshop_id: int
    title: str
    inputs: int
    events: int


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes that are UTC.
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


def due(now: datetime | None = None) -> list[int]:
    """Ids of closed workshops whose retention has run out and whose inputs were not purged since closing."""
    now = now or utcnow()
    with database().reader() as s:
        rows = s.execute(
            select(Workshop.id, Workshop.closed_at, Workshop.retention_days, Workshop.purged_at)
            .where(Workshop.status.in_(CLOSED_STATUSES), Workshop.closed_at.is_not(None))
            .order_by(Workshop.id)
        ).all()
    ids = []
    for workshop_id, closed_at, days, purged_at in rows:
        closed_at, purged_at = _aware(closed_at), _aware(purged_at)
        if closed_at + timedelta(days=days) <= now and (purged_at is None or purged_at < closed_at):
            ids.append(workshop_id)
    return ids


def _secure_delete(session) -> None:
    """On SQLite, overwrite deleted content with zeros instead of leaving it in free pages."""
    if database().is_sqlite:
        session.execute(text("PRAGMA secure_delete = ON"))


def purge_workshop(workshop_id: int, reason: str = "retention", actor: str = "retention") -> Deleted:
    """Delete a workshop's inputs and its event log now, recording one workshop.purged event."""
    with write(actor) as uow:
        workshop = uow.lock(workshop_id)
        s = uow.session
        _secure_delete(s)
        inputs = s.execute(delete(Input).where(Input.workshop_id == workshop.id)).rowcount
        events = s.execute(delete(Event).where(Event.workshop_id == workshop.id)).rowcount
        workshop.purged_at = utcnow()
        uow.record("workshop.purged", {"reason": reason, "inputs_deleted": inputs, "events_deleted": events})
        result = Deleted(workshop.id, workshop.title, inputs, events)
    log.info(
        "purged workshop %s (%s): %s inputs and %s events deleted by %s",
        result.workshop_id, reason, result.inputs, result.events, actor,
    )
    return result


def purge_expired(now: datetime | None = None, actor: str = "retention") -> list[Deleted]:
    """Purge every workshop whose retention has run out, then reclaim the space (for schedulers)."""
    purged = [purge_workshop(workshop_id, actor=actor) for workshop_id in due(now)]
    # Also finishes a reclaim that a deletion could not do at the time (the database was busy).
    if purged or _free_pages() > 0:
        reclaim_space(busy_seconds=30)
    return purged


def _free_pages() -> int:
    db = database()
    if not db.is_sqlite:
        return 0
    with db.engine.connect() as conn:
        return int(conn.exec_driver_sql("PRAGMA freelist_count").scalar() or 0)


def delete_workshop(workshop_id: int, actor: str = "") -> Deleted:
    """Delete a workshop and everything in it; walls and projectors are told, then the space is reclaimed."""
    with write(actor) as uow:
        workshop = uow.lock(workshop_id)
        s = uow.session
        _secure_delete(s)
        inputs = s.execute(select(func.count(Input.id)).where(Input.workshop_id == workshop.id)).scalar_one()
        # Recorded first so it is published after commit like any event; the rows go with the rest.
        uow.record("workshop.deleted", {})
        s.flush()
        events = 0
        for model in (Input, Event, Theme, Prompt, CoFacilitator):
            deleted = s.execute(
                delete(model).where(model.workshop_id == workshop.id).execution_options(synchronize_session=False)
            ).rowcount
            if model is Event:
                events = deleted
        result = Deleted(workshop.id, workshop.title, inputs, events)
        s.delete(workshop)
    log.info("deleted workshop %s with %s inputs and %s events, by %s", result.workshop_id, inputs, events, actor)
    reclaim_space()
    return result


def reclaim_space(busy_seconds: float = 3) -> bool:
    """VACUUM the SQLite file and empty its write-ahead log; True if done (PostgreSQL: nothing to do).

    Waits at most busy_seconds for other connections (a deletion from a web
    request should not hang on a busy server); if they do not let go, the
    deleted content is already zeroed and the next scheduled purge finishes.
    """
    db = database()
    if not db.is_sqlite:
        return False
    raw = db.engine.raw_connection()
    cursor = raw.cursor()
    try:
        # The connection runs in autocommit (db.py), which VACUUM needs.
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_seconds * 1000)}")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.execute("VACUUM")
        busy, _log_pages, _done = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            log.warning("vacuumed, but readers kept the write-ahead log; the next purge empties it")
        return not busy
    except sqlite3.OperationalError:
        log.warning("could not vacuum the database now; the next purge will", exc_info=True)
        return False
    finally:
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.close()
        raw.close()


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

