"""Access logs without the projector secret: gunicorn's and the development server's.

The projector link /p/<secret> works without a login, so whoever reads a log
line with it could watch the wall. Every request line and path written to an
access log has the secret replaced by "[redacted]".
"""

from __future__ import annotations

import re

from gunicorn.glogging import Logger
from werkzeug.serving import WSGIRequestHandler

_PROJECTOR_PATH = re.compile(r"(/p/)[^/?#\s\"]+")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """text with every projector secret in a /p/<secret> path replaced."""
    return _PROJECTOR_PATH.sub(r"\1" + REDACTED, text)


class RedactingGunicornLogger(Logger):
    """Gunicorn's logger, with the request line, path and URI atoms redacted."""

    def atoms(self, resp, req, environ, request_time):
        """The access log's values, with secrets taken out of every text one."""
        values = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "{raw_uri}e", "{path_info}e", "{request_uri}e"):
            if isinstance(values.get(key), str):
                values[key] = redact(values[key])
        return values


class RedactingRequestHandler(WSGIRequestHandler):
    """Werkzeug's development server request handler, with the logged request line redacted."""

    def log(self, type: str, message: str, *args) -> None:  # noqa: A002 (Werkzeug's signature)
        """Log as Werkzeug does, with secrets taken out of the values."""
        super().log(type, message, *(redact(a) if isinstance(a, str) else a for a in args))
