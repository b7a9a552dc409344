"""Typed SQLAlchemy models: the workshop, its prompts, themes, inputs and event log."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    text as sql_text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped by "log out everywhere": sessions carry the version they were made with.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    # An admin deactivates an account instead of deleting it (its workshops stay owned).
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # SHA-256 of the token; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()


class LoginSession(Base):
    """One login: the session cookie names it; logging out deletes it (auth.session_user checks it)."""

    __tablename__ = "login_sessions"

    # 256 random bits; the cookie is signed too, so a stolen id alone forges nothing.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Workshop(Base):
    __tablename__ = "workshops"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(5), default="da")
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    # draft, open, paused, closed, archived
    status: Mapped[str] = mapped_column(String(10), default="draft")
    max_input_length: Mapped[int] = mapped_column(Integer, default=1000)
    named_inputs: Mapped[bool] = mapped_column(Boolean, default=False)
    participants_see_wall: Mapped[bool] = mapped_column(Boolean, default=False)
    participants_choose_theme: Mapped[bool] = mapped_column(Boolean, default=False)
    projector_secret: Mapped[str] = mapped_column(String(64), unique=True)
    # What the projector shows: "collect" (QR and incoming cards) or "themes".
    projector_view: Mapped[str] = mapped_column(String(10), default="collect")
    # Shown over the view until cleared: "" (nothing), "input:<id>" or "theme:<id>".
    projector_spotlight: Mapped[str] = mapped_column(String(40), default="", server_default="")
    # Seconds each projector page stays up; 0 lets the projector choose (every page within a minute).
    projector_page_seconds: Mapped[int] = mapped_column(Integer, default=0, server_default=sql_text("0"))
    projector_paused: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    place: Mapped[str] = mapped_column(String(200), default="")
    held_on: Mapped[str] = mapped_column(String(10), default="")
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The sequence number of the last event; bumped (and row-locked) by every write.
    seq: Mapped[int] = mapped_column(Integer, default=0)
    # Locked: phones that were not admitted before the lock cannot post (see services/inputs.py).
    locked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Inputs are deleted this many days after closed_at (services/retention.py).
    retention_days: Mapped[int] = mapped_column(Integer, default=90, server_default=sql_text("90"))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    purged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    owner: Mapped[User] = relationship()


class CoFacilitator(Base):
    __tablename__ = "co_facilitators"

    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


class Prompt(Base):
    __tablename__ = "prompts"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=False)


class Theme(Base):
    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    colour: Mapped[str] = mapped_column(String(20), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Shown as a choice on the phones when the workshop lets participants choose a theme.
    offered: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class Input(Base):
    __tablename__ = "inputs"
    __table_args__ = (
        UniqueConstraint("workshop_id", "client_key", name="uq_inputs_workshop_client_key"),
        Index("ix_inputs_workshop_import_key", "workshop_id", "import_key"),
        # A column in board order: a move finds its neighbours, a post its column's end.
        Index("ix_inputs_column_order", "workshop_id", "theme_id", "position", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    client_key: Mapped[str] = mapped_column(String(64))
    # Stored exactly as received; a database trigger refuses any update of it.
    text: Mapped[str] = mapped_column(Text)
    prompt_id: Mapped[int | None] = mapped_column(ForeignKey("prompts.id", ondelete="SET NULL"))
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="SET NULL"), index=True)
    # A sort key within the column (board order is position, then id), not an index:
    # a move gives only the moved input a new one (services/board.py place()).
    position: Mapped[int] = mapped_column(Integer, default=0)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_reason: Mapped[str] = mapped_column(String(200), default="")
    author_name: Mapped[str] = mapped_column(String(100), default="")
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # "phone", or the label an import gave its inputs ("papir", "e-mail", ...).
    source: Mapped[str] = mapped_column(String(40), default="phone", server_default="phone")
    # The key of the import that brought this input in (services/paper.py): a repeat adds nothing.
    import_key: Mapped[str | None] = mapped_column(String(64))
    # True when the move that put it in its column was an accepted suggestion (exports say so).
    suggested: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("workshop_id", "seq", name="uq_events_workshop_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    # Not stored: whether the workshop's phones saw the board when the event was recorded
    # (participants_see_wall), so publishing after commit knows without reading the database.
    phones_see_wall = False


class InputEmbedding(Base):
    """An input's embedding, made once by the suggestion worker; deleted with the input."""

    __tablename__ = "input_embeddings"

    input_id: Mapped[int] = mapped_column(ForeignKey("inputs.id", ondelete="CASCADE"), primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    # Which model made it (facilitator/suggest/embedding.py model_name()); another model recomputes it.
    model: Mapped[str] = mapped_column(String(80))
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class HintDismissal(Base):
    """A facilitator said no to suggesting this theme for this input; remembered per card."""

    __tablename__ = "hint_dismissals"

    input_id: Mapped[int] = mapped_column(ForeignKey("inputs.id", ondelete="CASCADE"), primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)


class VoteRound(Base):
    """A dot-voting round on the themes or on the visible inputs; items are fixed when it opens."""

    __tablename__ = "vote_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    # 1, 2, … within the workshop: how the record and the spreadsheets name a round.
    number: Mapped[int] = mapped_column(Integer, default=1)
    # "themes" or "inputs"
    on: Mapped[str] = mapped_column("vote_on", String(10))  # "on" is an SQL keyword
    # The themes the facilitator chose (inputs of those themes, or those themes); None: all.
    theme_ids: Mapped[list | None] = mapped_column(JSON, nullable=True)
    # The ids voted on, in board order, as they were when the round opened.
    item_ids: Mapped[list] = mapped_column(JSON)
    dots: Mapped[int] = mapped_column(Integer, default=5)
    per_item: Mapped[int] = mapped_column(Integer, default=3)
    # "live" (the room sees the tally as it grows) or "on_close"
    reveal: Mapped[str] = mapped_column(String(10), default="on_close")
    revealed: Mapped[bool] = mapped_column(Boolean, default=False)
    # "open" or "closed"
    status: Mapped[str] = mapped_column(String(10), default="open")
    # Frozen at close (and all an imported round has): totals only, never who voted what.
    results: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class VoteAllocation(Base):
    """One phone's dots in one round, replaced as a whole; the phone is a hash of its key."""

    __tablename__ = "vote_allocations"

    round_id: Mapped[int] = mapped_column(ForeignKey("vote_rounds.id", ondelete="CASCADE"), primary_key=True)
    phone: Mapped[str] = mapped_column(String(64), primary_key=True)
    # {"<item id>": dots}, only items with at least one dot.
    allocation: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WorkshopTimer(Base):
    """A workshop's countdown, kept in the server's clock (epoch milliseconds) so every screen agrees."""

    __tablename__ = "workshop_timers"

    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True)
    # "running", "paused" or "done"
    state: Mapped[str] = mapped_column(String(10), default="running")
    duration_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    # When a running timer reaches zero; None while paused or done.
    ends_at_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # What was left when it was paused.
    remaining_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # "nothing", "pause_input" or "close_vote": what reaching zero does.
    on_zero: Mapped[str] = mapped_column(String(12), default="nothing")
