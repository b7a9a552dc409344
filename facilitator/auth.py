"""Who is asking: facilitator sessions, API tokens, CSRF tokens."""

from __future__ import annotations

import functools
import hmac
import secrets
import time

from flask import current_app, g, redirect, request, session, url_for

from . import services
from .db import session as db_session
from .errors import ServiceError
from .models import User

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# A phone's JSON post carries no ambient authority (no login) and needs a JSON
# content type, which a cross-site form cannot send without a CORS preflight.
CSRF_EXEMPT = {"api.submit_input", "votes.put_votes"}


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
    if session.get("user_id") is None:
        return
    user = session_user(db_session())
    if user is None:
        session.clear()
        return
    g.user = user


def session_user(s) -> User | None:
    """The user this request's login session belongs to, if it is still valid.

    Valid means: the account exists and is active, no "log out everywhere" or
    password change happened since (session_version), the login has not been
    logged out (its login_sessions row exists: a copy of the cookie saved before
    logging out is refused), and the login is younger than SESSION_MAX_AGE (the
    cookie's own lifetime is the idle limit).
    """
    user_id = session.get("user_id")
    if user_id is None:
        return None
    user = s.get(User, user_id)
    if user is None or not user.is_active or session.get("session_version") != user.session_version:
        return None
    if login_expired(session.get("logged_in_at")):
        return None
    if not services.login_exists(s, session.get("login_id"), user.id):
        return None
    return user


def login_expired(logged_in_at: object) -> bool:
    """Whether a login made at this time (seconds since the epoch) is older than SESSION_MAX_AGE."""
    if not isinstance(logged_in_at, (int, float)) or isinstance(logged_in_at, bool):
        return True
    return time.time() - logged_in_at > current_app.config["SESSION_MAX_AGE"]


def log_in(user: User) -> None:
    """Start a fresh session for user (rotated: nothing of the old session survives)."""
    session.clear()
    session["user_id"] = user.id
    session["session_version"] = user.session_version
    session["logged_in_at"] = int(time.time())
    session["login_id"] = services.start_login(user.id, current_app.config["SESSION_MAX_AGE"])
    session["csrf"] = secrets.token_urlsafe(32)
    session.permanent = True


def log_out() -> None:
    """End this session, here and on the server (the write path ends its sockets)."""
    services.end_login(session.get("login_id"))
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
    expected = session.get("csrf", "")
    if not expected:
        # No session, so no token could match: refuse before reading (and parsing) any body.
        raise ServiceError("csrf")
    sent = request.headers.get("X-CSRF-Token")
    if not sent:
        # Reading the form parses the body. A view's own larger limit (the import) applies only to
        # a logged-in facilitator; anyone else is held to the general MAX_CONTENT_LENGTH.
        limit = getattr(current_app.view_functions.get(request.endpoint), "max_content_length", None)
        if limit and g.get("user") is not None:
            request.max_content_length = limit
        sent = request.form.get("csrf_token", "")
    if not hmac.compare_digest(sent.encode(), expected.encode()):
        raise ServiceError("csrf")


def admin_required(view):
    """Views behind this need a logged-in administrator; others get 403."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not g.user.is_admin:
            raise ServiceError("admin_only")
        return view(*args, **kwargs)

    # The login check (and its redirect or 401) runs first, then the role check.
    return login_required(wrapped)


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
