"""Service errors: a stable code for machines, a translated message for people."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# code -> (HTTP status, message). Messages say what happened and what to do.
ERRORS = {
    "empty": (400, _l("Your input is empty. Write something, then send it.")),
    "invalid": (400, _l("The request could not be understood.")),
    "control_characters": (
        400,
        _l("Your input contains invisible control characters. Remove them and send it again."),
    ),
    "invalid_client_key": (400, _l("The request is missing a valid key. Reload the page and try again.")),
    "too_long": (
        413,
        _l("Your input is %(length)s characters long; at most %(limit)s are allowed. Shorten it and send it again."),
    ),
    "body_too_large": (413, _l("The request is too large.")),
    "unknown_code": (404, _l("There is no workshop with that code. Check the code and try again.")),
    "not_found": (404, _l("Not found.")),
    "not_open": (
        409,
        _l("The workshop is not taking inputs right now. Your text is kept on this phone; send it when the workshop opens."),
    ),
    "closed": (
        409,
        _l("The workshop is closed and no longer takes inputs. Your text is kept on this phone."),
    ),
    "conflict": (409, _l("That change conflicts with the current state. Reload and try again.")),
    "rate_limited": (
        429,
        _l("You are sending too fast. Wait %(retry_after)s seconds, then try again; your text is kept."),
    ),
    "unauthorized": (401, _l("Log in to continue.")),
    "forbidden": (403, _l("You do not have access to this.")),
    "csrf": (403, _l("Your session has expired or the form is stale. Reload the page and try again.")),
    "bad_credentials": (401, _l("Wrong email or password.")),
    "unsupported_media_type": (415, _l("Send the request as JSON.")),
    "locked": (
        409,
        _l("The facilitator has closed this workshop to new participants. Your text is kept on this phone."),
    ),
    "account_inactive": (403, _l("This account has been deactivated. Ask an administrator to reactivate it.")),
    "weak_password": (400, _l("The password must be between 10 and 1000 characters long.")),
    "passwords_differ": (400, _l("The two new passwords are not the same. Type them again.")),
    "owner_only": (403, _l("Only the workshop's owner can do this.")),
    "admin_only": (403, _l("Only an administrator can do this.")),
    "not_yourself": (409, _l("You cannot deactivate your own account.")),
    "confirm": (400, _l("Tick the box to confirm, then try again.")),
    "unknown_account": (404, _l("There is no facilitator account with that email.")),
    "too_many_tokens": (409, _l("You have too many API tokens. Revoke one you no longer use first.")),
}


class ServiceError(Exception):
    """A refusal with a code from ERRORS and the values its message needs."""

    def __init__(self, code: str, **params) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    @property
    def status(self) -> int:
        """The HTTP status for this error."""
        return ERRORS[self.code][0]

    def message(self) -> str:
        """The message, translated into the current locale."""
        return str(ERRORS[self.code][1]) % self.params if self.params else str(ERRORS[self.code][1])

    def to_json(self) -> dict:
        """The documented error body."""
        body = {"code": self.code, "message": self.message()}
        body.update({k: v for k, v in self.params.items() if isinstance(v, (int, str))})
        return {"error": body}
