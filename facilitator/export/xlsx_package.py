"""An XLSX package written as XML text: sheets of strings and whole numbers in four cell styles.

openpyxl made the same workbook cell object by cell object, about 14 µs a
cell (0.8 s of a 10,000-input export's 1.0 s). The parts here are those
openpyxl's write-only mode wrote (inline strings, the same cell styles,
widths and frozen header), so Excel, LibreOffice and openpyxl read them alike;
tests read every export back with openpyxl.

Texts must already be checked (xml_text.check_cell_text): this module only
escapes them.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

# Cell styles, as indexes into styles.xml's cellXfs.
PLAIN, BOLD, WRAP, BOLD_WRAP = 0, 1, 2, 3

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
# Excel refuses these in a sheet's name, and names longer than 31 characters.
_NAME_FORBIDDEN = set('[]:*?/\\')

_STYLES = (
    f'<styleSheet xmlns="{_MAIN}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b val="1"/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1"/></xf>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1"/></xf>'
    '</cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>'
)


def _escape(text: str) -> str:
    """Text for element content and attribute values (str.replace chains: a tenth of str.translate's time on non-ASCII text)."""
    # A CR must be a character reference: an XML reader turns a literal CR (and CR LF) into LF.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("\r", "&#13;")


@dataclass
class Sheet:
    """One worksheet: its name, its rows (str, int or None cells), column widths and each row's style."""

    name: str
    rows: list[list]
    style_of: Callable[[list], int] = lambda row: PLAIN
    widths: dict[int, float] = field(default_factory=dict)  # 0-based column -> width in characters
    freeze_header: bool = False

    def __post_init__(self) -> None:
        if not self.name or len(self.name) > 31 or _NAME_FORBIDDEN & set(self.name):
            raise ValueError(f"{self.name!r} cannot name an Excel sheet")


def column_letter(index: int) -> str:
    """The column's letters for a 0-based index: 0 -> A, 26 -> AA."""
    # Not openpyxl.utils.get_column_letter: importing openpyxl loads the whole package.
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell(ref: str, value, style: int) -> str:
    if value is None or value == "":
        return f'<c r="{ref}" s="{style}"/>'
    if isinstance(value, str):
        space = ' xml:space="preserve"' if value != value.strip() else ""
        return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t{space}>{_escape(value)}</t></is></c>'
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"an XLSX cell holds text or a whole number, not {value!r}")
    return f'<c r="{ref}" s="{style}" t="n"><v>{value}</v></c>'


def _sheet_xml(sheet: Sheet, selected: bool) -> str:
    width = max((len(row) for row in sheet.rows), default=1) or 1
    letters = [column_letter(n) for n in range(width)]
    size = f"A1:{letters[-1]}{max(len(sheet.rows), 1)}"
    tab = ' tabSelected="1"' if selected else ""
    if sheet.freeze_header:
        view = (f'<sheetView workbookViewId="0"{tab}><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView>')
    else:
        view = f'<sheetView workbookViewId="0"{tab}/>'
    cols = "".join(
        f'<col min="{n + 1}" max="{n + 1}" width="{w}" customWidth="1"/>' for n, w in sorted(sheet.widths.items())
    )
    parts = [
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}">',
        f'<dimension ref="{size}"/><sheetViews>{view}</sheetViews><sheetFormatPr defaultRowHeight="15"/>',
        f"<cols>{cols}</cols>" if cols else "",
        "<sheetData>",
    ]
    for number, row in enumerate(sheet.rows, start=1):
        style = sheet.style_of(row)
        cells = "".join(_cell(f"{letters[n]}{number}", value, style) for n, value in enumerate(row))
        parts.append(f'<row r="{number}">{cells}</row>')
    parts.append('</sheetData><pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/></worksheet>')
    return "".join(parts)


def _core_xml(title: str, language: str) -> str:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{_escape(title)}</dc:title><dc:language>{_escape(language)}</dc:language><dc:creator></dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified></cp:coreProperties>'
    )


def workbook(sheets: list[Sheet], title: str, language: str) -> bytes:
    """The XLSX file of `sheets` (the first one open), with its title and language as document properties."""
    if len({s.name.casefold() for s in sheets}) != len(sheets):
        raise ValueError("two sheets with one name")
    n = len(sheets)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_TYPE}.worksheet+xml"/>' for i in range(1, n + 1)
    )
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPE}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_TYPE}.styles+xml"/>{overrides}'
            '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml"'
            ' ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"'
            ' Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/></Relationships>'
        ),
        "docProps/core.xml": _core_xml(title, language),
        "docProps/app.xml": (
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            "<Application>Facilitator</Application></Properties>"
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews><workbookView activeTab="0"/></bookViews><sheets>'
            + "".join(f'<sheet name="{_escape(s.name)}" sheetId="{i}" r:id="rId{i}"/>' for i, s in enumerate(sheets, 1))
            + "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{_PKG_REL}">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>' for i in range(1, n + 1)
            )
            + f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
        ),
        "xl/styles.xml": _STYLES,
    }
    for i, sheet in enumerate(sheets, 1):
        parts[f"xl/worksheets/sheet{i}.xml"] = _sheet_xml(sheet, selected=i == 1)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, xml in parts.items():
            package.writestr(name, xml.encode("utf-8"))
    return out.getvalue()
