"""The one structure every document format renders: headings, paragraphs, bullets, manifest.

Building the outline once keeps Markdown, text, HTML and DOCX in step: they
differ only in markup, never in what they list or in which order.

Appendix: heading (level 1), statement, each theme as a level-2 heading with
its visible inputs as bullets in board order, "Unsorted" only when it has
visible inputs, then the hidden inputs (a count line, or with list_hidden a
level-2 section whose bullets carry theme and reason as a note), then the
manifest. Report: title (level 1), date and place, "Summary" (level 2) with
each theme (level 3) and its summary paragraphs, "Inputs per theme" (level
2: a Chart and a Table of the listed counts), then (when there were vote
rounds) "Priorities" (level 2) with a section per round (level 3: meta
lines, a Chart and a Table of the same ranked numbers), a page break, the
appendix.


Questions. A document without questions is laid out exactly as above. With
one question (and every listed input answering it) the question is named in
a paragraph under the appendix heading. With several, the statement is
followed by one level-2 section per question (its heading is the question),
each with its themes as level-3 headings (only those holding some of its
inputs) and its unsorted inputs last; inputs given before any question get a
last section of their own. The report lists the questions under their own
level-2 heading before the summary.
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


@dataclass(frozen=True)
class Chart:
    """A ranked bar chart; the Table after it holds the same numbers as text."""

    caption: str
    rows: tuple  # charts.Row values


@dataclass(frozen=True)
class Table:
    """A small table of numbers; `lines` is the same content as one sentence per row for text formats."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[int, ...]  # the columns holding numbers (right-aligned)
    lines: tuple[str, ...]


Block = Heading | Para | Bullets | Manifest | PageBreak | Chart | Table


def count_blocks(doc: ExportDocument) -> list[Block]:
    """Inputs per theme (listed ones) as a chart and a table, ending the report's summary."""
    from ..charts import Row
    from .votes import vote_phrases

    v = vote_phrases(doc.language)
    counts = doc.theme_counts + ([(phrases(doc.language).unsorted, len(doc.unsorted))] if doc.unsorted else [])
    rows = tuple((title, str(n)) for title, n in counts)
    return [
        Heading(2, v["counts_heading"]),
        Chart(v["counts_chart"], tuple(Row(title, n, 0, 0) for title, n in counts)),
        Table(
            (phrases(doc.language).theme, v["inputs"]),
            rows,
            (1,),
            tuple(v["count_line"].format(title=t, n=n) for t, n in rows),
        ),
    ]


def vote_blocks(doc: ExportDocument) -> list[Block]:
    """The report's section per vote round: what, when, who took part, chart, ranked table."""
    from ..charts import Row
    from .votes import clock, rank_label, vote_phrases

    v = vote_phrases(doc.language)
    blocks: list[Block] = [Heading(2, v["heading"])]
    for r in doc.vote_rounds:
        blocks.append(Heading(3, v["round_" + r.on].format(n=r.number)))
        if r.theme_indexes is not None:
            titles = ", ".join(doc.themes[i].title for i in r.theme_indexes if i < len(doc.themes))
            blocks.append(Para(v["chosen"].format(titles=titles), "meta"))
        when = v["when"] if r.closed_at else v["when_open"]
        blocks.append(Para(when.format(opened=clock(r.opened_at), closed=clock(r.closed_at)), "meta"))
        took_part = v["took_part_one"] if r.voters == 1 else v["took_part"]
        blocks.append(
            Para(took_part.format(voters=r.voters, dots=r.dots_cast, budget=r.dots, cap=r.per_item), "meta")
        )
        listed = r.listed
        if listed:
            blocks.append(
                Chart(v["chart"].format(n=r.number), tuple(Row(i.label, i.votes, i.voters, i.rank) for i in listed))
            )
            rows = tuple((rank_label(r, i, doc.language), i.label, str(i.votes), str(i.voters)) for i in listed)
            blocks.append(
                Table(
                    (v["rank"], v["item_" + r.on[:-1]], v["dots"], v["voters"]),
                    rows,
                    (0, 2, 3),
                    tuple(v["line"].format(rank=a, label=b, dots=c, voters=d) for a, b, c, d in rows),
                )
            )
        unlisted = sum(i.votes for i in r.items if i.hidden)
        if unlisted:
            blocks.append(Para(v["not_listed"].format(n=unlisted), "note"))
    return blocks


def paragraphs(text: str) -> list[str]:
    """A summary split on blank lines, each paragraph trimmed; empty ones dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [p.strip() for p in re.split(r"\n[ \t]*\n", text) if p.strip()]


def one_line(text: str) -> str:
    """A question as a heading: its lines joined by spaces (questions stored before they had to be one line)."""
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


def _question_sections(doc: ExportDocument) -> list[Block]:
    p = phrases(doc.language)
    blocks: list[Block] = []
    for section in doc.sections():
        title = p.without_question if section.question is None else one_line(doc.questions[section.question].text)
        blocks.append(Heading(2, title))
        for theme_title, items in section.themes:
            blocks.append(Heading(3, theme_title))
            blocks.append(Bullets(tuple(Item(i.text) for i in items)))
        if section.unsorted:
            blocks.append(Heading(3, p.unsorted))
            blocks.append(Bullets(tuple(Item(i.text) for i in section.unsorted)))
        if not section.count:
            blocks.append(Para(p.no_inputs_for_question, "note"))
    return blocks


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
        if doc.questions:
            blocks.append(Heading(2, p.questions))
            blocks.append(Bullets(tuple(Item(one_line(q.text)) for q in doc.questions)))
        blocks.append(Heading(2, p.summary))
        for theme in doc.themes:
            blocks.append(Heading(3, theme.title))
            blocks.extend(Para(text, "summary") for text in paragraphs(theme.summary))
        if doc.themes and doc.total_listed:
            blocks.extend(count_blocks(doc))
        if doc.vote_rounds:
            blocks.extend(vote_blocks(doc))
        blocks.append(PageBreak())
    blocks.append(Heading(1, doc.appendix_heading))
    if doc.questions and not doc.by_question:
        blocks.append(Para(p.question_line(one_line(doc.questions[0].text)), "question"))
    blocks.append(Para(p.statement_for(doc.total_listed, doc.listed_sources), "statement"))
    if doc.by_question:
        blocks.extend(_question_sections(doc))
    else:
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
