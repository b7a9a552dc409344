"""Reading an uploaded CSV or XLSX of paper inputs into rows, refusing a bad file by its row.

One text per row. When the first row names its columns (a cell "Text" or
"Tekst", any case), the texts come from that column and the optional
"Theme"/"Tema" and "Question"/"Spørgsmål" columns name each row's theme and
question by title; other columns are ignored (so a CSV or XLSX export of a
workshop reads back in). Without such a header every row's first cell is its
text. Rows whose text cell is blank are skipped (spreadsheets end in blank
rows); every other cell is taken exactly as written.

CSV is UTF-8 (a byte order mark is allowed) with the delimiter of the header
row (comma, semicolon or tab, as Danish Excel writes semicolons); a file
without a header has one column, so commas inside texts stay text. XLSX: the
first sheet; a formula cell is refused (its value is not text anyone wrote),
numbers and dates are written as text. Reading stops at limit + 1 rows, so an
oversized file costs no more than the cap.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime, time

from .errors import ServiceError
from .services.paper import PaperRow

TEXT_NAMES = {"text", "tekst"}
THEME_NAMES = {"theme", "tema"}
QUESTION_NAMES = {"question", "spørgsmål"}
DELIMITERS = (",", ";", "\t")
# A separator that cannot occur in a stored text (validation refuses control characters).
NO_DELIMITER = "\x1f"


def file_kind(filename: str) -> str:
    """'csv' or 'xlsx' from the upload's name, else an import_file_type refusal."""
    name = (filename or "").lower()
    if name.endswith(".csv") or name.endswith(".txt"):
        return "csv"
    if name.endswith(".xlsx"):
        return "xlsx"
    raise ServiceError("import_file_type")


def _columns(header: list[str]) -> dict[str, int] | None:
    names = [cell.strip().casefold() if isinstance(cell, str) else "" for cell in header]
    found: dict[str, int] = {}
    for key, wanted in (("text", TEXT_NAMES), ("theme", THEME_NAMES), ("question", QUESTION_NAMES)):
        for index, name in enumerate(names):
            if name in wanted:
                found[key] = index
                break
    return found if "text" in found else None


def _rows(table, limit: int) -> list[PaperRow]:
    """table yields (row number, cells); the first row may be a header."""
    rows: list[PaperRow] = []
    columns = None
    for number, cells in table:
        if number == 1:
            columns = _columns(cells)
            if columns is not None:
                continue
        index = columns["text"] if columns else 0
        text = cells[index] if index < len(cells) else None
        if text is None or (isinstance(text, str) and not text.strip()):
            continue

        def cell(key: str) -> str | None:
            at = columns.get(key) if columns else None
            value = cells[at] if at is not None and at < len(cells) else None
            return value if isinstance(value, str) else None

        rows.append(PaperRow(number, text, cell("theme"), cell("question")))
        if len(rows) > limit:
            raise ServiceError("import_too_many", count=f"{limit}+", limit=limit)
    if not rows:
        raise ServiceError("import_empty")
    return rows


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ServiceError("import_encoding", row=data.count(b"\n", 0, error.start) + 1) from None


def _delimiter(first_line: str) -> str:
    for delimiter in DELIMITERS:
        if _columns(next(csv.reader([first_line], delimiter=delimiter), [])) is not None:
            return delimiter
    return NO_DELIMITER


def read_csv(data: bytes, limit: int) -> list[PaperRow]:
    """The rows of a CSV upload."""
    text = _decode(data)
    if "\x00" in text:
        raise ServiceError("import_control_characters", row=text.count("\n", 0, text.index("\x00")) + 1)
    delimiter = _delimiter(text.split("\n", 1)[0].rstrip("\r"))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def table():
        number = 0
        try:
            for cells in reader:
                number += 1
                yield number, cells
        except csv.Error:
            raise ServiceError("import_unreadable") from None

    return _rows(table(), limit)


def _cell_text(cell, number: int):
    if cell.data_type == "f":
        raise ServiceError("import_formula", row=number)
    value = cell.value
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return str(value)


def read_xlsx(data: bytes, limit: int) -> list[PaperRow]:
    """The rows of the first sheet of an XLSX upload."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise ServiceError("import_unreadable") from None
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise ServiceError("import_empty")

        def table():
            for number, cells in enumerate(sheet.iter_rows(), start=1):
                yield number, [_cell_text(c, number) for c in cells]

        return _rows(table(), limit)
    finally:
        book.close()


def read_upload(filename: str, data: bytes, limit: int) -> list[PaperRow]:
    """The rows of an uploaded CSV or XLSX file (kind from its name)."""
    if not data:
        raise ServiceError("import_empty")
    kind = file_kind(filename)
    return read_csv(data, limit) if kind == "csv" else read_xlsx(data, limit)
