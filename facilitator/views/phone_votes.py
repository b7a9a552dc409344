"""The phone page's vote form, for phones without JavaScript: a thin adapter over services.cast_votes.

It replaces this phone's allocation exactly as `PUT /api/v1/join/<code>/votes`
does (views/votes.cast_from_phone: the same limits, the same service, the
same server-issued phone key); a refusal renders the page again, in the
phone's language, with the fields as they were sent.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from ..ratelimit import client_address
from .. import extensions
from ..db import session as db
from ..errorhandlers import DATABASE_DOWN, database_down
from ..errors import ServiceError
from ..i18n import use_workshop_language
from ..vote_form import allocation_of_choice, posted_choice, round_id_of
from .participant import _find, _refused
from .votes import cast_from_phone

bp = Blueprint("phone_votes", __name__)


@bp.post("/j/<code>/votes")
def vote(code: str):
    """The vote form's post: this phone's whole allocation, then back to the page (or the refusal on it)."""
    workshop = _find(code)
    if workshop is None:
        return render_template("participant/enter_code.html", error=ServiceError("unknown_code").message(), code=code), 404
    use_workshop_language(workshop)
    chosen = posted_choice(request.form)
    try:
        extensions.limiter().check("RATELIMIT_ADDRESS", client_address())
        cast_from_phone(workshop, lambda: (round_id_of(request.form.get("round")), allocation_of_choice(chosen)))
    except DATABASE_DOWN:
        error = database_down()
        db().rollback()
        return _refused(workshop, "", error, vote_choice=chosen)
    except ServiceError as error:
        return _refused(workshop, "", error, vote_choice=chosen)
    return redirect(url_for("participant.join", code=workshop.join_code, voted=1) + "#vote-form")
