"""Retention: a closed workshop's inputs are deleted N days after closing; a workshop can be deleted at once.

What a purge deletes: every input of the workshop (text, hidden reasons,
names, embeddings, dismissed suggestions) and the workshop's whole event log, because input.created and
input.unhidden events carry the input text. One `workshop.purged` event with
the counts starts the new log. The workshop itself, its prompts and its themes
with the facilitator's summaries stay, so the facilitator can see what
happened. Deleting a workshop removes all of it.

Deletion is real: the rows are gone at commit; on SQLite the deleted pages are
overwritten, then the file is vacuumed and the write-ahead log truncated
(sqlite_maintenance.py), so the text is no longer anywhere in the database
files. On PostgreSQL the rows are gone at commit and autovacuum reuses their
space. The daily purge runs from facilitator/jobs.py.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, select

from ..db import database
from ..models import (
    CoFacilitator, Event, HintDismissal, Input, InputEmbedding, Prompt, Theme, VoteAllocation, VoteRound, Workshop, utcnow,
)
from ..sqlite_maintenance import free_pages, reclaim_space, secure_delete
from .unit import write
from .votes import close_in
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


def purge_workshop(workshop_id: int, reason: str = "retention", actor: str = "retention") -> Deleted:
    """Delete a workshop's inputs and its event log now, recording one workshop.purged event."""
    with write(actor) as uow:
        workshop = uow.lock(workshop_id, importing_ok=True)  # also what a crash mid-import left
        s = uow.session
        secure_delete(s)
        # Embeddings are derived from the texts: they go with them (the foreign keys cascade too).
        for derived in (InputEmbedding, HintDismissal):
            s.execute(delete(derived).where(derived.workshop_id == workshop.id))
        # A round still open is closed first, so its totals are frozen before the allocations go.
        for round_ in s.execute(select(VoteRound).where(VoteRound.workshop_id == workshop.id, VoteRound.status == "open")).scalars():
            close_in(uow, round_)
        inputs = s.execute(delete(Input).where(Input.workshop_id == workshop.id)).rowcount
        # Which (hashed) phone placed which dots goes with the inputs; a round's frozen totals stay.
        rounds = select(VoteRound.id).where(VoteRound.workshop_id == workshop.id)
        s.execute(delete(VoteAllocation).where(VoteAllocation.round_id.in_(rounds)))
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
    if purged or free_pages() > 0:
        reclaim_space(busy_seconds=30)
    return purged


def delete_workshop(workshop_id: int, actor: str = "") -> Deleted:
    """Delete a workshop and everything in it; walls and projectors are told, then the space is reclaimed."""
    with write(actor) as uow:
        workshop = uow.lock(workshop_id)
        s = uow.session
        secure_delete(s)
        # A round still open is closed first, so its totals are frozen before the allocations go.
        for round_ in s.execute(select(VoteRound).where(VoteRound.workshop_id == workshop.id, VoteRound.status == "open")).scalars():
            close_in(uow, round_)
        inputs = s.execute(select(func.count(Input.id)).where(Input.workshop_id == workshop.id)).scalar_one()
        # Recorded first so it is published after commit like any event; the rows go with the rest.
        uow.record("workshop.deleted", {})
        s.flush()
        events = 0
        for model in (InputEmbedding, HintDismissal, Input, Event, Theme, Prompt, CoFacilitator):
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
