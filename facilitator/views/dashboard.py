"""The facilitator's pages: workshop list, one workshop, its QR code, its wall."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g, redirect, render_template, request, url_for

from .. import qr, services
from ..auth import login_required
from ..db import session as db
from ..errors import ServiceError
from ..links import join_url, projector_url, public_base
from ..models import Workshop
from ..queries import active_prompt, can_facilitate, workshops_for

bp = Blueprint("dashboard", __name__)


def _workshop(workshop_id: int) -> Workshop:
    workshop = db().get(Workshop, workshop_id)
    if workshop is None or not can_facilitate(db(), g.user, workshop):
        raise ServiceError("not_found")
    return workshop


def _actor() -> str:
    return f"user:{g.user.id}"


@bp.get("/")
def index():
    """Facilitators go to their workshops; everyone else can join by code."""
    if g.user is not None:
        return redirect(url_for("dashboard.workshops"))
    return render_template("landing.html")


@bp.get("/workshops")
@login_required
def workshops():
    """The facilitator's workshops and the form for a new one."""
    return render_template("dashboard/index.html", workshops=workshops_for(db(), g.user), form={}, error=None)


@bp.post("/workshops")
@login_required
def create():
    """Create a workshop from the plain form."""
    form = request.form
    themes = [line.strip() for line in form.get("themes", "").splitlines() if line.strip()]
    try:
        max_length = int(form.get("max_input_length") or current_app.config["MAX_INPUT_LENGTH"])
    except ValueError:
        max_length = -1
    try:
        workshop = services.create_workshop(
            owner_id=g.user.id,
            title=form.get("title", ""),
            language=form.get("language", "da"),
            description=form.get("description", ""),
            prompt=form.get("prompt", ""),
            themes=themes,
            settings={"max_input_length": max_length, "named_inputs": form.get("named_inputs") == "on"},
            place=form.get("place", ""),
            held_on=form.get("held_on", ""),
            actor=_actor(),
        )
    except ServiceError as error:
        page = render_template(
            "dashboard/index.html", workshops=workshops_for(db(), g.user), form=form, error=error.message()
        )
        return page, error.status
    return redirect(url_for("dashboard.workshop", workshop_id=workshop.id))


@bp.get("/workshops/<int:workshop_id>")
@login_required
def workshop(workshop_id: int):
    """One workshop: QR code, status controls, links to wall and projector."""
    w = _workshop(workshop_id)
    base, source = public_base()
    return render_template(
        "dashboard/workshop.html",
        workshop=w,
        prompt=active_prompt(db(), w),
        join_url=join_url(w),
        projector_url=projector_url(w),
        base=base,
        base_source=source,
    )


@bp.post("/workshops/<int:workshop_id>/status")
@login_required
def status(workshop_id: int):
    """Open, pause or close input from the plain form."""
    w = _workshop(workshop_id)
    services.set_status(w.id, request.form.get("status", ""), actor=_actor())
    return redirect(url_for("dashboard.workshop", workshop_id=w.id))


@bp.post("/workshops/<int:workshop_id>/prompt")
@login_required
def prompt(workshop_id: int):
    """Ask a new question from the plain form."""
    w = _workshop(workshop_id)
    services.set_active_prompt(w.id, request.form.get("text", ""), actor=_actor())
    return redirect(url_for("dashboard.workshop", workshop_id=w.id))


@bp.post("/workshops/<int:workshop_id>/co-facilitators")
@login_required
def co_facilitator(workshop_id: int):
    """Share the workshop with another facilitator."""
    w = _workshop(workshop_id)
    services.add_co_facilitator(w.id, request.form.get("email", ""), actor=_actor())
    return redirect(url_for("dashboard.workshop", workshop_id=w.id))


@bp.get("/workshops/<int:workshop_id>/qr.svg")
@login_required
def qr_svg(workshop_id: int):
    """The join QR code for screens."""
    return Response(qr.svg(join_url(_workshop(workshop_id))), mimetype="image/svg+xml")


@bp.get("/workshops/<int:workshop_id>/qr.png")
@login_required
def qr_png(workshop_id: int):
    """The join QR code as a PNG download for print."""
    w = _workshop(workshop_id)
    headers = {"Content-Disposition": f'attachment; filename="join-{w.join_code}.png"'}
    return Response(qr.png(join_url(w)), mimetype="image/png", headers=headers)


@bp.get("/workshops/<int:workshop_id>/print")
@login_required
def print_qr(workshop_id: int):
    """A printable page with the QR code and join code in large type."""
    w = _workshop(workshop_id)
    return render_template("dashboard/print.html", workshop=w, join_url=join_url(w))


@bp.get("/workshops/<int:workshop_id>/wall")
@login_required
def wall(workshop_id: int):
    """The live wall; its script loads the board and listens for events."""
    w = _workshop(workshop_id)
    return render_template("facilitate/wall.html", workshop=w, join_url=join_url(w), projector_url=projector_url(w))
