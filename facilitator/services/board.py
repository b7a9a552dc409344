"""Column order on the board: shared by input moves and theme changes."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import ServiceError
from ..models import Input, Theme
from .validation import check_id


def column(session: Session, workshop_id: int, theme_id: int | None) -> list[Input]:
    """The inputs of one column (a theme, or Unsorted for None), hidden ones included, in board order."""
    where = Input.theme_id.is_(None) if theme_id is None else Input.theme_id == theme_id
    return list(
        session.execute(
            select(Input).where(Input.workshop_id == workshop_id, where).order_by(Input.position, Input.id)
        ).scalars()
    )


def reorder(rows: list) -> list[int]:
    """Give themes or questions consecutive positions in this order; return their ids in order."""
    for position, row in enumerate(rows):
        row.position = position
    return [row.id for row in rows]


def move_in_order(rows: list, row, position: object) -> list[int] | None:
    """Put row at position (clamped) among rows, a theme among themes or a question among questions.

    Returns the new order of ids when it changed, else None; a position that is
    not a whole number is refused.
    """
    if not isinstance(position, int) or isinstance(position, bool):
        raise ServiceError("invalid")
    before = [r.id for r in rows]
    order = [r for r in rows if r.id != row.id]
    order.insert(max(0, min(position, len(order))), row)
    after = reorder(order)
    return after if after != before else None


def renumber(items: list[Input], theme_id: int | None) -> list[int]:
    """Give items consecutive positions in theme_id's column; return their ids in order."""
    for position, item in enumerate(items):
        if item.position != position:
            item.position = position
        if item.theme_id != theme_id:
            item.theme_id = theme_id
    return [item.id for item in items]


def themes(session: Session, workshop_id: int) -> list[Theme]:
    """A workshop's themes in board order."""
    return list(
        session.execute(
            select(Theme).where(Theme.workshop_id == workshop_id).order_by(Theme.position, Theme.id)
        ).scalars()
    )


def theme_of(session: Session, workshop_id: int, theme_id: object) -> Theme:
    """The workshop's theme with that id, or a not_found refusal."""
    theme = session.get(Theme, check_id(theme_id))
    if theme is None or theme.workshop_id != workshop_id:
        raise ServiceError("not_found")
    return theme


def input_of(session: Session, workshop_id: int, input_id: int) -> Input:
    """The workshop's input with that id, or a not_found refusal."""
    item = session.get(Input, check_id(input_id))
    if item is None or item.workshop_id != workshop_id:
        raise ServiceError("not_found")
    return item
