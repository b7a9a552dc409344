"""Reading exports back: their lines for the manifest, their inputs for `verify`.

extract_inputs() returns the listed (visible) inputs of an export as
(theme title, text) pairs in order, theme None for unsorted, so a verifier
can compare them with listed_inputs(build_document(...)) and name the input
that differs. It reads md, txt, docx and json. Sections are told apart by
position, not by title (a theme may be called "Unsorted"): the manifest says
how many themes there are and whether an unsorted section follows; a listed
hidden section after those is skipped. DOCX gives line breaks back as LF.

With questions by section (the manifest has per-question counts) the level-2
headings are the questions and the level-3 headings under each are its
themes; the last level-3 section of a question is its unsorted one when it
is titled with an "Unsorted" phrase and no theme has that title. A theme
called exactly "Unsorted" that is last in its question, while that question
has no unsorted inputs, is the one case read back as unsorted.

PDF is read from its structure tree: the /ActualText that pdf_format.py
gives every heading, paragraph and list item holds its exact text (a PDF's
laid-out lines would add a break wherever a line wrapped).
"""

from __future__ import annotations

import io
import json
from html.parser import HTMLParser

from .document import ExportDocument
from .manifest import parse_manifest_lines
from .phrases import PHRASES

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


def _pdf_blocks(data: bytes) -> list[tuple[str, str]]:
    """(structure type, exact text) of a PDF export's tagged blocks, in reading order."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        root = PdfReader(io.BytesIO(data)).trailer["/Root"]
        tree = root["/StructTreeRoot"]
    except (PyPdfError, KeyError, ValueError, TypeError) as error:
        raise ValueError(f"not a readable tagged PDF file: {error}") from error
    blocks: list[tuple[str, str]] = []

    def walk(node, depth: int = 0) -> None:
        node = node.get_object()
        if not isinstance(node, dict) or depth > 100:
            return
        text = node.get("/ActualText")
        if text is not None and str(node.get("/S")) in _PDF_KINDS:
            if str(text):  # the later parts of a block split over pages have an empty text
                blocks.append((_PDF_KINDS[str(node["/S"])], str(text)))
            return
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            if hasattr(kid, "get_object"):
                walk(kid, depth + 1)

    walk(tree)
    return blocks


_PDF_KINDS = {"/H1": "h1", "/H2": "h2", "/H3": "h3", "/P": "other", "/LI": "bullet"}


def _pdf_tokens(data: bytes):
    titles = {p.manifest for p in PHRASES.values()}
    for kind, text in _pdf_blocks(data):
        if kind == "other" and text in titles:
            yield "end", ""
        yield kind, text


def text_lines(data: bytes, fmt: str) -> list[str]:
    """An export file (md, txt, html, docx, pdf) as lines of plain text; ValueError if unreadable."""
    if fmt == "pdf":
        return [text for _, text in _pdf_blocks(data)]
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
    return [(i.theme_title, i.text) for i in doc.listed]


def _md_tokens(lines: list[str]):
    for line in lines:
        if line.startswith("# "):
            yield "h1", line[2:]
        elif line.startswith("## "):
            yield "h2", line[3:]
        elif line.startswith("### "):
            yield "h3", line[4:]
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
        underlines = ("=" * len(line), "-" * len(line), "~" * len(line))
        is_heading = line and not line.startswith(("• ", "  ")) and after in underlines
        if is_heading:
            yield {"=": "h1", "-": "h2", "~": "h3"}[after[0]], line
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
    kinds = {"Heading 1": "h1", "Heading 2": "h2", "Heading 3": "h3", "List Bullet": "bullet"}
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


def _question_sections(tokens: list[tuple[str, str]]) -> list[list[tuple[str, list[str]]]]:
    """Per level-2 section after the last level-1 heading: its level-3 sections and their bullets."""
    ends = [n for n, (kind, _) in enumerate(tokens) if kind == "end"]
    tokens = tokens[: ends[-1]] if ends else tokens
    starts = [n for n, (kind, _) in enumerate(tokens) if kind == "h1"]
    questions: list[list[tuple[str, list[str]]]] = []
    in_item = False
    for kind, text in tokens[starts[-1] + 1 if starts else 0 :]:
        if kind == "h2":
            questions.append([])
            in_item = False
        elif kind == "h3" and questions:
            questions[-1].append((text, []))
            in_item = False
        elif kind == "bullet" and questions and questions[-1]:
            questions[-1][-1][1].append(text)
            in_item = True
        elif kind == "cont" and in_item:
            questions[-1][-1][1][-1] += "\n" + text
        else:
            in_item = False
    return questions


def _by_question(tokens, found_manifest) -> list[tuple[str | None, str]]:
    unsorted_labels = {p.unsorted for p in PHRASES.values()}
    titles = {t["title"] for t in found_manifest["themes"]}
    count = len(found_manifest["questions"]) + (1 if found_manifest["without_question"] else 0)
    pairs: list[tuple[str | None, str]] = []
    for subsections in _question_sections(tokens)[:count]:
        for n, (title, items) in enumerate(subsections):
            last = n == len(subsections) - 1
            theme = None if last and title in unsorted_labels and title not in titles else title
            pairs += [(theme, text) for text in items]
    return pairs


def extract_inputs(data: bytes, fmt: str) -> list[tuple[str | None, str]]:
    """The listed inputs of an md, txt, docx, pdf or json export as (theme or None, text)."""
    if fmt == "json":
        from .json_format import document_from_json

        return listed_inputs(document_from_json(json.loads(data.decode("utf-8"))))
    if fmt == "docx":
        lines = text_lines(data, fmt)
        tokens = list(_docx_tokens(data))
    elif fmt == "pdf":
        lines = text_lines(data, fmt)
        tokens = list(_pdf_tokens(data))
    elif fmt in ("md", "txt"):
        lines = text_lines(data, fmt)
        tokens = list(_md_tokens(lines) if fmt == "md" else _txt_tokens(lines))
    else:
        raise ValueError(f"cannot read inputs back from format {fmt!r}")
    found_manifest = parse_manifest_lines(lines)
    if found_manifest is None:
        raise ValueError("no manifest found in the export")
    if found_manifest.get("questions") is not None and (
        len(found_manifest["questions"]) > 1 or found_manifest["without_question"]
    ):
        return _by_question(tokens, found_manifest)
    sections = _sections(tokens)
    count = len(found_manifest["themes"])
    pairs = [(title, text) for title, items in sections[:count] for text in items]
    if found_manifest["unsorted"] and len(sections) > count:
        pairs += [(None, text) for text in sections[count][1]]
    return pairs
