"""Inputs per theme for the live charts (wall and projector): visible inputs only, in board order.

The same counts as the report's chart (export/outline.count_blocks): every
theme in board order, then Unsorted when it holds any. Hidden inputs are in
no count, so a count on the projector never gives a hidden input away.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import charts
from .models import Input
from .services.board import themes as board_themes


def theme_counts(s: Session, workshop_id: int) -> list[tuple[str | None, int]]:
    """(theme title, visible inputs) per theme in board order, then (None, n) for Unsorted if n > 0."""
    counted = dict(
        s.execute(
            select(Input.theme_id, func.count(Input.id))
            .where(Input.workshop_id == workshop_id, Input.hidden.is_(False))
            .group_by(Input.theme_id)
        ).all()
    )
    rows: list[tuple[str | None, int]] = [(t.title, counted.get(t.id, 0)) for t in board_themes(s, workshop_id)]
    if counted.get(None):
        rows.append((None, counted[None]))
    return rows


def counts_svg(s: Session, workshop_id: int, projector: bool = False) -> str:
    """The counts as a bar chart (Unsorted named in the current language); the page prints the numbers too.

    The projector's is drawn with the labels above the bars, so it fills its part of the screen with large text.
    """
    unsorted = _("Unsorted")
    rows = [charts.Row(unsorted if title is None else title, n, 0, 0) for title, n in theme_counts(s, workshop_id)]
    return charts.stacked_bar_chart_svg(rows) if projector else charts.bar_chart_svg(rows, compact=True)
