"""The complete, re-importable JSON export.

Shape (version 1)::

    {"format": "facilitator-export", "version": 1,
     "workshop": {"title", "language", "held_on", "place", "description", "heading",
                  "named_inputs"},
     "themes": [{"title", "summary", "inputs": [INPUT, ...]}, ...],
     "unsorted": [INPUT, ...],
     "manifest": {"received", "listed", "hidden", "themes", "unsorted", "sha256"}}
    INPUT = {"text", "received_at", "hidden", "hidden_reason", "author_name"}

Unlike the other exports it always holds every input: hidden ones stay in
their column at their place with "hidden": true, so an import rebuilds the
board exactly, and the manifest digest can be recomputed from this file
alone. Texts are verbatim (JSON escapes, nothing else). author_name is empty
unless the workshop collects names. "heading" is null unless an explicit
appendix heading was set.
"""

from __future__ import annotations

import json

from .document import ExportDocument, ExportInput, ExportTheme
from .manifest import manifest

FORMAT = "facilitator-export"
VERSION = 1


def _input(item: ExportInput) -> dict:
    return {
        "text": item.text,
        "received_at": item.received_at,
        "hidden": item.hidden,
        "hidden_reason": item.hidden_reason,
        "author_name": item.author_name,
    }


def export_dict(doc: ExportDocument) -> dict:
    """The JSON export as a dict."""
    return {
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
        "themes": [
            {"title": t.title, "summary": t.summary, "inputs": [_input(i) for i in t.column]} for t in doc.themes
        ],
        "unsorted": [_input(i) for i in doc.unsorted_column],
        "manifest": manifest(doc),
    }


def render_json(doc: ExportDocument, variant: str = "appendix", list_hidden: bool = False) -> bytes:
    """Every input and theme as JSON, UTF-8; variant and list_hidden do not apply."""
    return (json.dumps(export_dict(doc), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def document_from_json(data: dict) -> ExportDocument:
    """Rebuild an ExportDocument from the JSON export (ids are renumbered 1.. in board order)."""
    if data.get("format") != FORMAT or data.get("version") != VERSION:
        raise ValueError("not a facilitator-export version 1 file")
    counter = 0

    def column(items: list[dict], title: str | None) -> tuple[ExportInput, ...]:
        nonlocal counter
        out = []
        for position, item in enumerate(items):
            counter += 1
            out.append(
                ExportInput(
                    id=counter,
                    text=item["text"],
                    theme_title=title,
                    position=position,
                    received_at=item.get("received_at"),
                    hidden=bool(item.get("hidden", False)),
                    hidden_reason=item.get("hidden_reason", ""),
                    author_name=item.get("author_name", ""),
                )
            )
        return tuple(out)

    workshop = data["workshop"]
    themes = tuple(
        ExportTheme(t["title"], t.get("summary", ""), column(t["inputs"], t["title"])) for t in data["themes"]
    )
    return ExportDocument(
        title=workshop["title"],
        language=workshop.get("language", "da"),
        held_on=workshop.get("held_on", ""),
        place=workshop.get("place", ""),
        themes=themes,
        unsorted_column=column(data.get("unsorted", []), None),
        named=bool(workshop.get("named_inputs", False)),
        heading=workshop.get("heading"),
        description=workshop.get("description", ""),
    )
