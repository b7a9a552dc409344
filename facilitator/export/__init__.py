"""Exports of a workshop's unedited input list: appendix or report, in eight formats.

    doc = build_document(session, workshop)            # or document_from_seed(seed)
    data, mimetype, filename = render(doc, "docx", "appendix", list_hidden=False)

Everything below build_document is pure: it takes an ExportDocument and
returns bytes, so each format is tested without a database.
"""

from __future__ import annotations

import re
import unicodedata
from importlib import import_module

from .document import ExportDocument, ExportInput, ExportQuestion, ExportTheme, build_document, document_from_seed
from .html_format import CSP as HTML_CSP
from .json_format import document_from_json
from .manifest import digest, manifest, parse_manifest
from .outline import VARIANTS, check_variant
from .readback import extract_inputs, listed_inputs
from .xml_text import Unrepresentable

# format -> (module that has render_<format>, mimetype, file extension). The modules are
# imported at the first export: python-docx and openpyxl (with the numpy openpyxl loads)
# cost about 60 MB per process, which a server that never exports need not carry.
FORMATS = {
    "docx": ("docx_format", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "md": ("text_formats", "text/markdown; charset=utf-8", "md"),
    "txt": ("text_formats", "text/plain; charset=utf-8", "txt"),
    "html": ("html_format", "text/html; charset=utf-8", "html"),
    "pdf": ("pdf_format", "application/pdf", "pdf"),
    "csv": ("table_formats", "text/csv; charset=utf-8", "csv"),
    "xlsx": ("table_formats", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "json": ("json_format", "application/json", "json"),
}

_TRANSLITERATE = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ß": "ss", "đ": "d", "ł": "l"})


def slug(text: str, limit: int = 80) -> str:
    """An ASCII file-name slug: æ→ae, ø→oe, å→aa, accents dropped, other runs of characters → '-'."""
    text = unicodedata.normalize("NFKD", text.lower().translate(_TRANSLITERATE))
    text = text.encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text[:limit].rstrip("-") or "workshop"


def filename(doc: ExportDocument, fmt: str, variant: str = "appendix") -> str:
    """The download name: slug of the heading (appendix) or title (report), variant, extension."""
    base = doc.title if variant == "report" else doc.appendix_heading
    return f"{slug(base)}-{variant}.{FORMATS[fmt][2]}"


def render(doc: ExportDocument, fmt: str, variant: str = "appendix", list_hidden: bool = False):
    """(bytes, mimetype, filename) of the document in a format; ValueError for unknown format/variant."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    check_variant(variant)
    module, mimetype, _ = FORMATS[fmt]
    function = getattr(import_module(f".{module}", __name__), f"render_{fmt}")
    return function(doc, variant, list_hidden), mimetype, filename(doc, fmt, variant)


__all__ = [
    "ExportDocument",
    "ExportInput",
    "ExportQuestion",
    "ExportTheme",
    "FORMATS",
    "HTML_CSP",
    "VARIANTS",
    "build_document",
    "digest",
    "document_from_json",
    "document_from_seed",
    "extract_inputs",
    "filename",
    "listed_inputs",
    "manifest",
    "parse_manifest",
    "render",
    "slug",
    "Unrepresentable",
]
