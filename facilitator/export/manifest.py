"""Counts and a SHA-256 digest that let anyone check an export against the board.

Canonical form of the digest (version 1)
----------------------------------------
The digest is SHA-256, written as 64 lower-case hex digits, over the UTF-8
bytes of one record per input, concatenated with nothing in between::

    record  = flag + US + section + US + text + RS
    flag    = "L" for a listed (visible) input, "H" for a hidden one
    section = "T:" + theme title, or "U" for an input in no theme
    US      = U+001F (unit separator), RS = U+001E (record separator)

Records come in this order: the listed inputs of each theme (themes in board
order, inputs in board order), then the listed unsorted inputs, then the
hidden inputs (each theme's in theme and board order, then the unsorted
column's). Texts and titles are taken exactly as stored: no Unicode
normalisation, no trimming, CR LF kept. Validation forbids control characters
other than tab, CR and LF in texts and all of them in titles, so US and RS
cannot occur inside a field; digest() refuses a document where they do.

The digest covers which texts were received, where they were placed and
whether they were hidden; not ids, times, authors, reasons or summaries.
Hidden texts are included, so the digest is the same whether or not an export
lists them, and it can be recomputed from the JSON export alone (which keeps
every input).

The manifest block that ends every text export is, line by line::

    <Optælling | Count>
    <Modtaget | Received>: N
    <Listet | Listed>: N
    <Skjult | Hidden>: N
    <Tema | Theme>: <theme title>: N        (one line per theme, in order)
    <Ikke sorteret | Unsorted>: N
    SHA-256: <hex>

Each format wraps those lines in its own markup; parse_manifest() takes the
markup off again and returns the same dict as manifest().
"""

from __future__ import annotations

import hashlib
import json

from .document import ExportDocument
from .phrases import LANGUAGES, phrases

US = "\x1f"
RS = "\x1e"
DIGEST_LABEL = "SHA-256"


def _records(doc: ExportDocument):
    for theme in doc.themes:
        for item in theme.inputs:
            yield "L", "T:" + theme.title, item.text
    for item in doc.unsorted:
        yield "L", "U", item.text
    for item in doc.hidden:
        section = "U" if item.theme_title is None else "T:" + item.theme_title
        yield "H", section, item.text


def digest(doc: ExportDocument) -> str:
    """SHA-256 hex of the document's inputs in the canonical form above."""
    hasher = hashlib.sha256()
    for flag, section, text in _records(doc):
        if US in section or RS in section or US in text or RS in text:
            raise ValueError("an input or theme title contains a separator control character")
        hasher.update((flag + US + section + US + text + RS).encode("utf-8"))
    return hasher.hexdigest()


def manifest(doc: ExportDocument) -> dict:
    """Counts and digest: received = listed + hidden; listed = themes + unsorted."""
    return {
        "received": doc.total_received,
        "listed": doc.total_listed,
        "hidden": doc.total_hidden,
        "themes": [{"title": title, "count": count} for title, count in doc.theme_counts],
        "unsorted": len(doc.unsorted),
        "sha256": digest(doc),
    }


def manifest_lines(doc: ExportDocument) -> tuple[str, list[str]]:
    """The manifest block's title and lines in the document's language."""
    p = phrases(doc.language)
    data = manifest(doc)
    lines = [
        f"{p.received}: {data['received']}",
        f"{p.listed}: {data['listed']}",
        f"{p.hidden}: {data['hidden']}",
    ]
    lines += [f"{p.theme}: {t['title']}: {t['count']}" for t in data["themes"]]
    lines.append(f"{p.unsorted}: {data['unsorted']}")
    lines.append(f"{DIGEST_LABEL}: {data['sha256']}")
    return p.manifest, lines


def _clean(line: str) -> str:
    # Take off the Markdown the md export wraps manifest lines in.
    line = line.strip()
    if line.startswith("- "):
        line = line[2:]
    if line.startswith("**") and line.endswith("**") and len(line) > 4:
        line = line[2:-2]
    return line.strip()


def parse_manifest_lines(lines: list[str]) -> dict | None:
    """Find the last manifest block among plain-text lines and read it back."""
    titles = {p.manifest for p in LANGUAGES.values()}
    starts = [n for n, line in enumerate(lines) if _clean(line) in titles]
    if not starts:
        return None
    counts = {}
    for p in LANGUAGES.values():
        counts.update({p.received: "received", p.listed: "listed", p.hidden: "hidden", p.unsorted: "unsorted"})
    theme_labels = {p.theme for p in LANGUAGES.values()}
    result: dict = {"themes": []}
    for raw in lines[starts[-1] + 1 :]:
        label, sep, rest = _clean(raw).partition(": ")
        if not sep:
            continue
        if label in counts and rest.isdigit():
            result[counts[label]] = int(rest)
        elif label in theme_labels:
            title, sep, count = rest.rpartition(": ")
            if sep and count.isdigit():
                result["themes"].append({"title": title, "count": int(count)})
        elif label == DIGEST_LABEL and len(rest) == 64:
            result["sha256"] = rest.lower()
    if "sha256" not in result:
        return None
    return {key: result.get(key) for key in ("received", "listed", "hidden", "themes", "unsorted", "sha256")}


def parse_manifest(data: bytes, fmt: str) -> dict | None:
    """The manifest written in an export file (md, txt, html, docx, json), or None."""
    if fmt == "json":
        try:
            found = json.loads(data.decode("utf-8")).get("manifest")
        except (ValueError, AttributeError):
            return None
        return found if isinstance(found, dict) else None
    from .readback import text_lines

    return parse_manifest_lines(text_lines(data, fmt))
