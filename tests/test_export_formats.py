"""The export package without a database: every format against the reference workshop and hostile texts."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import replace
from pathlib import Path

import docx
import openpyxl
import pytest

from facilitator.export import (
    FORMATS,
    ExportDocument,
    ExportInput,
    ExportTheme,
    digest,
    document_from_json,
    document_from_seed,
    extract_inputs,
    listed_inputs,
    manifest,
    parse_manifest,
    render,
    slug,
)
from facilitator.export.docx_format import render_docx
from facilitator.export.html_format import render_html
from facilitator.export.json_format import render_json
from facilitator.export.table_formats import render_csv, render_xlsx
from facilitator.export.text_formats import render_md, render_txt

SEED_PATH = Path(__file__).resolve().parent.parent / "facilitator" / "data" / "seed-workshop.json"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

HOSTILE = [
    "<b>fed</b> & <i>kursiv</i> \"citat\" 'enkelt'",
    "<script>alert(1)</script>",
    '=HYPERLINK("http://x","y")',
    "+1",
    "-2",
    "@SUM(A1)",
    "\u200fשלום עולם\u200f",
    "👩\u200d👩\u200d👧 familie",
    "nul\u200bbredde",
    "x" * 3000,
    "første linje\r\nanden linje\r\n\r\n  indrykket",
    "# ikke en overskrift",
    "1. ikke en liste",
    "\ttab først",
    "  mellemrum  ",
    "- bindestreg\n- liste\n---",
    "\rCR først",
]


@pytest.fixture(scope="module")
def seed() -> dict:
    return json.loads(SEED_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def doc(seed) -> ExportDocument:
    return document_from_seed(seed, heading=seed["appendix_heading"])


def make_doc(columns: dict, language: str = "da", named: bool = False, **fields) -> ExportDocument:
    """columns: {theme title or None: [text or (text, hidden, reason)]}, in order."""
    counter = 0
    themes, unsorted = [], ()
    for title, entries in columns.items():
        column = []
        for position, entry in enumerate(entries):
            text, hidden, reason = entry if isinstance(entry, tuple) else (entry, False, "")
            counter += 1
            column.append(
                ExportInput(
                    id=counter,
                    text=text,
                    theme_title=title,
                    position=position,
                    received_at="2025-08-13T10:00:00Z",
                    hidden=hidden,
                    hidden_reason=reason,
                    author_name=f"Deltager {counter}" if named else "",
                )
            )
        if title is None:
            unsorted = tuple(column)
        else:
            themes.append(ExportTheme(title=title, summary=f"Resumé af {title}.", column=tuple(column)))
    values = {"title": "Testworkshop", "language": language, "held_on": "2025-08-13", "place": "Rådhuset"}
    values.update(fields)
    return ExportDocument(themes=tuple(themes), unsorted_column=unsorted, named=named, **values)


@pytest.fixture(scope="module")
def hostile_doc() -> ExportDocument:
    return make_doc({"Fjendtligt": HOSTILE[:9], "Ikke sorteret": HOSTILE[9:12], None: HOSTILE[12:]})


@pytest.fixture(scope="module")
def hidden_doc() -> ExportDocument:
    return make_doc(
        {
            "A": ["en", ("hemmelig tekst", True, "personoplysninger"), "to", "tre"],
            "B": [],
            None: ["løs", ("skjult løs", True, "")],
        }
    )


def md_sections(text: str) -> list[tuple[str, list[str]]]:
    """The test's own reading of the Markdown appendix: ## sections and their bullets."""
    body = text.split("\n---\n")[0].split("\n")
    sections: list[tuple[str, list[str]]] = []
    for line in body:
        if line.startswith("## "):
            sections.append((line[3:], []))
        elif line.startswith("- "):
            sections[-1][1].append(line[2:])
        elif line.startswith("  ") and sections and sections[-1][1]:
            sections[-1][1][-1] += "\n" + line[2:]
    return sections


def docx_lines(text: str) -> str:
    """What python-docx reads back for a stored text: every line break becomes LF."""
    return re.sub(r"\r\n|\r", "\n", text)


def bullets_of(data: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs if p.style.name == "List Bullet"]


# --- the reference workshop ----------------------------------------------------------------


def test_seed_document_counts(doc, seed):
    assert doc.total_received == doc.total_listed == 117
    assert [count for _, count in doc.theme_counts] == [18, 39, 40, 20]
    assert [i.id for i in doc.listed] == list(range(1, 118))
    texts = [i.text for i in doc.listed]
    assert len(set(texts)) == 116  # the input two participants wrote identically is kept twice


def test_markdown_appendix_reproduces_the_reference(doc, seed):
    text = render_md(doc).decode("utf-8")
    expected = f"# {seed['appendix_heading']}\n\n{seed['appendix_statement']}\n\n" + "\n\n".join(
        f"## {t['title']}\n\n" + "\n".join("- " + i for i in t["inputs"]) for t in seed["themes"]
    )
    assert text.startswith(expected + "\n\n---\n\n")
    lines = text.split("\n")
    assert lines[0] == "# Input fra workshop om LGBT+ og beskæftigelse"
    assert lines[2] == "Der er ikke blevet redigeret i de nedenstående 117 input."
    sections = md_sections(text)
    assert [title for title, _ in sections] == [t["title"] for t in seed["themes"]]
    for (_, bullets), theme in zip(sections, seed["themes"]):
        assert bullets == theme["inputs"]
    assert sum(len(b) for _, b in sections) == 117
    assert "- Modtaget: 117" in lines and "- Listet: 117" in lines and "- Skjult: 0" in lines
    for title, count in zip([t["title"] for t in seed["themes"]], (18, 39, 40, 20)):
        assert f"- Tema: {title}: {count}" in lines
    assert f"- SHA-256: {digest(doc)}" in lines


def test_docx_appendix_reads_back(doc, seed):
    document = docx.Document(io.BytesIO(render_docx(doc)))
    paragraphs = document.paragraphs
    assert paragraphs[0].style.name == "Heading 1"
    assert paragraphs[0].text == seed["appendix_heading"]
    assert paragraphs[1].text == seed["appendix_statement"]
    assert [p.text for p in paragraphs if p.style.name == "Heading 2"] == [t["title"] for t in seed["themes"]]
    assert [p.text for p in paragraphs if p.style.name == "List Bullet"] == [
        i for t in seed["themes"] for i in t["inputs"]
    ]
    # Each theme's bullets follow its own heading.
    current, seen = None, {}
    for p in paragraphs:
        if p.style.name == "Heading 2":
            current = p.text
        elif p.style.name == "List Bullet":
            seen.setdefault(current, []).append(p.text)
    assert seen == {t["title"]: t["inputs"] for t in seed["themes"]}
    assert document.core_properties.title == seed["appendix_heading"]
    assert document.core_properties.language == "da-DK"


@pytest.mark.parametrize("fmt", ["md", "docx"])
def test_report_has_title_date_and_summaries(doc, seed, fmt):
    data, _, name = render(doc, fmt, "report")
    assert name == f"workshop-om-lgbt-og-beskaeftigelse-report.{fmt}"
    if fmt == "md":
        text = data.decode("utf-8")
        assert text.startswith("# Workshop om LGBT+ og beskæftigelse\n\nAfholdt 13. august 2025\n\n## Opsummering\n")
        paragraphs = text.split("\n\n")
        appendix = text[text.index("# " + seed["appendix_heading"]) :]
        assert [b for _, b in md_sections(appendix)] == [t["inputs"] for t in seed["themes"]]
    else:
        document = docx.Document(io.BytesIO(data))
        paragraphs = [p.text for p in document.paragraphs]
        styles = [p.style.name for p in document.paragraphs]
        assert paragraphs[:3] == ["Workshop om LGBT+ og beskæftigelse", "Afholdt 13. august 2025", "Opsummering"]
        assert [t for t, s in zip(paragraphs, styles) if s == "Heading 3"] == [t["title"] for t in seed["themes"]]
        start = paragraphs.index(seed["appendix_heading"])
        assert document.paragraphs[start].paragraph_format.page_break_before is True
        assert bullets_of(data) == [i for t in seed["themes"] for i in t["inputs"]]
    for theme in seed["themes"]:
        for paragraph in theme["summary"].split("\n\n"):
            assert paragraph.strip() in paragraphs


def test_report_splits_summaries_on_blank_lines():
    doc = make_doc({"A": ["x"]})
    doc = replace(doc, themes=(replace(doc.themes[0], summary="Første afsnit.\r\n\r\nAndet afsnit.\n  \nTredje."),))
    text = render_md(doc, "report").decode("utf-8")
    assert "### A\n\nFørste afsnit.\n\nAndet afsnit.\n\nTredje.\n\n" in text
    paragraphs = [p.text for p in docx.Document(io.BytesIO(render_docx(doc, "report"))).paragraphs]
    assert paragraphs[:8] == [
        "Testworkshop", "Afholdt 13. august 2025", "Sted: Rådhuset", "Opsummering",
        "A", "Første afsnit.", "Andet afsnit.", "Tredje.",
    ]


def test_xlsx_reads_back(doc, seed):
    sheet = openpyxl.load_workbook(io.BytesIO(render_xlsx(doc))).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Tema", "Placering", "Tekst", "Modtaget", "Skjult", "Begrundelse")
    assert len(rows) == 118
    expected = [(t["title"], n, text) for t in seed["themes"] for n, text in enumerate(t["inputs"], start=1)]
    assert [r[:3] for r in rows[1:]] == expected
    assert all(r[4] == "nej" for r in rows[1:])
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold and not sheet["A2"].font.bold
    # Every cell wraps its text at the top of its row (long inputs stay readable in Excel).
    assert all(c.alignment.wrap_text and c.alignment.vertical == "top" for row in sheet.iter_rows() for c in row)
    assert sheet.column_dimensions["C"].width == 80
    # A reader in read-only mode takes the sheet's size from the file, so the file states it.
    streamed = openpyxl.load_workbook(io.BytesIO(render_xlsx(doc)), read_only=True).worksheets[0]
    assert (streamed.max_row, streamed.max_column) == (118, 6)


def test_csv_reads_back(doc, seed):
    data = render_csv(doc)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["Tema", "Placering", "Tekst", "Modtaget", "Skjult", "Begrundelse"]
    assert len(rows) == 118
    expected = [[t["title"], str(n), text] for t in seed["themes"] for n, text in enumerate(t["inputs"], start=1)]
    assert [r[:3] for r in rows[1:]] == expected


def test_json_round_trip(doc, seed):
    data = json.loads(render_json(doc).decode("utf-8"))
    assert data["format"] == "facilitator-export" and data["version"] == 1
    assert data["workshop"]["title"] == seed["title"] and data["workshop"]["language"] == "da"
    assert [[i["text"] for i in t["inputs"]] for t in data["themes"]] == [t["inputs"] for t in seed["themes"]]
    assert [t["summary"] for t in data["themes"]] == [t["summary"] for t in seed["themes"]]
    assert data["unsorted"] == []
    assert data["manifest"] == manifest(doc)
    assert data["manifest"]["received"] == 117
    assert [t["count"] for t in data["manifest"]["themes"]] == [18, 39, 40, 20]
    assert document_from_json(data) == doc


def test_html_page(doc, seed):
    page = render_html(doc).decode("utf-8")
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"da\">")
    assert "<script" not in page.lower()
    assert f"<h1>{seed['appendix_heading']}</h1>" in page
    assert page.count('<li dir="auto">') == 117
    assert "break-inside: avoid" in page and "Content-Security-Policy" in page


def test_every_format_is_registered(doc):
    assert set(FORMATS) == {"md", "txt", "html", "pdf", "docx", "csv", "xlsx", "json"}
    for fmt, (_, mimetype, extension) in FORMATS.items():
        data, served_as, name = render(doc, fmt)
        assert data and served_as == mimetype
        assert name == f"input-fra-workshop-om-lgbt-og-beskaeftigelse-appendix.{extension}"
    with pytest.raises(ValueError):
        render(doc, "odt")
    with pytest.raises(ValueError):
        render(doc, "md", "summary")


def test_slug_is_ascii():
    assert slug("Æble, Øl & Ålborg – café!") == "aeble-oel-aalborg-cafe"
    assert slug("«»") == "workshop"


# --- hostile texts ----------------------------------------------------------------------------


def test_hostile_texts_verbatim_in_markdown_and_text(hostile_doc):
    sections = md_sections(render_md(hostile_doc).decode("utf-8"))
    assert sections == [("Fjendtligt", HOSTILE[:9]), ("Ikke sorteret", HOSTILE[9:12]), ("Ikke sorteret", HOSTILE[12:])]
    for fmt in ("md", "txt"):
        data = render(hostile_doc, fmt)[0]
        expected = [("Fjendtligt", t) for t in HOSTILE[:9]] + [("Ikke sorteret", t) for t in HOSTILE[9:12]]
        assert extract_inputs(data, fmt) == expected + [(None, t) for t in HOSTILE[12:]]
        assert extract_inputs(data, fmt) == listed_inputs(hostile_doc)


def test_hostile_texts_verbatim_in_json(hostile_doc):
    data = json.loads(render_json(hostile_doc))
    texts = [i["text"] for t in data["themes"] for i in t["inputs"]] + [i["text"] for i in data["unsorted"]]
    assert texts == HOSTILE
    assert extract_inputs(render_json(hostile_doc), "json") == listed_inputs(hostile_doc)


def test_hostile_texts_verbatim_in_docx(hostile_doc):
    data = render_docx(hostile_doc)
    assert bullets_of(data) == [docx_lines(t) for t in HOSTILE]
    assert extract_inputs(data, "docx") == [(theme, docx_lines(t)) for theme, t in listed_inputs(hostile_doc)]


def test_docx_keeps_lines_of_spaces_and_markup_as_text():
    # The bullets are written as XML text: what looks like markup or entities stays text,
    # and a line of only spaces is not dropped as white space between elements.
    texts = ["a\n   \nb", "   ", "&amp; </w:t><w:t>x", "]]> <!-- -->", "\t"]
    assert bullets_of(render_docx(make_doc({"A": texts}))) == texts


def test_xml_formats_refuse_characters_xml_cannot_hold():
    bad = make_doc({"A": ["før\x01efter"]})
    with pytest.raises(ValueError, match="U\\+0001"):
        render_docx(bad)
    with pytest.raises(ValueError, match="U\\+0001"):
        render_xlsx(bad)
    with pytest.raises(ValueError, match="Excel cell"):
        render_xlsx(make_doc({"A": ["x" * 40000]}))
    with pytest.raises(ValueError, match="DOCX"):
        parse_manifest(b"not a zip", "docx")


def test_hostile_texts_escaped_in_html(hostile_doc):
    page = render_html(hostile_doc).decode("utf-8")
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;fed&lt;/b&gt; &amp; &lt;i&gt;kursiv&lt;/i&gt;" in page
    assert "<b>" not in page and "<i>" not in page


def test_csv_prefixes_only_formula_cells(hostile_doc):
    rows = list(csv.reader(io.StringIO(render_csv(hostile_doc).decode("utf-8-sig"), newline="")))
    cells = [r[2] for r in rows[1:]]
    assert cells == ["'" + t if t.startswith(FORMULA_STARTS) else t for t in HOSTILE]
    assert cells[2] == "'=HYPERLINK(\"http://x\",\"y\")"
    assert cells[3:6] == ["'+1", "'-2", "'@SUM(A1)"]
    assert cells[10] == HOSTILE[10]  # CR LF kept inside the quoted cell
    assert rows[10][0] == "Ikke sorteret" and rows[13][0] == ""  # the unsorted column has no theme


def test_xlsx_stores_texts_as_strings(hostile_doc):
    sheet = openpyxl.load_workbook(io.BytesIO(render_xlsx(hostile_doc))).worksheets[0]
    cells = [sheet.cell(row=r, column=3) for r in range(2, len(HOSTILE) + 2)]
    assert [c.value for c in cells] == HOSTILE
    assert all(c.data_type == "s" for c in cells)


def test_xlsx_names_its_sheets_and_states_title_and_language(doc, seed):
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(doc)))
    assert book.sheetnames == ["Input", "Optælling"]
    assert (book.properties.title, book.properties.language) == (seed["appendix_heading"], "da")
    assert not book.properties.creator  # no author leaks into a published appendix
    english = openpyxl.load_workbook(io.BytesIO(render_xlsx(replace(doc, language="en"))))
    assert english.sheetnames[0] == "Inputs" and english.properties.language == "en"


def test_named_workshop_adds_author_column():
    doc = make_doc({"A": ["x", "y"]}, named=True)
    rows = list(csv.reader(io.StringIO(render_csv(doc).decode("utf-8-sig"), newline="")))
    assert rows[0][-1] == "Navn" and [r[-1] for r in rows[1:]] == ["Deltager 1", "Deltager 2"]
    inputs = json.loads(render_json(doc))["themes"][0]["inputs"]
    assert [i["author_name"] for i in inputs] == ["Deltager 1", "Deltager 2"]


# --- language ---------------------------------------------------------------------------------


def test_english_phrases():
    doc = make_doc({"Theme": ["a", "b"], None: ["c"]}, language="en", title="Workshop on Inclusion")
    text = render_md(doc, "report").decode("utf-8")
    assert "Held on 13 August 2025" in text and "Place: Rådhuset" in text and "## Summary" in text
    assert "# Inputs from Workshop on Inclusion\n\nThe 3 inputs below have not been edited.\n" in text
    assert "## Unsorted\n\n- c" in text and "**Count**" in text and "- Received: 3" in text
    assert render_html(doc).decode().startswith('<!DOCTYPE html>\n<html lang="en">')
    assert list(csv.reader(io.StringIO(render_csv(doc).decode("utf-8-sig"))))[0][:3] == ["Theme", "Position", "Text"]
    assert docx.Document(io.BytesIO(render_docx(doc))).core_properties.language == "en-GB"
    one = make_doc({"T": ["only"]}, language="en")
    assert "The 1 input below has not been edited." in render_md(one).decode()


def test_danish_statement_and_dates():
    assert "Der er ikke blevet redigeret i det nedenstående input." in render_md(make_doc({"T": ["x"]})).decode()
    assert "de nedenstående 2 input." in render_md(make_doc({"T": ["x", "y"]})).decode()
    jan = make_doc({"T": ["x"]}, held_on="2026-01-05")
    assert "Afholdt 5. januar 2026" in render_md(jan, "report").decode()
    assert "Held on 5 January 2026" in render_md(replace(jan, language="en"), "report").decode()
    assert "# Input fra Testworkshop\n" in render_md(jan).decode()


# --- hidden inputs ----------------------------------------------------------------------------


def test_hidden_inputs_are_counted_not_listed(hidden_doc):
    assert (hidden_doc.total_received, hidden_doc.total_listed, hidden_doc.total_hidden) == (6, 4, 2)
    assert [i.text for i in hidden_doc.hidden] == ["hemmelig tekst", "skjult løs"]
    for fmt in ("md", "txt", "html", "docx"):
        data = render(hidden_doc, fmt)[0]
        found = parse_manifest(data, fmt)
        assert (found["received"], found["listed"], found["hidden"]) == (6, 4, 2)
        if fmt == "docx":
            text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
        else:
            text = data.decode("utf-8")
        assert "hemmelig tekst" not in text and "skjult løs" not in text and "personoplysninger" not in text
        assert "2 input er skjult og ikke medtaget i listen." in text
        assert "de nedenstående 4 input." in text
    text = render_md(hidden_doc).decode()
    assert md_sections(text) == [("A", ["en", "to", "tre"]), ("B", []), ("Ikke sorteret", ["løs"])]


def test_hidden_inputs_listed_apart_on_request(hidden_doc):
    text = render_md(hidden_doc, list_hidden=True).decode()
    assert "## Skjulte input (2)\n\n- hemmelig tekst\n  Tema: A. Begrundelse: personoplysninger\n" in text
    assert "- skjult løs\n  Tema: Ikke sorteret. Begrundelse: (ingen)\n" in text
    assert "ikke medtaget i listen" not in text
    assert extract_inputs(render_md(hidden_doc, list_hidden=True), "md") == listed_inputs(hidden_doc)
    document = docx.Document(io.BytesIO(render_docx(hidden_doc, list_hidden=True)))
    styles = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Heading 2", "Skjulte input (2)") in styles
    assert ("List Continue", "Tema: A. Begrundelse: personoplysninger") in styles
    page = render_html(hidden_doc, list_hidden=True).decode()
    assert "hemmelig tekst" in page and "personoplysninger" in page
    en = replace(hidden_doc, language="en")
    assert "## Hidden inputs (2)" in render_md(en, list_hidden=True).decode()
    assert "2 inputs were hidden and are not listed." in render_md(en).decode()


def test_hidden_inputs_keep_their_place_in_data_exports(hidden_doc):
    data = json.loads(render_json(hidden_doc))
    assert [(i["text"], i["hidden"]) for i in data["themes"][0]["inputs"]] == [
        ("en", False), ("hemmelig tekst", True), ("to", False), ("tre", False)
    ]
    assert data["unsorted"][1] == {
        "text": "skjult løs", "received_at": "2025-08-13T10:00:00Z",
        "hidden": True, "hidden_reason": "", "author_name": "", "source": "phone", "suggested": False,
    }
    assert document_from_json(data) == hidden_doc
    rows = list(csv.reader(io.StringIO(render_csv(hidden_doc).decode("utf-8-sig"), newline="")))
    assert rows[2] == ["A", "2", "hemmelig tekst", "2025-08-13T10:00:00Z", "ja", "personoplysninger"]
    assert len(rows) == 7


# --- manifest ---------------------------------------------------------------------------------


def reference_digest(doc: ExportDocument) -> str:
    """The canonical form as documented in manifest.py, written out independently."""
    records = [("L", "T:" + t.title, i.text) for t in doc.themes for i in t.inputs]
    records += [("L", "U", i.text) for i in doc.unsorted]
    records += [("H", "U" if i.theme_title is None else "T:" + i.theme_title, i.text) for i in doc.hidden]
    payload = "".join(f"{flag}\x1f{section}\x1f{text}\x1e" for flag, section, text in records)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def test_digest_follows_the_documented_form(doc, hidden_doc, hostile_doc):
    for d in (doc, hidden_doc, hostile_doc):
        assert digest(d) == reference_digest(d)
    # Pinned: a change here means the canonical form changed and old exports no longer verify.
    assert digest(doc) == "761d721e2ddb82e6123d438224d48b042ec62433264fc5fe15f646e7e703ae27"


def with_input(doc: ExportDocument, theme: int, position: int, **changes) -> ExportDocument:
    """The document with one input of one theme changed."""
    old = doc.themes[theme]
    column = list(old.column)
    column[position] = replace(column[position], **changes)
    themes = list(doc.themes)
    themes[theme] = replace(old, column=tuple(column))
    return replace(doc, themes=tuple(themes))


def test_digest_changes_with_one_character(doc):
    text = doc.themes[1].column[5].text
    edited = with_input(doc, 1, 5, text=text[:-1] + chr(ord(text[-1]) + 1))
    assert edited.total_listed == 117
    assert digest(edited) != digest(doc)
    assert digest(with_input(doc, 1, 5, hidden=True)) != digest(doc)
    swapped = replace(doc, themes=(doc.themes[1], doc.themes[0]) + doc.themes[2:])
    assert digest(swapped) != digest(doc)


@pytest.mark.parametrize("fmt", ["md", "txt", "html", "docx", "json"])
@pytest.mark.parametrize("variant", ["appendix", "report"])
def test_parse_manifest_recovers_it(doc, hidden_doc, hostile_doc, fmt, variant):
    for d in (doc, hidden_doc, hostile_doc, replace(hidden_doc, language="en")):
        for list_hidden in (False, True):
            assert parse_manifest(render(d, fmt, variant, list_hidden)[0], fmt) == manifest(d)


def test_parse_manifest_without_one():
    assert parse_manifest(b"# Bare en fil\n\n- med en liste\n", "md") is None
    assert parse_manifest(b"{}", "json") is None


def test_recomputing_the_digest_from_the_json_export(hidden_doc):
    data = render_json(hidden_doc)
    assert digest(document_from_json(json.loads(data))) == parse_manifest(data, "json")["sha256"]


def test_extract_inputs_finds_the_changed_input(doc):
    exported = render_md(doc)
    edited = with_input(doc, 2, 3, text=doc.themes[2].column[3].text + ".")
    differ = [n for n, (a, b) in enumerate(zip(extract_inputs(exported, "md"), listed_inputs(edited))) if a != b]
    assert differ == [18 + 39 + 3]


# --- reading the board (SQLite in memory, no app) ---------------------------------------------


def test_build_document_reads_the_board():
    from datetime import datetime, timezone

    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from facilitator.export import build_document
    from facilitator.models import Base, Input, Theme, User, Workshop

    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        user = User(email="a@example.org", password_hash="x")
        s.add(user)
        s.flush()
        workshop = Workshop(
            title="Møde", language="en", join_code="ABC123", projector_secret="s" * 32, owner_id=user.id,
            held_on="2025-08-13", place="Hall", named_inputs=False,
        )
        s.add(workshop)
        s.flush()
        second = Theme(workshop_id=workshop.id, title="Second", summary="S2", position=2)
        first = Theme(workshop_id=workshop.id, title="First", summary="S1", position=1)
        s.add_all([second, first])
        s.flush()
        at = datetime(2025, 8, 13, 9, 30, tzinfo=timezone.utc)
        rows = [
            ("b", first.id, 1, False), ("a", first.id, 0, False), ("gone", first.id, 2, True),
            ("c", second.id, 0, False), ("loose", None, 0, False),
        ]
        for n, (text, theme_id, position, hidden) in enumerate(rows):
            s.add(Input(
                workshop_id=workshop.id, client_key=f"key-{n:04d}", text=text, theme_id=theme_id, position=position,
                hidden=hidden, hidden_reason="off topic" if hidden else "", author_name="Ann", received_at=at,
            ))
        s.flush()
        doc = build_document(s, workshop, heading="Inputs")
    assert [t.title for t in doc.themes] == ["First", "Second"]
    assert [i.text for i in doc.themes[0].column] == ["a", "b", "gone"]
    assert [i.text for i in doc.themes[0].inputs] == ["a", "b"]
    assert [(i.text, i.hidden_reason, i.theme_title) for i in doc.hidden] == [("gone", "off topic", "First")]
    assert [i.text for i in doc.unsorted] == ["loose"]
    assert (doc.total_received, doc.total_listed, doc.total_hidden) == (5, 4, 1)
    assert doc.themes[0].column[0].received_at == "2025-08-13T09:30:00Z"
    assert all(i.author_name == "" for i in doc.themes[0].column)  # names only when the workshop collects them
    assert (doc.language, doc.held_on, doc.place, doc.appendix_heading) == ("en", "2025-08-13", "Hall", "Inputs")


def test_text_appendix_shape(doc, seed):
    lines = render_txt(doc).decode("utf-8").split("\n")
    heading = seed["appendix_heading"]
    first = seed["themes"][0]
    assert lines[:7] == [
        heading, "=" * len(heading), "", seed["appendix_statement"], "", first["title"], "-" * len(first["title"])
    ]
    assert lines[8 : 8 + len(first["inputs"])] == ["• " + text for text in first["inputs"]]
    assert extract_inputs(render_txt(doc), "txt") == listed_inputs(doc)
