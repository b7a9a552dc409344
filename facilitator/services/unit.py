"""The unit of work every write goes through: lock, change, record the event, commit, emit."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..db import database
from ..errors import ServiceError
from ..models import Event, Workshop, utcnow

log = logging.getLogger(__name__)

WORKSHOPS = Workshop.__table__
EVENTS = Event.__table__

# Built once: every write runs these, and building a statement (and its cache key)
# cost more than running it. Core, not the ORM, for the two of record().
BY_CODE_FOR_UPDATE = select(Workshop).where(Workshop.join_code == bindparam("code")).with_for_update()
NEXT_SEQ = (
    update(WORKSHOPS).where(WORKSHOPS.c.id == bindparam("workshop"))
    .values(seq=WORKSHOPS.c.seq + 1, updated_at=bindparam("at"))
    .returning(WORKSHOPS.c.seq)
)
APPEND_EVENT = insert(EVENTS)
# PostgreSQL takes both in one statement: one round trip less while the workshop's row
# lock is held, which every other write to the workshop waits for. SQLite has no
# UPDATE inside WITH.
NEXT_SEQ_AND_EVENT = (
    insert(EVENTS)
    .from_select(
        ["workshop_id", "seq", "type", "data", "actor", "created_at"],
        select(
            bindparam("workshop", type_=EVENTS.c.workshop_id.type),
            NEXT_SEQ.cte("next_seq").c.seq,
            bindparam("type", type_=EVENTS.c.type.type),
            bindparam("data", type_=EVENTS.c.data.type),
            bindparam("actor", type_=EVENTS.c.actor.type),
            bindparam("at", type_=EVENTS.c.created_at.type),
        ),
    )
    .returning(EVENTS.c.seq)
)


class UnitOfWork:
    """One write transaction; knows the workshop it locked and the events it recorded."""

    def __init__(self, session: Session, connection: Connection, actor: str) -> None:
        self.session = session
        # The transaction's connection, taken once: Session.connection() goes through
        # the session's transaction bookkeeping again each time a statement asks.
        self.connection = connection
        self.actor = actor
        self.workshop: Workshop | None = None
        self.events: list[Event] = []

    def lock(self, workshop_id: int, importing_ok: bool = False) -> Workshop:
        """Load the workshop and hold its row lock until commit, so its writes serialise.

        A workshop still being imported takes no other change (services/importer.py):
        only the importer itself and deletion pass importing_ok.
        """
        # SQLite's BEGIN IMMEDIATE already holds the database's write lock;
        # PostgreSQL takes the row lock here.
        workshop = self.session.execute(
            select(Workshop).where(Workshop.id == workshop_id).with_for_update()
        ).scalar_one_or_none()
        if workshop is None:
            raise ServiceError("not_found")
        if workshop.status == "importing" and not importing_ok:
            raise ServiceError("conflict")
        self.workshop = workshop
        return workshop

    def lock_by_code(self, join_code: str) -> Workshop:
        """Like lock(), finding the workshop by its join code."""
        workshop = self.session.execute(BY_CODE_FOR_UPDATE, {"code": join_code}).scalar_one_or_none()
        if workshop is None:
            raise ServiceError("unknown_code")
        self.workshop = workshop
        return workshop

    def record(self, type_: str, data: dict) -> Event:
        """Append the next event of the locked workshop, in this transaction."""
        assert self.workshop is not None, "lock() the workshop before recording"
        now = utcnow()
        connection = self.connection
        row = {"workshop_id": self.workshop.id, "type": type_, "data": data, "actor": self.actor, "created_at": now}
        if connection.dialect.name == "postgresql":
            # Exactly its own parameters: an INSERT takes the column names given at execution as its columns.
            values = {"workshop": self.workshop.id, "type": type_, "data": data, "actor": self.actor, "at": now}
            seq = connection.execute(NEXT_SEQ_AND_EVENT, values).scalar_one()
        else:
            seq = connection.execute(NEXT_SEQ, {"workshop": self.workshop.id, "at": now}).scalar_one()
            connection.execute(APPEND_EVENT, {**row, "seq": seq})
        # Keep the loaded object current without marking it dirty (no second UPDATE).
        set_committed_value(self.workshop, "seq", seq)
        event = Event(**row, seq=seq)
        event.phones_see_wall = bool(self.workshop.participants_see_wall)
        self.events.append(event)
        return event


@contextmanager
def write(actor: str = "") -> Iterator[UnitOfWork]:
    """Run a write: commit it, then hand its events to the after-commit hooks."""
    db = database()
    session = db.writer()
    try:
        with session.begin():
            with db.waiting_for_write():
                connection = session.connection()  # BEGIN (IMMEDIATE on SQLite) now, so the wait is counted
            uow = UnitOfWork(session, connection, actor)
            yield uow
            session.flush()
    finally:
        session.close()
    if uow.events:
        run_hooks(db.after_commit, uow.events)


class AccountUnit:
    """One write to accounts, tokens or logins; collects the sockets it takes the right from."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.revoked: list[tuple[str, int | str]] = []

    def revoke_user(self, user_id: int) -> None:
        """After commit, end every wall socket of this user."""
        self.revoked.append(("user", user_id))

    def revoke_login(self, login_id: str) -> None:
        """After commit, end the wall sockets opened by this one login."""
        self.revoked.append(("login", login_id))


@contextmanager
def account_write() -> Iterator[AccountUnit]:
    """Run an account write (no workshop log): commit it, then end the sockets it revoked.

    Every entry point (pages, the API, the CLI) goes through here, so a deactivation
    from the command line ends open walls exactly as one from the admin page does.
    """
    db = database()
    session = db.writer()
    unit = AccountUnit(session)
    try:
        with session.begin():
            yield unit
    finally:
        session.close()
    if unit.revoked:
        run_hooks(db.after_revoke, unit.revoked)


def run_hooks(hooks: list[Callable], payload) -> None:
    """Call each after-commit hook; a failing one is logged, never turns the stored write into an error."""
    for hook in hooks:
        try:
            hook(payload)
        except Exception:
            log.exception("after-commit hook %s failed; the write is stored", getattr(hook, "__name__", hook))

