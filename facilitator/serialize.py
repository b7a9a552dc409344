"""Plain-dict shapes of the models, shared by the API, events, sockets and exports."""

from __future__ import annotations

from datetime import datetime, timezone

from .models import Event, Input, Prompt, Theme, Workshop


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC; SQLite hands back naive datetimes that are UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def input_dict(item: Input, named: bool = False) -> dict:
    """An input as walls and exports see it."""
    data = {
        "id": item.id,
        "text": item.text,
        "theme_id": item.theme_id,
        "position": item.position,
        "prompt_id": item.prompt_id,
        "hidden": item.hidden,
        "hidden_reason": item.hidden_reason,
        "received_at": iso(item.received_at),
        "source": item.source or "phone",
    }
    if named:
        data["author_name"] = item.author_name
    return data


def receipt_dict(item: Input) -> dict:
    """What the phone that sent an input gets back."""
    return {
        "id": item.id,
        "client_key": item.client_key,
        "text": item.text,
        "received_at": iso(item.received_at),
    }


def theme_dict(theme: Theme, input_ids: list[int] | None = None) -> dict:
    """A theme; with input_ids, its column in board order."""
    data = {
        "id": theme.id,
        "title": theme.title,
        "summary": theme.summary,
        "colour": theme.colour,
        "position": theme.position,
        "offered": theme.offered is not False,
    }
    if input_ids is not None:
        data["input_ids"] = input_ids
    return data


def prompt_dict(prompt: Prompt) -> dict:
    """A prompt."""
    return {"id": prompt.id, "text": prompt.text, "position": prompt.position, "active": prompt.active}


def spotlight_dict(value: str) -> dict | None:
    """A stored spotlight ("input:12", "theme:3" or "") as the API and events carry it."""
    kind, _, ident = (value or "").partition(":")
    if kind in ("input", "theme") and ident.isdigit():
        return {f"{kind}_id": int(ident)}
    return None


def projector_state(workshop: Workshop) -> dict:
    """What the projector shows: view, spotlight and paging pace (the payload of projector.view)."""
    return {
        "view": workshop.projector_view,
        "spotlight": spotlight_dict(workshop.projector_spotlight),
        # `or`/bool(): a workshop not yet flushed has no column defaults applied.
        "page_seconds": workshop.projector_page_seconds or 0,
        "paused": bool(workshop.projector_paused),
    }


# A workshop's settings: what its "settings" object in the API and in events holds.
SETTINGS = ("max_input_length", "named_inputs", "participants_see_wall", "participants_choose_theme", "locked", "retention_days")


def settings_dict(workshop) -> dict:
    """A workshop's settings as the API and its events give them."""
    return {name: getattr(workshop, name) for name in SETTINGS}


def workshop_dict(workshop: Workshop) -> dict:
    """A workshop's own fields and settings (no secrets)."""
    return {
        "id": workshop.id,
        "title": workshop.title,
        "description": workshop.description,
        "language": workshop.language,
        "join_code": workshop.join_code,
        "status": workshop.status,
        "projector_view": workshop.projector_view,
        "projector": projector_state(workshop),
        "place": workshop.place,
        "held_on": workshop.held_on,
        "seq": workshop.seq,
        "settings": settings_dict(workshop),
        "created_at": iso(workshop.created_at),
        "updated_at": iso(workshop.updated_at),
        "closed_at": iso(workshop.closed_at),
        "purged_at": iso(workshop.purged_at),
    }


def event_dict(event: Event) -> dict:
    """An event as clients receive it."""
    return {"seq": event.seq, "type": event.type, "data": event.data, "at": iso(event.created_at)}
