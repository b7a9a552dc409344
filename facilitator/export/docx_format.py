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

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from .document import ExportDocument
from docx.shared import Cm

from ..charts import bar_chart_png
from .outline import Bullets, Chart, Heading, Manifest, PageBreak, Para, Table, outline
from .xml_text import check_xml_text

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LANG_TAGS = {"da": "da-DK", "en": "en-GB"}


def _write(paragraph, text: str, bold: bool = False, italic: bool = False) -> None:
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
    """Adds paragraphs at the end of the body, in a named style, at a cost that does not grow with the document.

    python-docx resolves a style name on every paragraph by scanning every style
    of the document (four fifths of a 10,000-input export's time), and finds the
    body's closing w:sectPr by scanning every paragraph before it (most of the
    rest). Here the style's id is looked up once and the new w:p goes straight
    before the w:sectPr found once: the same XML as add_paragraph(style=...).
    """

    def __init__(self, document) -> None:
        self.document = document
        self.body = document.element.body
        # The section properties close the body; python-docx's own additions (tables,
        # pictures) go before the same element, so it is found once.
        self.end = self.body.sectPr
        self.ids: dict[str, str] = {}

    def add(self, style: str | None = None) -> Paragraph:
        p = OxmlElement("w:p")
        if self.end is None:
            self.body.append(p)
        else:
            self.end.addprevious(p)
        paragraph = Paragraph(p, self.document._body)
        if style is not None:
            if style not in self.ids:
                self.ids[style] = self.document.styles[style].style_id
            paragraph._p.style = self.ids[style]
        return paragraph


def _add_blocks(document, blocks) -> None:
    paragraphs = _Paragraphs(document)
    page_break = False
    for block in blocks:
        if isinstance(block, PageBreak):
            page_break = True
        elif isinstance(block, Heading):
            paragraph = paragraphs.add(f"Heading {min(max(block.level, 1), 9)}")
            paragraph.paragraph_format.page_break_before = page_break or None
            page_break = False
            _write(paragraph, block.text)
        elif isinstance(block, Para):
            _write(paragraphs.add(), block.text, italic=block.role == "note")
        elif isinstance(block, Bullets):
            for item in block.items:
                paragraph = paragraphs.add("List Bullet")
                # A bullet split over two pages is hard to read in print.
                paragraph.paragraph_format.keep_together = True
                _write(paragraph, item.text)
                if item.note is not None:
                    _write(paragraphs.add("List Continue"), item.note, italic=True)
        elif isinstance(block, Chart):
            document.add_picture(io.BytesIO(bar_chart_png(list(block.rows))), width=Cm(16))
            # Word's alt text for the picture: what it shows and where its numbers are.
            document.inline_shapes[-1]._inline.docPr.set("descr", check_xml_text(block.caption))
        elif isinstance(block, Table):
            table = document.add_table(rows=1, cols=len(block.header))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, block.header):
                _write(cell.paragraphs[0], text, bold=True)
            for row in block.rows:
                for cell, text in zip(table.add_row().cells, row):
                    _write(cell.paragraphs[0], text)
            paragraphs.add()
        elif isinstance(block, Manifest):
            _write(paragraphs.add(), block.title, bold=True)
            for line in block.lines:
                _write(paragraphs.add(), line)


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
