"""The complete, re-importable JSON export.

Shape (version 1)::

    {"format": "facilitator-export", "version": 1,
     "workshop": {"title", "language", "held_on", "place", "description", "heading",
                  "named_inputs"},
     "themes": [{"title", "summary", "inputs": [INPUT, ...]}, ...],
     "unsorted": [INPUT, ...],
     "manifest": {"received", "listed", "hidden", "themes", "unsorted", "suggested", "sha256"},
     "vote_rounds": [ROUND, ...]}            (only when the workshop had vote rounds)
    INPUT = {"text", "received_at", "hidden", "hidden_reason", "author_name", "source", "suggested"[, "question"]}

    ROUND = {"number", "on": "themes"|"inputs", "theme_indexes": [i, ...] | null, "dots",
             "per_item", "reveal", "status", "opened_at", "closed_at", "voters", "dots_cast",
             "items": [{"kind", "theme", "position"?, "votes", "voters", "rank"}, ...]}

A round's items name their place on the board: "theme" is an index into
"themes" (for an input, its column; null for unsorted) and "position" an
index into that column. Totals only: who voted what is never exported.

A workshop that asked questions also has, after "workshop",
``"questions": [{"text", "active"}, ...]`` in the workshop's order, and every
INPUT has "question": the 1-based number of the question it answered, or
null. A workshop without questions has neither key (its file is as before).

Unlike the other exports it always holds every input: hidden ones stay in
their column at their place with "hidden": true, so an import rebuilds the
board exactly, and the manifest digest can be recomputed from this file
alone. Texts are verbatim (JSON escapes, nothing else). author_name is empty
unless the workshop collects names. "source" is "phone", or the label of the
import of paper inputs that brought the input in (a file without it reads as
"phone"). "heading" is null unless an explicit
appendix heading was set. "suggested" is true for an input that an accepted
suggestion put in its theme (the move's event says `suggested: true` too);
the manifest's "suggested" counts them. Files without it read as false.
"""

from __future__ import annotations

import json
from datetime import datetime

from ..config import LANGUAGES
from ..errors import ServiceError
# The checks every write applies: a file that reads here can be imported as it is.
from ..services.prompts import PROMPT_LIMIT
from ..services.validation import check_input_text, check_text, check_title
from ..services.workshops import MAX_INPUT_LENGTH_CEILING
from .document import PHONE, ExportDocument, ExportInput, ExportQuestion, ExportTheme
from .manifest import manifest
from .votes import round_from_json, round_to_json

FORMAT = "facilitator-export"
VERSION = 1


def _input(item: ExportInput, doc: ExportDocument) -> dict:
    data = {
        "text": item.text,
        "received_at": item.received_at,
        "hidden": item.hidden,
        "hidden_reason": item.hidden_reason,
        "author_name": item.author_name,
        "source": item.source,
        "suggested": item.suggested,
    }
    if doc.questions:
        data["question"] = doc.question_number(item)
    return data


def export_dict(doc: ExportDocument) -> dict:
    """The JSON export as a dict."""
    data: dict = {
        "format": FORMAT,
        "version": VERSION,
        "workshop": {
            "title": doc.title,
            "language": doc.language,
            "held_on": doc.held_on,
            "place": doc.place,
            "description": doc.description,
            "heading": doc.heading,
            "named_inputs": doc.named,
        },
    }
    if doc.questions:
        data["questions"] = [{"text": q.text, "active": q.active} for q in doc.questions]
    data["themes"] = [
        {"title": t.title, "summary": t.summary, "inputs": [_input(i, doc) for i in t.column]} for t in doc.themes
    ]
    data["unsorted"] = [_input(i, doc) for i in doc.unsorted_column]
    data["manifest"] = manifest(doc)
    if doc.vote_rounds:
        data["vote_rounds"] = [round_to_json(r) for r in doc.vote_rounds]
    return data


def render_json(doc: ExportDocument, variant: str = "appendix", list_hidden: bool = False) -> bytes:
    """Every input and theme as JSON, UTF-8; variant and list_hidden do not apply."""
    return (json.dumps(export_dict(doc), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


class InvalidExport(ServiceError, ValueError):
    """A file that is no valid JSON export: a refusal (with its code) to the importer, a ValueError to readers."""


def parse_time(value: object) -> datetime | None:
    """A file's ISO 8601 moment ("Z" for UTC), None when absent; InvalidExport when malformed."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidExport("invalid") from None


def document_from_json(data: object, max_inputs: int | None = None) -> ExportDocument:
    """Check a JSON export and rebuild its ExportDocument (ids 1.. in board order): the import, verify and readback all read it so.

    Every text goes through the checks a write applies, so a file that reads
    here can be imported; max_inputs refuses a larger file before its inputs
    are checked. Raises InvalidExport.
    """
    try:
        return _document(data, max_inputs)
    except InvalidExport:
        raise
    except ServiceError as error:
        raise InvalidExport(error.code, **error.params) from None


def _document(data: object, max_inputs: int | None) -> ExportDocument:
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != VERSION:
        raise InvalidExport("invalid")
    meta = data.get("workshop")
    if not isinstance(meta, dict) or meta.get("language") not in LANGUAGES:
        raise InvalidExport("invalid")
    raw_themes = _items(data.get("themes", []))
    theme_fields = [(check_title(t.get("title")), check_text(t.get("summary"), 20000)) for t in raw_themes]
    raw_columns = [_items(t.get("inputs", [])) for t in raw_themes] + [_items(data.get("unsorted", []))]
    total = sum(len(c) for c in raw_columns)
    if max_inputs is not None and total > max_inputs:
        raise InvalidExport("import_too_large", count=total, limit=max_inputs)
    raw_questions = _items(data.get("questions") or [])
    if sum(1 for q in raw_questions if q.get("active") is True) > 1:
        raise InvalidExport("invalid")
    questions = tuple(ExportQuestion(_question_text(q.get("text")), q.get("active") is True) for q in raw_questions)
    counter = 0

    def column(items: list[dict], title: str | None) -> tuple[ExportInput, ...]:
        nonlocal counter
        out = []
        for position, item in enumerate(items):
            counter += 1
            received_at = item.get("received_at")
            parse_time(received_at)
            out.append(
                ExportInput(
                    id=counter,
                    text=check_input_text(item.get("text"), MAX_INPUT_LENGTH_CEILING),
                    theme_title=title,
                    position=position,
                    received_at=received_at if isinstance(received_at, str) and received_at else None,
                    hidden=_flag(item.get("hidden")),
                    hidden_reason=check_text(item.get("hidden_reason"), 200),
                    author_name=check_text(item.get("author_name"), 100),
                    question=_question_index(item.get("question"), len(questions)),
                    source=_source(item.get("source")),
                    suggested=item.get("suggested") is True and title is not None,
                )
            )
        return tuple(out)

    themes = tuple(ExportTheme(title, summary, column(items, title)) for (title, summary), items in zip(theme_fields, raw_columns))
    unsorted = column(raw_columns[-1], None)
    heading = meta.get("heading")
    try:
        rounds = tuple(round_from_json(r, themes, unsorted) for r in _items(data.get("vote_rounds", [])))
    except (KeyError, IndexError, TypeError, AttributeError):
        raise InvalidExport("invalid") from None
    return ExportDocument(
        title=check_title(meta.get("title")),
        language=meta["language"],
        held_on=check_text(meta.get("held_on"), 10),
        place=check_text(meta.get("place"), 200),
        themes=themes,
        unsorted_column=unsorted,
        named=_flag(meta.get("named_inputs")),
        heading=check_title(heading) if heading else None,
        description=check_text(meta.get("description"), 5000),
        questions=questions,
        vote_rounds=rounds,
    )


def _items(raw: object) -> list[dict]:
    if not isinstance(raw, list) or not all(isinstance(i, dict) for i in raw):
        raise InvalidExport("invalid")
    return raw


def _flag(value: object) -> bool:
    """A JSON boolean, absent meaning false; anything else ("false", 0, "no") is refused, never guessed."""
    if value is None:
        return False
    if not isinstance(value, bool):
        raise InvalidExport("invalid")
    return value


def _question_text(value: object) -> str:
    # As lenient as the export may be: questions stored before they had to be one line come back as stored.
    text = check_text(value, PROMPT_LIMIT)
    if not text.strip():
        raise InvalidExport("empty")
    return text


def _source(value: object) -> str:
    # "phone" (or absent, in files from before sources were recorded), else an import's label.
    return PHONE if value in (None, "", PHONE) else check_title(value, 40)


def _question_index(number: object, count: int) -> int | None:
    """A file's 1-based question number as an index; InvalidExport for a number no question has."""
    if number is None:
        return None
    if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= count:
        raise InvalidExport("invalid")
    return number - 1
