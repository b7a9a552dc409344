"""A phone's input post, the same whether it came as JSON (the phone page's script) or as the plain form."""

from __future__ import annotations

from .. import admission, extensions, phone_keys, recent_codes, services
from ..errors import ServiceError
from ..i18n import use_remembered_language, use_workshop_language
from ..models import Input, Workshop
from ..ratelimit import client_address


def post_input(code: str, text, client_key, author_name, theme_id) -> tuple[Input, bool]:
    """Store a phone's input under the address, phone and workshop limits; True if it is new, not a repeat.

    One transaction: the unit of work finds the workshop by its code and locks
    it, and what needs the workshop (the guessing limit, its language, the
    phone's admission, and its own limit unless this process already knows
    the workshop of the code) is decided in that unit before anything is
    written, instead of in a read of its own before it (a tenth of a post's CPU).
    """
    seen = recent_codes.recall(code)  # as the phone's URL has it, which is how it was remembered
    code = admission.join_code(code)
    # The limits below answer before the workshop is read: in its language as last seen here.
    use_remembered_language()
    limiter = extensions.limiter()
    limits = [("RATELIMIT_ADDRESS", client_address(), "rate_limited"), ("RATELIMIT_PHONE", phone_keys.limit_key(), "rate_limited")]
    # The workshop's own limit too, when this process knows the workshop of the code: not in
    # the unit, where a shared limiter's round trip would hold up every post waiting for the lock.
    if seen is not None:
        limits.append(("RATELIMIT_WORKSHOP", str(seen.workshop_id), "workshop_busy"))
    limiter.check_each(limits)
    reached: list[Workshop] = []

    def admitted(workshop: Workshop) -> bool:
        reached.append(workshop)
        admission.check_reach(workshop)
        use_workshop_language(workshop)
        if seen is None or seen.workshop_id != workshop.id:
            limiter.check("RATELIMIT_WORKSHOP", str(workshop.id), code="workshop_busy")
        return admission.is_admitted(workshop)

    try:
        item, created = services.submit_input(code, text, client_key, author_name, theme_id=theme_id, admission=admitted)
    except ServiceError as error:
        if error.code == "unknown_code" and not reached:
            admission.refuse_unknown()
        raise
    # A phone whose input was taken is in: it keeps posting if the workshop is locked later.
    admission.admit(reached[0])
    return item, created
