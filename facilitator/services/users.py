"""Facilitator accounts and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from ..db import database
from ..errors import ServiceError
from ..models import ApiToken, User, utcnow

_hasher = PasswordHasher()
# Verifying against this keeps the time of a wrong email close to a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password")
TOKEN_PREFIX = "fac_"


def _email(raw: object) -> str:
    if not isinstance(raw, str) or "@" not in raw or len(raw) > 254:
        raise ServiceError("invalid")
    return raw.strip().lower()


def create_user(email: str, password: str, is_admin: bool = False) -> User:
    """Create a facilitator account with an Argon2id password hash."""
    email = _email(email)
    if not isinstance(password, str) or len(password) < 10:
        raise ServiceError("invalid")
    with database().writer() as s, s.begin():
        if s.execute(select(User.id).where(User.email == email)).first() is not None:
            raise ServiceError("conflict")
        user = User(email=email, password_hash=_hasher.hash(password), is_admin=is_admin)
        s.add(user)
    return user


def authenticate(email: object, password: object) -> User:
    """The user with these credentials, or a bad_credentials refusal."""
    if not isinstance(email, str) or not isinstance(password, str):
        raise ServiceError("bad_credentials")
    with database().writer() as s, s.begin():
        user = s.execute(select(User).where(User.email == email.strip().lower())).scalar_one_or_none()
        try:
            _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            raise ServiceError("bad_credentials") from None
        if user is None:
            raise ServiceError("bad_credentials")
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
    return user


def log_out_everywhere(user_id: int) -> None:
    """Invalidate every session of the user."""
    with database().writer() as s, s.begin():
        user = s.get(User, user_id)
        if user is not None:
            user.session_version += 1


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user_id: int, label: str = "") -> tuple[str, ApiToken]:
    """Issue an API token (256 random bits); only its hash is stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with database().writer() as s, s.begin():
        row = ApiToken(user_id=user_id, token_hash=_digest(token), label=label[:100])
        s.add(row)
    return token, row


def user_for_token(token: str) -> tuple[User, ApiToken] | None:
    """The user a live token belongs to, or None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    with database().reader() as s:
        row = s.execute(
            select(ApiToken).where(ApiToken.token_hash == _digest(token), ApiToken.revoked_at.is_(None))
        ).scalar_one_or_none()
        if row is None:
            return None
        user = s.get(User, row.user_id)
        return user, row


def revoke_token(user_id: int, token_id: int) -> None:
    """Revoke one of the user's tokens."""
    with database().writer() as s, s.begin():
        row = s.get(ApiToken, token_id)
        if row is None or row.user_id != user_id:
            raise ServiceError("not_found")
        row.revoked_at = utcnow()
