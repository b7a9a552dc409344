"""What the XML-based formats (DOCX, XLSX) can hold, checked before writing.

XML 1.0 cannot contain most C0 control characters, lone surrogates or
U+FFFE/U+FFFF. Validation refuses them on input; should one reach an export
anyway (a text stored before validation refused it), the export raises
Unrepresentable naming the character and the text rather than writing a file
Word or Excel cannot open. The download answers that as a 422 naming the
input (views/exports.py); the other formats still hold the text verbatim.
"""

from __future__ import annotations

import re

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Excel refuses longer cells.
XLSX_CELL_LIMIT = 32767


class Unrepresentable(ValueError):
    """A stored text this format cannot hold: what is wrong (a character, a length) and the text."""

    def __init__(self, what: str, text: str, message: str) -> None:
        super().__init__(message)
        self.what = what
        self.text = text


def check_xml_text(text: str) -> str:
    """The text if XML can hold it, else Unrepresentable naming the character."""
    bad = _XML_INVALID.search(text)
    if bad:
        snippet = text[:40] + ("…" if len(text) > 40 else "")
        what = f"U+{ord(bad.group()):04X}"
        raise Unrepresentable(what, text, f"{what} cannot be stored in a DOCX or XLSX file (in {snippet!r})")
    return text


def check_cell_text(text: str) -> str:
    """The text if an Excel cell can hold it, else Unrepresentable."""
    if len(text) > XLSX_CELL_LIMIT:
        message = f"a text of {len(text)} characters does not fit an Excel cell ({XLSX_CELL_LIMIT})"
        raise Unrepresentable(f"{len(text)} > {XLSX_CELL_LIMIT}", text, message)
    return check_xml_text(text)
