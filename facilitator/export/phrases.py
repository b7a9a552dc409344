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
    yes: str
    no: str
    # CSV/XLSX header: theme, position, text, received_at, hidden, hidden_reason, author.
    columns: tuple[str, ...]

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
    yes="ja",
    no="nej",
    columns=("Tema", "Placering", "Tekst", "Modtaget", "Skjult", "Begrundelse", "Navn"),
)

EN = Phrases(
    code="en",
    heading_prefix="Inputs from ",
    statement=_en_statement,
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
    yes="yes",
    no="no",
    columns=("Theme", "Position", "Text", "Received at", "Hidden", "Hidden reason", "Author"),
)

LANGUAGES = {"da": DA, "en": EN}


def phrases(language: str) -> Phrases:
    """The phrases of a document language; Danish when the language is unknown."""
    return LANGUAGES.get(language, DA)
