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
from ..queries import active_prompt, board, co_facilitators, owns, snapshot, workshops_for
from ..services.prompts import answered_counts, prompts as prompts_of
from ..services.paper import DEFAULT_SOURCE
from ..services.workshops import MAX_INPUT_LENGTH_CEILING, PROJECTOR_PAGE_SECONDS
from .common import actor, facilitated, owned

bp = Blueprint("dashboard", __name__)
# When the accessibility statement was last checked against the tests it describes.
STATEMENT_REVIEWED = date(2026, 11, 27)


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
            actor=actor(),
        )
    except ServiceError as error:
        return _list_page(form, error.message(), error.status)
    return redirect(url_for("dashboard.workshop", workshop_id=workshop.id))


@bp.get("/workshops/<int:workshop_id>")
@login_required
def workshop(workshop_id: int):
    """One workshop: QR code, status controls, links to wall and projector, settings."""
    return _workshop_page(facilitated(workshop_id))


def _workshop_page(
    w: Workshop,
    settings_form: dict | None = None,
    settings_error: str | None = None,
    status: int = 200,
    form_error: dict | None = None,
):
    """The workshop page; form_error ({form, message, value}) shows a refusal at the form that caused it."""
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
            "participants_choose_theme": w.participants_choose_theme,
            "participants_see_wall": w.participants_see_wall,
            "place": w.place,
            "held_on": w.held_on,
        }
    answers = answered_counts(db(), w.id)
    page = render_template(
        "dashboard/workshop.html",
        workshop=w,
        prompt=prompt,
        questions=[(p, answers.get(p.id, 0)) for p in prompts_of(db(), w.id)],
        themes=board(db(), w)[0],
        join_url=join_url(w),
        projector_url=projector_url(w),
        base=base,
        base_source=source,
        settings=settings_form,
        settings_error=settings_error,
        saved=request.args.get("saved") == "1",
        shared=request.args.get("shared"),
        owner=owns(g.user, w),
        co_facilitators=co_facilitators(db(), w),
        max_length_ceiling=MAX_INPUT_LENGTH_CEILING,
        form_error=form_error,
    )
    return page, status


def _refused(w: Workshop, form: str, error: ServiceError, value: str = ""):
    """The workshop page again, with the refusal at its form and what was typed kept."""
    return _workshop_page(w, form_error={"form": form, "message": error.message(), "value": value}, status=error.status)


@bp.post("/workshops/<int:workshop_id>/settings")
@login_required
def settings(workshop_id: int):
    """Change title, description, question, language, length limit, names, theme choice, place and date."""
    w = facilitated(workshop_id)
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
        "settings": {
            "max_input_length": max_length,
            "named_inputs": form.get("named_inputs") == "on",
            "participants_choose_theme": form.get("participants_choose_theme") == "on",
            "participants_see_wall": form.get("participants_see_wall") == "on",
        },
    }
    shown = {
        **form.to_dict(),
        "named_inputs": form.get("named_inputs") == "on",
        "participants_choose_theme": form.get("participants_choose_theme") == "on",
        "participants_see_wall": form.get("participants_see_wall") == "on",
    }
    offered = {int(i) for i in form.getlist("offered") if i.isdigit() and len(i) < 12}
    try:
        services.save_settings(
            w.id,
            changes,
            question=form.get("prompt", ""),
            offered=offered if form.get("offer_form") == "1" else None,
            actor=actor(),
        )
    except ServiceError as error:
        db().expire_all()
        return _workshop_page(facilitated(workshop_id), shown, error.message(), error.status)
    return redirect(url_for("dashboard.workshop", workshop_id=w.id, saved=1) + "#settings-heading")


@bp.post("/workshops/<int:workshop_id>/duplicate")
@login_required
def duplicate(workshop_id: int):
    """Copy a workshop's settings, questions and themes into a new draft without inputs."""
    w = facilitated(workshop_id)
    title = _("%(title)s (copy)", title=w.title)[:200]
    copy = services.duplicate_workshop(w.id, g.user.id, title=title, actor=actor())
    return redirect(url_for("dashboard.workshop", workshop_id=copy.id))


@bp.post("/workshops/<int:workshop_id>/archive")
@login_required
def archive(workshop_id: int):
    """Archive a workshop (input stays closed) or bring it back as closed."""
    w = facilitated(workshop_id)
    restore = request.form.get("restore") == "1"
    services.set_status(w.id, "closed" if restore else "archived", actor=actor())
    if request.form.get("back") == "workshop":
        return redirect(url_for("dashboard.workshop", workshop_id=w.id))
    return redirect(url_for("dashboard.workshops", done="restored" if restore else "archived"))


@bp.post("/workshops/<int:workshop_id>/status")
@login_required
def status(workshop_id: int):
    """Open, pause or close input from the plain form."""
    w = facilitated(workshop_id)
    services.set_status(w.id, request.form.get("status", ""), actor=actor())
    return redirect(url_for("dashboard.workshop", workshop_id=w.id))


def _to_questions(w: Workshop):
    return redirect(url_for("dashboard.workshop", workshop_id=w.id) + "#questions-heading")


@bp.post("/workshops/<int:workshop_id>/prompts")
@login_required
def add_prompt(workshop_id: int):
    """Add a question from the plain form: asked now, or kept for later."""
    w = facilitated(workshop_id)
    text = request.form.get("text", "")
    try:
        services.add_prompt(w.id, text, activate=request.form.get("activate") != "0", actor=actor())
    except ServiceError as error:
        return _refused(w, "new-question", error, text)
    return _to_questions(w)


@bp.post("/workshops/<int:workshop_id>/prompts/<int:prompt_id>/activate")
@login_required
def activate_prompt(workshop_id: int, prompt_id: int):
    """Ask this question now."""
    w = facilitated(workshop_id)
    services.activate_prompt(w.id, prompt_id, actor=actor())
    return _to_questions(w)


@bp.post("/workshops/<int:workshop_id>/prompts/<int:prompt_id>/move")
@login_required
def move_prompt(workshop_id: int, prompt_id: int):
    """Move a question one place up or down."""
    w = facilitated(workshop_id)
    order = [p.id for p in prompts_of(db(), w.id)]
    if prompt_id not in order:
        raise ServiceError("not_found")
    step = -1 if request.form.get("direction") == "up" else 1
    services.update_prompt(w.id, prompt_id, {"position": max(0, order.index(prompt_id) + step)}, actor=actor())
    return _to_questions(w)


@bp.post("/workshops/<int:workshop_id>/prompts/<int:prompt_id>/edit")
@login_required
def edit_prompt(workshop_id: int, prompt_id: int):
    """Change a question no input has answered yet."""
    w = facilitated(workshop_id)
    text = request.form.get("text", "")
    try:
        services.update_prompt(w.id, prompt_id, {"text": text}, actor=actor())
    except ServiceError as error:
        if error.code == "not_found":
            raise
        return _refused(w, f"edit-{prompt_id}", error, text)
    return _to_questions(w)


@bp.post("/workshops/<int:workshop_id>/prompts/<int:prompt_id>/delete")
@login_required
def delete_prompt(workshop_id: int, prompt_id: int):
    """Delete a question no input has answered."""
    w = facilitated(workshop_id)
    services.delete_prompt(w.id, prompt_id, actor=actor())
    return _to_questions(w)


@bp.post("/workshops/<int:workshop_id>/co-facilitators")
@login_required
def co_facilitator(workshop_id: int):
    """Share the workshop with another facilitator (owner only); the answer is the same whether the account exists or not."""
    w = owned(workshop_id)
    email = request.form.get("email", "")
    try:
        services.add_co_facilitator(w.id, email, actor=actor())
    except ServiceError as error:
        return _refused(w, "share", error, email)
    return redirect(url_for("dashboard.workshop", workshop_id=w.id, shared="added") + "#co-heading")


@bp.post("/workshops/<int:workshop_id>/co-facilitators/<int:user_id>/remove")
@login_required
def remove_co_facilitator(workshop_id: int, user_id: int):
    """Stop sharing the workshop with one co-facilitator (owner only)."""
    w = owned(workshop_id)
    services.remove_co_facilitator(w.id, user_id, actor=actor())
    return redirect(url_for("dashboard.workshop", workshop_id=w.id, shared="removed") + "#co-heading")


@bp.get("/workshops/<int:workshop_id>/qr.svg")
@login_required
def qr_svg(workshop_id: int):
    """The join QR code for screens."""
    return Response(qr.svg(join_url(facilitated(workshop_id))), mimetype="image/svg+xml")


@bp.get("/workshops/<int:workshop_id>/qr.png")
@login_required
def qr_png(workshop_id: int):
    """The join QR code as a PNG download for print."""
    w = facilitated(workshop_id)
    headers = {"Content-Disposition": f'attachment; filename="join-{w.join_code}.png"'}
    return Response(qr.png(join_url(w)), mimetype="image/png", headers=headers)


@bp.get("/workshops/<int:workshop_id>/print")
@login_required
def print_qr(workshop_id: int):
    """A printable page with the QR code and join code in large type."""
    w = facilitated(workshop_id)
    return render_template("dashboard/print.html", workshop=w, join_url=join_url(w))


@bp.get("/workshops/<int:workshop_id>/wall")
@login_required
def wall(workshop_id: int):
    """The live wall, with the board as it is now; its script draws it and listens for events."""
    w = facilitated(workshop_id)
    return render_template(
        "facilitate/wall.html",
        workshop=w,
        # The script draws this at once; its socket then asks only for the events after it.
        snapshot=snapshot(db(), w, audience="facilitator"),
        join_url=join_url(w),
        projector_url=projector_url(w),
        paper_source=DEFAULT_SOURCE.get(w.language, DEFAULT_SOURCE["da"]),
        page_seconds=PROJECTOR_PAGE_SECONDS,
    )
