"""Vote results in the record: report sections in every format, a votes column per round, JSON round trip."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from docx import Document

from facilitator import export, services
from facilitator.db import read_session
from facilitator.models import Workshop


@pytest.fixture
def voted(app, user):
    """A workshop with a closed theme round (a tie) and a closed input round."""
    w = services.create_workshop(user.id, "Prioritering på plejehjem", themes=["Trivsel", "Kost", "Ledelse"])
    services.set_status(w.id, "open")
    ids = [services.submit_input(w.join_code, text, f"key-{n:08d}")[0].id for n, text in enumerate(["Mere tid", "Bedre mad", "=SUM(A1)", "spam"])]
    with read_session() as s:
        themes = [t.id for t in s.query(services.themes.Theme).filter_by(workshop_id=w.id).order_by("position")]
    services.move_input(w.id, ids[0], themes[0], 0)
    services.move_input(w.id, ids[1], themes[1], 0)
    services.hide_input(w.id, ids[3], "spam")
    t = services.open_vote_round(w.id, "themes", dots=5, per_item=3)
    services.cast_votes(w.join_code, "a", t.id, {str(themes[0]): 3, str(themes[1]): 2})
    services.cast_votes(w.join_code, "b", t.id, {str(themes[1]): 1, str(themes[2]): 2})
    services.close_vote_round(w.id, t.id)
    i = services.open_vote_round(w.id, "inputs", dots=3, per_item=3, reveal="live")
    services.cast_votes(w.join_code, "a", i.id, {str(ids[2]): 3})
    services.cast_votes(w.join_code, "b", i.id, {str(ids[0]): 1, str(ids[2]): 1})
    services.close_vote_round(w.id, i.id)
    return w, themes, ids


def document(w):
    with read_session() as s:
        return export.build_document(s, s.get(Workshop, w.id))


def test_the_report_has_a_section_per_round_with_ranked_items_and_ties(voted):
    w, _themes, _ids = voted
    doc = document(w)
    text = export.render(doc, "md", "report")[0].decode()
    assert "## Input pr. tema\n\n- Trivsel: 1 input\n- Kost: 1 input\n- Ledelse: 0 input\n- Ikke sorteret: 1 input" in text
    assert "## Prioritering" in text
    assert "### Afstemning 1: temaerne" in text and "### Afstemning 2: input" in text
    assert "2 telefoner stemte og satte 8 prikker (5 prikker pr. telefon, højst 3 på ét punkt)." in text
    # Trivsel (3) and Kost (3) tie for first, in board order; Ledelse is third, not second.
    assert "- 1 (delt). Trivsel: 3 prikker, 1 telefoner\n- 1 (delt). Kost: 3 prikker, 2 telefoner\n- 3. Ledelse: 2 prikker, 1 telefoner" in text
    assert text.index("Afstemning 1") < text.index("# Input fra")  # before the appendix
    # The appendix is unchanged: the readback still finds exactly the listed inputs.
    assert export.extract_inputs(export.render(doc, "md", "report")[0], "md") == export.listed_inputs(doc)


def test_docx_report_has_the_chart_as_a_picture_and_the_numbers_as_a_table(voted):
    w, _themes, _ids = voted
    data = export.render(document(w), "docx", "report")[0]
    word = Document(io.BytesIO(data))
    assert len(word.inline_shapes) == 3  # inputs per theme, then one chart per round
    assert "Søjlediagram over antal input pr. tema" in word.inline_shapes[0]._inline.docPr.get("descr")
    assert "Søjlediagram over afstemning 1" in word.inline_shapes[1]._inline.docPr.get("descr")
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in word.tables]
    # Counts of listed inputs (the hidden one is not counted), Unsorted last.
    assert tables[0] == [["Tema", "Input"], ["Trivsel", "1"], ["Kost", "1"], ["Ledelse", "0"], ["Ikke sorteret", "1"]]
    tables = tables[1:]
    assert tables[1] == [
        ["Plads", "Input", "Prikker", "Telefoner"],
        ["1", "=SUM(A1)", "4", "2"],
        ["2", "Mere tid", "1", "1"],
        ["3", "Bedre mad", "0", "0"],
    ]
    assert export.extract_inputs(data, "docx") == export.listed_inputs(document(w))


def test_docx_theme_table_ranks(voted):
    w, _themes, _ids = voted
    word = Document(io.BytesIO(export.render(document(w), "docx", "report")[0]))
    rows = [[c.text for c in row.cells] for row in word.tables[1].rows]
    assert rows == [
        ["Plads", "Tema", "Prikker", "Telefoner"],
        ["1 (delt)", "Trivsel", "3", "1"],
        ["1 (delt)", "Kost", "3", "2"],
        ["3", "Ledelse", "2", "1"],
    ]


def test_html_report_holds_an_svg_chart_and_a_table(voted):
    w, _themes, _ids = voted
    page = export.render(document(w), "html", "report")[0].decode()
    assert page.count("<svg") == 3 and page.count('<table class="votes">') == 3
    assert "<td dir=\"auto\">=SUM(A1)</td>" in page
    assert "<script" not in page


def test_xlsx_has_a_votes_column_per_round_and_a_votes_sheet(voted):
    w, _themes, _ids = voted
    book = openpyxl.load_workbook(io.BytesIO(export.render(document(w), "xlsx")[0]))
    sheet = book.worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][-2:] == ["Afstemning 1: prikker til temaet", "Afstemning 2: prikker"]
    by_text = {r[2]: r[-2:] for r in rows[1:]}
    assert by_text["Mere tid"] == [3, 1]
    assert by_text["Bedre mad"] == [3, 0]
    assert by_text["=SUM(A1)"] == [None, 4]  # unsorted: no theme dots
    assert by_text["spam"] == [None, None]  # hidden before the round: in neither
    votes = book["Afstemninger"]
    cells = [[c.value for c in row] for row in votes.iter_rows()]
    assert cells[0] == ["Afstemning 1: temaerne", None, None, None]
    assert ["1", "=SUM(A1)", 4, 2] in cells


def test_csv_has_the_votes_columns(voted):
    w, _themes, _ids = voted
    lines = export.render(document(w), "csv")[0].decode("utf-8-sig").splitlines()
    assert lines[0].endswith("Afstemning 1: prikker til temaet,Afstemning 2: prikker")
    assert any(line.startswith("Trivsel,1,Mere tid,") and line.endswith(",3,1") for line in lines)


def test_json_holds_rounds_and_totals_and_an_import_restores_them(voted, user):
    w, _themes, _ids = voted
    data = json.loads(export.render(document(w), "json")[0])
    rounds = data["vote_rounds"]
    assert [(r["number"], r["on"], r["voters"], r["dots_cast"]) for r in rounds] == [(1, "themes", 2, 8), (2, "inputs", 2, 5)]
    assert "allocation" not in json.dumps(data) and '"a"' not in json.dumps(rounds)
    imported = services.import_workshop(user.id, data)
    again = document(imported)
    assert again.vote_rounds == document(w).vote_rounds
    assert json.loads(export.render(again, "json")[0])["vote_rounds"] == rounds
    assert export.document_from_json(data).vote_rounds == document(w).vote_rounds


@pytest.mark.parametrize(
    "change",
    [
        lambda r: r["items"][0].update(theme=99),
        lambda r: r["items"][0].update(theme=-1),
        lambda r: r["items"][0].update(votes="many"),
        lambda r: r.update(on="people"),
        lambda r: r.update(theme_indexes=[7]),
    ],
)
def test_an_import_with_broken_rounds_is_refused_not_a_crash(voted, user, change):
    w, _themes, _ids = voted
    data = json.loads(export.render(document(w), "json")[0])
    change(data["vote_rounds"][0])
    with pytest.raises(services.importer.ServiceError):
        services.import_workshop(user.id, data)


def test_pdf_report_reads_back_the_ranked_rounds_and_their_charts(voted, tmp_path):
    import re
    import subprocess

    from pypdf import PdfReader

    from conftest import SCREENSHOTS

    w, _themes, _ids = voted
    data = export.render(document(w), "pdf", "report")[0]
    pdf = PdfReader(io.BytesIO(data))
    page_text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pdf.pages))
    assert "Afstemning 1: temaerne" in page_text and "Afstemning 2: input" in page_text
    assert "2 telefoner stemte og satte 8 prikker" in page_text
    squeezed = re.sub(r"\s+", "", page_text)
    # The ranked table of the theme round, ties marked, in rank order.
    assert re.search(r"1\(delt\)Trivsel31.*1\(delt\)Kost32.*3Ledelse21", squeezed)
    # Each chart is drawn as vector paths (the SVG), one per round plus inputs per theme, with its numbers beside it.
    assert squeezed.count("Plads") >= 2
    # The appendix after the rounds is intact.
    assert export.extract_inputs(data, "pdf") == export.listed_inputs(document(w))
    path = tmp_path / "votes.pdf"
    path.write_bytes(data)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "2", str(path), str(SCREENSHOTS / "pdf-votes")], check=True)
