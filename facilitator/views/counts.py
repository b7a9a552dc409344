"""Inputs per theme as a server-drawn bar chart: the wall's panel and the projector's counts view.

The pages print the same numbers in a table beside the picture (filled from
their board model); the picture is reloaded when those numbers change.
"""

from __future__ import annotations

from flask import Blueprint, Response, g

from .common import facilitated
from ..auth import login_required
from ..db import session as db
from ..theme_counts import counts_svg
from .projector import _workshop as projector_workshop

bp = Blueprint("counts", __name__)


def _svg(svg: str) -> Response:
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/api/v1/workshops/<int:workshop_id>/counts.svg")
@login_required
def wall_counts(workshop_id: int):
    """Visible inputs per theme as a compact bar chart, for the wall."""
    workshop = facilitated(workshop_id)
    return _svg(counts_svg(db(), workshop.id))


@bp.get("/p/<secret>/counts.svg")
def projector_counts(secret: str):
    """Visible inputs per theme as a bar chart for the room (hidden inputs are in no count)."""
    workshop = projector_workshop(secret)
    g.locale = workshop.language
    return _svg(counts_svg(db(), workshop.id, projector=True))
