"""Export downloads and JSON import: adapters between HTTP and the export package."""

from __future__ import annotations

import json

from flask import Blueprint, Response, g, redirect, request, url_for

from .. import export, services
from ..auth import login_required
from ..db import session as db
from ..errors import ServiceError
from ..services.validation import check_title
from .common import actor, facilitated

bp = Blueprint("exports", __name__)


@bp.get("/api/v1/workshops/<int:workshop_id>/export.<fmt>")
@login_required
def download(workshop_id: int, fmt: str):
    """The workshop as appendix or report in one format (?variant=, ?list_hidden=1, ?heading=)."""
    workshop = facilitated(workshop_id)
    variant = request.args.get("variant", "appendix")
    if fmt not in export.FORMATS or variant not in export.VARIANTS:
        raise ServiceError("not_found")
    heading = request.args.get("heading")
    # The heading is written into every format (a DOCX/XLSX title too): checked like any title.
    heading = check_title(heading) if heading else None
    doc = export.build_document(db(), workshop, heading=heading)
    try:
        data, mimetype, name = export.render(doc, fmt, variant, list_hidden=request.args.get("list_hidden") == "1")
    except export.Unrepresentable as error:
        raise _unrepresentable(doc, fmt, error) from None
    inline = fmt == "html" and request.args.get("download") != "1"
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{name}"'
    if fmt == "html":
        # The print page carries its own stylesheet inline; its CSP allows that one style by hash.
        response.headers["Content-Security-Policy"] = export.HTML_CSP
    response.headers["Cache-Control"] = "no-store"
    return response


def _unrepresentable(doc, fmt: str, error) -> ServiceError:
    """The refusal naming the stored text (and its input) that this format cannot hold."""
    columns = [t.column for t in doc.themes] + [doc.unsorted_column]
    found = next(
        (i for column in columns for i in column if error.text in (i.text, i.hidden_reason, i.author_name)), None
    )
    shown = "".join(f"U+{ord(ch):04X}" if ch.isprintable() is False else ch for ch in error.text[:40])
    params = {"format": fmt.upper(), "what": error.what, "snippet": shown}
    if found is not None:
        params["input_id"] = found.id
    return ServiceError("export_unrepresentable", **params)


@bp.get("/workshops/<int:workshop_id>/export")
@login_required
def choose(workshop_id: int):
    """The download form's target: send the browser on to the export itself."""
    workshop = facilitated(workshop_id)
    fmt = request.args.get("fmt", "docx")
    if fmt not in export.FORMATS:
        raise ServiceError("not_found")
    args = {"variant": request.args.get("variant", "appendix")}
    if request.args.get("list_hidden") == "1":
        args["list_hidden"] = "1"
    return redirect(url_for("exports.download", workshop_id=workshop.id, fmt=fmt, **args))


# A JSON export of a large workshop is far bigger than any other request body.
IMPORT_MAX_BYTES = 50 * 1024 * 1024


@bp.post("/workshops/import")
@login_required
def upload():
    """Rebuild a workshop from an uploaded JSON export (dashboard form)."""
    request.max_content_length = IMPORT_MAX_BYTES
    upload = request.files.get("file")
    if upload is None:
        raise ServiceError("invalid")
    try:
        data = json.loads(upload.read().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ServiceError("invalid") from None
    workshop = services.import_workshop(g.user.id, data, actor=actor())
    return redirect(url_for("dashboard.workshop", workshop_id=workshop.id))


# Read by auth.check_csrf, which parses the form (for its token) before the view runs.
upload.max_content_length = IMPORT_MAX_BYTES
