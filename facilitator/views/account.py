"""Log in and out, and the facilitator's own account: API tokens, password, sessions."""

from __future__ import annotations

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for

from .. import auth, services
from ..realtime import disconnect_user
from ..auth import login_required
from ..errors import ServiceError

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an open redirect would make the login page a phishing aid.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("dashboard.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The login form; on success a fresh session."""
    if request.method == "GET":
        if g.user is not None:
            return redirect(_safe_next(request.args.get("next")))
        return render_template("auth/login.html", next=request.args.get("next", ""))
    email = request.form.get("email", "")
    limiter = current_app.extensions["facilitator.limiter"]
    try:
        limiter.check("RATELIMIT_LOGIN_ADDRESS", request.remote_addr or "unknown")
        limiter.check("RATELIMIT_LOGIN_ACCOUNT", email.strip().lower()[:254])
        user = services.authenticate(email, request.form.get("password", ""))
    except ServiceError as error:
        page = render_template("auth/login.html", error=error.message(), email=email, next=request.form.get("next", ""))
        return page, error.status
    auth.log_in(user)
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/logout")
def logout():
    """End this session (or every session, with everywhere=1)."""
    if g.user is not None and request.form.get("everywhere") == "1":
        services.log_out_everywhere(g.user.id)
        disconnect_user(g.user.id)
    auth.log_out()
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
    disconnect_user(g.user.id)  # walls on a cookie reconnect at once; those on the token cannot
    return redirect(url_for("auth.account"))


@bp.post("/account/password")
@login_required
def change_password():
    """Change the password; other sessions end, this one continues under a fresh session."""
    form = request.form
    try:
        # The current password is a credential check like a login: the same per-account limit.
        current_app.extensions["facilitator.limiter"].check("RATELIMIT_LOGIN_ACCOUNT", g.user.email)
        user = services.change_password(g.user.id, form.get("current", ""), form.get("new", ""), form.get("repeat", ""))
    except ServiceError as error:
        return _account_page(error.status, password_error=error.message())
    auth.log_in(user)
    disconnect_user(user.id)
    return redirect(url_for("auth.account", password="changed"))
