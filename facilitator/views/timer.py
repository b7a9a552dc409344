"""The workshop timer over HTTP: the wall's controls, and the timer as projector and phones read it."""

from __future__ import annotations

from flask import Blueprint, jsonify

from .. import services, timer_clock
from .common import actor, body, facilitated
from ..auth import login_required
from ..db import session as db
from .projector import _workshop as projector_workshop

bp = Blueprint("timer", __name__)


@bp.get("/api/v1/workshops/<int:workshop_id>/timer")
@login_required
def get_timer(workshop_id: int):
    """The timer and the server's clock."""
    workshop = facilitated(workshop_id)
    return jsonify(timer_clock.fresh(db(), workshop.id))


@bp.post("/api/v1/workshops/<int:workshop_id>/timer")
@login_required
def set_timer(workshop_id: int):
    """Start (seconds, on_zero), pause, resume, extend (seconds) or clear the timer."""
    workshop = facilitated(workshop_id)
    data = body()
    services.set_timer(workshop.id, data.get("action"), data.get("seconds"), data.get("on_zero"), actor=actor())
    db().close()  # read the committed timer in a fresh transaction
    return jsonify(timer_clock.fresh(db(), workshop.id))


@bp.get("/p/<secret>/timer.json")
def projector_timer(secret: str):
    """The timer for the projector."""
    return jsonify(timer_clock.fresh(db(), projector_workshop(secret).id))
