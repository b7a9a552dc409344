"""Exports of a workshop that asked questions: the report states them, the appendix is sectioned by them,
the data formats carry them, the digest covers them, and import restores them."""

from __future__ import annotations

import csv
import io
import json
import uuid
from dataclasses import replace

import docx
import openpyxl
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from facilitator import export, services
from facilitator.cli import main
from facilitator.db import database
from facilitator.export import ExportDocument, ExportInput, ExportQuestion, ExportTheme
from facilitator.export.json_format import document_from_json, render_json
from facilitator.export.text_formats import render_md, render_txt
from facilitator.models import Workshop
from facilitator.verify import verify_export

QUESTIONS = ("Hvad virker i dag?", "Hvad mangler?", "Hvad gør vi først?")


def doc_with(entries, questions=QUESTIONS, language="da") -> ExportDocument:
    """entries: {theme or None: [(text, question index or None[, hidden])]}."""
    counter = 0
    themes, unsorted = [], ()
    for title, items in entries.items():
        column = []
        for position, entry in enumerate(items):
            text, question, *rest = entry
            counter += 1
            column.append(
                ExportInput(id=counter, text=text, theme_title=title, position=position, hidden=bool(rest and rest[0]),
                            question=question)
            )
        if title is None:
            unsorted = tuple(column)
        else:
            themes.append(ExportTheme(title, f"Resumé af {title}", tuple(column)))
    return ExportDocument(
        title="Borgermøde", language=language, themes=tuple(themes), unsorted_column=unsorted,
        questions=tuple(ExportQuestion(q, n == 0) for n, q in enumerate(questions)),
    )


@pytest.fixture
def rounds() -> ExportDocument:
    return doc_with(
        {
            "Trafik": [("Cykelstier", 0), ("Flere busser", 1), ("Byg stien først", 2), ("skjult", 1, True)],
            "Skole": [("Gode lærere", 0), ("Lektiecafé", 1)],
            None: [("Løst svar", 1), ("Før spørgsmålet", None)],
        }
    )


def md_lines(doc, variant="appendix") -> list[str]:
    return render_md(doc, variant).decode("utf-8").split("\n")


def test_several_questions_give_one_section_each_with_its_inputs_by_theme(rounds):
    text = render_md(rounds).decode("utf-8")
    body = text.split("\n---\n")[0]
    assert body.rstrip("\n").split("\n\n") == [
        "# Input fra Borgermøde",
        "Der er ikke blevet redigeret i de nedenstående 7 input.",
        "## Hvad virker i dag?",
        "### Trafik", "- Cykelstier",
        "### Skole", "- Gode lærere",
        "## Hvad mangler?",
        "### Trafik", "- Flere busser",
        "### Skole", "- Lektiecafé",
        "### Ikke sorteret", "- Løst svar",
        "## Hvad gør vi først?",
        "### Trafik", "- Byg stien først",
        "## Uden spørgsmål",
        "### Ikke sorteret", "- Før spørgsmålet",
        "1 input er skjult og ikke medtaget i listen.",
    ]
    manifest = export.manifest(rounds)
    assert manifest["questions"] == [2, 3, 1] and manifest["without_question"] == 1
    assert sum(manifest["questions"]) + manifest["without_question"] == manifest["listed"] == 7
    assert "- Spørgsmål 2: 3" in text and "- Uden spørgsmål: 1" in text


def test_every_listed_input_appears_exactly_once(rounds):
    for fmt in ("md", "txt", "docx", "json"):
        data, _mime, _name = export.render(rounds, fmt)
        found = export.extract_inputs(data, fmt)
        assert found == export.listed_inputs(rounds), fmt
        assert sorted(t for _theme, t in found) == sorted(i.text for i in rounds.listed_flat())
        assert export.parse_manifest(data, fmt) == export.manifest(rounds), fmt


def test_an_empty_question_says_so():
    doc = doc_with({"Trafik": [("a", 0)]}, questions=("Første", "Ingen svar endnu"))
    assert "## Ingen svar endnu\n\nDer er ingen input til dette spørgsmål." in render_md(doc).decode("utf-8")
    assert export.extract_inputs(render_txt(doc), "txt") == [("Trafik", "a")]


def test_one_question_is_named_under_the_heading_and_the_layout_stays():
    doc = doc_with({"Trafik": [("a", 0)], "Skole": [], None: [("b", 0)]}, questions=("Hvad fylder?",))
    assert md_lines(doc)[:8] == [
        "# Input fra Borgermøde", "", "Spørgsmål: Hvad fylder?", "",
        "Der er ikke blevet redigeret i de nedenstående 2 input.", "", "## Trafik", "",
    ]
    assert export.extract_inputs(render_md(doc), "md") == [("Trafik", "a"), (None, "b")]
    english = replace(doc, language="en")
    assert "Question: Hvad fylder?" in render_md(english).decode("utf-8")


def test_the_report_states_the_questions(rounds):
    lines = md_lines(rounds, "report")
    start = lines.index("## Spørgsmål")
    assert lines[start + 2 : start + 5] == ["- " + q for q in QUESTIONS]
    assert lines.index("## Spørgsmål") < lines.index("## Opsummering")
    paragraphs = [p.text for p in docx.Document(io.BytesIO(export.render(rounds, "docx", "report")[0])).paragraphs]
    assert all(q in paragraphs for q in QUESTIONS)


def test_csv_and_xlsx_have_a_question_column(rounds):
    rows = list(csv.reader(io.StringIO(export.render(rounds, "csv")[0].decode("utf-8-sig"))))
    assert rows[0][-1] == "Spørgsmål"
    by_text = {row[2]: row[-1] for row in rows[1:]}
    assert by_text["Cykelstier"] == QUESTIONS[0] and by_text["Lektiecafé"] == QUESTIONS[1]
    assert by_text["Før spørgsmålet"] == ""
    sheet = openpyxl.load_workbook(io.BytesIO(export.render(rounds, "xlsx")[0])).active
    values = list(sheet.values)
    assert values[0][-1] == "Spørgsmål" and {r[2]: r[-1] for r in values[1:]}["Byg stien først"] == QUESTIONS[2]
    assert sheet.column_dimensions["G"].width == 40  # the question's column is wide enough to read
    # With a source column after it, each keeps its own width.
    paper = replace(rounds.themes[0].column[0], source="papir")
    mixed = replace(rounds, themes=(replace(rounds.themes[0], column=(paper,) + rounds.themes[0].column[1:]),) + rounds.themes[1:])
    sheet = openpyxl.load_workbook(io.BytesIO(export.render(mixed, "xlsx")[0])).active
    assert [c.value for c in sheet[1]][-2:] == ["Spørgsmål", "Kilde"]
    assert (sheet.column_dimensions["G"].width, sheet.column_dimensions["H"].width) == (40, 16)


def test_the_digest_covers_each_inputs_question(rounds):
    moved = replace(
        rounds,
        themes=(replace(rounds.themes[0], column=(replace(rounds.themes[0].column[0], question=1),) + rounds.themes[0].column[1:]),)
        + rounds.themes[1:],
    )
    assert export.digest(moved) != export.digest(rounds)
    reworded = replace(rounds, questions=(ExportQuestion("Hvad virker?", True),) + rounds.questions[1:])
    assert export.digest(reworded) != export.digest(rounds)
    no_questions = replace(rounds, questions=(), themes=tuple(
        replace(t, column=tuple(replace(i, question=None) for i in t.column)) for t in rounds.themes
    ), unsorted_column=tuple(replace(i, question=None) for i in rounds.unsorted_column))
    assert "questions" not in export.manifest(no_questions)


def test_json_holds_the_questions_and_reads_back_equal(rounds):
    data = json.loads(render_json(rounds))
    assert data["questions"] == [{"text": q, "active": n == 0} for n, q in enumerate(QUESTIONS)]
    assert [i["question"] for i in data["themes"][0]["inputs"]] == [1, 2, 3, 2]
    assert data["unsorted"][1]["question"] is None
    assert document_from_json(data) == rounds
    data["themes"][0]["inputs"][0]["question"] = 4
    with pytest.raises(ValueError):
        document_from_json(data)


# --- through the database: three questions, one asked again --------------------------


def run_round(user) -> Workshop:
    w = services.create_workshop(user.id, "Tre runder", themes=["Trafik", "Skole"], settings={"participants_choose_theme": True})
    services.set_status(w.id, "open")
    with database().reader() as s:
        from facilitator.models import Theme

        trafik, skole = [t.id for t in s.execute(select(Theme).where(Theme.workshop_id == w.id).order_by(Theme.position)).scalars()]
    post = lambda text, theme=None: services.submit_input(w.join_code, text, str(uuid.uuid4()), theme_id=theme)[0]
    post("før nogen spørgsmål")
    one = services.add_prompt(w.id, QUESTIONS[0], activate=True)
    post("cykelstier", trafik)
    post("gode lærere", skole)
    services.add_prompt(w.id, QUESTIONS[1], activate=True)
    post("busser", trafik)
    post("løst")
    services.add_prompt(w.id, QUESTIONS[2], activate=True)
    post("først stien", trafik)
    services.activate_prompt(w.id, one.id)
    post("lektiecafé", skole)
    hidden = post("spam")
    services.hide_input(w.id, hidden.id, "spam")
    return w


def exported(workshop_id: int, fmt: str = "json") -> bytes:
    with database().reader() as s:
        return export.render(export.build_document(s, s.get(Workshop, workshop_id)), fmt)[0]


def test_three_questions_one_asked_again_survive_export_import_export(user, tmp_path, app):
    w = run_round(user)
    first = json.loads(exported(w.id))
    assert [(q["text"], q["active"]) for q in first["questions"]] == [(QUESTIONS[0], True), (QUESTIONS[1], False), (QUESTIONS[2], False)]
    by_text = {i["text"]: i["question"] for t in first["themes"] for i in t["inputs"]} | {
        i["text"]: i["question"] for i in first["unsorted"]
    }
    assert by_text == {"cykelstier": 1, "gode lærere": 1, "lektiecafé": 1, "busser": 2, "løst": 2, "først stien": 3,
                       "før nogen spørgsmål": None, "spam": 1}
    path = tmp_path / "export.json"
    path.write_bytes(json.dumps(first).encode("utf-8"))
    result = CliRunner().invoke(main, ["import", str(path), "--owner", "anna@example.org"], obj=app)
    assert result.exit_code == 0, result.output
    with database().reader() as s:
        copy = s.execute(select(Workshop).where(Workshop.id != w.id)).scalar_one()
    again = json.loads(exported(copy.id))
    assert again == first
    for fmt in ("md", "txt", "docx", "json"):
        with database().reader() as s:
            verdict = verify_export(s, exported(copy.id, fmt), fmt, copy.id)
        assert verdict.ok, (fmt, verdict.problems)


def test_verify_notices_an_input_moved_to_another_question(user):
    w = run_round(user)
    data = json.loads(exported(w.id))
    data["themes"][0]["inputs"][0]["question"] = 2
    with database().reader() as s:
        verdict = verify_export(s, json.dumps(data).encode(), "json", w.id)
    assert not verdict.ok  # listed in another question's section: the order of the listed inputs differs
    data["manifest"]["sha256"] = export.digest(document_from_json(data))
    with database().reader() as s:
        assert not verify_export(s, json.dumps(data).encode(), "json", w.id).ok


def test_import_refuses_a_question_number_that_does_not_exist(user):
    data = json.loads(json.dumps({
        "format": "facilitator-export", "version": 1,
        "workshop": {"title": "x", "language": "da"},
        "questions": [{"text": "Q", "active": True}],
        "themes": [], "unsorted": [{"text": "a", "question": 2}],
    }))
    from facilitator.errors import ServiceError

    with pytest.raises(ServiceError):
        services.import_workshop(user.id, data)
    data["unsorted"][0]["question"] = 1
    assert services.import_workshop(user.id, data).title == "x"
