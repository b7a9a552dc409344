"""Inputs from paper and other channels: a batch of texts becomes ordinary inputs, once.

An import carries a key (like a phone's client key): if any input of the
workshop already has it, the import happened and is answered with its stored
inputs, so a double click or a retry adds nothing. Within one import two
identical texts are two inputs (people write the same thing on two post-its).
Every row is checked before anything is written, and all of them are written
in one transaction, so a bad row leaves nothing half-imported.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select

from ..errors import ServiceError
from ..models import Input, Prompt, Theme, Workshop
from ..serialize import input_dict
from .unit import write
from .validation import check_client_key, check_input_text, check_title

# What an import's inputs are called when the facilitator gives no label, by workshop language.
DEFAULT_SOURCE = {"da": "papir", "en": "paper"}
PHONE = "phone"
SOURCE_LIMIT = 40


@dataclass(frozen=True)
class PaperRow:
    """One text to import; row is what an error names (a spreadsheet row, or the text's number)."""

    row: int
    text: object
    theme: str | None = None
    question: str | None = None


def source_label(raw: object, language: str) -> str:
    """The import's source label, defaulting to the workshop language's word for paper."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return DEFAULT_SOURCE.get(language, DEFAULT_SOURCE["da"])
    label = check_title(raw, SOURCE_LIMIT)
    if label.casefold() == PHONE:
        # "phone" marks what phones sent; an import may not pass itself off as that.
        raise ServiceError("invalid")
    return label


def _check_rows(rows: list[PaperRow], workshop: Workshop, limit: int) -> None:
    if not rows:
        raise ServiceError("import_empty")
    if len(rows) > limit:
        raise ServiceError("import_too_many", count=len(rows), limit=limit)
    for row in rows:
        try:
            check_input_text(row.text, workshop.max_input_length)
        except ServiceError as error:
            if error.code == "too_long":
                raise ServiceError("import_too_long", row=row.row, **error.params) from None
            if error.code == "empty":
                raise ServiceError("import_row_empty", row=row.row) from None
            if error.code == "control_characters":
                raise ServiceError("import_control_characters", row=row.row) from None
            raise ServiceError("import_row_invalid", row=row.row) from None


def _by_title(s, model, column, workshop_id: int) -> dict[str, int]:
    found: dict[str, int] = {}
    for item_id, title in s.execute(select(model.id, column).where(model.workshop_id == workshop_id)):
        found.setdefault(title.strip().casefold(), item_id)
    return found


def _match(rows: list[PaperRow], s, workshop_id: int) -> list[tuple[int | None, int | None]]:
    """(theme id, prompt id) per row; a title the workshop does not have is refused, naming the row."""
    themes = _by_title(s, Theme, Theme.title, workshop_id)
    prompts = _by_title(s, Prompt, Prompt.text, workshop_id)
    active = s.execute(
        select(Prompt.id).where(Prompt.workshop_id == workshop_id, Prompt.active.is_(True))
    ).scalar()
    matched = []
    for row in rows:
        theme_id = prompt_id = None
        if row.theme and row.theme.strip():
            theme_id = themes.get(row.theme.strip().casefold())
            if theme_id is None:
                raise ServiceError("import_unknown_theme", row=row.row, theme=row.theme.strip())
        if row.question and row.question.strip():
            prompt_id = prompts.get(row.question.strip().casefold())
            if prompt_id is None:
                raise ServiceError("import_unknown_question", row=row.row, question=row.question.strip())
        matched.append((theme_id, prompt_id if prompt_id is not None else active))
    return matched


def _stored_import(s, workshop_id: int, key: str) -> list[Input]:
    return list(
        s.execute(
            select(Input).where(Input.workshop_id == workshop_id, Input.import_key == key).order_by(Input.id)
        ).scalars()
    )


def import_inputs(
    workshop_id: int, rows: list[PaperRow], source: object, import_key: object, limit: int, actor: str = ""
) -> tuple[list[Input], bool]:
    """Store every row as an input with the import's source; return (inputs, created).

    A key already imported returns that import's inputs and created=False.
    Inputs land at the end of their theme's column (Unsorted without one), in
    row order, answering the row's question or else the active one.
    """
    key = check_client_key(import_key)
    with write(actor) as uow:
        workshop = uow.lock(workshop_id)
        s = uow.session
        existing = _stored_import(s, workshop.id, key)
        if existing:
            return existing, False
        if workshop.purged_at is not None:
            raise ServiceError("conflict")
        label = source_label(source, workshop.language)
        _check_rows(rows, workshop, limit)
        matched = _match(rows, s, workshop.id)
        ends: dict[int | None, int] = {}
        created = []
        for row, (theme_id, prompt_id) in zip(rows, matched):
            if theme_id not in ends:
                where = Input.theme_id.is_(None) if theme_id is None else Input.theme_id == theme_id
                last = s.execute(
                    select(func.max(Input.position)).where(Input.workshop_id == workshop.id, where)
                ).scalar()
                ends[theme_id] = -1 if last is None else last
            ends[theme_id] += 1
            item = Input(
                workshop_id=workshop.id,
                client_key=f"import-{uuid.uuid4()}",
                text=row.text,
                prompt_id=prompt_id,
                theme_id=theme_id,
                position=ends[theme_id],
                source=label,
                import_key=key,
            )
            s.add(item)
            created.append(item)
        s.flush()
        for item in created:
            uow.record("input.created", input_dict(item, named=workshop.named_inputs))
    return created, True
