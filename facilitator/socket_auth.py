"""Who a Socket.IO connection is: checked at connect, and again before every answer it gets.

A socket outlives the credential it connected with: the facilitator logs out
everywhere, changes the password, is deactivated or revokes the token, or the
projector link is regenerated, a co-facilitator is removed, the login logs out
or grows older than SESSION_MAX_AGE. The credential is kept in the socket's
session and checked again on every client message, so an old socket gets
nothing more even where it could not be disconnected at once (another server
process); realtime.py also ends such sockets itself where it can.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import session

from . import services
from .admission import find_workshop
from .auth import login_expired, session_user
from .db import read_session
from .errors import ServiceError
from .models import ApiToken, User, Workshop
from .queries import can_facilitate, workshop_by_projector_secret


@dataclass(frozen=True)
class Identity:
    """A socket's workshop, audience and the credential to check again later."""

    workshop_id: int
    audience: str  # facilitators, projector or participants
    credential: dict = field(default_factory=dict)

    def as_session(self) -> dict:
        """The plain form kept in the socket's session."""
        return {"workshop": self.workshop_id, "audience": self.audience, "credential": self.credential}


def identify(s, auth: dict) -> Identity | None:
    """The identity a connect's auth proves, or None to refuse."""
    role = auth.get("role")
    if role == "wall":
        return _wall(s, auth)
    if role == "projector":
        secret = auth.get("secret")
        workshop = workshop_by_projector_secret(s, secret) if isinstance(secret, str) else None
        return Identity(workshop.id, "projector", {"secret": secret}) if workshop else None
    if role == "participant":
        code = auth.get("code")
        if not isinstance(code, str):
            return None
        try:
            # The same guessing limit as every other answer about a code.
            workshop = find_workshop(code, s)
        except ServiceError:
            return None
        return Identity(workshop.id, "participants")
    return None


def _wall(s, auth: dict) -> Identity | None:
    token = auth.get("token")
    if isinstance(token, str) and token:
        found = services.user_for_token(token)
        if found is None:
            return None
        user, row = found
        credential = {"user": user.id, "token": row.id}
    else:
        user = session_user(s)
        if user is None:
            return None
        credential = {
            "user": user.id,
            "version": user.session_version,
            "login": session.get("login_id"),
            "logged_in_at": session.get("logged_in_at"),
        }
    workshop_id = auth.get("workshop")
    if not isinstance(workshop_id, int) or isinstance(workshop_id, bool):
        return None
    workshop = s.get(Workshop, workshop_id)
    if workshop is None or not can_facilitate(s, user, workshop):
        return None
    return Identity(workshop.id, "facilitators", credential)


def current() -> Identity | None:
    """This socket's identity, from its session."""
    data = session.get("socket_identity")
    if not isinstance(data, dict):
        return None
    return Identity(data["workshop"], data["audience"], data.get("credential") or {})


def still_valid(s, identity: Identity, workshop: Workshop) -> bool:
    """Whether the credential the socket connected with still admits it to the workshop."""
    credential = identity.credential
    if identity.audience == "projector":
        return workshop.projector_secret == credential.get("secret")
    if identity.audience != "facilitators":
        return True
    user = s.get(User, credential.get("user"))
    if user is None or not user.is_active or not can_facilitate(s, user, workshop):
        return False
    if "token" in credential:
        row = s.get(ApiToken, credential["token"])
        return row is not None and row.revoked_at is None and row.user_id == user.id
    if login_expired(credential.get("logged_in_at")):
        return False  # the login is older than SESSION_MAX_AGE: HTTP refuses its cookie too
    if not services.login_exists(s, credential.get("login"), user.id):
        return False  # logged out
    return user.session_version == credential.get("version")


def checker(app, identity: Identity):
    """A check, callable outside any request, of whether the socket's credential still admits it (socket_expiry)."""

    def check() -> bool:
        with app.app_context(), read_session() as s:
            workshop = s.get(Workshop, identity.workshop_id)
            return workshop is not None and still_valid(s, identity, workshop)

    return check
