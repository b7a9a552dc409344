"""Every refusal answers in the documented shape: JSON for the API, a page for people."""

from __future__ import annotations

import logging

from flask import current_app, jsonify, render_template, request
from jinja2 import TemplateError
from markupsafe import escape
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from .errors import ServiceError
from .i18n import use_remembered_language

# The database is unreachable, restarting, read-only or full, or its pool is exhausted:
# a condition that passes, so the answer is 503 with Retry-After, never a 500.
DATABASE_DOWN = (OperationalError, InterfaceError, PoolTimeout)
RETRY_AFTER_SECONDS = 5
# Endpoints phones use: their refusals speak to a phone whose outbox keeps the text.
PHONE_ENDPOINTS = {
    "api.submit_input", "api.join_state", "participant.join", "participant.send", "participant.enter_code", "phone_votes.vote",
}

# Werkzeug's own refusals mapped onto our codes.
_HTTP_CODES = {400: "invalid", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "invalid", 413: "body_too_large", 415: "unsupported_media_type"}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.is_json or request.accept_mimetypes.best == "application/json"


def database_down() -> ServiceError:
    """The refusal for a request the database could not serve, in the phone's language on phone routes."""
    if request.endpoint in PHONE_ENDPOINTS:
        # The workshop's language could not be read; use the one last seen for its code.
        use_remembered_language()
        return ServiceError("unavailable", retry_after=RETRY_AFTER_SECONDS)
    return ServiceError("storage_unavailable", retry_after=RETRY_AFTER_SECONDS)


def init_app(app) -> None:
    """Register the handlers."""

    @app.errorhandler(ServiceError)
    def service_error(error: ServiceError):
        if _wants_json():
            return jsonify(error.to_json()), error.status, error.headers()
        return error_page(error.status, error.message()), error.status, error.headers()

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PoolTimeout)
    def database_error(error):
        current_app.logger.warning("database unavailable for %s %s: %s", request.method, request.path, str(error).splitlines()[0])
        return service_error(database_down())

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_error):
        return service_error(ServiceError("body_too_large"))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = _HTTP_CODES.get(error.code or 500)
        if code is None:
            return error
        if _wants_json():
            return jsonify(ServiceError(code).to_json()), error.code
        return error_page(error.code, ServiceError(code).message()), error.code

    @app.errorhandler(500)
    def server_error(_error):
        return service_error(ServiceError("server_error"))


def error_page(status: int, message: str) -> str:
    """The error page; a bare page in the same words when even the templates cannot be loaded."""
    try:
        return render_template("error.html", status=status, message=message)
    except (TemplateError, OSError):
        logging.getLogger(__name__).exception("the error page could not be rendered")
        return (
            '<!doctype html><html><head><meta charset="utf-8"><title>Facilitator</title></head>'
            f"<body><main><h1>{status}</h1><p>{escape(message)}</p></main></body></html>"
        )
