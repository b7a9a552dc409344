"""The one structure every document format renders: headings, paragraphs, bullets, manifest.

Building the outline once keeps Markdown, text, HTML and DOCX in step: they
differ only in markup, never in what they list or in which order.

Appendix: heading (level 1), statement, each theme as a level-2 heading with
its visible inputs as bullets in board order, "Unsorted" only when it has
visible inputs, then the hidden inputs (a count line, or with list_hidden a
level-2 section whose bullets carry theme and reason as a note), then the
manifest. Report: title (level 1), date and place, "Summary" (level 2) with
each theme (level 3) and its summary paragraphs, a page break, the appendix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .document import ExportDocument
from .manifest import manifest_lines
from .phrases import phrases

VARIANTS = ("appendix", "report")


@dataclass(frozen=True)
class Heading:
    level: int
    text: str


@dataclass(frozen=True)
class Para:
    text: str
    # statement, meta, summary or note: lets a format style them apart.
    role: str


@dataclass(frozen=True)
class Item:
    text: str
    note: str | None = None


@dataclass(frozen=True)
class Bullets:
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Manifest:
    title: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Para | Bullets | Manifest | PageBreak


def paragraphs(text: str) -> list[str]:
    """A summary split on blank lines, each paragraph trimmed; empty ones dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [p.strip() for p in re.split(r"\n[ \t]*\n", text) if p.strip()]


def check_variant(variant: str) -> str:
    """The variant if known, else ValueError."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown export variant {variant!r}; expected one of {', '.join(VARIANTS)}")
    return variant


def outline(doc: ExportDocument, variant: str = "appendix", list_hidden: bool = False) -> list[Block]:
    """The blocks of the chosen variant, in reading order."""
    check_variant(variant)
    p = phrases(doc.language)
    blocks: list[Block] = []
    if variant == "report":
        blocks.append(Heading(1, doc.title))
        if doc.held_on:
            blocks.append(Para(p.held_on(doc.held_on), "meta"))
        if doc.place:
            blocks.append(Para(p.place_line(doc.place), "meta"))
        blocks.append(Heading(2, p.summary))
        for theme in doc.themes:
            blocks.append(Heading(3, theme.title))
            blocks.extend(Para(text, "summary") for text in paragraphs(theme.summary))
        blocks.append(PageBreak())
    blocks.append(Heading(1, doc.appendix_heading))
    blocks.append(Para(p.statement(doc.total_listed), "statement"))
    for theme in doc.themes:
        blocks.append(Heading(2, theme.title))
        if theme.inputs:
            blocks.append(Bullets(tuple(Item(i.text) for i in theme.inputs)))
    if doc.unsorted:
        blocks.append(Heading(2, p.unsorted))
        blocks.append(Bullets(tuple(Item(i.text) for i in doc.unsorted)))
    if doc.hidden:
        if list_hidden:
            blocks.append(Heading(2, p.hidden_heading.format(n=doc.total_hidden)))
            blocks.append(
                Bullets(tuple(Item(i.text, p.hidden_note(i.theme_title, i.hidden_reason)) for i in doc.hidden))
            )
        else:
            blocks.append(Para(p.hidden_count(doc.total_hidden), "note"))
    title, lines = manifest_lines(doc)
    blocks.append(Manifest(title, tuple(lines)))
    return blocks
