"""The export's view of a workshop: frozen, database-free, in board order.

Every format renders an ExportDocument, so the formats can be tested without a
database and always agree on what is listed. A theme keeps its whole column
(hidden inputs included, in board order); `inputs` and `hidden` are views of
it, so the JSON export can put hidden inputs back where they were while every
other format lists only the visible ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from .phrases import phrases


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
        """Visible inputs as the appendix lists them: themes in order, then unsorted."""
        return tuple(i for t in self.themes for i in t.inputs) + self.unsorted

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
    def theme_counts(self) -> list[tuple[str, int]]:
        """(title, listed count) per theme, in order."""
        return [(t.title, t.count) for t in self.themes]

    @property
    def appendix_heading(self) -> str:
        """The explicit heading, else the language's default."""
        if self.heading:
            return self.heading
        return phrases(self.language).default_heading(self.title)


def _export_input(item, theme_title: str | None, position: int, named: bool) -> ExportInput:
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
    )


def build_document(session, workshop, heading: str | None = None) -> ExportDocument:
    """Read a workshop's board into an ExportDocument (hidden inputs kept in their columns)."""
    from ..queries import board

    themes, columns = board(session, workshop)
    named = bool(workshop.named_inputs)
    export_themes = tuple(
        ExportTheme(
            title=t.title,
            summary=t.summary or "",
            column=tuple(
                _export_input(item, t.title, n, named) for n, item in enumerate(columns.get(t.id, []))
            ),
        )
        for t in themes
    )
    unsorted = tuple(_export_input(item, None, n, named) for n, item in enumerate(columns.get(None, [])))
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
