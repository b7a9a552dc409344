"""JSON API under /api/v1: thin adapters from HTTP to the service layer."""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request

from .. import admission, extensions, paper_files, phone_keys, services
from ..auth import login_required
from ..db import session as db
from ..errors import ServiceError
from ..i18n import use_workshop_language
from ..links import join_url, projector_url
from ..queries import co_facilitators, events_since, owns, participant_state, snapshot
from ..ratelimit import client_address
from ..serialize import input_dict, projector_state, prompt_dict, receipt_dict, theme_dict, workshop_dict
from ..services.prompts import answered_counts, prompts as prompts_of
from ..services.paper import PaperRow
from ..vote_queries import allocation_of
from .common import actor, body, facilitated, owned
from .phone import post_input

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3.1 document of this API."""
    from ..openapi import document

    return jsonify(document())


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
    changes = body()
    settings = changes.get("settings")
    if isinstance(settings, dict) and "retention_days" in settings and not owns(g.user, workshop):
        if settings["retention_days"] != workshop.retention_days:
            # Retention 0 and closing would let a co-facilitator delete the inputs by the back door.
            raise ServiceError("owner_only")
    workshop = services.update_workshop(workshop.id, changes, actor=actor())
    return jsonify(workshop_dict(workshop))


@bp.delete("/workshops/<int:workshop_id>")
@login_required
def delete_workshop(workshop_id: int):
    """Delete the workshop and everything in it at once (owner only; export it first)."""
    workshop = owned(workshop_id)
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
    """Ask a new question: add it at the end and make it the active one."""
    workshop = facilitated(workshop_id)
    prompt = services.set_active_prompt(workshop.id, body().get("text"), actor=actor())
    return jsonify({"id": prompt.id, "text": prompt.text}), 201


@bp.get("/workshops/<int:workshop_id>/prompts")
@login_required
def list_prompts(workshop_id: int):
    """The workshop's questions in order, each with how many inputs answered it."""
    workshop = facilitated(workshop_id)
    counts = answered_counts(db(), workshop.id)
    found = [{**prompt_dict(p), "answers": counts.get(p.id, 0)} for p in prompts_of(db(), workshop.id)]
    return jsonify({"prompts": found})


@bp.post("/workshops/<int:workshop_id>/prompts")
@login_required
def add_prompt(workshop_id: int):
    """Add a question at the end; {"activate": true} asks it at once."""
    workshop = facilitated(workshop_id)
    data = body()
    activate = data.get("activate", False)
    if not isinstance(activate, bool):
        raise ServiceError("invalid")
    prompt = services.add_prompt(workshop.id, data.get("text"), activate=activate, actor=actor())
    return jsonify(prompt_dict(prompt)), 201


@bp.patch("/workshops/<int:workshop_id>/prompts/<int:prompt_id>")
@login_required
def update_prompt(workshop_id: int, prompt_id: int):
    """Change a question's text (until an input answers it) or its position."""
    workshop = facilitated(workshop_id)
    prompt = services.update_prompt(workshop.id, prompt_id, body(), actor=actor())
    return jsonify(prompt_dict(prompt))


@bp.delete("/workshops/<int:workshop_id>/prompts/<int:prompt_id>")
@login_required
def delete_prompt(workshop_id: int, prompt_id: int):
    """Delete a question no input has answered."""
    workshop = facilitated(workshop_id)
    services.delete_prompt(workshop.id, prompt_id, actor=actor())
    return "", 204


@bp.post("/workshops/<int:workshop_id>/prompts/<int:prompt_id>/activate")
@login_required
def activate_prompt(workshop_id: int, prompt_id: int):
    """Ask this question now (also an earlier one again)."""
    workshop = facilitated(workshop_id)
    prompt = services.activate_prompt(workshop.id, prompt_id, actor=actor())
    return jsonify(prompt_dict(prompt))


@bp.post("/workshops/<int:workshop_id>/projector")
@login_required
def set_projector(workshop_id: int):
    """Switch the projector view, or issue a new projector link."""
    workshop = facilitated(workshop_id)
    data = body()
    if data.get("regenerate") is True:
        workshop = services.regenerate_projector_secret(workshop.id, actor=actor())
    changes = {key: data[key] for key in ("spotlight", "page_seconds", "paused") if key in data}
    if "view" in data or changes:
        workshop = services.set_projector_view(workshop.id, data.get("view"), actor=actor(), **changes)
    return jsonify({**projector_state(workshop), "projector_url": projector_url(workshop)})


@bp.get("/workshops/<int:workshop_id>/co-facilitators")
@login_required
def list_co_facilitators(workshop_id: int):
    """Who the workshop is shared with."""
    workshop = facilitated(workshop_id)
    people = co_facilitators(db(), workshop)
    return jsonify({"co_facilitators": [{"user_id": u.id, "email": u.email} for u in people]})


@bp.post("/workshops/<int:workshop_id>/co-facilitators")
@login_required
def add_co_facilitator(workshop_id: int):
    """Share the workshop with another facilitator by email (owner only; says nothing of whether the account exists)."""
    workshop = owned(workshop_id)
    email = body().get("email")
    if not isinstance(email, str):
        raise ServiceError("invalid")
    services.add_co_facilitator(workshop.id, email, actor=actor())
    return jsonify({"email": email.strip().lower()}), 202


@bp.delete("/workshops/<int:workshop_id>/co-facilitators/<int:user_id>")
@login_required
def remove_co_facilitator(workshop_id: int, user_id: int):
    """Stop sharing the workshop with one co-facilitator (owner only); their walls are ended."""
    workshop = owned(workshop_id)
    services.remove_co_facilitator(workshop.id, user_id, actor=actor())
    return "", 204


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
    """Rename, summarise, reorder a theme, or offer it on phones (offered)."""
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
    item, index = services.move_input(
        workshop.id, input_id, theme_id, data.get("index", 0), actor=actor(), suggested=data.get("suggested", False)
    )
    return jsonify({**input_dict(item), "index": index})


@bp.get("/workshops/<int:workshop_id>/suggestions")
@login_required
def get_suggestions(workshop_id: int):
    """Near-duplicate pairs and theme hints for unsorted inputs (advisory; nothing is moved)."""
    from ..suggest import board as suggest_board  # numpy: only a process that suggests loads it

    workshop = facilitated(workshop_id)
    return jsonify(suggest_board.suggestions(db(), workshop))


@bp.get("/workshops/<int:workshop_id>/inputs/<int:input_id>/similar")
@login_required
def get_similar(workshop_id: int, input_id: int):
    """The visible inputs most like this one (?limit=N, 1 to 50, default 10)."""
    from ..suggest import board as suggest_board

    workshop = facilitated(workshop_id)
    raw = request.args.get("limit", "10")
    if not raw.isdigit() or not 1 <= int(raw) <= 50:
        raise ServiceError("invalid")
    found = suggest_board.similar(db(), workshop, input_id, int(raw))
    if found is None:
        raise ServiceError("not_found")
    return jsonify({"input_id": input_id, "similar": found})


@bp.post("/workshops/<int:workshop_id>/inputs/<int:input_id>/dismiss-hint")
@login_required
def dismiss_hint(workshop_id: int, input_id: int):
    """Stop suggesting a theme for this input: {theme_id}."""
    workshop = facilitated(workshop_id)
    services.dismiss_hint(workshop.id, input_id, body().get("theme_id"), actor=actor())
    return "", 204


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


# A paper import's body: the cap's worth of long texts, or a spreadsheet of them.
PAPER_IMPORT_MAX_BYTES = 10 * 1024 * 1024


@bp.post("/workshops/<int:workshop_id>/inputs/import")
@login_required
def import_inputs(workshop_id: int):
    """Add inputs from paper (JSON texts, or an uploaded CSV/XLSX); the same import_key again adds nothing."""
    request.max_content_length = PAPER_IMPORT_MAX_BYTES
    workshop = facilitated(workshop_id)
    limit = current_app.config["IMPORT_MAX_INPUTS"]
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise ServiceError("invalid")
        rows = paper_files.read_upload(upload.filename or "", upload.read(PAPER_IMPORT_MAX_BYTES + 1), limit)
        source, key = request.form.get("source"), request.form.get("import_key")
    else:
        data = body()
        texts = data.get("texts")
        if not isinstance(texts, list):
            raise ServiceError("invalid")
        rows = [PaperRow(n, text) for n, text in enumerate(texts, start=1)]
        source, key = data.get("source"), data.get("import_key")
    items, created = services.import_inputs(workshop.id, rows, source, key, limit, actor=actor())
    answer = {
        "import_key": key,
        "created": created,
        "count": len(items),
        "inputs": [input_dict(i, named=workshop.named_inputs) for i in items],
    }
    return jsonify(answer), 201 if created else 200


# Read by auth.check_csrf, which parses the form (for its token) before the view runs.
import_inputs.max_content_length = PAPER_IMPORT_MAX_BYTES


@bp.post("/join/<code>/inputs")
def submit_input(code: str):
    """A phone sends an input; the same client_key again returns the stored one."""
    data = body()
    item, created = post_input(code, data.get("text"), data.get("client_key"), data.get("author_name", ""), data.get("theme_id"))
    return jsonify(receipt_dict(item)), 201 if created else 200


@bp.get("/join/<code>")
def join_state(code: str):
    """What a phone needs to know about a workshop: open or not, the question, and its phone key."""
    extensions.limiter().check("RATELIMIT_JOIN_ADDRESS", client_address())
    workshop = admission.find_workshop(code)
    use_workshop_language(workshop)
    admission.admit(workshop)
    state = participant_state(db(), workshop)
    state["language"] = workshop.language
    state["phone_key"] = phone_keys.ensure()
    if state["vote"] is not None:
        # This phone's own allocation, so a phone that lost its storage sees its dots again.
        key = phone_keys.current()
        state["vote"]["mine"] = allocation_of(db(), state["vote"]["id"], phone_keys.vote_hash(key)) if key else {}
    return phone_keys.set_cookie(jsonify(state))
