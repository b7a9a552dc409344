"""What this process last saw of each join code: its workshop's id and language.

For what a phone's request decides before its workshop is read, or when it
cannot be read: the language of an early refusal (a rate limit, the database
away), and the workshop whose limit a post counts against, checked before
the post's unit of work locks the workshop, so that a shared limiter's round
trip is not made while every other post to that workshop waits for the lock.
Bounded; a code this process has not seen yet is decided after the read.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import NamedTuple

LIMIT = 10_000


class Seen(NamedTuple):
    workshop_id: int
    language: str


_seen: OrderedDict[str, Seen] = OrderedDict()
_lock = threading.Lock()


def remember(code: str, workshop_id: int, language: str) -> None:
    """Note the workshop a join code led to, forgetting the least recently seen code beyond LIMIT."""
    with _lock:
        _seen[code] = Seen(workshop_id, language)
        _seen.move_to_end(code)
        while len(_seen) > LIMIT:
            _seen.popitem(last=False)


def recall(code: str) -> Seen | None:
    """What was last seen of a join code in this process (None if never)."""
    with _lock:
        return _seen.get(code)
