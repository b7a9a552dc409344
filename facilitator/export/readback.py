"""Reading exports back: their lines for the manifest, their inputs for `verify`.

extract_inputs() returns the listed (visible) inputs of an export as
(theme title, text) pairs in order, theme None for unsorted, so a verifier
can compare them with listed_inputs(build_document(...)) and name the input
that differs. It reads md, txt, docx and json. Sections are told apart by
position, not by title (a theme may be called "Unsorted"): the manifest says
how many themes there are and whether an unsorted section follows; a listed
hidden section after those is skipped. DOCX gives line breaks back as LF.
"""

from __future__ import annotations

import io
import json
from html.parser import HTMLParser

from .document import ExportDocument
from .manifest import parse_manifest_lines

_BLOCK_TAGS = {"title", "h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "div"}


class _BlockText(HTMLParser):
    """Collects the text of each block element of an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._parts: list[str] = []

    def _flush(self) -> None:
        if self._parts:
            self.lines.append("".join(self._parts))
            self._parts = []

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag):
        if tag in _BLOCK_TAGS:
            self._flush()

    def handle_data(self, data):
        self._parts.append(data)


def _docx_paragraphs(data: bytes):
    from docx import Document

    try:
        return Document(io.BytesIO(data)).paragraphs
    except Exception as error:  # python-docx raises several kinds for a file that is no DOCX
        raise ValueError(f"not a readable DOCX file: {error}") from error


def text_lines(data: bytes, fmt: str) -> list[str]:
    """An export file (md, txt, html, docx) as lines of plain text; ValueError if unreadable."""
    if fmt in ("md", "txt"):
        return data.decode("utf-8-sig").split("\n")
    if fmt == "html":
        parser = _BlockText()
        parser.feed(data.decode("utf-8"))
        parser.close()
        parser._flush()
        return parser.lines
    if fmt == "docx":
        return [p.text for p in _docx_paragraphs(data)]
    raise ValueError(f"cannot read lines from format {fmt!r}")


def listed_inputs(doc: ExportDocument) -> list[tuple[str | None, str]]:
    """(theme title or None, text) of every listed input, in appendix order."""
    pairs = [(t.title, i.text) for t in doc.themes for i in t.inputs]
    return pairs + [(None, i.text) for i in doc.unsorted]


def _md_tokens(lines: list[str]):
    for line in lines:
        if line.startswith("# "):
            yield "h1", line[2:]
        elif line.startswith("## "):
            yield "h2", line[3:]
        elif line.startswith("- "):
            yield "bullet", line[2:]
        elif line.startswith("  "):
            yield "cont", line[2:]
        elif line == "---":
            yield "end", ""
        else:
            yield "other", line


def _txt_tokens(lines: list[str]):
    n = 0
    while n < len(lines):
        line, after = lines[n], lines[n + 1] if n + 1 < len(lines) else ""
        is_heading = line and not line.startswith(("• ", "  ")) and after in ("=" * len(line), "-" * len(line))
        if is_heading:
            yield ("h1" if after.startswith("=") else "h2"), line
            n += 2
            continue
        if line.startswith("• "):
            yield "bullet", line[2:]
        elif line.startswith("  "):
            yield "cont", line[2:]
        else:
            yield "other", line
        n += 1


def _docx_tokens(data: bytes):
    kinds = {"Heading 1": "h1", "Heading 2": "h2", "List Bullet": "bullet"}
    for paragraph in _docx_paragraphs(data):
        yield kinds.get(paragraph.style.name, "other"), paragraph.text


def _sections(tokens: list[tuple[str, str]]) -> list[tuple[str, list[str]]]:
    ends = [n for n, (kind, _) in enumerate(tokens) if kind == "end"]
    # The last rule opens the manifest (a summary above the appendix may hold one too).
    tokens = tokens[: ends[-1]] if ends else tokens
    starts = [n for n, (kind, _) in enumerate(tokens) if kind == "h1"]
    sections: list[tuple[str, list[str]]] = []
    in_item = False
    for kind, text in tokens[starts[-1] + 1 if starts else 0 :]:
        if kind == "h2":
            sections.append((text, []))
            in_item = False
        elif kind == "bullet" and sections:
            sections[-1][1].append(text)
            in_item = True
        elif kind == "cont" and in_item:
            sections[-1][1][-1] += "\n" + text
        else:
            in_item = False
    return sections


def extract_inputs(data: bytes, fmt: str) -> list[tuple[str | None, str]]:
    """The listed inputs of an md, txt, docx or json export as (theme or None, text)."""
    if fmt == "json":
        found = json.loads(data.decode("utf-8"))
        pairs = [(t["title"], i["text"]) for t in found["themes"] for i in t["inputs"] if not i["hidden"]]
        return pairs + [(None, i["text"]) for i in found["unsorted"] if not i["hidden"]]
    if fmt == "docx":
        lines = text_lines(data, fmt)
        tokens = list(_docx_tokens(data))
    elif fmt in ("md", "txt"):
        lines = text_lines(data, fmt)
        tokens = list(_md_tokens(lines) if fmt == "md" else _txt_tokens(lines))
    else:
        raise ValueError(f"cannot read inputs back from format {fmt!r}")
    found_manifest = parse_manifest_lines(lines)
    if found_manifest is None:
        raise ValueError("no manifest found in the export")
    sections = _sections(tokens)
    count = len(found_manifest["themes"])
    pairs = [(title, text) for title, items in sections[:count] for text in items]
    if found_manifest["unsorted"] and len(sections) > count:
        pairs += [(None, text) for text in sections[count][1]]
    return pairs
