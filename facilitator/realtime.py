"""Socket.IO: who may listen to which workshop, pushing committed events, resync."""

from __future__ import annotations

import threading

from flask import current_app, request, session
from flask_socketio import SocketIO, emit, join_room, leave_room

from . import socket_auth
from .db import read_session
from .models import Workshop
from .queries import events_since, participant_state, snapshot
from .serialize import event_dict

socketio = SocketIO()

# Event types that change what a phone shows; phones get a small "state" message.
PARTICIPANT_TYPES = {"workshop.status", "workshop.updated", "prompt.created"}


def room(workshop_id: int, audience: str) -> str:
    """The room of one audience of one workshop."""
    return f"w{workshop_id}:{audience}"


def init_app(app, database) -> None:
    """Start Socket.IO (threading by default) and publish every committed event."""
    # Workshops whose phones have a coalesced "state" message on its way (see publish).
    app.extensions["facilitator.state_pending"] = (threading.Lock(), set())
    socketio.init_app(
        app,
        async_mode=app.config.get("SOCKETIO_ASYNC_MODE") or "threading",
        message_queue=app.config.get("SOCKETIO_MESSAGE_QUEUE"),
        channel=app.config.get("SOCKETIO_CHANNEL") or "flask-socketio",
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
        if event.type in ("projector.secret_changed", "workshop.deleted"):
            socketio.emit("revoked", {}, to=room(wid, "projector"))
            if not current_app.config.get("SOCKETIO_MESSAGE_QUEUE"):
                # Through a queue "revoked" arrives later and would be cut off; the closed room
                # and the check on every message (socket_auth) keep old projectors out instead.
                _disconnect_room(room(wid, "projector"))
            socketio.close_room(room(wid, "projector"))
        if event.type in PARTICIPANT_TYPES:
            _schedule_participant_state(wid)


def _schedule_participant_state(workshop_id: int) -> None:
    """Send phones the workshop's state once per debounce window, however many changes it holds.

    Every phone of a plenary gets each such message, so a facilitator who edits
    the prompt and opens input in one breath costs one broadcast, not three.
    The state is read when the timer fires, so it includes every change
    committed before then; a change committed after that starts a new timer.
    """
    app = current_app._get_current_object()
    delay = float(app.config.get("PARTICIPANT_STATE_DEBOUNCE") or 0)
    if delay <= 0:
        _emit_participant_state(workshop_id)
        return
    lock, pending = app.extensions["facilitator.state_pending"]
    with lock:
        if workshop_id in pending:
            return
        pending.add(workshop_id)
    socketio.start_background_task(_emit_participant_state_later, app, workshop_id, delay)


def _emit_participant_state_later(app, workshop_id: int, delay: float) -> None:
    socketio.sleep(delay)
    lock, pending = app.extensions["facilitator.state_pending"]
    with lock:
        pending.discard(workshop_id)
    try:
        with app.app_context():
            _emit_participant_state(workshop_id)
    except Exception:  # a background task has no caller to tell; the next change sends again
        app.logger.exception("could not send the participant state of workshop %s", workshop_id)


def _emit_participant_state(workshop_id: int) -> None:
    with read_session() as s:
        workshop = s.get(Workshop, workshop_id)
        if workshop is not None:
            socketio.emit("state", participant_state(s, workshop), to=room(workshop_id, "participants"))


@socketio.on("connect")
def on_connect(auth=None):
    """Authenticate at connect and join the workshop's room for this audience."""
    with read_session() as s:
        identity = socket_auth.identify(s, auth if isinstance(auth, dict) else {})
        if identity is None:
            raise ConnectionRefusedError("unauthorized")
        workshop_id, audience = identity.workshop_id, identity.audience
        # Identity lives in this socket's session copy, never keyed by request.sid.
        session["socket_workshop"] = workshop_id
        session["socket_audience"] = audience
        session["socket_identity"] = identity.as_session()
        join_room(room(workshop_id, audience))
        if audience == "facilitators":
            join_room(user_room(identity.credential["user"]))
        if audience == "participants":
            emit("state", participant_state(s, s.get(Workshop, workshop_id)))
    return True


def user_room(user_id: int) -> str:
    """Every wall socket of one facilitator (to end them together)."""
    return f"user:{user_id}"


def _disconnect_room(name: str) -> None:
    """Disconnect this process's sockets in a room (other processes refuse them at their next message)."""
    for sid, _eio_sid in list(socketio.server.manager.get_participants("/", name)):
        socketio.server.disconnect(sid, namespace="/")


def disconnect_user(user_id: int) -> None:
    """End a facilitator's wall sockets: after log out everywhere, a password change, deactivation or a revoked token."""
    # Through a message queue this reaches walls on every process; a wall that honours it goes.
    socketio.emit("revoked", {}, to=user_room(user_id))
    _disconnect_room(user_room(user_id))


def _end_this_socket(identity) -> None:
    """Stop pushing to this socket now; disconnect it once its refusal has been answered."""
    if identity is not None:
        leave_room(room(identity.workshop_id, identity.audience))
        if identity.audience == "facilitators":
            leave_room(user_room(identity.credential["user"]))
    sid = request.sid  # only to disconnect this very socket; identity comes from its session
    socketio.start_background_task(_disconnect_later, sid)


def _disconnect_later(sid: str) -> None:
    socketio.sleep(0.5)
    socketio.server.disconnect(sid, namespace="/")


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
        identity = socket_auth.current()
        if identity is None or not socket_auth.still_valid(s, identity, workshop):
            _end_this_socket(identity)
            return {"error": {"code": "unauthorized"}}
        limit = current_app.config["SYNC_MAX_EVENTS"]
        if isinstance(since, int) and not isinstance(since, bool) and 0 <= since <= workshop.seq:
            if workshop.seq - since <= limit:
                events = events_since(s, workshop.id, since)
                if audience == "projector":
                    events = [for_projector(e) for e in events]
                # A purge deletes the log before its own event: a gap means "start again".
                if not events or events[0]["seq"] == since + 1:
                    return {"events": events}
        kind = "projector" if audience == "projector" else "facilitator"
        return {"snapshot": snapshot(s, workshop, audience=kind)}
