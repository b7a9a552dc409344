"""Log in and out, and the facilitator's own account: API tokens, password, sessions."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, g, redirect, render_template, request, url_for

from .. import auth, extensions, services
from ..auth import login_required
from ..errors import ServiceError
from ..ratelimit import client_address

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """A same-site path to go to after login, else the dashboard.

    An open redirect would make the login page a phishing aid. Browsers and
    Werkzeug drop tabs and newlines from a Location header ("/\t/evil" becomes
    "//evil"), and a newline in a header is a server error, so any character at
    or below U+0020, DEL or a backslash refuses the target; the value then
    parsed must be a bare path.
    """
    fallback = url_for("dashboard.index")
    if not target or not target.startswith("/") or any(ord(ch) <= 0x20 or ch in "\x7f\\" for ch in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return fallback
    return target


def _redirect_next(target: str | None):
    """Redirect to _safe_next(target), checking the Location header actually written."""
    response = redirect(_safe_next(target))
    written = urlsplit(response.headers.get("Location", ""))
    if written.scheme or written.netloc or written.path.startswith("//"):
        return redirect(url_for("dashboard.index"))
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The login form; on success a fresh session."""
    if request.method == "GET":
        if g.user is not None:
            return _redirect_next(request.args.get("next"))
        return render_template("auth/login.html", next=request.args.get("next", ""))
    email = request.form.get("email", "")
    limiter = extensions.limiter()
    try:
        limiter.check("RATELIMIT_LOGIN_ADDRESS", client_address())
        limiter.check("RATELIMIT_LOGIN_ACCOUNT", email.strip().lower()[:254])
        user = services.authenticate(email, request.form.get("password", ""))
    except ServiceError as error:
        page = render_template("auth/login.html", error=error.message(), email=email, next=request.form.get("next", ""))
        return page, error.status, error.headers()
    auth.log_in(user)
    return _redirect_next(request.form.get("next"))


@bp.post("/logout")
def logout():
    """End this session (or every session, with everywhere=1)."""
    if g.user is not None and request.form.get("everywhere") == "1":
        services.log_out_everywhere(g.user.id)
    auth.log_out()  # the walls this login opened end with it
    return redirect(url_for("auth.login"))


def _account_page(status: int = 200, **context):
    page = render_template("account/index.html", tokens=services.tokens_of(g.user.id), **context)
    return page, status


@bp.get("/account")
@login_required
def account():
    """The facilitator's own account: tokens, password, sessions."""
    return _account_page(password_changed=request.args.get("password") == "changed")


@bp.post("/account/tokens")
@login_required
def create_token():
    """Issue an API token and show it this once."""
    label = request.form.get("label", "")
    try:
        value, row = services.create_token(g.user.id, label)
    except ServiceError as error:
        return _account_page(error.status, token_error=error.message(), label=label)
    return _account_page(201, new_token=value, new_token_id=row.id)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    """Revoke one of the caller's tokens (another user's token is not found)."""
    services.revoke_token(g.user.id, token_id)
    return redirect(url_for("auth.account"))


@bp.post("/account/password")
@login_required
def change_password():
    """Change the password; other sessions end, this one continues under a fresh session."""
    form = request.form
    try:
        # The current password is a credential check like a login: the same per-account limit.
        extensions.limiter().check("RATELIMIT_LOGIN_ACCOUNT", g.user.email)
        user = services.change_password(g.user.id, form.get("current", ""), form.get("new", ""), form.get("repeat", ""))
    except ServiceError as error:
        return _account_page(error.status, password_error=error.message())
    auth.log_in(user)
    return redirect(url_for("auth.account", password="changed"))
