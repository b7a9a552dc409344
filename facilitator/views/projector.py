"""The projector: a read-only full-screen page behind a secret link, no login."""

from __future__ import annotations

from flask import Blueprint, Response, g, render_template

from .. import qr
from ..db import session as db
from ..errors import ServiceError
from ..links import join_url
from ..models import Workshop
from ..queries import workshop_by_projector_secret

bp = Blueprint("projector", __name__)


def _workshop(secret: str) -> Workshop:
    workshop = workshop_by_projector_secret(db(), secret)
    if workshop is None:
        raise ServiceError("not_found")
    return workshop


@bp.get("/p/<secret>")
def show(secret: str):
    """The projector page; its script connects with the secret."""
    workshop = _workshop(secret)
    g.locale = workshop.language
    return render_template("projector/show.html", workshop=workshop, join_url=join_url(workshop), secret=secret)


@bp.get("/p/<secret>/qr.svg")
def qr_svg(secret: str):
    """The join QR code for the projector."""
    return Response(qr.svg(join_url(_workshop(secret))), mimetype="image/svg+xml")
