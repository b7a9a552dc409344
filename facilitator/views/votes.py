"""Dot voting over HTTP: the facilitator's rounds, the phones' allocations, the projector's results.

Thin adapters: parse, authorise, call services/votes.py, answer. A phone is
recognised by phone_keys.current() alone (the server-issued key).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, jsonify, request

from .. import admission, charts, extensions, services
from ..ratelimit import client_address
from ..auth import login_required
from ..db import session as db
from ..errors import ServiceError
from ..i18n import use_workshop_language
from .. import phone_keys
from ..vote_queries import labelled_results, projector_round, results, round_dict, round_of, rounds_of
from .common import actor, body, facilitated
from .projector import _workshop as projector_workshop

bp = Blueprint("votes", __name__)


def _round(workshop_id: int, round_id: int):
    round_ = round_of(db(), workshop_id, round_id)
    if round_ is None:
        raise ServiceError("not_found")
    return round_


def _answer(round_) -> dict:
    return {"round": round_dict(round_), **results(db(), round_)}


@bp.post("/api/v1/workshops/<int:workshop_id>/vote-rounds")
@login_required
def open_round(workshop_id: int):
    """Open a vote round on the themes or the inputs."""
    workshop = facilitated(workshop_id)
    data = body()
    round_ = services.open_vote_round(
        workshop.id,
        data.get("on"),
        theme_ids=data.get("theme_ids"),
        dots=data.get("dots"),
        per_item=data.get("per_item"),
        reveal=data.get("reveal", "on_close"),
        actor=actor(),
    )
    return jsonify(_answer(round_)), 201


@bp.get("/api/v1/workshops/<int:workshop_id>/vote-rounds")
@login_required
def list_rounds(workshop_id: int):
    """Every round of the workshop with its results, each item with its label (a theme's title, an input's text)."""
    workshop = facilitated(workshop_id)
    rounds = rounds_of(db(), workshop.id)
    return jsonify({"rounds": [{**round_dict(r), **labelled_results(db(), r, with_hidden=True)} for r in rounds]})


@bp.get("/api/v1/workshops/<int:workshop_id>/vote-rounds/<int:round_id>")
@login_required
def get_round(workshop_id: int, round_id: int):
    """A round's results: items ranked with votes and voters, voters, dots cast."""
    workshop = facilitated(workshop_id)
    return jsonify(_answer(_round(workshop.id, round_id)))


@bp.post("/api/v1/workshops/<int:workshop_id>/vote-rounds/<int:round_id>/close")
@login_required
def close_round(workshop_id: int, round_id: int):
    """Close a round: its results are frozen and shown to the room."""
    workshop = facilitated(workshop_id)
    return jsonify(_answer(services.close_vote_round(workshop.id, round_id, actor=actor())))


@bp.post("/api/v1/workshops/<int:workshop_id>/vote-rounds/<int:round_id>/reveal")
@login_required
def reveal_round(workshop_id: int, round_id: int):
    """Show a round's results to the room before it closes."""
    workshop = facilitated(workshop_id)
    return jsonify(_answer(services.reveal_vote_round(workshop.id, round_id, actor=actor())))


@bp.get("/api/v1/workshops/<int:workshop_id>/vote-rounds/<int:round_id>/chart.svg")
@login_required
def round_chart(workshop_id: int, round_id: int):
    """The round's ranked bar chart for the wall (hidden inputs included: facilitators see them)."""
    workshop = facilitated(workshop_id)
    data = labelled_results(db(), _round(workshop.id, round_id), with_hidden=True)
    return _svg(charts.bar_chart_svg(charts.rows_of(data), title=None))


@bp.put("/api/v1/join/<code>/votes")
def put_votes(code: str):
    """A phone replaces its allocation in the open round; the latest allocation wins."""
    limiter = extensions.limiter()
    limiter.check("RATELIMIT_ADDRESS", client_address())
    workshop = admission.find_workshop(code)
    use_workshop_language(workshop)
    round_, stored = cast_from_phone(workshop, lambda: (body().get("round"), body().get("allocation")))
    return jsonify({"round": round_.id, "allocation": stored, "left": round_.dots - sum(stored.values())})


def cast_from_phone(workshop, read: Callable[[], tuple[object, object]]) -> tuple:
    """This phone's allocation into services.cast_votes, under the vote limits (also the phone form's way).

    The per-phone vote limit, then the workshop's cap (RATELIMIT_WORKSHOP, the
    same bucket sent inputs count in: every write waits for the workshop's
    lock). `read` gives (round id, allocation), called once both let the request through.
    """
    limiter = extensions.limiter()
    key = phone_keys.current()
    limiter.check("RATELIMIT_VOTE_PHONE", key or "none")
    limiter.check("RATELIMIT_WORKSHOP", str(workshop.id), code="vote_busy")
    round_id, allocation = read()
    return services.cast_votes(workshop.join_code, phone_keys.vote_hash(key) if key else None, round_id, allocation)


@bp.get("/p/<secret>/votes.json")
def projector_votes(secret: str):
    """The revealed rounds with their labelled results (hidden inputs left out), for the projector."""
    workshop = projector_workshop(secret)
    rounds = [
        {**round_dict(r), **labelled_results(db(), r, with_hidden=False)}
        for r in rounds_of(db(), workshop.id)
        if r.revealed
    ]
    shown = projector_round(db(), workshop)
    if shown is not None and not shown.revealed:
        # The room may know a vote is on and how many took part, not how it stands.
        shown_data = {**round_dict(shown), "voters": results(db(), shown)["voters"]}
    else:
        shown_data = next((r for r in rounds if shown is not None and r["id"] == shown.id), None)
    return jsonify({"rounds": rounds, "shown": shown_data})


@bp.get("/p/<secret>/votes/<int:round_id>.svg")
def projector_chart(secret: str, round_id: int):
    """A revealed round's ranked bar chart, big enough for the room."""
    workshop = projector_workshop(secret)
    round_ = _round(workshop.id, round_id)
    if not round_.revealed:
        raise ServiceError("not_found")
    data = labelled_results(db(), round_, with_hidden=False)
    return _svg(charts.bar_chart_svg(charts.rows_of(data), title=None, compact=True))


def _svg(svg: str) -> Response:
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "no-store"
    return response
