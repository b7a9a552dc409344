"""The phone's pages: enter a code, see the question, send inputs (works without JavaScript)."""

from __future__ import annotations

import uuid

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for

from .. import admission, extensions, phone_keys, services
from ..db import session as db
from ..errorhandlers import DATABASE_DOWN, database_down
from ..errors import ServiceError
from ..i18n import use_workshop_language
from ..queries import active_prompt, inputs_by_ids, offered_themes, phone_wall
from ..ratelimit import client_address
from .phone import post_input
from ..vote_form import vote_form

bp = Blueprint("participant", __name__)
SENT_LIMIT = 50


@bp.get("/j")
def enter_code():
    """A form to type a join code; ?code= goes straight to the workshop."""
    code = request.args.get("code", "")
    if code:
        return redirect(url_for("participant.join", code=services.normalise_join_code(code)))
    return render_template("participant/enter_code.html")


def _render(workshop, status=200, text="", error=None, vote=None):
    sent_ids = session.get("sent", {}).get(str(workshop.id), [])
    if vote is None:
        vote = vote_form(db(), workshop, saved=request.args.get("voted") == "1")
    page = render_template(
        "participant/join.html",
        workshop=workshop,
        prompt=active_prompt(db(), workshop),
        themes=offered_themes(db(), workshop),
        client_key=str(uuid.uuid4()),
        text=text,
        error=error,
        sent=inputs_by_ids(db(), workshop.id, sent_ids),
        just_sent=request.args.get("sent") == "1",
        vote_form=vote,
        wall=phone_wall(db(), workshop),
    )
    phone_keys.ensure()  # a phone without a key the server issued gets one with the page
    return phone_keys.set_cookie(current_app.make_response((page, status)))


@bp.get("/j/<code>")
def join(code: str):
    """The workshop's page on a phone."""
    extensions.limiter().check("RATELIMIT_JOIN_ADDRESS", client_address())
    normal = services.normalise_join_code(code)
    if normal != code:
        return redirect(url_for("participant.join", code=normal))
    workshop = _find(code)
    if workshop is None:
        return render_template("participant/enter_code.html", error=ServiceError("unknown_code").message(), code=code), 404
    use_workshop_language(workshop)
    admission.admit(workshop)
    return _render(workshop)


def _refused(workshop, text: str, error: ServiceError, vote_choice: dict | None = None):
    """The form again, keeping the text, with the refusal (and when to retry).

    vote_choice: the vote form's fields as sent; the refusal is then shown in the vote form, which keeps them.
    """
    try:
        if vote_choice is None:
            response = _render(workshop, status=error.status, text=text, error=error.message())
        else:
            response = _render(workshop, status=error.status, vote=vote_form(db(), workshop, vote_choice, error.message()))
    except DATABASE_DOWN:
        # Nothing can be read either: the error page, in the workshop's language, still keeps nothing.
        response = current_app.make_response((render_template("error.html", status=error.status, message=error.message()), error.status))
    response.headers.update(error.headers())
    return response


def _find(code: str):
    """The workshop of a code, None if there is none (rate_limited propagates as a 429 page)."""
    try:
        return admission.find_workshop(code)
    except ServiceError as error:
        if error.code != "unknown_code":
            raise
        return None


def _theme_choice(raw: str) -> int | None:
    """The form's theme radio: a theme id, or None for "No theme" (and for anything else)."""
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


@bp.post("/j/<code>")
def send(code: str):
    """The no-JavaScript form post; the form's own client key makes a resubmit harmless."""
    workshop = _find(code)
    if workshop is None:
        return render_template("participant/enter_code.html", error=ServiceError("unknown_code").message(), code=code), 404
    use_workshop_language(workshop)
    text = request.form.get("text", "")
    try:
        item, _created = post_input(
            workshop.join_code,
            text,
            request.form.get("client_key"),
            request.form.get("author_name", ""),
            _theme_choice(request.form.get("theme_id", "")),
        )
    except DATABASE_DOWN:
        error = database_down()
        db().rollback()  # the page below reads again, on a fresh connection if the old one broke
        return _refused(workshop, text, error)
    except ServiceError as error:
        return _refused(workshop, text, error)
    sent = session.setdefault("sent", {})
    ids = sent.setdefault(str(workshop.id), [])
    if item.id not in ids:
        ids.append(item.id)
        del ids[:-SENT_LIMIT]
    session.modified = True
    return redirect(url_for("participant.join", code=workshop.join_code, sent=1))
