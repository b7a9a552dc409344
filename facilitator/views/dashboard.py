"""The facilitator's pages: workshop list, one workshop, its QR code, its wall."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, current_app, g, redirect, render_template, request, url_for
from flask_babel import format_date, gettext as _

from .. import qr, services
from ..auth import login_required
from ..db import session as db
from ..errors import ServiceError
from ..links import join_url, projector_url, public_base
from ..models import Workshop
from ..queries import active_prompt, can_facilitate, workshops_for
from ..services.workshops import MAX_INPUT_LENGTH_CEILING

bp = Blueprint("dashboard", __name__)
# When the accessibility statement was last checked against the tests it describes.
STATEMENT_REVIEWED = date(2026, 11, 27)


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


@bp.get("/accessibility")
def accessibility():
    """The accessibility statement: what was tested, how, the known gaps and whom to tell."""
    return render_template(
        "legal/accessibility.html",
        contact=current_app.config.get("PRIVACY_CONTROLLER") or "",
        reviewed=format_date(STATEMENT_REVIEWED, "long"),
    )


def _list_page(form: dict, error: str | None = None, status: int = 200):
    """The workshop list (current ones, or the archived ones with ?show=archived) and the new-workshop form."""
    archived = request.args.get("show") == "archived"
    rows = workshops_for(db(), g.user)
    shown = [(w, n) for w, n in rows if (w.status == "archived") == archived]
    page = render_template(
        "dashboard/index.html",
        workshops=shown,
        archived_view=archived,
        archived_count=sum(1 for w, _n in rows if w.status == "archived"),
        current_count=sum(1 for w, _n in rows if w.status != "archived"),
        form=form,
        error=error,
        done=request.args.get("done"),
    )
    return page, status


@bp.get("/workshops")
@login_required
def workshops():
    """The facilitator's workshops and the form for a new one."""
    return _list_page({})


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
        return _list_page(form, error.message(), error.status)
    return redirect(url_for("dashboard.workshop", workshop_id=workshop.id))


@bp.get("/workshops/<int:workshop_id>")
@login_required
def workshop(workshop_id: int):
    """One workshop: QR code, status controls, links to wall and projector, settings."""
    return _workshop_page(_workshop(workshop_id))


def _workshop_page(w: Workshop, settings_form: dict | None = None, settings_error: str | None = None, status: int = 200):
    base, source = public_base()
    prompt = active_prompt(db(), w)
    if settings_form is None:
        settings_form = {
            "title": w.title,
            "description": w.description,
            "prompt": prompt.text if prompt else "",
            "language": w.language,
            "max_input_length": w.max_input_length,
            "named_inputs": w.named_inputs,
            "place": w.place,
            "held_on": w.held_on,
        }
    page = render_template(
        "dashboard/workshop.html",
        workshop=w,
        prompt=prompt,
        join_url=join_url(w),
        projector_url=projector_url(w),
        base=base,
        base_source=source,
        settings=settings_form,
        settings_error=settings_error,
        saved=request.args.get("saved") == "1",
        max_length_ceiling=MAX_INPUT_LENGTH_CEILING,
    )
    return page, status


@bp.post("/workshops/<int:workshop_id>/settings")
@login_required
def settings(workshop_id: int):
    """Change title, description, question, language, length limit, names, place and date."""
    w = _workshop(workshop_id)
    form = request.form
    try:
        max_length = int(form.get("max_input_length", ""))
    except ValueError:
        max_length = -1
    changes = {
        "title": form.get("title", ""),
        "description": form.get("description", ""),
        "language": form.get("language", ""),
        "place": form.get("place", ""),
        "held_on": form.get("held_on", ""),
        "settings": {"max_input_length": max_length, "named_inputs": form.get("named_inputs") == "on"},
    }
    shown = {**form.to_dict(), "named_inputs": form.get("named_inputs") == "on"}
    try:
        services.update_workshop(w.id, changes, actor=_actor())
        question = form.get("prompt", "").strip()
        current = active_prompt(db(), w)
        if question and question != (current.text if current else ""):
            services.set_active_prompt(w.id, question, actor=_actor())
    except ServiceError as error:
        db().expire_all()
        return _workshop_page(_workshop(workshop_id), shown, error.message(), error.status)
    return redirect(url_for("dashboard.workshop", workshop_id=w.id, saved=1) + "#settings-heading")


@bp.post("/workshops/<int:workshop_id>/duplicate")
@login_required
def duplicate(workshop_id: int):
    """Copy a workshop's settings, questions and themes into a new draft without inputs."""
    w = _workshop(workshop_id)
    title = _("%(title)s (copy)", title=w.title)[:200]
    copy = services.duplicate_workshop(w.id, g.user.id, title=title, actor=_actor())
    return redirect(url_for("dashboard.workshop", workshop_id=copy.id))


@bp.post("/workshops/<int:workshop_id>/archive")
@login_required
def archive(workshop_id: int):
    """Archive a workshop (input stays closed) or bring it back as closed."""
    w = _workshop(workshop_id)
    restore = request.form.get("restore") == "1"
    services.set_status(w.id, "closed" if restore else "archived", actor=_actor())
    if request.form.get("back") == "workshop":
        return redirect(url_for("dashboard.workshop", workshop_id=w.id))
    return redirect(url_for("dashboard.workshops", done="restored" if restore else "archived"))


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
