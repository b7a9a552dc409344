"""Facilitator accounts and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update

from ..db import database
from ..errors import ServiceError
from ..models import ApiToken, LoginSession, User, utcnow
from .unit import account_write
from .validation import noncharacter

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """A hash to verify against when the email is unknown, made at the first login, not at import.

    Verifying against it keeps the time of a wrong email close to a wrong password.
    Hashing costs about 0.15 s, which every process paid at start (the CLI twice per
    `facilitator serve`), delaying a restarted server's first answer.
    """
    return _hasher.hash("not a real password")


TOKEN_PREFIX = "fac_"
PASSWORD_MIN = 10
# Argon2 hashes any length, but a megabyte password would be a cheap way to burn CPU.
PASSWORD_MAX = 1000
MAX_LIVE_TOKENS = 20
# last_used_at is written at most this often per token, so using a token costs no write per request.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def _email(raw: object) -> str:
    if not isinstance(raw, str) or "@" not in raw or len(raw) > 254 or _has_controls(raw):
        raise ServiceError("invalid")
    return raw.strip().lower()


def _has_controls(value: str) -> bool:
    # NUL and friends: never part of an email or label, and PostgreSQL refuses NUL in text.
    # Noncharacters and lone surrogates are no text either (validation.noncharacter).
    return noncharacter(value) is not None or any(
        ord(ch) < 32 or ord(ch) == 127 or 0xD800 <= ord(ch) <= 0xDFFF for ch in value
    )


def _password(raw: object) -> str:
    if not isinstance(raw, str) or not PASSWORD_MIN <= len(raw) <= PASSWORD_MAX:
        raise ServiceError("weak_password")
    return raw


def create_user(email: str, password: str, is_admin: bool = False) -> User:
    """Create a facilitator account with an Argon2id password hash."""
    email = _email(email)
    password = _password(password)
    with database().writer() as s, s.begin():
        if s.execute(select(User.id).where(User.email == email)).first() is not None:
            raise ServiceError("conflict")
        user = User(email=email, password_hash=_hasher.hash(password), is_admin=is_admin)
        s.add(user)
    return user


def authenticate(email: object, password: object) -> User:
    """The user with these credentials, or a bad_credentials (or account_inactive) refusal."""
    if not isinstance(email, str) or not isinstance(password, str) or len(password) > PASSWORD_MAX:
        raise ServiceError("bad_credentials")
    if len(email) > 254 or _has_controls(email):
        raise ServiceError("bad_credentials")
    # Made before the lookup, so the first login of a process costs the same, email known or not.
    dummy = _dummy_hash()
    with database().writer() as s, s.begin():
        user = s.execute(select(User).where(User.email == email.strip().lower())).scalar_one_or_none()
        try:
            _hasher.verify(user.password_hash if user else dummy, password)
        except (VerificationError, InvalidHashError):
            raise ServiceError("bad_credentials") from None
        if user is None:
            raise ServiceError("bad_credentials")
        # Said only after the right password, so it tells an outsider nothing.
        if not user.is_active:
            raise ServiceError("account_inactive")
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
        user.last_login_at = utcnow()
    return user


def change_password(user_id: int, current: object, new: object, repeat: object) -> User:
    """Set a new password after checking the current one; every other session ends."""
    if not isinstance(new, str) or new != repeat:
        raise ServiceError("passwords_differ")
    new = _password(new)
    with account_write() as unit:
        s = unit.session
        user = s.get(User, user_id)
        if user is None:
            raise ServiceError("not_found")
        try:
            if not isinstance(current, str) or len(current) > PASSWORD_MAX:
                raise VerificationError()
            _hasher.verify(user.password_hash, current)
        except (VerificationError, InvalidHashError):
            raise ServiceError("bad_credentials") from None
        user.password_hash = _hasher.hash(new)
        user.session_version += 1
        s.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
        unit.revoke_user(user.id)
    return user


def log_out_everywhere(user_id: int) -> User | None:
    """Invalidate every session of the user; return the user with its new session version."""
    with account_write() as unit:
        s = unit.session
        user = s.get(User, user_id)
        if user is not None:
            user.session_version += 1
        s.execute(delete(LoginSession).where(LoginSession.user_id == user_id))
        unit.revoke_user(user_id)
    return user


def start_login(user_id: int, max_age: float) -> str:
    """Record a new login of the user and return its id; logins older than max_age are dropped."""
    login_id = secrets.token_urlsafe(32)
    with database().writer() as s, s.begin():
        stale = utcnow() - timedelta(seconds=max_age)
        s.execute(delete(LoginSession).where(LoginSession.user_id == user_id, LoginSession.created_at < stale))
        s.add(LoginSession(id=login_id, user_id=user_id))
    return login_id


def end_login(login_id: object) -> None:
    """Forget one login: a cookie that names it is refused from now on."""
    if isinstance(login_id, str):
        with account_write() as unit:
            unit.session.execute(delete(LoginSession).where(LoginSession.id == login_id))
            unit.revoke_login(login_id)


def login_exists(s, login_id: object, user_id: int) -> bool:
    """Whether this login of the user has not ended (read in the caller's session)."""
    if not isinstance(login_id, str):
        return False
    row = s.get(LoginSession, login_id)
    return row is not None and row.user_id == user_id


def set_user_active(user_id: int, active: bool, by_user_id: int) -> User:
    """Deactivate (sessions and tokens stop working at once) or reactivate an account."""
    if user_id == by_user_id and not active:
        raise ServiceError("not_yourself")
    with account_write() as unit:
        s = unit.session
        user = s.get(User, user_id)
        if user is None:
            raise ServiceError("not_found")
        if user.is_active != active:
            user.is_active = active
            user.session_version += 1
            s.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
            if not active:
                unit.revoke_user(user.id)
    return user


def all_users() -> list[User]:
    """Every account, for the admin page (read only)."""
    with database().reader() as s:
        return list(s.execute(select(User).order_by(User.email)).scalars())


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user_id: int, label: object = "") -> tuple[str, ApiToken]:
    """Issue an API token (256 random bits); only its hash is stored."""
    if not isinstance(label, str):
        raise ServiceError("invalid")
    if len(label.strip()) > 100:
        raise ServiceError("too_long", length=len(label.strip()), limit=100)
    if noncharacter(label):
        raise ServiceError("noncharacters", char=noncharacter(label))
    if _has_controls(label):
        raise ServiceError("control_characters")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with database().writer() as s, s.begin():
        live = s.execute(
            select(func.count(ApiToken.id)).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        ).scalar_one()
        if live >= MAX_LIVE_TOKENS:
            raise ServiceError("too_many_tokens")
        row = ApiToken(user_id=user_id, token_hash=_digest(token), label=label.strip())
        s.add(row)
    return token, row


def tokens_of(user_id: int) -> list[ApiToken]:
    """The user's live tokens, newest first (read only)."""
    with database().reader() as s:
        return list(
            s.execute(
                select(ApiToken)
                .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
                .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
            ).scalars()
        )


def user_for_token(token: str) -> tuple[User, ApiToken] | None:
    """The active user a live token belongs to, or None; notes when the token was last used."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    with database().reader() as s:
        row = s.execute(
            select(ApiToken).where(ApiToken.token_hash == _digest(token), ApiToken.revoked_at.is_(None))
        ).scalar_one_or_none()
        if row is None:
            return None
        user = s.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    _touch(row)
    return user, row


def _touch(row: ApiToken) -> None:
    """Record the use, but only when the stored time is older than the resolution (no write otherwise)."""
    now = utcnow()
    last = row.last_used_at
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=now.tzinfo)  # SQLite hands back naive UTC
    if last is not None and now - last < LAST_USED_RESOLUTION:
        return
    with database().writer() as s, s.begin():
        s.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
    row.last_used_at = now


def revoke_token(user_id: int, token_id: int) -> None:
    """Revoke one of the user's tokens."""
    with account_write() as unit:
        s = unit.session
        row = s.get(ApiToken, token_id)
        if row is None or row.user_id != user_id:
            raise ServiceError("not_found")
        row.revoked_at = utcnow()
        # Walls on a cookie reconnect at once; those on the token cannot.
        unit.revoke_user(user_id)
