"""Who is asking: facilitator sessions, API tokens, CSRF tokens."""

from __future__ import annotations

import functools
import hmac
import secrets

from flask import g, redirect, request, session, url_for

from . import services
from .db import session as db_session
from .errors import ServiceError
from .models import User

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# A phone's JSON post carries no ambient authority (no login) and needs a JSON
# content type, which a cross-site form cannot send without a CORS preflight.
CSRF_EXEMPT = {"api.submit_input"}


def load_user() -> None:
    """Set g.user from a Bearer token or the login session (before each request)."""
    g.user = None
    g.via_token = False
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        found = services.user_for_token(header[7:].strip())
        if found is None:
            raise ServiceError("unauthorized")
        g.user, _token = found
        g.via_token = True
        return
    user_id = session.get("user_id")
    if user_id is None:
        return
    user = db_session().get(User, user_id)
    if user is None or session.get("session_version") != user.session_version:
        session.clear()
        return
    g.user = user


def log_in(user: User) -> None:
    """Start a fresh session for user (rotated: nothing of the old session survives)."""
    session.clear()
    session["user_id"] = user.id
    session["session_version"] = user.session_version
    session["csrf"] = secrets.token_urlsafe(32)
    session.permanent = True


def log_out() -> None:
    """End this session."""
    session.clear()


def csrf_token() -> str:
    """This session's CSRF token, created on first use."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def check_csrf() -> None:
    """Refuse a state-changing request with a session but without its CSRF token."""
    if request.method in SAFE_METHODS or g.get("via_token") or request.endpoint in CSRF_EXEMPT:
        return
    if g.get("user") is None and request.path.startswith("/api/"):
        return  # login_required answers 401; there is no session to forge
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token", "")
    expected = session.get("csrf", "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise ServiceError("csrf")


def login_required(view):
    """Views behind this need a logged-in facilitator (or a token for the API)."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if g.user is None:
            if request.path.startswith("/api/"):
                raise ServiceError("unauthorized")
            return redirect(url_for("auth.login", next=request.path))
        return view(*args, **kwargs)

    return wrapped
