"""JSON API under /api/v1: thin adapters from HTTP to the service layer."""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request

from . import admission, services
from .auth import login_required
from .db import session as db
from .errors import ServiceError
from .i18n import use_workshop_language
from .links import join_url, projector_url
from .models import Workshop
from .queries import can_facilitate, events_since, participant_state, snapshot
from .serialize import input_dict, receipt_dict, theme_dict, workshop_dict

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def body() -> dict:
    """The request's JSON object, or a documented refusal."""
    if not request.is_json:
        raise ServiceError("unsupported_media_type")
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # "[[[[…" thousands deep: the parser gives up, the request is invalid
        data = None
    if not isinstance(data, dict):
        raise ServiceError("invalid")
    return data


def actor() -> str:
    """How the event log names whoever makes this request."""
    return f"{'token' if g.via_token else 'user'}:{g.user.id}"


def facilitated(workshop_id: int) -> Workshop:
    """The workshop, if the current user may facilitate it (404 otherwise: ids are not confirmed)."""
    workshop = db().get(Workshop, workshop_id)
    if workshop is None or not can_facilitate(db(), g.user, workshop):
        raise ServiceError("not_found")
    return workshop


def phone_key() -> str:
    """The per-phone random key (cookie) used for rate limits, never stored with an input."""
    return request.cookies.get("phone") or request.headers.get("X-Phone-Key", "")[:64] or "none"


def client_address() -> str:
    """The requester's address (ProxyFix sets it behind a trusted proxy)."""
    return request.remote_addr or "unknown"


@bp.post("/workshops")
@login_required
def create_workshop():
    """Create a workshop owned by the caller."""
    data = body()
    themes = data.get("themes") or []
    if not isinstance(themes, list):
        raise ServiceError("invalid")
    workshop = services.create_workshop(
        owner_id=g.user.id,
        title=data.get("title"),
        language=data.get("language", current_app.config["DEFAULT_LANGUAGE"]),
        description=data.get("description", ""),
        themes=themes,
        settings=data.get("settings"),
        prompt=data.get("prompt", ""),
        place=data.get("place", ""),
        held_on=data.get("held_on", ""),
        default_max_length=current_app.config["MAX_INPUT_LENGTH"],
        actor=actor(),
    )
    answer = workshop_dict(workshop)
    answer["join_url"] = join_url(workshop)
    answer["projector_url"] = projector_url(workshop)
    return jsonify(answer), 201


@bp.get("/workshops/<int:workshop_id>")
@login_required
def get_workshop(workshop_id: int):
    """The board snapshot with its seq."""
    workshop = facilitated(workshop_id)
    data = snapshot(db(), workshop)
    data["join_url"] = join_url(workshop)
    data["projector_url"] = projector_url(workshop)
    return jsonify(data)


@bp.patch("/workshops/<int:workshop_id>")
@login_required
def update_workshop(workshop_id: int):
    """Change title, description, language or settings."""
    workshop = facilitated(workshop_id)
    workshop = services.update_workshop(workshop.id, body(), actor=actor())
    return jsonify(workshop_dict(workshop))


@bp.delete("/workshops/<int:workshop_id>")
@login_required
def delete_workshop(workshop_id: int):
    """Delete the workshop and everything in it at once (owner only; export it first)."""
    workshop = facilitated(workshop_id)
    if workshop.owner_id != g.user.id:
        raise ServiceError("owner_only")
    db().close()  # this request's read transaction would keep the deleted pages alive in SQLite's log
    services.delete_workshop(workshop.id, actor=actor())
    return "", 204


@bp.get("/workshops/<int:workshop_id>/events")
@login_required
def get_events(workshop_id: int):
    """The events after ?since=N, in order."""
    workshop = facilitated(workshop_id)
    since = request.args.get("since", "0")
    if not since.isdigit():
        raise ServiceError("invalid")
    return jsonify({"seq": workshop.seq, "events": events_since(db(), workshop.id, int(since))})


@bp.post("/workshops/<int:workshop_id>/status")
@login_required
def set_status(workshop_id: int):
    """Open, pause or close input."""
    workshop = facilitated(workshop_id)
    workshop = services.set_status(workshop.id, body().get("status"), actor=actor())
    return jsonify(workshop_dict(workshop))


@bp.post("/workshops/<int:workshop_id>/prompt")
@login_required
def set_prompt(workshop_id: int):
    """Ask a new question."""
    workshop = facilitated(workshop_id)
    prompt = services.set_active_prompt(workshop.id, body().get("text"), actor=actor())
    return jsonify({"id": prompt.id, "text": prompt.text}), 201


@bp.post("/workshops/<int:workshop_id>/projector")
@login_required
def set_projector(workshop_id: int):
    """Switch the projector view, or issue a new projector link."""
    workshop = facilitated(workshop_id)
    data = body()
    if data.get("regenerate") is True:
        workshop = services.regenerate_projector_secret(workshop.id, actor=actor())
    if "view" in data:
        workshop = services.set_projector_view(workshop.id, data["view"], actor=actor())
    return jsonify({"view": workshop.projector_view, "projector_url": projector_url(workshop)})


@bp.post("/workshops/<int:workshop_id>/co-facilitators")
@login_required
def add_co_facilitator(workshop_id: int):
    """Share the workshop with another facilitator by email."""
    workshop = facilitated(workshop_id)
    email = body().get("email")
    if not isinstance(email, str):
        raise ServiceError("invalid")
    user = services.add_co_facilitator(workshop.id, email, actor=actor())
    return jsonify({"user_id": user.id, "email": user.email}), 201


@bp.post("/workshops/<int:workshop_id>/themes")
@login_required
def create_theme(workshop_id: int):
    """Add a theme at the end of the board."""
    workshop = facilitated(workshop_id)
    data = body()
    theme = services.create_theme(workshop.id, data.get("title"), data.get("summary", ""), actor=actor())
    return jsonify(theme_dict(theme, [])), 201


@bp.patch("/workshops/<int:workshop_id>/themes/<int:theme_id>")
@login_required
def update_theme(workshop_id: int, theme_id: int):
    """Rename, summarise or reorder a theme."""
    workshop = facilitated(workshop_id)
    theme = services.update_theme(workshop.id, theme_id, body(), actor=actor())
    return jsonify(theme_dict(theme))


@bp.delete("/workshops/<int:workshop_id>/themes/<int:theme_id>")
@login_required
def delete_theme(workshop_id: int, theme_id: int):
    """Delete a theme; its inputs go back to Unsorted."""
    workshop = facilitated(workshop_id)
    services.delete_theme(workshop.id, theme_id, actor=actor())
    return "", 204


@bp.post("/workshops/<int:workshop_id>/themes/<int:theme_id>/merge")
@login_required
def merge_theme(workshop_id: int, theme_id: int):
    """Merge this theme into another."""
    workshop = facilitated(workshop_id)
    target = services.merge_themes(workshop.id, theme_id, body().get("into"), actor=actor())
    return jsonify(theme_dict(target))


@bp.post("/workshops/<int:workshop_id>/inputs/<int:input_id>/move")
@login_required
def move_input(workshop_id: int, input_id: int):
    """Move an input to a theme (or Unsorted) at an index."""
    workshop = facilitated(workshop_id)
    data = body()
    theme_id = data.get("theme_id")
    if theme_id is not None and (not isinstance(theme_id, int) or isinstance(theme_id, bool)):
        raise ServiceError("invalid")
    item = services.move_input(workshop.id, input_id, theme_id, data.get("index", 0), actor=actor())
    return jsonify(input_dict(item))


@bp.post("/workshops/<int:workshop_id>/inputs/<int:input_id>/hide")
@login_required
def hide_input(workshop_id: int, input_id: int):
    """Hide an input with a reason; it is kept."""
    workshop = facilitated(workshop_id)
    item = services.hide_input(workshop.id, input_id, body().get("reason", ""), actor=actor())
    return jsonify(input_dict(item))


@bp.post("/workshops/<int:workshop_id>/inputs/<int:input_id>/unhide")
@login_required
def unhide_input(workshop_id: int, input_id: int):
    """Show a hidden input again."""
    workshop = facilitated(workshop_id)
    item = services.unhide_input(workshop.id, input_id, actor=actor())
    return jsonify(input_dict(item))


@bp.post("/join/<code>/inputs")
def submit_input(code: str):
    """A phone sends an input; the same client_key again returns the stored one."""
    limiter = current_app.extensions["facilitator.limiter"]
    limiter.check("RATELIMIT_ADDRESS", client_address())
    limiter.check("RATELIMIT_PHONE", phone_key())
    workshop = admission.find_workshop(code)
    use_workshop_language(workshop.language)
    data = body()
    item, created = services.submit_input(
        workshop.join_code,
        data.get("text"),
        data.get("client_key"),
        data.get("author_name", ""),
        admitted=admission.is_admitted(workshop),
    )
    admission.admit(workshop)
    return jsonify(receipt_dict(item)), 201 if created else 200


@bp.get("/join/<code>")
def join_state(code: str):
    """What a phone needs to know about a workshop: open or not, and the question."""
    current_app.extensions["facilitator.limiter"].check("RATELIMIT_JOIN_ADDRESS", client_address())
    workshop = admission.find_workshop(code)
    use_workshop_language(workshop.language)
    admission.admit(workshop)
    state = participant_state(db(), workshop)
    state["language"] = workshop.language
    return jsonify(state)
