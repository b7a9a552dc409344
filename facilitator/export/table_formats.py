"""CSV and XLSX: one row per input, visible and hidden, in board order.

Columns: theme, position (1-based within its column, hidden inputs counted),
text, received_at (ISO 8601 UTC), hidden (yes/no in the document's
language), hidden_reason, author when the workshop collects names,
question (the text of the question the input answered, empty for none) when
the workshop asked any, source ("phone" or the import's label) when any
input came from paper or another channel, then one column per vote round:
an input round gives each input's dots (empty for an input that was not in
the round), a theme round gives the theme's dots on every row of that theme
(the header says so). The XLSX has a sheet with each round's ranked results
besides. The
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
(an inline string), so it never becomes a formula and needs no prefix.

The CSV is UTF-8 with a byte order mark (so Excel reads æ, ø, å right) and
CR LF line ends; line breaks inside a text stay inside its quoted cell.
XLSX raises Unrepresentable (a ValueError) for a text Excel cannot hold (see xml_text).
"""

from __future__ import annotations

import csv
import io

from . import xlsx_package as xlsx
from .document import ExportDocument
from .manifest import manifest_lines
from .phrases import phrases
from .votes import rank_label, vote_phrases
from .xml_text import check_cell_text, check_xml_text

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: str) -> str:
    """Prefix "'" to a cell a spreadsheet would read as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def rows(doc: ExportDocument) -> list[list]:
    """Header and one row per input: theme, position, text, received_at, hidden, reason[, author][, question][, source]."""
    p = phrases(doc.language)
    width = 7 if doc.named else 6
    sources = doc.has_sources
    v = vote_phrases(doc.language)
    table: list[list] = [
        list(p.columns[:width])
        + ([p.question] if doc.questions else [])
        + ([p.source] if sources else [])
        + [v["column_" + r.on].format(n=r.number) for r in doc.vote_rounds]
    ]
    # (round index, theme index or None, position) -> dots; theme rounds use position None.
    dots: dict[tuple, int] = {}
    for n, r in enumerate(doc.vote_rounds):
        for item in r.items:
            dots[(n, item.theme, item.position)] = item.votes
    columns = [(t.title, n, t.column) for n, t in enumerate(doc.themes)] + [("", None, doc.unsorted_column)]
    for title, theme_index, column in columns:
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
            if doc.questions:
                row.append(doc.question_text(item))
            if sources:
                row.append(item.source)
            for r_index, r in enumerate(doc.vote_rounds):
                key = (r_index, theme_index, n - 1 if r.on == "inputs" else None)
                row.append(dots.get(key, ""))
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


def vote_rows(doc: ExportDocument) -> list[list]:
    """Each round's ranked results: a title row, a header row, one row per item, a blank row."""
    v = vote_phrases(doc.language)
    out: list[list] = []
    for r in doc.vote_rounds:
        out.append([v["round_" + r.on].format(n=r.number)])
        out.append([v["rank"], v["item_" + r.on[:-1]], v["dots"], v["voters"]])
        for item in r.listed:
            out.append([rank_label(r, item, doc.language), item.label, item.votes, item.voters])
        out.append([])
    return out


def _checked(*tables: list[list]) -> None:
    """Check every text an Excel cell must hold, before any sheet is written."""
    for table in tables:
        for row in table:
            for value in row:
                if isinstance(value, str):
                    check_cell_text(value)


def render_xlsx(doc: ExportDocument, variant: str = "appendix", list_hidden: bool = False) -> bytes:
    """Every input as an Excel sheet, texts stored as strings; a second sheet has the counts."""
    p = phrases(doc.language)
    table = rows(doc)
    title, lines = manifest_lines(doc)
    counts_table = [[line] for line in lines]
    votes_table = vote_rows(doc)
    _checked(table, counts_table, votes_table)
    widths = dict(_WIDTHS)
    after = 7 if doc.named else 6  # the question's column, then the source's (rows() order)
    if doc.questions:
        widths[after] = 40
        after += 1
    if doc.has_sources:
        widths[after] = 16
    header = table[0]
    sheets = [
        # Every cell wraps its text at the top of its row; the header is bold too.
        xlsx.Sheet("Input" if doc.language == "da" else "Inputs", table,
                   style_of=lambda row: xlsx.BOLD_WRAP if row is header else xlsx.WRAP, widths=widths, freeze_header=True),
        xlsx.Sheet(title, counts_table, widths={0: 80}),
    ]
    if doc.vote_rounds:
        sheets.append(xlsx.Sheet(vote_phrases(doc.language)["sheet"], votes_table,
                                 style_of=lambda row: xlsx.BOLD if len(row) == 1 else xlsx.PLAIN, widths={0: 12, 1: 80}))
    return xlsx.workbook(sheets, check_xml_text(doc.appendix_heading), p.code)
