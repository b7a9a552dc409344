"""What every template can use."""

from __future__ import annotations

from flask import g
from flask_babel import format_datetime, get_locale

from .auth import csrf_token
from .script_graph import module_script
from .services.importer import progress as import_progress


def init_app(app) -> None:
    """Add template globals and filters."""

    @app.context_processor
    def _globals():
        return {
            "csrf_token": csrf_token,
            "current_user": g.get("user"),
            "locale": str(get_locale()),
            "import_progress": import_progress,
            "module_script": module_script,
        }

    app.jinja_env.filters["datetime"] = lambda value, fmt="short": format_datetime(value, fmt) if value else ""
