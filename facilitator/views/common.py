"""What every view needs of its request: the JSON body, who asks, the workshop they may touch."""

from __future__ import annotations

from flask import g, request

from ..db import session as db
from ..errors import ServiceError
from ..models import Workshop
from ..queries import can_facilitate, owns


def body() -> dict:
    """The request's JSON object, or a documented refusal."""
    if not request.is_json:
        raise ServiceError("unsupported_media_type")
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # "[[[[…" thousands deep: the parser gives up, the request is invalid
        data = None
    if not isinstance(data, dict):
        raise ServiceError("invalid")
    return data


def actor() -> str:
    """How the event log names whoever makes this request (a login or an API token, and its user)."""
    return f"{'token' if g.get('via_token') else 'user'}:{g.user.id}"


def facilitated(workshop_id: int) -> Workshop:
    """The workshop, if the current user may facilitate it (404 otherwise: ids are not confirmed)."""
    workshop = db().get(Workshop, workshop_id)
    if workshop is None or not can_facilitate(db(), g.user, workshop):
        raise ServiceError("not_found")
    return workshop


def owned(workshop_id: int) -> Workshop:
    """The workshop, if the current user may decide its retention, sharing and deletion (owner or admin)."""
    workshop = facilitated(workshop_id)
    if not owns(g.user, workshop):
        raise ServiceError("owner_only")
    return workshop
