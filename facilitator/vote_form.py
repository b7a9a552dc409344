"""The phone page's vote form for phones without JavaScript: what it shows, and what it posted.

The form is the open round as vote_queries.phone_round describes it (hidden
inputs never), with a number field per item. Its answer goes to the same
service as `PUT /api/v1/join/<code>/votes` (views/phone_votes.py); a refusal
renders the page again with the fields as the phone sent them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from . import phone_keys
from .errors import ServiceError
from .models import Workshop
from .vote_queries import allocation_of, phone_round

FIELD = "dots-"
_NUMBER = re.compile(r"\d{1,6}")


@dataclass
class VoteForm:
    """round: the open round for a phone (None: none is open); chosen: item id -> the field's value."""

    round: dict | None
    chosen: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    saved: bool = False

    @property
    def shown(self) -> bool:
        """Whether the page has anything to say about voting."""
        return self.round is not None or self.error is not None or self.saved

    @property
    def placed(self) -> int:
        """The dots the fields hold (what the phone has placed, or tried to)."""
        return sum(int(v) for v in self.chosen.values() if _NUMBER.fullmatch(v))

    def value(self, item_id: int) -> str:
        return self.chosen.get(str(item_id), "0")

    def groups(self) -> list[tuple[str | None, list[dict]]]:
        """The items to show: one group without a title for themes, the inputs by theme (None: Unsorted)."""
        assert self.round is not None
        if self.round["on"] == "themes":
            return [(None, self.round["items"])]
        by_id = {i["id"]: i for i in self.round["items"]}
        return [(g["title"], [by_id[i] for i in g["item_ids"] if i in by_id]) for g in self.round["groups"]]


def vote_form(s: Session, workshop: Workshop, chosen: dict[str, str] | None = None, error: str | None = None,
              saved: bool = False) -> VoteForm:
    """The form for this phone: the fields as posted, else this phone's stored dots."""
    round_ = phone_round(s, workshop)
    if chosen is None:
        chosen = {}
        key = phone_keys.current()
        if round_ is not None and key:
            chosen = {k: str(v) for k, v in allocation_of(s, round_["id"], phone_keys.vote_hash(key)).items()}
    return VoteForm(round_, chosen, error, saved)


def posted_choice(form) -> dict[str, str]:
    """The form's dot fields as sent: item id (as written after the prefix) -> the typed value."""
    return {name[len(FIELD):]: value.strip() for name, value in form.items() if name.startswith(FIELD)}


def allocation_of_choice(chosen: dict[str, str]) -> dict[str, int]:
    """The allocation the fields say; an empty field is no dots, anything but a whole number a refusal."""
    allocation = {}
    for item, value in chosen.items():
        if value == "":
            value = "0"
        if not _NUMBER.fullmatch(value):
            raise ServiceError("vote_not_a_number")
        allocation[item] = int(value)
    return allocation


def round_id_of(raw: object) -> int | None:
    """The round field: a round id, or None (which no round has)."""
    return int(raw) if isinstance(raw, str) and raw.isdecimal() and len(raw) < 12 else None
