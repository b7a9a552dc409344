"""Account management for administrators: list, create, deactivate and reactivate facilitators."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, url_for

from .. import services
from ..auth import admin_required
from ..errors import ServiceError

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _page(status: int = 200, **context):
    return render_template("account/users.html", users=services.all_users(), form={}, **context), status


@bp.get("/users")
@admin_required
def users():
    """Every account with its role, state and last login."""
    created = request.args.get("created", "")
    return _page(created=int(created) if created.isdigit() else None)


@bp.post("/users")
@admin_required
def create_user():
    """Create a facilitator (or administrator) account with a first password."""
    form = request.form
    try:
        user = services.create_user(form.get("email", ""), form.get("password", ""), is_admin=form.get("is_admin") == "on")
    except ServiceError as error:
        page = render_template(
            "account/users.html", users=services.all_users(), form=form, error=error.message(), created=None
        )
        return page, error.status
    return redirect(url_for("admin.users", created=user.id))


@bp.post("/users/<int:user_id>/active")
@admin_required
def set_active(user_id: int):
    """Deactivate (active=0) or reactivate (active=1) an account."""
    active = request.form.get("active") == "1"
    services.set_user_active(user_id, active, by_user_id=g.user.id)
    return redirect(url_for("admin.users"))
