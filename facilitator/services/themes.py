"""Writes on themes: create, rename, summarise, reorder, delete, merge."""

from __future__ import annotations

from ..errors import ServiceError
from ..models import Theme
from ..serialize import theme_dict
from .board import column, move_in_order, renumber, reorder, theme_of, themes
from .unit import write
from .validation import check_text, check_title

SUMMARY_LIMIT = 20000


def create_theme(workshop_id: int, title: object, summary: object = "", actor: str = "") -> Theme:
    """Add a theme at the end of the board."""
    title = check_title(title)
    summary = check_text(summary, SUMMARY_LIMIT)
    with write(actor) as uow:
        uow.lock(workshop_id)
        s = uow.session
        theme = Theme(workshop_id=workshop_id, title=title, summary=summary, position=len(themes(s, workshop_id)))
        s.add(theme)
        s.flush()
        uow.record("theme.created", theme_dict(theme, []))
    return theme


def update_theme(workshop_id: int, theme_id: int, changes: dict, actor: str = "") -> Theme:
    """Rename, re-summarise, offer on phones (or not) or move a theme to another position."""
    if not isinstance(changes, dict):
        raise ServiceError("invalid")
    with write(actor) as uow:
        uow.lock(workshop_id)
        theme = change_theme(uow, theme_id, changes)
    return theme


def change_theme(uow, theme_id: int, changes: dict) -> Theme:
    """update_theme inside a unit of work that holds the theme's workshop."""
    s, workshop_id = uow.session, uow.workshop.id
    theme = theme_of(s, workshop_id, theme_id)
    changed: dict = {}
    if "title" in changes:
        title = check_title(changes["title"])
        if title != theme.title:
            theme.title = changed["title"] = title
    if "summary" in changes:
        summary = check_text(changes["summary"], SUMMARY_LIMIT)
        if summary != theme.summary:
            theme.summary = changed["summary"] = summary
    if "colour" in changes:
        colour = check_text(changes["colour"], 20).strip()
        if colour != theme.colour:
            theme.colour = changed["colour"] = colour
    if "offered" in changes:
        if not isinstance(changes["offered"], bool):
            raise ServiceError("invalid")
        if changes["offered"] != theme.offered:
            theme.offered = changed["offered"] = changes["offered"]
    if "position" in changes:
        order = move_in_order(themes(s, workshop_id), theme, changes["position"])
        if order is not None:
            changed["theme_order"] = order
    if changed:
        uow.record("theme.updated", {"theme_id": theme.id, **changed})
    return theme


def delete_theme(workshop_id: int, theme_id: int, actor: str = "") -> None:
    """Remove a theme; its inputs go to the end of Unsorted, in their order."""
    with write(actor) as uow:
        uow.lock(workshop_id)
        s = uow.session
        theme = theme_of(s, workshop_id, theme_id)
        unsorted = column(s, workshop_id, None) + column(s, workshop_id, theme.id)
        order = renumber(unsorted, None)
        s.flush()
        s.delete(theme)
        remaining = reorder([t for t in themes(s, workshop_id) if t.id != theme.id])
        uow.record("theme.deleted", {"theme_id": theme.id, "unsorted_order": order, "theme_order": remaining})


def merge_themes(workshop_id: int, theme_id: int, into_id: object, actor: str = "") -> Theme:
    """Fold one theme into another: inputs appended, summaries joined, the first theme removed."""
    with write(actor) as uow:
        uow.lock(workshop_id)
        s = uow.session
        source = theme_of(s, workshop_id, theme_id)
        target = theme_of(s, workshop_id, into_id)
        if source.id == target.id:
            raise ServiceError("conflict")
        order = renumber(column(s, workshop_id, target.id) + column(s, workshop_id, source.id), target.id)
        if source.summary.strip():
            target.summary = (target.summary.rstrip() + "\n\n" + source.summary).lstrip()
        s.flush()
        s.delete(source)
        remaining = reorder([t for t in themes(s, workshop_id) if t.id != source.id])
        uow.record(
            "theme.merged",
            {
                "theme_id": source.id,
                "into": target.id,
                "order": order,
                "summary": target.summary,
                "theme_order": remaining,
            },
        )
    return target
