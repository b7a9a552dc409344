"""Checks on what participants and facilitators send; nothing here rewrites text."""

from __future__ import annotations

import re
import unicodedata

from ..errors import ServiceError

# Newline, carriage return (browsers send form newlines as CRLF) and tab are text.
_ALLOWED_CONTROLS = {"\n", "\r", "\t"}
_CLIENT_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
# Row ids are the databases' 4-byte integers (PostgreSQL's `integer`); a larger number names no row.
MAX_ID = 2**31 - 1


def check_id(value: object) -> int:
    """A row id as sent: a positive integer (not a bool) within the database's range, else not_found."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise ServiceError("invalid")
    if not 0 < value <= MAX_ID:
        raise ServiceError("not_found")
    return value
# Characters that show nothing on their own besides white space and format characters
# (zero-width spaces and joiners, direction marks and overrides): the Hangul fillers and
# the blank Braille pattern. A text made only of these reads as empty.
_INVISIBLE = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}


def noncharacter(text: str) -> str | None:
    """The first Unicode noncharacter in text as "U+XXXX", or None.

    Noncharacters (U+FDD0–U+FDEF and the last two code points of every plane,
    U+FFFE, U+FFFF, U+1FFFE …) are reserved for a program's internal use and are
    never text; XML, and so DOCX and XLSX, cannot hold U+FFFE and U+FFFF.
    """
    for ch in text:
        point = ord(ch)
        if 0xFDD0 <= point <= 0xFDEF or point & 0xFFFE == 0xFFFE:
            return f"U+{point:04X}"
    return None


def is_blank(text: str) -> bool:
    """Whether text shows nothing: only white space, format characters (zero-width, bidi) or fillers."""
    return all(ch.isspace() or ch in _INVISIBLE or unicodedata.category(ch) == "Cf" for ch in text)


def _refuse_noncharacters(text: str) -> None:
    found = noncharacter(text)
    if found:
        raise ServiceError("noncharacters", char=found)


def check_input_text(text: object, limit: int) -> str:
    """Return text unchanged if it may be stored as an input, else raise ServiceError."""
    if not isinstance(text, str):
        raise ServiceError("invalid")
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        # A lone surrogate cannot be encoded, stored or exported.
        raise ServiceError("control_characters")
    if is_blank(text):
        raise ServiceError("empty")
    if len(text) > limit:
        raise ServiceError("too_long", length=len(text), limit=limit)
    _refuse_noncharacters(text)
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
    if not isinstance(title, str) or is_blank(title):
        raise ServiceError("empty")
    title = title.strip()
    if len(title) > limit:
        raise ServiceError("too_long", length=len(title), limit=limit)
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in title):
        raise ServiceError("control_characters")
    _refuse_noncharacters(title)
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
    _refuse_noncharacters(value)
    return value
