"""The PDF export read back with pypdf: exact input texts, tags, /Lang, PDF/A and PDF/UA ids, fonts, pages."""

from __future__ import annotations

import io
import json
import re
import subprocess
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from conftest import SCREENSHOTS, send
from facilitator import export
from facilitator.db import database
from facilitator.export import document_from_seed, extract_inputs, listed_inputs, manifest, parse_manifest, render
from facilitator.export.pdf_format import css_string
from facilitator.cli import main
from facilitator.models import Workshop
from facilitator.verify import verify_export
from test_export_formats import HOSTILE, SEED_PATH, make_doc


@pytest.fixture(scope="module")
def seed() -> dict:
    return json.loads(SEED_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def doc(seed):
    return document_from_seed(seed, heading=seed["appendix_heading"])


@pytest.fixture(scope="module")
def appendix(doc) -> bytes:
    return render(doc, "pdf", "appendix")[0]


@pytest.fixture(scope="module")
def report(doc) -> bytes:
    return render(doc, "pdf", "report")[0]


@pytest.fixture(scope="module")
def hostile_doc():
    # Themes named like our own phrases, and every hostile text, some hidden, some unsorted.
    columns = {"Fjendtligt": HOSTILE[:9], "Ikke sorteret": HOSTILE[9:12], None: HOSTILE[12:] + [("skjult <b>", True, "spam")]}
    return make_doc(columns, title='Titel med "citat", \\ og </style>')


@pytest.fixture(scope="module")
def hostile_pdf(hostile_doc) -> bytes:
    return render(hostile_doc, "pdf", "appendix", list_hidden=True)[0]


def reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def xmp(data: bytes) -> str:
    return reader(data).trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")


def structure_types(data: bytes) -> list[str]:
    found: list[str] = []

    def walk(node):
        node = node.get_object()
        if isinstance(node, dict):
            if "/S" in node:
                found.append(str(node["/S"]))
            kids = node.get("/K")
            for kid in kids if isinstance(kids, list) else [kids]:
                if hasattr(kid, "get_object"):
                    walk(kid)

    walk(reader(data).trailer["/Root"]["/StructTreeRoot"])
    return found


def squeeze(text: str) -> str:
    """Text without any whitespace: how a laid-out page is compared with what was stored."""
    return re.sub(r"\s+", "", text)


# --- the reference workshop -----------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["appendix", "report"])
def test_every_seed_input_reads_back_exactly(doc, appendix, report, variant):
    data = appendix if variant == "appendix" else report
    assert data.startswith(b"%PDF-1.7")
    assert extract_inputs(data, "pdf") == listed_inputs(doc)
    assert parse_manifest(data, "pdf") == manifest(doc)


def test_the_laid_out_pages_show_every_input_in_order(doc, appendix):
    # The visible glyphs, not only the tags: each input appears, in appendix order.
    page_text = squeeze("".join(page.extract_text() for page in reader(appendix).pages))
    at = 0
    for _, text in listed_inputs(doc):
        found = page_text.find(squeeze(text), at)
        assert found >= 0, text
        at = found + len(squeeze(text))


def test_pdf_is_tagged_with_headings_lists_and_the_workshop_language(appendix, report):
    for data in (appendix, report):
        root = reader(data).trailer["/Root"]
        assert root["/Lang"] == "da"
        assert root["/MarkInfo"]["/Marked"].value is True
        assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
        kinds = structure_types(data)
        assert {"/Document", "/H1", "/H2", "/L", "/LI", "/P"} <= set(kinds)
        assert kinds.count("/LI") >= 117
    assert "/H3" in structure_types(report)  # the theme summaries


def test_pdf_a_and_pdf_ua_identification_in_the_xmp_metadata(appendix, doc):
    metadata = xmp(appendix)
    assert 'pdfaid:part="2"' in metadata and 'pdfaid:conformance="A"' in metadata
    assert 'pdfuaid:part="1"' in metadata
    assert doc.appendix_heading in metadata  # dc:title
    root = reader(appendix).trailer["/Root"]
    assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"


def test_fonts_are_embedded_dejavu(appendix):
    fonts = set()
    for page in reader(appendix).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, font["/BaseFont"]
            fonts.add(str(font["/BaseFont"]).split("+", 1)[1])
    assert fonts <= {"DejaVu-Sans", "DejaVu-Sans-Bold", "DejaVu-Serif", "DejaVu-Serif-Bold"}
    assert "DejaVu-Serif" in fonts


def test_every_page_has_the_title_in_its_header_and_its_number(doc, appendix):
    pages = reader(appendix).pages
    assert len(pages) > 1
    for number, page in enumerate(pages, start=1):
        text = page.extract_text()
        assert doc.title in text
        assert f"{number} / {len(pages)}" in text


def test_pages_look_right_as_images(report, tmp_path):
    """Rendered with poppler: saved for a person to look at, and not blank."""
    path = tmp_path / "report.pdf"
    path.write_bytes(report)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "3", str(path), str(SCREENSHOTS / "pdf-report")], check=True)
    images = sorted(SCREENSHOTS.glob("pdf-report-*.png"))
    assert len(images) >= 3 and all(image.stat().st_size > 5000 for image in images)


# --- hostile texts, other languages, sources ----------------------------------------------------------


def test_hostile_texts_read_back_exactly(hostile_doc, hostile_pdf):
    assert extract_inputs(hostile_pdf, "pdf") == listed_inputs(hostile_doc)
    assert parse_manifest(hostile_pdf, "pdf") == manifest(hostile_doc)
    hidden = [text for kind, text in export.readback._pdf_blocks(hostile_pdf) if text.startswith("skjult <b>")]
    assert hidden == ["skjult <b>\nTema: Ikke sorteret. Begrundelse: spam"]


def test_a_hostile_title_stays_text_in_the_page_header(hostile_doc, hostile_pdf):
    first = reader(hostile_pdf).pages[0].extract_text()
    assert hostile_doc.title in first
    assert css_string('a"b\\c') == '"a\\000022 b\\00005c c"'


def test_english_workshop_sets_lang_en_and_counts_paper_inputs():
    doc = make_doc({"Ideas": ["from a phone", "from paper"]}, language="en")
    column = doc.themes[0].column
    doc = replace(doc, themes=(replace(doc.themes[0], column=(column[0], replace(column[1], source="paper"))),))
    data = render(doc, "pdf", "report")[0]
    assert reader(data).trailer["/Root"]["/Lang"] == "en"
    texts = [text for _, text in export.readback._pdf_blocks(data)]
    assert "The 2 inputs below, 1 of them from paper, have not been edited." in texts
    assert parse_manifest(data, "pdf") == manifest(doc)


def test_not_a_pdf_has_no_manifest():
    assert parse_manifest(b"%PDF-1.7 nothing here", "pdf") is None
    with pytest.raises(ValueError):
        extract_inputs(b"not a pdf", "pdf")


# --- over HTTP and through verify ----------------------------------------------------------------------


def test_export_pdf_route_and_verify(app, api, client, workshop):
    for n in range(3):
        send(client, workshop["join_code"], f"input {n}\r\nanden linje")
    api.post(f"/workshops/{workshop['id']}/inputs/import", json={"import_key": str(uuid.uuid4()), "texts": ["papir"]})
    for variant in ("appendix", "report"):
        response = api.get(f"/workshops/{workshop['id']}/export.pdf?variant={variant}")
        assert response.status_code == 200
        assert response.mimetype == "application/pdf"
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert response.headers["Content-Disposition"].endswith(f'-{variant}.pdf"')
        with database().reader() as s:
            verdict = verify_export(s, response.data, "pdf")
        assert verdict.ok, verdict.problems
        assert verdict.workshop_id == workshop["id"]
    send(client, workshop["join_code"], "efter eksporten")
    with database().reader() as s:
        later = verify_export(s, response.data, "pdf", workshop["id"])
        doc = export.build_document(s, s.get(Workshop, workshop["id"]))
    assert not later.ok and "SHA-256" in later.problems[0]
    assert "heraf 1 fra papir" in export.render(doc, "md")[0].decode()


def test_verify_cli_accepts_the_pdf(app, api, client, workshop, tmp_path):
    send(client, workshop["join_code"], "et input")
    path = Path(tmp_path / "bilag.pdf")
    path.write_bytes(api.get(f"/workshops/{workshop['id']}/export.pdf").data)
    result = CliRunner().invoke(main, ["verify", str(path)], obj=app)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"OK: {path} is complete and unaltered")


def test_an_input_longer_than_a_page_is_read_once_and_exactly():
    # The longest input a workshop allows, and one of 200 short lines: both break over pages.
    lines = "\n".join(f"linje {n} med noget tekst" for n in range(200))[:5000]
    doc = make_doc({"Lang": ["kort", "y" * 5000, lines, "efter"], None: ["løs"]})
    data = render(doc, "pdf")[0]
    assert len(reader(data).pages) > 4
    assert extract_inputs(data, "pdf") == listed_inputs(doc)
    assert parse_manifest(data, "pdf") == manifest(doc)


def test_verify_names_an_input_edited_inside_the_pdf(app, api, client, workshop):
    from pypdf import PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    for text in ("første", "anden", "tredje"):
        send(client, workshop["join_code"], text)
    original = api.get(f"/workshops/{workshop['id']}/export.pdf").data
    writer = PdfWriter(clone_from=reader(original))

    def edit(node):
        node = node.get_object()
        if isinstance(node, dict):
            if node.get("/ActualText") == "anden":
                node[NameObject("/ActualText")] = TextStringObject("anden (rettet)")
            kids = node.get("/K")
            for kid in kids if isinstance(kids, list) else [kids]:
                if hasattr(kid, "get_object"):
                    edit(kid)

    edit(writer._root_object["/StructTreeRoot"])
    out = io.BytesIO()
    writer.write(out)
    with database().reader() as s:
        assert verify_export(s, original, "pdf").ok
        verdict = verify_export(s, out.getvalue(), "pdf")
    assert not verdict.ok
    assert verdict.problems == ["input 2 differs: the database has 'anden' under None, the file 'anden (rettet)'"]
