"""Checks on what participants and facilitators send; nothing here rewrites text."""

from __future__ import annotations

import re
import unicodedata

from ..errors import ServiceError

# Newline, carriage return (browsers send form newlines as CRLF) and tab are text.
_ALLOWED_CONTROLS = {"\n", "\r", "\t"}
_CLIENT_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def check_input_text(text: object, limit: int) -> str:
    """Return text unchanged if it may be stored as an input, else raise ServiceError."""
    if not isinstance(text, str):
        raise ServiceError("invalid")
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        # A lone surrogate cannot be encoded, stored or exported.
        raise ServiceError("control_characters")
    if not text.strip():
        raise ServiceError("empty")
    if len(text) > limit:
        raise ServiceError("too_long", length=len(text), limit=limit)
    for ch in text:
        if ch not in _ALLOWED_CONTROLS and unicodedata.category(ch) == "Cc":
            raise ServiceError("control_characters")
    return text


def check_client_key(key: object) -> str:
    """Return a phone's client key if it has the expected shape."""
    if not isinstance(key, str) or not _CLIENT_KEY.match(key):
        raise ServiceError("invalid_client_key")
    return key


def check_title(title: object, limit: int = 200) -> str:
    """A non-empty single-line title of at most limit characters, trimmed."""
    if not isinstance(title, str) or not title.strip():
        raise ServiceError("empty")
    title = title.strip()
    if len(title) > limit:
        raise ServiceError("too_long", length=len(title), limit=limit)
    if any(unicodedata.category(ch) == "Cc" for ch in title):
        raise ServiceError("control_characters")
    return title


def check_text(value: object, limit: int) -> str:
    """Free text (description, summary): may be empty, kept as written."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ServiceError("invalid")
    if len(value) > limit:
        raise ServiceError("too_long", length=len(value), limit=limit)
    if any(ch not in _ALLOWED_CONTROLS and unicodedata.category(ch) == "Cc" for ch in value):
        raise ServiceError("control_characters")
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
        raise ServiceError("control_characters")
    return value
