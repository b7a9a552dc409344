"""What every template can use."""

from __future__ import annotations

from flask import g
from flask_babel import format_datetime, get_locale

from .auth import csrf_token


def init_app(app) -> None:
    """Add template globals and filters."""

    @app.context_processor
    def _globals():
        return {
            "csrf_token": csrf_token,
            "current_user": g.get("user"),
            "locale": str(get_locale()),
        }

    app.jinja_env.filters["datetime"] = lambda value, fmt="short": format_datetime(value, fmt) if value else ""
