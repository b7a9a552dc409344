"""Which phones reach a workshop: join codes looked up under a guessing limit, admission before a lock.

Guessing. Every answer about a join code tells a guesser whether it exists,
so wrong codes are counted per address (RATELIMIT_JOIN_MISS_ADDRESS). An
address over that limit gets no answer about any code until its window ends
(otherwise a hit would still stand out among the refusals), except for phones
already admitted to the workshop they ask about: a guesser has no admission,
and a venue's phones that are already in keep working while a neighbour
mistypes. The README works out how long guessing would take.

Locking. A phone is admitted to a workshop when it opens the workshop while it
is not locked; the admission is a workshop id in the phone's signed session
cookie. A locked workshop refuses posts from phones without one. Nothing about
the phone is stored on the server for this: no device id, no list of phone
hashes, nothing that could link inputs to a device or need deleting later.
The cost: a phone that loses its cookies after the lock cannot rejoin until
the facilitator unlocks (its unsent text stays on the phone), and a phone that
opened the page but sent nothing before the lock still counts as joined.
"""

from __future__ import annotations

from typing import NoReturn

from flask import session

from . import extensions
from .db import session as db
from .errors import ServiceError
from .models import Workshop
from .queries import workshop_by_code
from .ratelimit import client_address
from .services import normalise_join_code
from .services.workshops import JOIN_ALPHABET

ADMITTED = "admitted"
# Admissions kept per phone; older workshops drop off.
ADMITTED_LIMIT = 20
MISS_RULE = "RATELIMIT_JOIN_MISS_ADDRESS"


def is_admitted(workshop: Workshop) -> bool:
    """Whether this phone was admitted to the workshop (opened it while it was unlocked)."""
    admitted = session.get(ADMITTED)
    return isinstance(admitted, list) and workshop.id in admitted


def admit(workshop: Workshop) -> None:
    """Admit this phone to the workshop, unless the workshop is locked."""
    if workshop.locked or is_admitted(workshop):
        return
    admitted = [i for i in session.get(ADMITTED, []) if isinstance(i, int)] + [workshop.id]
    session[ADMITTED] = admitted[-ADMITTED_LIMIT:]


def find_workshop(raw_code: str, s=None) -> Workshop:
    """The workshop of a typed code, or unknown_code / rate_limited (see the module docstring)."""
    code = join_code(raw_code)
    workshop = workshop_by_code(s or db(), code)
    if workshop is None:
        refuse_unknown()
    check_reach(workshop)
    return workshop


def join_code(raw_code: str) -> str:
    """A typed code, normalised; a malformed one is refused as unknown without reaching the database."""
    code = normalise_join_code(raw_code)
    # Only well-formed codes reach the database (a NUL byte would not even be legal SQL text there).
    if not (0 < len(code) <= 16 and all(ch in JOIN_ALPHABET for ch in code)):
        refuse_unknown()
    return code


def check_reach(workshop: Workshop) -> None:
    """Refuse an address over the guessing limit, unless this phone was admitted to the workshop."""
    if not is_admitted(workshop):
        extensions.limiter().check_not_exceeded(MISS_RULE, client_address())


def refuse_unknown() -> NoReturn:
    """Count a wrong code against the address (refused at once if it is over its limit) and refuse it."""
    limiter = extensions.limiter()
    address = client_address()
    limiter.check_not_exceeded(MISS_RULE, address)
    limiter.check(MISS_RULE, address)
    raise ServiceError("unknown_code")
