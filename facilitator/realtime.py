"""Socket.IO: who may listen to which workshop, pushing committed events, resync."""

from __future__ import annotations

import math
import threading

from flask import current_app, request, session
from flask_socketio import ConnectionRefusedError as SocketRefused
from flask_socketio import emit, join_room, leave_room

from . import extensions, socket_auth
from .db import cooperative_waits, read_session
from .extensions import socketio
from .socket_expiry import SocketExpiry
from .errors import ServiceError
from .models import Workshop
from .queries import events_since, participant_state, snapshot
from .serialize import event_dict

# Event types that change what a phone shows; phones get a small "state" message.
PARTICIPANT_TYPES = {
    "workshop.status",
    "workshop.updated",
    "prompt.created",
    "prompt.updated",
    "prompt.deleted",
    "prompt.activated",
    "theme.created",
    "theme.deleted",
    "theme.merged",
    # Vote events change what phones vote on; so does hiding an input (it leaves the phones at once).
    "vote.opened",
    "vote.closed",
    "input.hidden",
    "timer.updated",
}
# Board changes that only phones seeing the wall (participants_see_wall) show.
BOARD_TYPES = {"input.created", "input.moved", "input.unhidden"}
# Keys of a theme.updated that change the phones' theme choice (a summary being typed does not).
PARTICIPANT_THEME_KEYS = {"title", "offered", "theme_order"}


def concerns_phones(event) -> bool:
    """Whether an event changes what a phone shows (its question, status, theme choice, vote, or the board it sees)."""
    if event.type == "theme.updated":
        return bool(PARTICIPANT_THEME_KEYS & set(event.data or {}))
    if event.type in BOARD_TYPES:
        # Known from the unit of work that recorded it: deciding needs no database read here,
        # in the request thread of every post (services/unit.py, UnitOfWork.record).
        return event.phones_see_wall
    return event.type in PARTICIPANT_TYPES
# Vote events whose tallies the room sees only once the round is revealed.
TALLY_TYPES = {"vote.cast", "vote.closed"}


def room(workshop_id: int, audience: str) -> str:
    """The room of one audience of one workshop."""
    return f"w{workshop_id}:{audience}"


def init_app(app, database) -> None:
    """Start Socket.IO (gevent in a gevent-patched server process, else threading) and publish every committed event."""
    extensions.register(
        app,
        state_pending=StatePending(),
        participant_sockets=ParticipantSockets(int(app.config["SOCKETIO_MAX_PARTICIPANTS"])),
    )
    # Flask-SocketIO keeps the queue manager an earlier init_app made in server_options and
    # reuses it when the next app has no queue: an app built after one with SOCKETIO_MESSAGE_QUEUE
    # (tests, benchmarks, the CLI) would publish to that Redis and open its listener there.
    socketio.server_options.pop("client_manager", None)
    socketio.init_app(
        app,
        async_mode=app.config.get("SOCKETIO_ASYNC_MODE") or ("gevent" if cooperative_waits() else "threading"),
        message_queue=app.config.get("SOCKETIO_MESSAGE_QUEUE"),
        channel=app.config.get("SOCKETIO_CHANNEL") or "flask-socketio",
        max_http_buffer_size=app.config["SOCKETIO_MAX_HTTP_BUFFER_SIZE"],
        # None keeps Flask-SocketIO's same-origin check.
        cors_allowed_origins=app.config.get("SOCKETIO_CORS_ALLOWED_ORIGINS"),
        ping_interval=20,
        ping_timeout=20,
    )
    database.after_commit.append(publish)
    database.after_revoke.append(end_revoked)
    extensions.register(app, socket_expiry=SocketExpiry(socketio))


def for_projector(event: dict) -> dict:
    """What the projector may see of an event (no moderation reasons, no admin events)."""
    kind = event["type"]
    if kind.startswith("workshop.co_facilitator") or kind == "projector.secret_changed":
        # Keep the seq so the projector sees no gap, but nothing of the content.
        return {**event, "type": "noop", "data": {}}
    if kind == "input.hidden":
        return {**event, "data": {"input_id": event["data"]["input_id"]}}
    if kind in TALLY_TYPES and not event["data"].get("revealed"):
        data = event["data"]
        return {**event, "data": {"round_id": data["round_id"], "voters": data.get("voters", 0), "revealed": False}}
    return event


def publish(events: list) -> None:
    """Emit committed events to the rooms of their workshop (called after commit)."""
    for event in events:
        payload = event_dict(event)
        wid = event.workshop_id
        projected = for_projector(payload)
        if projected is payload:
            # One message for both rooms: encoded once, and one publish through a queue, not two.
            socketio.emit("event", payload, to=[room(wid, "facilitators"), room(wid, "projector")])
        else:
            socketio.emit("event", payload, to=room(wid, "facilitators"))
            socketio.emit("event", projected, to=room(wid, "projector"))
        if event.type in ("projector.secret_changed", "workshop.deleted"):
            socketio.emit("revoked", {}, to=room(wid, "projector"))
            if not current_app.config.get("SOCKETIO_MESSAGE_QUEUE"):
                # Through a queue "revoked" arrives later and would be cut off; the closed room
                # and the check on every message (socket_auth) keep old projectors out instead.
                _disconnect_room(room(wid, "projector"))
            socketio.close_room(room(wid, "projector"))
        if event.type == "workshop.co_facilitator_removed":
            # Their walls end now here; on other processes at their next message (socket_auth).
            gone = user_workshop_room(event.data["user_id"], wid)
            socketio.emit("revoked", {}, to=gone)
            _disconnect_room(gone)
        if concerns_phones(event):
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
    if not extensions.state_pending(app).claim(workshop_id):
        return
    socketio.start_background_task(_emit_participant_state_later, app, workshop_id, delay)


def _emit_participant_state_later(app, workshop_id: int, delay: float) -> None:
    socketio.sleep(delay)
    extensions.state_pending(app).release(workshop_id)
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


class StatePending:
    """The workshops whose phones have a coalesced "state" message on its way (see publish)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids: set[int] = set()

    def claim(self, workshop_id: int) -> bool:
        """Mark the workshop's message as on its way; False if one already is."""
        with self._lock:
            if workshop_id in self._ids:
                return False
            self._ids.add(workshop_id)
            return True

    def release(self, workshop_id: int) -> None:
        """The workshop's message is being sent: a later change needs a new one."""
        with self._lock:
            self._ids.discard(workshop_id)


class ParticipantSockets:
    """How many phone sockets this process holds, and the cap that keeps room for everyone else.

    Every phone page opens a socket, and a plenary can hold more phones than a
    process should follow live. Past the cap a phone's socket is refused with
    the code "live_full": the page keeps posting over HTTP and says live updates
    are paused, and the connections left stay for walls, projectors and posts.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self.count = 0

    def take(self) -> bool:
        """Count one more phone socket if there is room (0 = no cap)."""
        with self._lock:
            if self.limit > 0 and self.count >= self.limit:
                return False
            self.count += 1
            return True

    def release(self) -> None:
        """A counted phone socket has gone."""
        with self._lock:
            self.count = max(0, self.count - 1)


@socketio.on("connect")
def on_connect(auth=None):
    """Authenticate at connect and join the workshop's room for this audience."""
    with read_session() as s:
        identity = socket_auth.identify(s, auth if isinstance(auth, dict) else {})
        if identity is None:
            raise ConnectionRefusedError("unauthorized")
        workshop_id, audience = identity.workshop_id, identity.audience
        if audience == "participants":
            if not extensions.participant_sockets().take():
                error = ServiceError("live_full")
                raise SocketRefused(error.message(), {"code": error.code})
            session["socket_counted"] = True
        # Identity lives in this socket's session copy, never keyed by request.sid.
        session["socket_workshop"] = workshop_id
        session["socket_audience"] = audience
        session["socket_identity"] = identity.as_session()
        join_room(room(workshop_id, audience))
        if audience == "facilitators":
            credential = identity.credential
            join_room(user_room(credential["user"]))
            join_room(user_workshop_room(credential["user"], workshop_id))
            deadline = math.inf  # a token lasts until it is revoked
            if credential.get("login"):
                join_room(login_room(credential["login"]))
                deadline = credential["logged_in_at"] + current_app.config["SESSION_MAX_AGE"]
            check = socket_auth.checker(current_app._get_current_object(), identity)
            extensions.socket_expiry().watch(request.sid, deadline, check)
        if audience == "participants":
            try:
                emit("state", participant_state(s, s.get(Workshop, workshop_id)))
            except BaseException:
                # A connect that fails gets no disconnect: give its place back here.
                session.pop("socket_counted", None)
                extensions.participant_sockets().release()
                raise
    return True


@socketio.on("disconnect")
def on_disconnect(*_reason):
    """Stop watching the socket's login age (socket_expiry); give a phone's place back."""
    extensions.socket_expiry().forget(request.sid)
    if session.pop("socket_counted", False):
        extensions.participant_sockets().release()


def user_room(user_id: int) -> str:
    """Every wall socket of one facilitator (to end them together)."""
    return f"user:{user_id}"


def user_workshop_room(user_id: int, workshop_id: int) -> str:
    """One facilitator's wall sockets on one workshop (to end them when the sharing ends)."""
    return f"user:{user_id}:w{workshop_id}"


def login_room(login_id: str) -> str:
    """The wall sockets one login opened (to end them when it logs out)."""
    return f"login:{login_id}"


def disconnect_login(login_id: str) -> None:
    """End the wall sockets of one login after it logged out."""
    socketio.emit("revoked", {}, to=login_room(login_id))
    _disconnect_room(login_room(login_id))


def _disconnect_room(name: str) -> None:
    """Disconnect this process's sockets in a room (other processes refuse them at their next message)."""
    for sid, _eio_sid in list(socketio.server.manager.get_participants("/", name)):
        socketio.server.disconnect(sid, namespace="/")


def disconnect_user(user_id: int) -> None:
    """End a facilitator's wall sockets: after log out everywhere, a password change, deactivation or a revoked token."""
    # Through a message queue this reaches walls on every process; a wall that honours it goes.
    socketio.emit("revoked", {}, to=user_room(user_id))
    _disconnect_room(user_room(user_id))


def end_revoked(revoked: list[tuple[str, int | str]]) -> None:
    """End the sockets an account write took the right from (called after its commit)."""
    for kind, key in revoked:
        if kind == "user":
            disconnect_user(key)
        elif kind == "login":
            disconnect_login(key)


def _end_this_socket(identity) -> None:
    """Stop pushing to this socket now; disconnect it once its refusal has been answered."""
    if identity is not None:
        leave_room(room(identity.workshop_id, identity.audience))
        if identity.audience == "facilitators":
            leave_room(user_room(identity.credential["user"]))
            leave_room(user_workshop_room(identity.credential["user"], identity.workshop_id))
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
        return ServiceError("forbidden").to_json()
    since = data.get("since") if isinstance(data, dict) else None
    with read_session() as s:
        workshop = s.get(Workshop, workshop_id)
        if workshop is None:
            return ServiceError("not_found").to_json()
        identity = socket_auth.current()
        if identity is None or not socket_auth.still_valid(s, identity, workshop):
            _end_this_socket(identity)
            return ServiceError("unauthorized").to_json()
        if audience == "projector":
            # The log's input.created and input.unhidden events carry the text of inputs that may be
            # hidden by now; a projector only ever gets the board as it is, without hidden inputs.
            return {"snapshot": snapshot(s, workshop, audience="projector")}
        limit = current_app.config["SYNC_MAX_EVENTS"]
        if isinstance(since, int) and not isinstance(since, bool) and 0 <= since <= workshop.seq:
            if workshop.seq - since <= limit:
                events = events_since(s, workshop.id, since)
                # A purge deletes the log before its own event: a gap means "start again".
                if not events or events[0]["seq"] == since + 1:
                    return {"events": events}
        return {"snapshot": snapshot(s, workshop, audience="facilitator")}
