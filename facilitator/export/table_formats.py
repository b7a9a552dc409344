"""CSV and XLSX: one row per input, visible and hidden, in board order.

Columns: theme, position (1-based within its column, hidden inputs counted),
text, received_at (ISO 8601 UTC), hidden (yes/no in the document's
language), hidden_reason, and author when the workshop collects names. The
header row is in the document's language. An input in no theme has an empty
theme cell. Rows come theme by theme in board order, then the unsorted
column.

Formula injection. A spreadsheet opening a CSV runs any cell that starts
with "=", "+", "-" or "@" (and some also after a leading tab or CR) as a
formula, e.g. =HYPERLINK(...). Following OWASP, every CSV text cell that
starts with one of = + - @ TAB CR gets a single quote "'" in front. That
prefix is the ONE deviation from verbatim in the CSV export; the cell is
otherwise exact. The Markdown, text, HTML, DOCX, JSON and XLSX exports keep
such texts verbatim: XLSX stores every text cell explicitly as a string
(data_type "s"), so it never becomes a formula and needs no prefix.

The CSV is UTF-8 with a byte order mark (so Excel reads æ, ø, å right) and
CR LF line ends; line breaks inside a text stay inside its quoted cell.
XLSX raises ValueError for a text Excel cannot hold (see xml_text).
"""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from .document import ExportDocument
from .manifest import manifest_lines
from .phrases import phrases
from .xml_text import check_cell_text

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: str) -> str:
    """Prefix "'" to a cell a spreadsheet would read as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def rows(doc: ExportDocument) -> list[list]:
    """Header and one row per input: theme, position, text, received_at, hidden, reason[, author]."""
    p = phrases(doc.language)
    width = 7 if doc.named else 6
    table: list[list] = [list(p.columns[:width])]
    columns = [(t.title, t.column) for t in doc.themes] + [("", doc.unsorted_column)]
    for title, column in columns:
        for n, item in enumerate(column, start=1):
            row = [
                title,
                n,
                item.text,
                item.received_at or "",
                p.yes if item.hidden else p.no,
                item.hidden_reason,
            ]
            if doc.named:
                row.append(item.author_name)
            table.append(row)
    return table


def render_csv(doc: ExportDocument, variant: str = "appendix", list_hidden: bool = False) -> bytes:
    """Every input as CSV (UTF-8 with BOM, CR LF); variant and list_hidden do not apply."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows(doc):
        writer.writerow([csv_safe(cell) if isinstance(cell, str) else cell for cell in row])
    return out.getvalue().encode("utf-8-sig")


_WIDTHS = {0: 30, 1: 10, 2: 80, 3: 22, 4: 8, 5: 30, 6: 24}


def render_xlsx(doc: ExportDocument, variant: str = "appendix", list_hidden: bool = False) -> bytes:
    """Every input as an Excel sheet, texts stored as strings; a second sheet has the counts."""
    p = phrases(doc.language)
    book = Workbook()
    sheet = book.active
    sheet.title = "Input" if doc.language == "da" else "Inputs"
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, row in enumerate(rows(doc), start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            cell.value = check_cell_text(value) if isinstance(value, str) else value
            if isinstance(value, str):
                # openpyxl would take a leading "=" as a formula; a string it stays.
                cell.data_type = "s"
            cell.alignment = wrap
            if r == 1:
                cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index, width in _WIDTHS.items():
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    title, lines = manifest_lines(doc)
    counts = book.create_sheet(title=title)
    for r, line in enumerate(lines, start=1):
        cell = counts.cell(row=r, column=1)
        cell.value = check_cell_text(line)
        cell.data_type = "s"
    counts.column_dimensions["A"].width = 80
    book.properties.title = doc.appendix_heading
    book.properties.language = p.code
    book.properties.creator = ""
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
