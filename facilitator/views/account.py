"""Log in and out."""

from __future__ import annotations

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for

from .. import auth, services
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
        limiter.check("RATELIMIT_LOGIN_ACCOUNT", email.strip().lower())
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
    auth.log_out()
    return redirect(url_for("auth.login"))
