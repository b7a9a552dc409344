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
    "noncharacters": (
        400,
        _l("Your text contains %(char)s, a code point that is not a character. Remove it and send it again."),
    ),
    "invalid_client_key": (400, _l("The request is missing a valid key. Reload the page and try again.")),
    "too_long": (
        413,
        _l("Your input is %(length)s characters long; at most %(limit)s are allowed. Shorten it and send it again."),
    ),
    "body_too_large": (413, _l("The request is too large.")),
    "export_unrepresentable": (
        422,
        _l(
            "A %(format)s file cannot hold %(what)s, which is in the stored text “%(snippet)s”. "
            "Download the JSON, CSV, Markdown, HTML or text export instead: they keep every character."
        ),
    ),
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
    "workshop_busy": (
        429,
        _l("Very many inputs are arriving at once. Your text is kept on this phone and sent again by itself in a moment."),
    ),
    "unavailable": (
        503,
        _l("The server cannot store inputs right now. Your text is kept on this phone and sent again by itself in a moment."),
    ),
    "storage_unavailable": (
        503,
        _l("The server cannot save changes right now (its database is unavailable or full). Try again in %(retry_after)s seconds."),
    ),
    "import_too_large": (
        413,
        _l("The file holds %(count)s inputs; one import may hold at most %(limit)s. Split it into smaller files."),
    ),
    "live_full": (
        503,
        _l("Live updates are paused: the server is following as many phones as it can. Your inputs are still sent."),
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
    "server_error": (
        500,
        _l("Something went wrong on the server. Nothing you sent is lost: try again in a moment."),
    ),
    "prompt_answered": (
        409,
        _l("Inputs have answered this question, so it can no longer be changed or deleted. Ask a new question instead."),
    ),
    "too_many_tokens": (409, _l("You have too many API tokens. Revoke one you no longer use first.")),
    # Imports of paper inputs (services/paper.py, paper_files.py): each names the row, and nothing is imported.
    "import_empty": (400, _l("There are no inputs to import. Nothing was imported.")),
    "import_too_many": (
        413,
        _l("The import holds %(count)s inputs; at most %(limit)s can be imported at once. Split it up. Nothing was imported."),
    ),
    "import_too_long": (
        413,
        _l("Row %(row)s is %(length)s characters long; at most %(limit)s are allowed. Shorten it and try again. Nothing was imported."),
    ),
    "import_row_empty": (400, _l("Row %(row)s is empty. Remove it and try again. Nothing was imported.")),
    "import_row_invalid": (400, _l("Row %(row)s is not text. Nothing was imported.")),
    "import_control_characters": (
        400,
        _l("Row %(row)s contains invisible control characters. Remove them and try again. Nothing was imported."),
    ),
    "import_formula": (
        400,
        _l("Row %(row)s holds a formula, not text. Replace it by its value and try again. Nothing was imported."),
    ),
    "import_encoding": (
        400,
        _l("Row %(row)s is not UTF-8 text. Save the file as CSV UTF-8 and try again. Nothing was imported."),
    ),
    "import_unreadable": (400, _l("The file could not be read as CSV or XLSX. Nothing was imported.")),
    "import_file_type": (415, _l("Upload a CSV or XLSX file (.csv or .xlsx).")),
    "import_unknown_theme": (
        400,
        _l("Row %(row)s names the theme “%(theme)s”, which this workshop does not have. Nothing was imported."),
    ),
    "import_unknown_question": (
        400,
        _l("Row %(row)s names the question “%(question)s”, which this workshop has not asked. Nothing was imported."),
    ),
    "vote_over_budget": (
        400,
        _l("You placed %(used)s dots, but you have %(budget)s. Take some dots off, then try again."),
    ),
    "vote_over_item": (
        400,
        _l("At most %(limit)s dots can go on one item; you placed %(dots)s there. Take some off, then try again."),
    ),
    "vote_unknown_item": (400, _l("One of your dots is on something that is no longer in this vote. Reload to see the current items.")),
    "vote_closed": (409, _l("This vote has closed; dots can no longer be changed.")),
    "vote_not_a_number": (400, _l("Type a whole number of dots (0 or more) for each item, then save again.")),
    "vote_busy": (
        429,
        _l("Very many phones are sending at once. Your dots are kept on this phone; send them again in %(retry_after)s seconds."),
    ),
    "vote_no_phone": (400, _l("This phone could not be recognised. Open the workshop's page again, then vote.")),
    "vote_round_open": (409, _l("A vote is already open in this workshop. Close it before opening another.")),
    "vote_nothing": (400, _l("There is nothing to vote on: the chosen themes have no visible inputs, or there are no themes.")),
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

    def headers(self) -> dict[str, str]:
        """The headers this refusal needs: Retry-After whenever the client should wait and retry."""
        if "retry_after" in self.params:
            return {"Retry-After": str(self.params["retry_after"])}
        if self.code == "rate_limited":
            return {"Retry-After": "60"}
        return {}

    def to_json(self) -> dict:
        """The documented error body."""
        body = {"code": self.code, "message": self.message()}
        body.update({k: v for k, v in self.params.items() if isinstance(v, (int, str))})
        return {"error": body}
