"""The app's shared objects: the unbound Socket.IO, and typed accessors for what each app holds.

Several apps can live in one process (tests, benchmarks), so the database, the
limiter and the rest are per app, kept in `app.extensions`; only this module
names their keys. An accessor without an app reads the current app's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, current_app
from flask_socketio import SocketIO

if TYPE_CHECKING:
    from .db import Database
    from .ratelimit import Limiter
    from .realtime import ParticipantSockets, StatePending
    from .socket_expiry import SocketExpiry
    from .socket_guard import SocketGuard
    from .suggest.worker import EmbeddingWorker

# One per process: Flask-SocketIO binds it to the app that init_app was last called with.
socketio = SocketIO()

# The keys predate this module; kept so an app's extensions read as before.
_KEYS = {
    "settings_sources": "facilitator.settings_sources",
    "database": "facilitator.db",
    "limiter": "facilitator.limiter",
    "socket_guard": "facilitator.socket_guard",
    "socket_expiry": "facilitator.socket_expiry",
    "participant_sockets": "facilitator.participant_sockets",
    "state_pending": "facilitator.state_pending",
    "embed_worker": "facilitator.embed_worker",
}


def register(app: Flask, **objects) -> None:
    """Bind shared objects to app by name (database=, limiter=, …; see the accessors)."""
    for name, value in objects.items():
        app.extensions[_KEYS[name]] = value


def _get(name: str, app: Flask | None):
    return (app if app is not None else current_app).extensions[_KEYS[name]]


def settings_sources(app: Flask | None = None) -> dict[str, str]:
    """Where each setting's value came from (default, instance file, environment, argument)."""
    return _get("settings_sources", app)


def database(app: Flask | None = None) -> Database:
    """The app's Database."""
    return _get("database", app)


def limiter(app: Flask | None = None) -> Limiter:
    """The app's rate limiter."""
    return _get("limiter", app)


def socket_guard(app: Flask | None = None) -> SocketGuard:
    """The WSGI guard in front of the app's Socket.IO."""
    return _get("socket_guard", app)


def socket_expiry(app: Flask | None = None) -> SocketExpiry:
    """The deadlines of this process's wall sockets on a login."""
    return _get("socket_expiry", app)


def participant_sockets(app: Flask | None = None) -> ParticipantSockets:
    """This process's count of phone sockets and their cap."""
    return _get("participant_sockets", app)


def state_pending(app: Flask | None = None) -> StatePending:
    """The workshops whose phones have a coalesced "state" message on its way."""
    return _get("state_pending", app)


def embed_worker(app: Flask | None = None) -> EmbeddingWorker | None:
    """The app's embedding worker, None when the suggestion engine needs none."""
    return (app if app is not None else current_app).extensions.get(_KEYS["embed_worker"])
