"""The phone's pages: enter a code, see the question, send inputs (works without JavaScript)."""

from __future__ import annotations

import secrets
import uuid

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for

from .. import admission, services
from ..api import client_address
from ..db import session as db
from ..errors import ServiceError
from ..i18n import use_workshop_language
from ..queries import active_prompt, inputs_by_ids

bp = Blueprint("participant", __name__)
PHONE_COOKIE = "phone"
SENT_LIMIT = 50


@bp.get("/j")
def enter_code():
    """A form to type a join code; ?code= goes straight to the workshop."""
    code = request.args.get("code", "")
    if code:
        return redirect(url_for("participant.join", code=services.normalise_join_code(code)))
    return render_template("participant/enter_code.html")


def _render(workshop, status=200, text="", error=None):
    sent_ids = session.get("sent", {}).get(str(workshop.id), [])
    page = render_template(
        "participant/join.html",
        workshop=workshop,
        prompt=active_prompt(db(), workshop),
        client_key=str(uuid.uuid4()),
        text=text,
        error=error,
        sent=inputs_by_ids(db(), workshop.id, sent_ids),
        just_sent=request.args.get("sent") == "1",
    )
    response = current_app.make_response((page, status))
    if PHONE_COOKIE not in request.cookies:
        response.set_cookie(
            PHONE_COOKIE, secrets.token_urlsafe(16), max_age=365 * 86400, httponly=True, samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


@bp.get("/j/<code>")
def join(code: str):
    """The workshop's page on a phone."""
    current_app.extensions["facilitator.limiter"].check("RATELIMIT_JOIN_ADDRESS", client_address())
    normal = services.normalise_join_code(code)
    if normal != code:
        return redirect(url_for("participant.join", code=normal))
    workshop = _find(code)
    if workshop is None:
        return render_template("participant/enter_code.html", error=ServiceError("unknown_code").message(), code=code), 404
    use_workshop_language(workshop.language)
    admission.admit(workshop)
    return _render(workshop)


def _find(code: str):
    """The workshop of a code, None if there is none (rate_limited propagates as a 429 page)."""
    try:
        return admission.find_workshop(code)
    except ServiceError as error:
        if error.code != "unknown_code":
            raise
        return None


@bp.post("/j/<code>")
def send(code: str):
    """The no-JavaScript form post; the form's own client key makes a resubmit harmless."""
    workshop = _find(code)
    if workshop is None:
        return render_template("participant/enter_code.html", error=ServiceError("unknown_code").message(), code=code), 404
    use_workshop_language(workshop.language)
    text = request.form.get("text", "")
    try:
        limiter = current_app.extensions["facilitator.limiter"]
        limiter.check("RATELIMIT_ADDRESS", client_address())
        limiter.check("RATELIMIT_PHONE", request.cookies.get(PHONE_COOKIE) or "none")
        item, _created = services.submit_input(
            workshop.join_code,
            text,
            request.form.get("client_key"),
            request.form.get("author_name", ""),
            admitted=admission.is_admitted(workshop),
        )
    except ServiceError as error:
        response = _render(workshop, status=error.status, text=text, error=error.message())
        if error.code == "rate_limited":
            response.headers["Retry-After"] = str(error.params.get("retry_after", 60))
        return response
    admission.admit(workshop)
    sent = session.setdefault("sent", {})
    ids = sent.setdefault(str(workshop.id), [])
    if item.id not in ids:
        ids.append(item.id)
        del ids[:-SENT_LIMIT]
    session.modified = True
    return redirect(url_for("participant.join", code=workshop.join_code, sent=1))
