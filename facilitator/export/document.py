"""The export's view of a workshop: frozen, database-free, in board order.

Every format renders an ExportDocument, so the formats can be tested without a
database and always agree on what is listed. Questions (prompts) are
optional: a document without any is laid out exactly as before; with several
(or answers given before any question) the appendix has a section per
question, see sections(). A theme keeps its whole column
(hidden inputs included, in board order); `inputs` and `hidden` are views of
it, so the JSON export can put hidden inputs back where they were while every
other format lists only the visible ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from .phrases import phrases
from .votes import ExportRound

PHONE = "phone"


@dataclass(frozen=True)
class ExportInput:
    """One input exactly as stored; position is 0-based within its full column."""

    id: int
    text: str
    theme_title: str | None
    position: int
    received_at: str | None = None
    hidden: bool = False
    hidden_reason: str = ""
    author_name: str = ""
    # "phone", or the label of the import that brought it in ("papir", "e-mail", ...).
    source: str = PHONE
    # 0-based index into ExportDocument.questions of the question it answered, None for none.
    question: int | None = None

    # Placed in its theme by an accepted suggestion (services.move_input(suggested=True)).
    suggested: bool = False


@dataclass(frozen=True)
class ExportQuestion:
    """A question the workshop asked, in the workshop's order."""

    text: str
    active: bool = False


@dataclass(frozen=True)
class QuestionSection:
    """One question's part of the appendix: its listed inputs by theme, in board order."""

    question: int | None  # index into questions; None: inputs given without a question
    themes: tuple[tuple[str, tuple[ExportInput, ...]], ...]
    unsorted: tuple[ExportInput, ...]

    @property
    def count(self) -> int:
        """How many inputs this section lists."""
        return sum(len(items) for _title, items in self.themes) + len(self.unsorted)


@dataclass(frozen=True)
class ExportTheme:
    """A theme and its column in board order, hidden inputs included."""

    title: str
    summary: str
    column: tuple[ExportInput, ...] = ()

    @property
    def inputs(self) -> tuple[ExportInput, ...]:
        """The visible inputs, in board order."""
        return tuple(i for i in self.column if not i.hidden)

    @property
    def hidden(self) -> tuple[ExportInput, ...]:
        """The hidden inputs, in board order."""
        return tuple(i for i in self.column if i.hidden)

    @property
    def count(self) -> int:
        """How many inputs this theme lists."""
        return len(self.inputs)


@dataclass(frozen=True)
class ExportDocument:
    """A whole workshop as the exports see it."""

    title: str
    language: str
    held_on: str = ""
    place: str = ""
    themes: tuple[ExportTheme, ...] = ()
    unsorted_column: tuple[ExportInput, ...] = ()
    named: bool = False
    heading: str | None = None
    description: str = ""
    questions: tuple[ExportQuestion, ...] = ()
    vote_rounds: tuple[ExportRound, ...] = ()

    @property
    def unsorted(self) -> tuple[ExportInput, ...]:
        """Visible inputs in no theme, in board order."""
        return tuple(i for i in self.unsorted_column if not i.hidden)

    @property
    def hidden(self) -> tuple[ExportInput, ...]:
        """Hidden inputs: each theme's in order, then the unsorted column's."""
        found = [i for t in self.themes for i in t.hidden]
        found.extend(i for i in self.unsorted_column if i.hidden)
        return tuple(found)

    @property
    def listed(self) -> tuple[ExportInput, ...]:
        """Visible inputs as the appendix lists them: themes in order, then unsorted (per question if by_question)."""
        if self.by_question:
            found: list[ExportInput] = []
            for section in self.sections():
                found.extend(i for _title, items in section.themes for i in items)
                found.extend(section.unsorted)
            return tuple(found)
        return tuple(i for t in self.themes for i in t.inputs) + self.unsorted

    def sections(self) -> list[QuestionSection]:
        """One section per question in order, then one for visible inputs given without a question (if any).

        A section lists only the themes that hold some of its inputs, so every
        listed input appears in exactly one section, under its own theme.
        """
        keys: list[int | None] = list(range(len(self.questions)))
        if any(i.question is None for i in self.listed_flat()):
            keys.append(None)
        return [
            QuestionSection(
                question=key,
                themes=tuple(
                    (t.title, picked)
                    for t in self.themes
                    if (picked := tuple(i for i in t.inputs if i.question == key))
                ),
                unsorted=tuple(i for i in self.unsorted if i.question == key),
            )
            for key in keys
        ]

    def listed_flat(self) -> tuple[ExportInput, ...]:
        """Visible inputs in board order (themes, then unsorted), whatever the question."""
        return tuple(i for t in self.themes for i in t.inputs) + self.unsorted

    @property
    def by_question(self) -> bool:
        """Whether the appendix has one section per question: several questions, or answers without one."""
        if not self.questions:
            return False
        return len(self.questions) > 1 or any(i.question is None for i in self.listed_flat())

    def question_number(self, item: ExportInput) -> int | None:
        """The 1-based number of the question an input answered, None for none."""
        return None if item.question is None else item.question + 1

    def question_text(self, item: ExportInput) -> str:
        """The text of the question an input answered, "" for none."""
        return "" if item.question is None else self.questions[item.question].text

    @property
    def total_listed(self) -> int:
        """How many inputs the appendix lists."""
        return sum(t.count for t in self.themes) + len(self.unsorted)

    @property
    def total_hidden(self) -> int:
        """How many inputs were hidden."""
        return len(self.hidden)

    @property
    def total_received(self) -> int:
        """Every input received: listed plus hidden."""
        return self.total_listed + self.total_hidden

    @property
    def total_suggested(self) -> int:
        """How many inputs are in their theme by an accepted suggestion."""
        return sum(1 for t in self.themes for i in t.column if i.suggested)

    @property
    def theme_counts(self) -> list[tuple[str, int]]:
        """(title, listed count) per theme, in order."""
        return [(t.title, t.count) for t in self.themes]

    @property
    def listed_sources(self) -> list[tuple[str, int]]:
        """(source label, count) of the listed inputs that did not come from a phone, first seen first."""
        return _source_counts(self.listed)

    @property
    def received_sources(self) -> list[tuple[str, int]]:
        """(source label, count) of every received input that did not come from a phone."""
        return _source_counts(self.listed + self.hidden)

    @property
    def has_sources(self) -> bool:
        """Whether any input, listed or hidden, came from somewhere other than a phone."""
        return bool(self.received_sources)

    @property
    def appendix_heading(self) -> str:
        """The explicit heading, else the language's default."""
        if self.heading:
            return self.heading
        return phrases(self.language).default_heading(self.title)


def _source_counts(items) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for item in items:
        if item.source != PHONE:
            counts[item.source] = counts.get(item.source, 0) + 1
    return list(counts.items())


def _export_input(item, theme_title: str | None, position: int, named: bool, questions: dict | None = None) -> ExportInput:
    # Imported here so the package stays importable without the app's models.
    from ..serialize import iso

    return ExportInput(
        id=item.id,
        text=item.text,
        theme_title=theme_title,
        position=position,
        received_at=iso(item.received_at),
        hidden=bool(item.hidden),
        hidden_reason=item.hidden_reason or "",
        author_name=(item.author_name or "") if named else "",
        question=(questions or {}).get(item.prompt_id),
        source=item.source or PHONE,
        suggested=bool(getattr(item, "suggested", False)) and theme_title is not None,
    )


def build_document(session, workshop, heading: str | None = None) -> ExportDocument:
    """Read a workshop's board into an ExportDocument (hidden inputs kept in their columns)."""
    from ..queries import board

    from sqlalchemy import select

    from ..models import Prompt

    themes, columns = board(session, workshop)
    named = bool(workshop.named_inputs)
    prompts = list(
        session.execute(
            select(Prompt).where(Prompt.workshop_id == workshop.id).order_by(Prompt.position, Prompt.id)
        ).scalars()
    )
    questions = {p.id: n for n, p in enumerate(prompts)}
    export_themes = tuple(
        ExportTheme(
            title=t.title,
            summary=t.summary or "",
            column=tuple(
                _export_input(item, t.title, n, named, questions) for n, item in enumerate(columns.get(t.id, []))
            ),
        )
        for t in themes
    )
    unsorted = tuple(_export_input(item, None, n, named, questions) for n, item in enumerate(columns.get(None, [])))
    from .votes import build_rounds

    return ExportDocument(
        title=workshop.title,
        language=workshop.language if workshop.language in ("da", "en") else "da",
        held_on=workshop.held_on or "",
        place=workshop.place or "",
        themes=export_themes,
        unsorted_column=unsorted,
        named=named,
        heading=heading,
        description=workshop.description or "",
        questions=tuple(ExportQuestion(p.text, bool(p.active)) for p in prompts),
        vote_rounds=build_rounds(session, workshop, themes, columns),
    )


def document_from_seed(data: dict, heading: str | None = None) -> ExportDocument:
    """Build from the seed JSON shape: ids 1.. in order, nothing hidden or unsorted."""
    next_id = 0
    themes = []
    for theme in data.get("themes", []):
        column = []
        for position, text in enumerate(theme.get("inputs", [])):
            next_id += 1
            column.append(ExportInput(id=next_id, text=text, theme_title=theme["title"], position=position))
        themes.append(ExportTheme(title=theme["title"], summary=theme.get("summary", ""), column=tuple(column)))
    return ExportDocument(
        title=data["title"],
        language=data.get("language", "da"),
        held_on=data.get("held_on", ""),
        place=data.get("place", ""),
        themes=tuple(themes),
        named=False,
        heading=heading if heading is not None else data.get("appendix_heading"),
    )
