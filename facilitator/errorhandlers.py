"""Every refusal answers in the documented shape: JSON for the API, a page for people."""

from __future__ import annotations

from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from .errors import ServiceError

# Werkzeug's own refusals mapped onto our codes.
_HTTP_CODES = {400: "invalid", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "invalid", 413: "body_too_large", 415: "unsupported_media_type"}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.is_json or request.accept_mimetypes.best == "application/json"


def init_app(app) -> None:
    """Register the handlers."""

    @app.errorhandler(ServiceError)
    def service_error(error: ServiceError):
        headers = {}
        if error.code == "rate_limited":
            headers["Retry-After"] = str(error.params.get("retry_after", 60))
        if _wants_json():
            return jsonify(error.to_json()), error.status, headers
        page = render_template("error.html", status=error.status, message=error.message())
        return page, error.status, headers

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
        return render_template("error.html", status=error.code, message=ServiceError(code).message()), error.code

    @app.errorhandler(500)
    def server_error(_error):
        if _wants_json():
            return jsonify({"error": {"code": "server_error", "message": "Internal error"}}), 500
        return render_template("error.html", status=500, message=""), 500
