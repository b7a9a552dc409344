"""Column order on the board: shared by input moves and theme changes."""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from ..errors import ServiceError
from ..models import Input, Theme
from .validation import check_id


def _in_column(workshop_id: int, theme_id: int | None):
    return and_(Input.workshop_id == workshop_id, Input.theme_id.is_(None) if theme_id is None else Input.theme_id == theme_id)


def column(session: Session, workshop_id: int, theme_id: int | None) -> list[Input]:
    """The inputs of one column (a theme, or Unsorted for None), hidden ones included, in board order."""
    return list(
        session.execute(select(Input).where(_in_column(workshop_id, theme_id)).order_by(Input.position, Input.id)).scalars()
    )


# Room made after an input when a move lands between two neighbours with adjacent
# positions: the rest of the column moves up by this much, once, in one UPDATE,
# and the next moves to that spot find room without another.
GAP = 1024


def _after(row):
    """Inputs after `row` (a row with position and id) in board order."""
    return or_(Input.position > row.position, and_(Input.position == row.position, Input.id > row.id))


def neighbours(session: Session, workshop_id: int, theme_id: int | None, input_id: int, index: int) -> tuple:
    """(previous, next, index): the rows around `index` in the column's full order without `input_id`.

    Rows have id, position and hidden; either may be None (an end). An index
    past the end is clamped to it. The database walks its column-order index
    to `index`; no other row is loaded, and none is rewritten.
    """
    order = (
        select(Input.id, Input.position, Input.hidden)
        .where(_in_column(workshop_id, theme_id), Input.id != input_id)
        .order_by(Input.position, Input.id)
    )
    if index <= 0:
        return None, session.execute(order.limit(1)).first(), 0
    rows = session.execute(order.offset(index - 1).limit(2)).all()
    if rows:
        return rows[0], rows[1] if len(rows) > 1 else None, index
    # Past the end: after the last one.
    last = session.execute(order.order_by(None).order_by(Input.position.desc(), Input.id.desc()).limit(1)).first()
    count = session.execute(
        select(func.count()).select_from(Input).where(_in_column(workshop_id, theme_id), Input.id != input_id)
    ).scalar_one()
    return last, None, count


def is_between(previous, item: Input, following) -> bool:
    """Whether item already stands right between previous and following (None: an end)."""
    key = (item.position, item.id)
    return (previous is None or (previous.position, previous.id) < key) and (following is None or key < (following.position, following.id))


def place(session: Session, workshop_id: int, theme_id: int | None, input_id: int, previous, following) -> int:
    """A position for input_id between previous and following; makes room after previous if there is none."""
    if previous is None:
        return 0 if following is None else following.position - 1
    if following is None:
        return previous.position + 1
    if following.position - previous.position >= 2:
        return (previous.position + following.position) // 2
    session.connection().execute(
        update(Input.__table__)
        .where(_in_column(workshop_id, theme_id), Input.id != input_id, _after(previous))
        .values(position=Input.position + GAP)
    )
    return previous.position + GAP // 2


def visible_before(session: Session, workshop_id: int, theme_id: int | None, input_id: int, row) -> int | None:
    """The nearest input other than input_id, at or before row in board order, that is not hidden (None: none).

    What a projector, which holds no hidden inputs, places a moved or unhidden input after.
    """
    if row is None:
        return None
    if row.id != input_id and not row.hidden:
        return row.id
    return session.execute(
        select(Input.id)
        .where(_in_column(workshop_id, theme_id), Input.id != input_id, Input.hidden.is_(False), ~_after(row))
        .order_by(Input.position.desc(), Input.id.desc())
        .limit(1)
    ).scalar()


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
