"""The Word export: real heading styles, the built-in "List Bullet" style for inputs.

Each input is one "List Bullet" paragraph holding the stored text. Line
breaks inside an input become Word line breaks (w:br) in that one paragraph,
so an input stays one bullet; Word has a single kind of line break, so CR LF,
CR and LF all become one break and python-docx reads every break back as
"\\n". Apart from that the text is verbatim (tabs and spacing kept).

DOCX is XML: a character XML cannot hold (see xml_text) makes render_docx
raise ValueError instead of writing a broken file.
"""

from __future__ import annotations

import io
import re
from datetime import datetime, timezone
from xml.sax.saxutils import escape

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import nsmap, qn
from docx.oxml.parser import parse_xml
from docx.shared import Cm

from ..charts import bar_chart_png
from .document import ExportDocument
from .outline import Bullets, Chart, Heading, Manifest, PageBreak, Para, Table, outline
from .xml_text import check_xml_text

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LANG_TAGS = {"da": "da-DK", "en": "en-GB"}
_W = nsmap["w"]


def _write(paragraph, text: str, bold: bool = False, italic: bool = False) -> None:
    """Add `text` to a python-docx paragraph (table cells) as one run, line breaks as w:br."""
    run = paragraph.add_run()
    run.bold = bold or None
    run.italic = italic or None
    for n, line in enumerate(_LINE_BREAK.split(check_xml_text(text))):
        if n:
            run.add_break()
        if line:
            run.add_text(line)


def _set_language(document, code: str) -> None:
    # Word's spelling and hyphenation follow w:lang; set it on the document defaults.
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        return
    rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if rpr is None:
        return
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), _LANG_TAGS.get(code, code))


def _set_properties(document, doc: ExportDocument, title: str) -> None:
    props = document.core_properties
    now = datetime.now(timezone.utc).replace(microsecond=0)
    props.title = check_xml_text(title)
    props.language = _LANG_TAGS.get(doc.language, doc.language)
    # The template's own author, comments and dates would otherwise leak in.
    props.author = ""
    props.last_modified_by = ""
    props.comments = ""
    props.subject = ""
    props.keywords = ""
    props.created = now
    props.modified = now
    props.revision = 1


class _Paragraphs:
    """Adds paragraphs at the end of the body, written as XML text and parsed in batches.

    python-docx builds a paragraph element by element, finding each child's place
    in the schema's order among its siblings (three quarters of a 10,000-input
    export's time, after its style lookups were already taken out). A paragraph
    here is the XML python-docx would make for the same calls (a w:r with an
    empty w:rPr, w:t with xml:space="preserve" only where a line starts or ends
    with white space), kept as text until a table or picture needs the body in
    order, then parsed at once and put before the closing w:sectPr.
    """

    def __init__(self, document) -> None:
        self.document = document
        self.body = document.element.body
        # The section properties close the body; python-docx's own additions (tables,
        # pictures) go before the same element, so it is found once.
        self.end = self.body.sectPr
        self.ids: dict[str, str] = {}
        self.pending: list[str] = []

    def _style(self, name: str) -> str:
        if name not in self.ids:
            self.ids[name] = self.document.styles[name].style_id
        return self.ids[name]

    def add(self, text: str | None = None, style: str | None = None, bold: bool = False, italic: bool = False,
            keep_lines: bool = False, page_break_before: bool = False) -> None:
        """Queue one paragraph; text None makes an empty paragraph."""
        properties = "".join((
            f'<w:pStyle w:val="{self._style(style)}"/>' if style is not None else "",
            "<w:keepLines/>" if keep_lines else "",
            "<w:pageBreakBefore/>" if page_break_before else "",
        ))
        parts = ["<w:p>", f"<w:pPr>{properties}</w:pPr>" if properties else ""]
        if text is not None:
            parts.append("<w:r><w:rPr>" + ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "") + "</w:rPr>"
                         if bold or italic else "<w:r><w:rPr/>")
            for n, line in enumerate(_LINE_BREAK.split(check_xml_text(text))):
                if n:
                    parts.append("<w:br/>")
                if line:
                    space = ' xml:space="preserve"' if len(line.strip()) < len(line) else ""
                    parts.append(f"<w:t{space}>{escape(line)}</w:t>")
            parts.append("</w:r>")
        parts.append("</w:p>")
        self.pending.append("".join(parts))

    def flush(self) -> None:
        """Put the queued paragraphs into the body, in order, before what comes next."""
        if not self.pending:
            return
        batch = parse_xml(f'<w:body xmlns:w="{_W}">{"".join(self.pending)}</w:body>')
        self.pending = []
        for p in list(batch):
            if self.end is None:
                self.body.append(p)
            else:
                self.end.addprevious(p)


def _add_blocks(document, blocks) -> None:
    paragraphs = _Paragraphs(document)
    page_break = False
    for block in blocks:
        if isinstance(block, PageBreak):
            page_break = True
        elif isinstance(block, Heading):
            paragraphs.add(block.text, f"Heading {min(max(block.level, 1), 9)}", page_break_before=page_break)
            page_break = False
        elif isinstance(block, Para):
            paragraphs.add(block.text, italic=block.role == "note")
        elif isinstance(block, Bullets):
            for item in block.items:
                # A bullet split over two pages is hard to read in print.
                paragraphs.add(item.text, "List Bullet", keep_lines=True)
                if item.note is not None:
                    paragraphs.add(item.note, "List Continue", italic=True)
        elif isinstance(block, Manifest):
            paragraphs.add(block.title, bold=True)
            for line in block.lines:
                paragraphs.add(line)
        elif isinstance(block, Chart):
            paragraphs.flush()
            document.add_picture(io.BytesIO(bar_chart_png(list(block.rows))), width=Cm(16))
            # Word's alt text for the picture: what it shows and where its numbers are.
            document.inline_shapes[-1]._inline.docPr.set("descr", check_xml_text(block.caption))
        elif isinstance(block, Table):
            paragraphs.flush()
            table = document.add_table(rows=1, cols=len(block.header))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, block.header):
                _write(cell.paragraphs[0], text, bold=True)
            for row in block.rows:
                for cell, text in zip(table.add_row().cells, row):
                    _write(cell.paragraphs[0], text)
            paragraphs.add()
    paragraphs.flush()


def render_docx(doc: ExportDocument, variant: str = "appendix", list_hidden: bool = False) -> bytes:
    """The export as a Word document."""
    blocks = outline(doc, variant, list_hidden)
    document = Document()
    _set_language(document, doc.language)
    _set_properties(document, doc, doc.title if variant == "report" else doc.appendix_heading)
    _add_blocks(document, blocks)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
