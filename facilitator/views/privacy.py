"""Personal data: the privacy page, and a workshop's lock, retention and deletion controls."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from .. import services
from ..auth import login_required
from ..db import session as db
from ..errors import ServiceError
from ..models import Workshop
from .common import actor, facilitated, owned

bp = Blueprint("privacy", __name__)


@bp.get("/privacy")
def page():
    """What is stored, for how long, and who can see it (public)."""
    config = current_app.config
    return render_template(
        "legal/privacy.html",
        retention_days=config["RETENTION_DAYS"],
        session_hours=config["SESSION_MAX_AGE"] // 3600,
        controller=config.get("PRIVACY_CONTROLLER") or "",
    )


def _back(workshop: Workshop):
    return redirect(url_for("dashboard.workshop", workshop_id=workshop.id) + "#privacy-heading")


@bp.post("/workshops/<int:workshop_id>/lock")
@login_required
def lock(workshop_id: int):
    """Lock (locked=1) or unlock (locked=0) the workshop against phones that have not joined yet."""
    workshop = facilitated(workshop_id)
    locked = request.form.get("locked") == "1"
    services.update_workshop(workshop.id, {"settings": {"locked": locked}}, actor=actor())
    return _back(workshop)


@bp.post("/workshops/<int:workshop_id>/retention")
@login_required
def retention(workshop_id: int):
    """Set after how many days from closing the inputs are deleted (owner only: 0 and close deletes them)."""
    workshop = owned(workshop_id)
    raw = request.form.get("retention_days", "")
    days = int(raw) if raw.isdigit() and len(raw) <= 5 else -1
    services.update_workshop(workshop.id, {"settings": {"retention_days": days}}, actor=actor())
    return _back(workshop)


@bp.get("/workshops/<int:workshop_id>/delete")
@login_required
def confirm_delete(workshop_id: int):
    """The confirmation page: export first, then delete (owner only)."""
    workshop = owned(workshop_id)
    return render_template("account/delete_workshop.html", workshop=workshop, error=None)


@bp.post("/workshops/<int:workshop_id>/delete")
@login_required
def delete(workshop_id: int):
    """Delete the workshop and all its inputs at once, after the box is ticked (owner only)."""
    workshop = owned(workshop_id)
    if request.form.get("confirm") != "yes":
        error = ServiceError("confirm")
        page = render_template("account/delete_workshop.html", workshop=workshop, error=error.message())
        return page, error.status
    # End this request's read transaction first: it would keep the deleted pages alive in SQLite's log.
    db().close()
    services.delete_workshop(workshop.id, actor=actor())
    return redirect(url_for("dashboard.workshops", deleted=1))
