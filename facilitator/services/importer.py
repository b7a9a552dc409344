"""Rebuild a workshop from its JSON export, through the unit of work like any other write.

A big import must not hold the database's write lock (SQLite has one for the
whole file) while phones of other workshops post. So the whole file is
validated first, outside any transaction; then the workshop is created as
"importing" (no phone can post to it, nobody can open it), its inputs go in
batches of IMPORT_BATCH_SIZE, each its own short transaction, and a last
transaction closes it. Other writes queue between batches. If anything fails
after the first transaction, the half-built workshop is deleted again: an
import is all or nothing. Progress is kept in this process (`progress()`).

Questions come back in their order with the one that was active, and each
input with the question it answered and its source (see export/json_format.py).
"""

from __future__ import annotations

import logging
import secrets
import threading
import uuid
from typing import TYPE_CHECKING

from flask import current_app

from ..db import database
from ..errors import ServiceError  # noqa: F401 (what an import refuses with; tests name it here)
from ..models import Input, Prompt, Theme, Workshop, utcnow
from ..serialize import input_dict, prompt_dict, theme_dict, workshop_dict
from .unit import write
from .votes import restore_vote_round
from .workshops import MAX_INPUT_LENGTH_CEILING, free_join_code

if TYPE_CHECKING:
    from ..export.document import ExportInput

IMPORTING = "importing"
log = logging.getLogger(__name__)

# workshop id -> (inputs stored, inputs in the file), while its import runs in this process
_progress: dict[int, tuple[int, int]] = {}
_progress_lock = threading.Lock()


def progress(workshop_id: int) -> tuple[int, int] | None:
    """(inputs stored, inputs in the file) of an import running in this process, else None."""
    with _progress_lock:
        return _progress.get(workshop_id)


def _set_progress(workshop_id: int, value: tuple[int, int] | None) -> None:
    with _progress_lock:
        if value is None:
            _progress.pop(workshop_id, None)
        else:
            _progress[workshop_id] = value


def import_workshop(owner_id: int, data: object, actor: str = "") -> Workshop:
    """Create a closed workshop holding the export's themes, summaries, inputs and vote results."""
    # The export package reads files with the services' checks, so it is imported when needed, not at start.
    from ..export.json_format import document_from_json

    doc = document_from_json(data, max_inputs=int(current_app.config["IMPORT_MAX_INPUTS"]))
    # Unsorted first, then the themes in order: column n is theme_ids[n] below.
    columns = [doc.unsorted_column] + [t.column for t in doc.themes]
    rows = [(number, item) for number, column in enumerate(columns) for item in column]
    total = len(rows)
    theme_fields = [(t.title, t.summary) for t in doc.themes]
    question_fields = [(q.text, q.active) for q in doc.questions]
    # Checked by document_from_json (each round against the board); restore_vote_round reads them as stored.
    rounds = data.get("vote_rounds", [])
    workshop_fields = dict(
        title=doc.title,
        description=doc.description,
        language=doc.language,
        place=doc.place,
        held_on=doc.held_on,
        named_inputs=doc.named,
    )

    with write(actor) as uow:
        s = uow.session
        workshop = Workshop(
            **workshop_fields,
            join_code=free_join_code(s),
            status=IMPORTING,
            retention_days=current_app.config.get("RETENTION_DAYS", 90),
            projector_secret=secrets.token_urlsafe(24),
            owner_id=owner_id,
            max_input_length=MAX_INPUT_LENGTH_CEILING,
            seq=0,
        )
        s.add(workshop)
        s.flush()
        uow.workshop = workshop
        uow.record("workshop.created", workshop_dict(workshop))
        prompt_ids: list[int] = []
        for position, (text, active) in enumerate(question_fields):
            prompt = Prompt(workshop_id=workshop.id, text=text, position=position, active=active)
            s.add(prompt)
            s.flush()
            uow.record("prompt.created", prompt_dict(prompt))
            prompt_ids.append(prompt.id)
        theme_ids: list[int | None] = [None]
        for position, (title, summary) in enumerate(theme_fields):
            theme = Theme(workshop_id=workshop.id, title=title, summary=summary, position=position)
            s.add(theme)
            s.flush()
            uow.record("theme.created", theme_dict(theme, []))
            theme_ids.append(theme.id)
    workshop_id = workshop.id
    _set_progress(workshop_id, (0, total))
    try:
        batch = max(1, int(current_app.config["IMPORT_BATCH_SIZE"]))
        # Input ids by column, keyed as the export's vote rounds name columns (theme index, None: unsorted).
        placed: dict[int | None, list[int]] = {None: [], **{n: [] for n in range(len(theme_fields))}}
        for start in range(0, total, batch):
            stored = _insert(workshop_id, theme_ids, prompt_ids, rows[start : start + batch], workshop.named_inputs, actor)
            for (number, _item), input_id in zip(rows[start : start + batch], stored):
                placed[None if number == 0 else number - 1].append(input_id)
            _set_progress(workshop_id, (min(start + batch, total), total))
            database().yield_to_waiting_writers()
        with write(actor) as uow:
            workshop = uow.lock(workshop_id, importing_ok=True)
            workshop.status = "closed"
            workshop.closed_at = utcnow()  # an imported workshop is closed: its retention clock starts now
            uow.record("workshop.status", {"status": "closed"})
            for raw in rounds:
                restore_vote_round(uow, workshop_id, raw, theme_ids[1:], placed)
    except BaseException:
        _undo(workshop_id, actor)
        raise
    finally:
        _set_progress(workshop_id, None)
    return workshop


def _insert(workshop_id: int, theme_ids: list[int | None], prompt_ids: list[int], rows: list[tuple[int, ExportInput]],
            named: bool, actor: str) -> list[int]:
    """One batch of (column, input) in one short transaction; their ids, in the batch's order."""
    from ..export.json_format import parse_time

    stored: list[int] = []
    with write(actor) as uow:
        uow.lock(workshop_id, importing_ok=True)
        s = uow.session
        for number, row in rows:
            item = Input(
                workshop_id=workshop_id,
                client_key=f"import-{uuid.uuid4()}",
                text=row.text,
                theme_id=theme_ids[number],
                position=row.position,
                hidden=row.hidden,
                hidden_reason=row.hidden_reason,
                author_name=row.author_name,
                prompt_id=None if row.question is None else prompt_ids[row.question],
                source=row.source,
                suggested=row.suggested,
            )
            received_at = parse_time(row.received_at)
            if received_at is not None:
                item.received_at = received_at
            s.add(item)
            s.flush()
            stored.append(item.id)
            uow.record("input.created", input_dict(item, named=named))
    return stored


def _undo(workshop_id: int, actor: str) -> None:
    """Delete a half-imported workshop (an import is all or nothing)."""
    from .retention import delete_workshop

    try:
        delete_workshop(workshop_id, actor=actor)
    except Exception:
        # The database itself failed (it is what stopped the import): the workshop stays
        # "importing", which nobody can open for input; deleting it by hand removes it.
        log.exception("could not remove the half-imported workshop %s", workshop_id)
