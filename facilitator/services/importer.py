"""Rebuild a workshop from its JSON export, through the unit of work like any other write."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime

from flask import current_app

from ..errors import ServiceError
from ..models import Input, Theme, Workshop, utcnow
from ..serialize import input_dict, theme_dict, workshop_dict
from .unit import write
from .validation import check_input_text, check_text, check_title
from .workshops import LANGUAGES, MAX_INPUT_LENGTH_CEILING, new_join_code

FORMAT = "facilitator-export"


def _when(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ServiceError("invalid") from None


def _items(raw: object) -> list[dict]:
    if not isinstance(raw, list) or not all(isinstance(i, dict) for i in raw):
        raise ServiceError("invalid")
    return raw


def import_workshop(owner_id: int, data: object, actor: str = "") -> Workshop:
    """Create a closed workshop holding the export's themes, summaries and inputs in board order."""
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != 1:
        raise ServiceError("invalid")
    meta = data.get("workshop")
    if not isinstance(meta, dict) or meta.get("language") not in LANGUAGES:
        raise ServiceError("invalid")
    themes = _items(data.get("themes", []))
    unsorted = _items(data.get("unsorted", []))
    with write(actor) as uow:
        s = uow.session
        workshop = Workshop(
            title=check_title(meta.get("title")),
            description=check_text(meta.get("description"), 5000),
            language=meta["language"],
            join_code=new_join_code(),
            status="closed",
            closed_at=utcnow(),  # an imported workshop is closed: its retention clock starts now
            retention_days=current_app.config.get("RETENTION_DAYS", 90),
            projector_secret=secrets.token_urlsafe(24),
            owner_id=owner_id,
            place=check_text(meta.get("place"), 200),
            held_on=check_text(meta.get("held_on"), 10),
            named_inputs=bool(meta.get("named_inputs")),
            max_input_length=MAX_INPUT_LENGTH_CEILING,
            seq=0,
        )
        s.add(workshop)
        s.flush()
        uow.workshop = workshop
        uow.record("workshop.created", workshop_dict(workshop))
        columns = [(None, unsorted)]
        for position, raw in enumerate(themes):
            theme = Theme(
                workshop_id=workshop.id,
                title=check_title(raw.get("title")),
                summary=check_text(raw.get("summary"), 20000),
                position=position,
            )
            s.add(theme)
            s.flush()
            uow.record("theme.created", theme_dict(theme, []))
            columns.append((theme.id, _items(raw.get("inputs", []))))
        for theme_id, items in columns:
            for position, raw in enumerate(items):
                item = Input(
                    workshop_id=workshop.id,
                    client_key=f"import-{uuid.uuid4()}",
                    text=check_input_text(raw.get("text"), MAX_INPUT_LENGTH_CEILING),
                    theme_id=theme_id,
                    position=position,
                    hidden=bool(raw.get("hidden")),
                    hidden_reason=check_text(raw.get("hidden_reason"), 200),
                    author_name=check_text(raw.get("author_name"), 100),
                )
                received = _when(raw.get("received_at"))
                if received is not None:
                    item.received_at = received
                s.add(item)
                s.flush()
                uow.record("input.created", input_dict(item, named=workshop.named_inputs))
    return workshop
