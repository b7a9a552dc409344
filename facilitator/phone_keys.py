"""The phone key: a random id the server issues and signs, so no phone can choose its own bucket.

A phone gets its key as the `phone` cookie from the phone page or from
`GET /api/v1/join/<code>` (which also returns it as `phone_key`, for API
clients that send it back as the `X-Phone-Key` header). The key is signed with
the app's secret; a key the server did not issue (made up, altered, from
another deployment) is not trusted: every such phone shares one bucket,
UNKNOWN, so making up a new key per post buys nothing. The key is never stored
with an input; rate limits and vote allocations are keyed on it.
"""

from __future__ import annotations

import hashlib
import secrets

from flask import current_app, request
from itsdangerous import BadSignature, Signer

COOKIE = "phone"
HEADER = "X-Phone-Key"
# The one bucket of every phone whose key the server did not issue.
UNKNOWN = "unknown"
_SALT = "facilitator.phone-key"
_ISSUED = "facilitator.phone_key_issued"
_MAX_LENGTH = 200  # a signed key is about 50 characters; anything longer is not ours


def _signer() -> Signer:
    return Signer(current_app.secret_key, salt=_SALT)


def issue(phone: str | None = None) -> str:
    """A new signed phone key (for a new random phone id unless one is given)."""
    return _signer().sign(phone or secrets.token_urlsafe(16)).decode()


def verify(value: object) -> str | None:
    """The phone id inside a signed key, or None if the server did not issue it."""
    if not isinstance(value, str) or not value or len(value) > _MAX_LENGTH:
        return None
    try:
        return _signer().unsign(value).decode()
    except (BadSignature, UnicodeError):
        return None


def _presented() -> tuple[str | None, str | None]:
    """(the signed key this request carries, its phone id), the cookie before the header."""
    for value in (request.cookies.get(COOKIE), request.headers.get(HEADER)):
        phone = verify(value)
        if phone is not None:
            return value, phone
    return None, None


def current() -> str | None:
    """The id of this request's phone, if it carries a key the server issued (None otherwise)."""
    return _presented()[1]


def limit_key() -> str:
    """The rate-limit bucket of this request's phone: its id, or UNKNOWN."""
    return current() or UNKNOWN


def ensure() -> str:
    """This request's signed key, issuing one if it carries none; the response sets the cookie (see set_cookie)."""
    value, _phone = _presented()
    if value is None:
        # Kept on the request itself: `g` can outlive a request (an outer app context).
        value = request.environ.get(_ISSUED) or issue()
        request.environ[_ISSUED] = value
    return value


def set_cookie(response):
    """Set the cookie of a key issued during this request on its response; return the response."""
    issued = request.environ.get(_ISSUED)
    if issued is not None:
        response.set_cookie(
            COOKIE, issued, max_age=365 * 86400, httponly=True, samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


def vote_hash(phone: str) -> str:
    """What a vote allocation row stores for a phone: a one-way hash of its id, never the key itself."""
    return hashlib.sha256(b"facilitator-vote:" + phone.encode("utf-8")).hexdigest()
