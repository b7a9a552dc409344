"""A phone's input post, the same whether it came as JSON (the phone page's script) or as the plain form."""

from __future__ import annotations

from .. import admission, extensions, phone_keys, services
from ..models import Input, Workshop
from ..ratelimit import client_address


def post_input(workshop: Workshop, text, client_key, author_name, theme_id) -> tuple[Input, bool]:
    """Store a phone's input under the address, phone and workshop limits; True if it is new, not a repeat."""
    limiter = extensions.limiter()
    limiter.check("RATELIMIT_ADDRESS", client_address())
    limiter.check("RATELIMIT_PHONE", phone_keys.limit_key())
    limiter.check("RATELIMIT_WORKSHOP", str(workshop.id), code="workshop_busy")
    item, created = services.submit_input(
        workshop.join_code,
        text,
        client_key,
        author_name,
        admitted=admission.is_admitted(workshop),
        theme_id=theme_id,
    )
    # A phone whose input was taken is in: it keeps posting if the workshop is locked later.
    admission.admit(workshop)
    return item, created
