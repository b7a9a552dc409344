"""What the XML-based formats (DOCX, XLSX) can hold, checked before writing.

XML 1.0 cannot contain most C0 control characters, lone surrogates or
U+FFFE/U+FFFF. Validation refuses them on input; should one reach an export
anyway, the export raises ValueError naming it rather than writing a file
Word or Excel cannot open.
"""

from __future__ import annotations

import re

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Excel refuses longer cells.
XLSX_CELL_LIMIT = 32767


def check_xml_text(text: str) -> str:
    """The text if XML can hold it, else ValueError naming the character."""
    bad = _XML_INVALID.search(text)
    if bad:
        snippet = text[:40] + ("…" if len(text) > 40 else "")
        raise ValueError(f"U+{ord(bad.group()):04X} cannot be stored in a DOCX or XLSX file (in {snippet!r})")
    return text


def check_cell_text(text: str) -> str:
    """The text if an Excel cell can hold it, else ValueError."""
    if len(text) > XLSX_CELL_LIMIT:
        raise ValueError(f"a text of {len(text)} characters does not fit an Excel cell ({XLSX_CELL_LIMIT})")
    return check_xml_text(text)
