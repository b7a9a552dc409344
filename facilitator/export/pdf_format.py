"""PDF: the print HTML laid out by WeasyPrint, tagged (PDF/UA-1) and archival (PDF/A-2a).

The page is render_html's, so the PDF lists exactly what every other format
lists; a PDF-only stylesheet adds the DejaVu fonts (embedded, as PDF/A
requires), the workshop title in each page's header and "page / pages" in
its footer. WeasyPrint's pdf/a-2a variant tags the structure (headings, lists,
paragraphs), sets /Lang from <html lang> (the workshop's language), embeds an
sRGB output intent and writes the PDF/A identification into the XMP
metadata; the finisher below adds the PDF/UA-1 identification to that same
metadata.

Exact text. A PDF holds positioned glyphs, and a line that wraps reads back
with a line break that was never typed. So every heading, paragraph and list
item's structure element gets /ActualText: its exact text (for an input, the
stored text, CR LF and all), which screen readers speak and readback.py
reads. An element split over two pages gets its text on the first part and an
empty /ActualText on the rest, so it is read once.
"""

from __future__ import annotations

import io
import logging

from .document import ExportDocument
from .html_format import render_html
from .outline import Bullets, Manifest, outline
from .phrases import phrases

PDF_VARIANT = "pdf/a-2a"
OUTPUT_INTENT = "facilitator-srgb"
TAGGED = ("h1", "h2", "h3", "h4", "h5", "h6", "p", "li")
_STRUCT = {"/" + tag.upper() if tag != "li" else "/LI" for tag in TAGGED}
XMP_PDFUA = b' xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" pdfuaid:part="1"'


def css_string(text: str) -> str:
    """text as a CSS string literal: all but letters, digits and spaces hex-escaped (a space ends each escape)."""
    return '"' + "".join(ch if ch.isalnum() or ch == " " else f"\\{ord(ch):06x} " for ch in text) + '"'


def page_style(doc: ExportDocument) -> str:
    """The PDF's own page rules: fonts, header with the workshop title, page numbers."""
    return f"""
@page {{
  size: A4; margin: 2.2cm 2cm 2cm 2cm;
  @top-center {{ content: {css_string(doc.title)}; font-family: "DejaVu Sans"; font-size: 8.5pt; color: #333; }}
  @bottom-center {{ content: counter(page) " / " counter(pages); font-family: "DejaVu Sans"; font-size: 8.5pt; }}
}}
body {{ font-family: "DejaVu Serif", serif !important; font-size: 10.5pt; }}
h1, h2, h3, .manifest {{ font-family: "DejaVu Sans", sans-serif !important; }}
"""


def _item_texts(blocks) -> list[str]:
    """The exact text of every <li> in document order, as render_html writes them."""
    texts: list[str] = []
    for block in blocks:
        if isinstance(block, Bullets):
            texts += [item.text if item.note is None else item.text + "\n" + item.note for item in block.items]
        elif isinstance(block, Manifest):
            texts += list(block.lines)
    return texts


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _exact_texts(root, blocks) -> dict[int, str]:
    """id(element) -> exact text for the tagged elements of the parsed page."""
    items = iter(_item_texts(blocks))
    texts: dict[int, str] = {}
    for element in root.iter():
        tag = _local(element.tag)
        if tag == "li":
            texts[id(element)] = next(items)
        elif tag in TAGGED:
            texts[id(element)] = "".join(element.itertext())
    return texts


def _boxes(box, inside=None):
    """The tagged elements of a page's boxes in layout order; one per element (anonymous boxes skipped)."""
    element = getattr(box, "element", None)
    tag = getattr(box, "element_tag", None)
    if element is not None and tag in TAGGED and element is not inside:
        yield element
        inside = element
    for child in getattr(box, "children", ()) or ():
        if hasattr(child, "children") or getattr(child, "element", None) is not None:
            yield from _boxes(child, inside)


def _object(pdf, reference):
    """The pydyf object a reference (b"12 0 R") points to."""
    if isinstance(reference, bytes):
        reference = reference.decode("ascii")
    return pdf.objects[int(str(reference).split()[0])]


def _is_reference(value) -> bool:
    return isinstance(value, (bytes, str)) and (value.endswith(b" R") if isinstance(value, bytes) else value.endswith(" R"))


def _struct_elements(pdf, reference, found: list) -> None:
    node = _object(pdf, reference)
    if not isinstance(node, dict):
        return
    if node.get("S") in _STRUCT:
        found.append(node)
    for kid in node.get("K", ()):
        if _is_reference(kid):
            _struct_elements(pdf, kid, found)


def _finisher(texts: dict[int, str]):
    import pydyf

    class ExactString(pydyf.String):
        """Always UTF-16 hex: in a literal string a reader turns CR LF and CR into LF."""

        @property
        def data(self):
            return b"<" + (b"\xfe\xff" + self.string.encode("utf-16-be")).hex().encode() + b">"

    def finish(document, pdf) -> None:
        root = _object(pdf, pdf.catalog["StructTreeRoot"])
        found: list = []
        for kid in root["K"]:
            _struct_elements(pdf, kid, found)
        for page_number, page in enumerate(document.pages):
            elements = list(_boxes(page._page_box))
            page_ref = pdf.page_references[page_number]
            on_page = [node for node in found if node.get("Pg") == page_ref]
            if len(on_page) != len(elements):
                logging.getLogger(__name__).warning(
                    "PDF page %s: %s tagged elements, %s boxes; exact texts left out", page_number + 1,
                    len(on_page), len(elements),
                )
                continue
            for node, element in zip(on_page, elements):
                seen = id(element) in finish.done
                node["ActualText"] = ExactString("" if seen else texts.get(id(element), ""))
                finish.done.add(id(element))
        metadata = _object(pdf, pdf.catalog["Metadata"])
        xml = b"".join(metadata.stream)
        marker = b'<rdf:Description rdf:about=""'
        at = xml.index(marker) + len(marker)
        metadata.stream = [xml[:at] + XMP_PDFUA + xml[at:]]

    finish.done = set()
    return finish


def _srgb_profile():
    # WeasyPrint's own "srgb" output intent opens its ICC file and never closes it
    # (a ResourceWarning per PDF); the same profile read here is closed at once.
    from importlib.resources import files

    from weasyprint.css import ColorProfile

    data = (files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()
    return ColorProfile(io.BytesIO(data), "sRGB2014.icc", "relative-colorimetric", (["r"], ["g"], ["b"]))


def render_pdf(doc: ExportDocument, variant: str = "appendix", list_hidden: bool = False) -> bytes:
    """The export as a tagged PDF/A-2a and PDF/UA-1 file, fonts embedded, in the document's language."""
    from weasyprint import CSS, HTML

    html = HTML(string=render_html(doc, variant, list_hidden).decode("utf-8"))
    blocks = outline(doc, variant, list_hidden)
    texts = _exact_texts(html.etree_element, blocks)
    rendered = html.render(stylesheets=[CSS(string=page_style(doc))])
    rendered.metadata.lang = phrases(doc.language).code
    rendered.color_profiles[OUTPUT_INTENT] = _srgb_profile()
    return rendered.write_pdf(pdf_variant=PDF_VARIANT, output_intent=OUTPUT_INTENT, finisher=_finisher(texts))
