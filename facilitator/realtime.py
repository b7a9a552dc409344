"""Socket.IO: who may listen to which workshop, pushing committed events, resync."""

from __future__ import annotations

from flask import current_app, session
from flask_socketio import SocketIO, emit, join_room

from . import services
from .db import read_session
from .models import User, Workshop
from .queries import (
    can_facilitate,
    events_since,
    participant_state,
    snapshot,
    workshop_by_code,
    workshop_by_projector_secret,
)
from .serialize import event_dict

socketio = SocketIO()

# Event types that change what a phone shows; phones get a small "state" message.
PARTICIPANT_TYPES = {"workshop.status", "workshop.updated", "prompt.created"}


def room(workshop_id: int, audience: str) -> str:
    """The room of one audience of one workshop."""
    return f"w{workshop_id}:{audience}"


def init_app(app, database) -> None:
    """Start Socket.IO in threading mode and publish every committed event."""
    socketio.init_app(
        app,
        async_mode="threading",
        message_queue=app.config.get("SOCKETIO_MESSAGE_QUEUE"),
        max_http_buffer_size=app.config["SOCKETIO_MAX_HTTP_BUFFER_SIZE"],
        # None keeps Flask-SocketIO's same-origin check.
        cors_allowed_origins=app.config.get("SOCKETIO_CORS_ALLOWED_ORIGINS"),
        ping_interval=20,
        ping_timeout=20,
    )
    database.after_commit.append(publish)


def for_projector(event: dict) -> dict:
    """What the projector may see of an event (no moderation reasons, no admin events)."""
    kind = event["type"]
    if kind.startswith("workshop.co_facilitator") or kind == "projector.secret_changed":
        # Keep the seq so the projector sees no gap, but nothing of the content.
        return {**event, "type": "noop", "data": {}}
    if kind == "input.hidden":
        return {**event, "data": {"input_id": event["data"]["input_id"]}}
    return event


def publish(events: list) -> None:
    """Emit committed events to the rooms of their workshop (called after commit)."""
    for event in events:
        payload = event_dict(event)
        wid = event.workshop_id
        socketio.emit("event", payload, to=room(wid, "facilitators"))
        socketio.emit("event", for_projector(payload), to=room(wid, "projector"))
        if event.type == "projector.secret_changed":
            socketio.emit("revoked", {}, to=room(wid, "projector"))
            socketio.close_room(room(wid, "projector"))
        if event.type in PARTICIPANT_TYPES:
            with read_session() as s:
                workshop = s.get(Workshop, wid)
                if workshop is not None:
                    socketio.emit("state", participant_state(s, workshop), to=room(wid, "participants"))


def _identify(s, auth: dict) -> tuple[int, str] | None:
    """(workshop id, audience) for a connect's auth, or None to refuse."""
    role = auth.get("role")
    if role == "wall":
        user = None
        token = auth.get("token")
        if isinstance(token, str) and token:
            found = services.user_for_token(token)
            user = found[0] if found else None
        elif session.get("user_id") is not None:
            user = s.get(User, session["user_id"])
            if user is not None and session.get("session_version") != user.session_version:
                user = None
        workshop_id = auth.get("workshop")
        if user is None or not isinstance(workshop_id, int):
            return None
        workshop = s.get(Workshop, workshop_id)
        if workshop is None or not can_facilitate(s, user, workshop):
            return None
        return workshop.id, "facilitators"
    if role == "projector":
        secret = auth.get("secret")
        workshop = workshop_by_projector_secret(s, secret) if isinstance(secret, str) else None
        return (workshop.id, "projector") if workshop else None
    if role == "participant":
        code = auth.get("code")
        workshop = workshop_by_code(s, services.normalise_join_code(code)) if isinstance(code, str) else None
        return (workshop.id, "participants") if workshop else None
    return None


@socketio.on("connect")
def on_connect(auth=None):
    """Authenticate at connect and join the workshop's room for this audience."""
    with read_session() as s:
        identity = _identify(s, auth if isinstance(auth, dict) else {})
        if identity is None:
            raise ConnectionRefusedError("unauthorized")
        workshop_id, audience = identity
        # Identity lives in this socket's session copy, never keyed by request.sid.
        session["socket_workshop"] = workshop_id
        session["socket_audience"] = audience
        join_room(room(workshop_id, audience))
        if audience == "participants":
            emit("state", participant_state(s, s.get(Workshop, workshop_id)))
    return True


@socketio.on("sync")
def on_sync(data=None):
    """Answer a reconnecting wall or projector with the events it missed, or a snapshot."""
    workshop_id = session.get("socket_workshop")
    audience = session.get("socket_audience")
    if workshop_id is None or audience not in ("facilitators", "projector"):
        return {"error": {"code": "forbidden"}}
    since = data.get("since") if isinstance(data, dict) else None
    with read_session() as s:
        workshop = s.get(Workshop, workshop_id)
        if workshop is None:
            return {"error": {"code": "not_found"}}
        limit = current_app.config["SYNC_MAX_EVENTS"]
        if isinstance(since, int) and not isinstance(since, bool) and 0 <= since <= workshop.seq:
            if workshop.seq - since <= limit:
                events = events_since(s, workshop.id, since)
                if audience == "projector":
                    events = [for_projector(e) for e in events]
                return {"events": events}
        kind = "projector" if audience == "projector" else "facilitator"
        return {"snapshot": snapshot(s, workshop, audience=kind)}
