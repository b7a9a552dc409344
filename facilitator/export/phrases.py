"""Every fixed phrase of the exports, in Danish and English, in this one place.

The phrases follow the workshop's language, not the language of whoever
downloads the export: the appendix is filed with the workshop's documents.
Dates are formatted here rather than through the locale so a server without
Danish locale data still writes "13. august 2025".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable

_DA_MONTHS = (
    "januar", "februar", "marts", "april", "maj", "juni",
    "juli", "august", "september", "oktober", "november", "december",
)
_EN_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


def _da_statement(n: int) -> str:
    if n == 0:
        return "Der er ingen input at liste."
    if n == 1:
        return "Der er ikke blevet redigeret i det nedenstående input."
    return f"Der er ikke blevet redigeret i de nedenstående {n} input."


def _en_statement(n: int) -> str:
    if n == 0:
        return "There are no inputs to list."
    if n == 1:
        return "The 1 input below has not been edited."
    return f"The {n} inputs below have not been edited."


def _da_from(sources: list[tuple[str, int]]) -> str:
    parts = [f"{n} fra {label}" for label, n in sources]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " og " + parts[-1]


def _da_statement_sources(n: int, sources: list[tuple[str, int]]) -> str:
    if n == 1:
        return f"Der er ikke blevet redigeret i det nedenstående input, som er fra {sources[0][0]}."
    return f"Der er ikke blevet redigeret i de nedenstående {n} input, heraf {_da_from(sources)}."


def _en_statement_sources(n: int, sources: list[tuple[str, int]]) -> str:
    if n == 1:
        return f"The 1 input below, from {sources[0][0]}, has not been edited."
    parts = [f"{count} from {label}" for label, count in sources]
    parts[0] = parts[0].replace(" from ", " of them from ", 1)
    joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"The {n} inputs below, {joined}, have not been edited."


def _da_date(day: date) -> str:
    return f"{day.day}. {_DA_MONTHS[day.month - 1]} {day.year}"


def _en_date(day: date) -> str:
    return f"{day.day} {_EN_MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class Phrases:
    """The fixed phrases of one language."""

    code: str
    heading_prefix: str
    statement: Callable[[int], str]
    # The statement when some listed inputs came from paper or another channel: (n, [(label, count)]).
    statement_sources: Callable[[int, list[tuple[str, int]]], str]
    unsorted: str
    hidden_heading: str  # takes {n}
    hidden_not_listed_one: str
    hidden_not_listed_many: str  # takes {n}
    theme: str
    reason: str
    no_reason: str
    held_on_prefix: str
    format_date: Callable[[date], str]
    place: str
    summary: str
    manifest: str
    received: str
    listed: str
    hidden: str
    suggested: str  # manifest line: inputs placed by an accepted suggestion
    yes: str
    no: str
    # Where inputs came from: the manifest line "<source>: papir: 20" and the CSV/XLSX column.
    source: str
    # CSV/XLSX header: theme, position, text, received_at, hidden, hidden_reason, author.
    columns: tuple[str, ...]
    # Questions (only in documents that have any): a label, the report's heading, the
    # section of inputs given before any question, an empty question's line.
    question: str = ""
    questions: str = ""
    without_question: str = ""
    no_inputs_for_question: str = ""

    def question_line(self, text: str) -> str:
        """The line naming the one question under the appendix heading."""
        return f"{self.question}: {text}"

    def statement_for(self, n: int, sources: list[tuple[str, int]]) -> str:
        """The appendix statement; it counts inputs from paper and other channels only when there are any."""
        return self.statement_sources(n, sources) if sources and n else self.statement(n)

    def default_heading(self, title: str) -> str:
        """The appendix heading when none is set: the prefix and the title as written."""
        return self.heading_prefix + title

    def hidden_count(self, n: int) -> str:
        """The line saying how many inputs were hidden and left out."""
        return self.hidden_not_listed_one if n == 1 else self.hidden_not_listed_many.format(n=n)

    def hidden_note(self, theme_title: str | None, reason: str) -> str:
        """Where a hidden input was and why it was hidden."""
        where = theme_title if theme_title is not None else self.unsorted
        return f"{self.theme}: {where}. {self.reason}: {reason or self.no_reason}"

    def held_on(self, held_on: str) -> str:
        """'Afholdt 13. august 2025' from an ISO date; an unparsable date is shown as written."""
        try:
            text = self.format_date(date.fromisoformat(held_on))
        except ValueError:
            text = held_on
        return f"{self.held_on_prefix} {text}"

    def place_line(self, place: str) -> str:
        """The place line of the report."""
        return f"{self.place}: {place}"


DA = Phrases(
    code="da",
    heading_prefix="Input fra ",
    statement=_da_statement,
    statement_sources=_da_statement_sources,
    unsorted="Ikke sorteret",
    hidden_heading="Skjulte input ({n})",
    hidden_not_listed_one="1 input er skjult og ikke medtaget i listen.",
    hidden_not_listed_many="{n} input er skjult og ikke medtaget i listen.",
    theme="Tema",
    reason="Begrundelse",
    no_reason="(ingen)",
    held_on_prefix="Afholdt",
    format_date=_da_date,
    place="Sted",
    summary="Opsummering",
    manifest="Optælling",
    received="Modtaget",
    listed="Listet",
    hidden="Skjult",
    suggested="Placeret efter forslag",
    yes="ja",
    no="nej",
    source="Kilde",
    columns=("Tema", "Placering", "Tekst", "Modtaget", "Skjult", "Begrundelse", "Navn"),
    question="Spørgsmål",
    questions="Spørgsmål",
    without_question="Uden spørgsmål",
    no_inputs_for_question="Der er ingen input til dette spørgsmål.",
)

EN = Phrases(
    code="en",
    heading_prefix="Inputs from ",
    statement=_en_statement,
    statement_sources=_en_statement_sources,
    unsorted="Unsorted",
    hidden_heading="Hidden inputs ({n})",
    hidden_not_listed_one="1 input was hidden and is not listed.",
    hidden_not_listed_many="{n} inputs were hidden and are not listed.",
    theme="Theme",
    reason="Reason",
    no_reason="(none)",
    held_on_prefix="Held on",
    format_date=_en_date,
    place="Place",
    summary="Summary",
    manifest="Count",
    received="Received",
    listed="Listed",
    hidden="Hidden",
    suggested="Placed by suggestion",
    yes="yes",
    no="no",
    source="Source",
    columns=("Theme", "Position", "Text", "Received at", "Hidden", "Hidden reason", "Author"),
    question="Question",
    questions="Questions",
    without_question="Without a question",
    no_inputs_for_question="There are no inputs to this question.",
)

# One set of phrases per language of config.LANGUAGES.
PHRASES = {"da": DA, "en": EN}


def phrases(language: str) -> Phrases:
    """The phrases of a document language; Danish when the language is unknown."""
    return PHRASES.get(language, DA)
