"""Writes on inputs: receive from a phone, move on the board, hide and show."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable

from sqlalchemy import bindparam, func, select

from ..errors import ServiceError
from ..models import Input, Prompt, Theme, Workshop, utcnow
from ..serialize import input_dict
from .board import input_of, is_between, neighbours, place, theme_of, visible_before
from .unit import write
from .validation import check_client_key, check_input_text, check_text

INPUTS = Input.__table__


def submit_input(
    join_code: str,
    text: object,
    client_key: object,
    author_name: object = "",
    theme_id: object = None,
    admission: Callable[[Workshop], bool] | None = None,
) -> tuple[Input, bool]:
    """Store a phone's input once per client key; return (input, created).

    theme_id is the participant's choice when the workshop lets them choose:
    the input goes to the end of that theme if it is (still) offered, else to
    Unsorted, so a theme deleted while a phone was offline loses nothing.

    A repeat of a stored client key returns the stored input even after the
    workshop has closed (or been locked), so a phone whose receipt was lost
    still gets it. A locked workshop takes new inputs only from phones that
    were admitted before the lock: admission(workshop) says whether this one
    was (admission.py). It is called as soon as the workshop is locked, before
    anything else is read, and may refuse the post by raising a ServiceError
    (the phone's limits); without it the phone counts as admitted.
    """
    key = check_client_key(client_key)
    with write("participant") as uow:
        workshop = uow.lock_by_code(join_code)
        admitted = admission(workshop) if admission else True
        s = uow.session
        target = _chosen_theme(s, workshop, theme_id)
        try:
            if workshop.status == "closed" or workshop.status == "archived":
                raise ServiceError("closed")
            if workshop.status != "open":
                raise ServiceError("not_open")
            if workshop.locked and not admitted:
                raise ServiceError("locked")
            check_input_text(text, workshop.max_input_length)
            name = check_text(author_name, 100).strip() if workshop.named_inputs else ""
        except ServiceError:
            # A refusal of a new input is no refusal of a repeat: its phone gets the receipt it lost.
            existing = _stored(s, workshop.id, key)
            if existing is None:
                raise
            return existing, False
        item = _insert(uow.connection, workshop_id=workshop.id, client_key=key, text=text, theme_id=target, author_name=name)
        if item is None:
            return _stored(s, workshop.id, key), False
        uow.record("input.created", input_dict(item, named=workshop.named_inputs))
    return item, True


def _stored(s, workshop_id: int, client_key: str) -> Input | None:
    """The input a phone already stored under this client key, if any."""
    return s.execute(
        select(Input).where(Input.workshop_id == workshop_id, Input.client_key == client_key)
    ).scalar_one_or_none()


def _insert_statement(dialect_insert, unsorted: bool):
    """INSERT a phone's input at the end of its column, under the active question, unless its client key is stored.

    One statement where there were two (a SELECT of the key, the column's
    last position and the active question, then the INSERT): both run while
    the workshop is locked, and every other post to it waits for that lock.
    """
    in_workshop = Input.workshop_id == bindparam("in_workshop")
    in_column = Input.theme_id.is_(None) if unsorted else Input.theme_id == bindparam("in_theme")
    return (
        dialect_insert(INPUTS)
        .values(
            position=select(func.coalesce(func.max(Input.position) + 1, 0)).where(in_workshop, in_column).scalar_subquery(),
            prompt_id=select(Prompt.id).where(Prompt.workshop_id == bindparam("in_workshop"), Prompt.active.is_(True))
            .limit(1).scalar_subquery(),
        )
        .on_conflict_do_nothing(index_elements=["workshop_id", "client_key"])
        .returning(INPUTS.c.id, INPUTS.c.position, INPUTS.c.prompt_id)
    )


@functools.cache
def _insert_input(dialect: str, unsorted: bool):
    """The INSERT of a phone's input for this database, built once (a plenary posts hundreds a second).

    ON CONFLICT is dialect syntax; each dialect's module is imported when its
    database is first written to, so a SQLite server never loads PostgreSQL's
    (2 MB of a serving process).
    """
    return _insert_statement(importlib.import_module(f"sqlalchemy.dialects.{dialect}").insert, unsorted)


def _insert(connection, **values) -> Input | None:
    """INSERT a new phone input with SQLAlchemy Core; return it with its id, or None if its client key is stored.

    The returned object holds every column but stays outside the session: a
    new input is only read after this (for its event and its receipt).
    """
    values |= {"hidden": False, "hidden_reason": "", "received_at": utcnow(), "source": "phone", "import_key": None, "suggested": False}
    unsorted = values["theme_id"] is None
    params = {**values, "in_workshop": values["workshop_id"]} | ({} if unsorted else {"in_theme": values["theme_id"]})
    row = connection.execute(_insert_input(connection.dialect.name, unsorted), params).one_or_none()
    if row is None:
        return None
    return Input(id=row.id, position=row.position, prompt_id=row.prompt_id, **values)


def _chosen_theme(s, workshop: Workshop, theme_id: object) -> int | None:
    """The theme a participant chose, if choosing is on and the theme is offered; else None (Unsorted)."""
    if theme_id is None:
        return None
    if not isinstance(theme_id, int) or isinstance(theme_id, bool):
        raise ServiceError("invalid")
    if not workshop.participants_choose_theme:
        return None
    theme = s.get(Theme, theme_id)
    if theme is None or theme.workshop_id != workshop.id or not theme.offered:
        return None
    return theme.id


def move_input(
    workshop_id: int, input_id: int, theme_id: int | None, index: object, actor: str = "", suggested: object = False
) -> tuple[Input, int]:
    """Put an input into a theme (None: Unsorted) at index in that column's full order; return it and its index.

    Only the moved input gets a new position, and the event names the input it
    now follows, so a move costs the same in a column of 5 cards or 5,000.
    suggested: the facilitator accepted a suggestion (a theme hint, "more like
    this", "next to its twin"); the event and the input say so, for the record.
    """
    if not isinstance(index, int) or isinstance(index, bool) or not isinstance(suggested, bool):
        raise ServiceError("invalid")
    with write(actor) as uow:
        uow.lock(workshop_id)
        s = uow.session
        item = input_of(s, workshop_id, input_id)
        if theme_id is not None:
            theme_of(s, workshop_id, theme_id)
        source_id = item.theme_id
        previous, following, index = neighbours(s, workshop_id, theme_id, item.id, index)
        if source_id == theme_id and is_between(previous, item, following):
            return item, index
        item.position = place(s, workshop_id, theme_id, item.id, previous, following)
        item.theme_id = theme_id
        if source_id != theme_id or suggested:
            item.suggested = suggested
        data = {
            "input_id": item.id,
            "theme_id": theme_id,
            "index": index,
            "after": None if previous is None else previous.id,
            "after_visible": visible_before(s, workshop_id, theme_id, item.id, previous),
        }
        if suggested:
            data["suggested"] = True
        if source_id != theme_id:
            data["from_theme_id"] = source_id
        uow.record("input.moved", data)
    return item, index


def hide_input(workshop_id: int, input_id: int, reason: object = "", actor: str = "") -> Input:
    """Take an input off the wall and projector, keeping it (and its text) in the database."""
    reason = check_text(reason, 200).strip()
    with write(actor) as uow:
        uow.lock(workshop_id)
        item = input_of(uow.session, workshop_id, input_id)
        if not item.hidden or item.hidden_reason != reason:
            item.hidden = True
            item.hidden_reason = reason
            uow.record("input.hidden", {"input_id": item.id, "reason": reason})
    return item


def unhide_input(workshop_id: int, input_id: int, actor: str = "") -> Input:
    """Show a hidden input again, in the place it had."""
    with write(actor) as uow:
        uow.lock(workshop_id)
        item = input_of(uow.session, workshop_id, input_id)
        if item.hidden:
            after = visible_before(uow.session, workshop_id, item.theme_id, item.id, item)
            item.hidden = False
            item.hidden_reason = ""
            uow.record("input.unhidden", {"input_id": item.id, "input": input_dict(item), "after_visible": after})
    return item
