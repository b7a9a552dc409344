"""URL converters: a number in a path is a row id the database can hold."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

from .services.validation import MAX_ID


class RowId(IntegerConverter):
    """`<int:…>` in every route: a number beyond the databases' integer range names no row.

    It becomes 0 (never a row id), so the view answers its ordinary 404. Refusing
    the match instead would make Werkzeug answer 405 for other methods of the path.
    """

    def to_python(self, value: str) -> int:
        number = int(value)
        return number if number <= MAX_ID else 0


def init_app(app) -> None:
    """Make <int:…> mean a row id before any blueprint is registered."""
    app.url_map.converters["int"] = RowId
