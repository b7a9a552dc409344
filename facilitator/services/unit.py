"""The unit of work every write goes through: lock, change, record the event, commit, emit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..db import database
from ..errors import ServiceError
from ..models import Event, Workshop, utcnow


class UnitOfWork:
    """One write transaction; knows the workshop it locked and the events it recorded."""

    def __init__(self, session: Session, actor: str) -> None:
        self.session = session
        self.actor = actor
        self.workshop: Workshop | None = None
        self.events: list[Event] = []

    def lock(self, workshop_id: int) -> Workshop:
        """Load the workshop and hold its row lock until commit, so its writes serialise."""
        # SQLite's BEGIN IMMEDIATE already holds the database's write lock;
        # PostgreSQL takes the row lock here.
        workshop = self.session.execute(
            select(Workshop).where(Workshop.id == workshop_id).with_for_update()
        ).scalar_one_or_none()
        if workshop is None:
            raise ServiceError("not_found")
        self.workshop = workshop
        return workshop

    def lock_by_code(self, join_code: str) -> Workshop:
        """Like lock(), finding the workshop by its join code."""
        workshop = self.session.execute(
            select(Workshop).where(Workshop.join_code == join_code).with_for_update()
        ).scalar_one_or_none()
        if workshop is None:
            raise ServiceError("unknown_code")
        self.workshop = workshop
        return workshop

    def record(self, type_: str, data: dict) -> Event:
        """Append the next event of the locked workshop, in this transaction."""
        assert self.workshop is not None, "lock() the workshop before recording"
        now = utcnow()
        seq = self.session.execute(
            update(Workshop)
            .where(Workshop.id == self.workshop.id)
            .values(seq=Workshop.seq + 1, updated_at=now)
            .returning(Workshop.seq),
            execution_options={"synchronize_session": False},
        ).scalar_one()
        # Keep the loaded object current without marking it dirty (no second UPDATE).
        set_committed_value(self.workshop, "seq", seq)
        event = Event(
            workshop_id=self.workshop.id,
            seq=seq,
            type=type_,
            data=data,
            actor=self.actor,
            created_at=now,
        )
        self.session.add(event)
        self.events.append(event)
        return event


@contextmanager
def write(actor: str = "") -> Iterator[UnitOfWork]:
    """Run a write: commit it, then hand its events to the after-commit hooks."""
    db = database()
    session = db.writer()
    uow = UnitOfWork(session, actor)
    try:
        with session.begin():
            yield uow
            session.flush()
    finally:
        session.close()
    if uow.events:
        for hook in db.after_commit:
            hook(uow.events)
