"""Inputs from paper: the import service and its HTTP endpoint, JSON and file uploads, every refusal."""

from __future__ import annotations

import io
import uuid

import openpyxl
import pytest

from conftest import empty_database, insert_an_old_workshop, send
from facilitator import export, services
from facilitator.db import database
from facilitator.export.json_format import export_dict
from facilitator.models import Input, Workshop
from facilitator.services.paper import PaperRow


def key() -> str:
    return str(uuid.uuid4())


def stored(workshop_id: int) -> list[Input]:
    with database().reader() as s:
        return list(s.query(Input).filter(Input.workshop_id == workshop_id).order_by(Input.id))


def doc_of(workshop_id: int):
    with database().reader() as s:
        return export.build_document(s, s.get(Workshop, workshop_id))


def path(workshop) -> str:
    return f"/workshops/{workshop['id']}/inputs/import"


def xlsx(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, even when it starts with "=" (as the XLSX export writes it)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(api, workshop, name: str, data: bytes, source: str | None = "Post-it", import_key: str | None = None):
    form = {"file": (io.BytesIO(data), name), "import_key": import_key or key()}
    if source is not None:
        form["source"] = source
    return api.client.post(
        "/api/v1" + path(workshop), data=form, headers=api.headers, content_type="multipart/form-data"
    )


# --- the service ------------------------------------------------------------------------------


def test_service_stores_texts_exactly_with_their_source_and_once_per_key(app, user, workshop):
    texts = ["  Mere tid til pauser  ", "Mere tid til pauser", "Mere tid til pauser", "linje 1\r\nlinje 2"]
    rows = [PaperRow(n, t) for n, t in enumerate(texts, start=1)]
    k = key()
    items, created = services.import_inputs(workshop["id"], rows, None, k, limit=100)
    assert created and [i.text for i in items] == texts
    assert {i.source for i in items} == {"papir"}  # the Danish workshop's default label
    again, created_again = services.import_inputs(workshop["id"], rows, None, k, limit=100)
    assert not created_again and [i.id for i in again] == [i.id for i in items]
    assert len(stored(workshop["id"])) == 4  # two identical lines are two inputs; the retry added none


def test_service_refuses_a_bad_row_and_writes_nothing(app, user, workshop):
    rows = [PaperRow(1, "fin"), PaperRow(2, "x" * 1001), PaperRow(3, "også fin")]
    with pytest.raises(services.paper.ServiceError) as refused:
        services.import_inputs(workshop["id"], rows, "papir", key(), limit=100)
    assert (refused.value.code, refused.value.params["row"]) == ("import_too_long", 2)
    assert stored(workshop["id"]) == []


def test_imported_inputs_land_after_phone_inputs_and_in_their_theme(app, api, client, user, workshop):
    send(client, workshop["join_code"], "fra en telefon")
    rows = [PaperRow(2, "til alpha", theme="alpha"), PaperRow(3, "løs"), PaperRow(4, "også alpha", theme=" Alpha ")]
    services.import_inputs(workshop["id"], rows, "Post-it", key(), limit=100)
    snap = api.get(f"/workshops/{workshop['id']}").json
    texts = {i["id"]: i["text"] for i in snap["inputs"]}
    alpha = next(t for t in snap["themes"] if t["title"] == "Alpha")
    assert [texts[i] for i in alpha["input_ids"]] == ["til alpha", "også alpha"]
    assert [texts[i] for i in snap["unsorted"]] == ["fra en telefon", "løs"]
    assert {i["text"]: i["source"] for i in snap["inputs"]}["fra en telefon"] == "phone"


# --- HTTP: JSON ---------------------------------------------------------------------------------


def test_json_import_answers_201_then_200_for_the_same_key(api, workshop):
    body = {"source": "e-mail", "import_key": key(), "texts": ["a", "a", "b"]}
    first = api.post(path(workshop), json=body)
    assert first.status_code == 201, first.json
    assert (first.json["created"], first.json["count"]) == (True, 3)
    assert [i["source"] for i in first.json["inputs"]] == ["e-mail"] * 3
    again = api.post(path(workshop), json=body)
    assert again.status_code == 200 and again.json["created"] is False
    assert [i["id"] for i in again.json["inputs"]] == [i["id"] for i in first.json["inputs"]]
    assert len(api.get(f"/workshops/{workshop['id']}").json["inputs"]) == 3


def test_import_works_on_a_closed_workshop_and_records_events(api, workshop):
    api.post(f"/workshops/{workshop['id']}/status", json={"status": "closed"})
    seq = api.get(f"/workshops/{workshop['id']}").json["seq"]
    response = api.post(path(workshop), json={"import_key": key(), "texts": ["efter mødet"]})
    assert response.status_code == 201
    events = api.get(f"/workshops/{workshop['id']}/events?since={seq}").json["events"]
    assert [(e["type"], e["data"]["text"], e["data"]["source"]) for e in events] == [
        ("input.created", "efter mødet", "papir")
    ]


@pytest.mark.parametrize(
    "body, status, code, row",
    [
        ({"texts": []}, 400, "import_empty", None),
        ({"texts": "a"}, 400, "invalid", None),
        ({"texts": ["ok", "   "]}, 400, "import_row_empty", 2),
        ({"texts": ["ok", 5]}, 400, "import_row_invalid", 2),
        ({"texts": ["ok", "ok", "x" * 1001]}, 413, "import_too_long", 3),
        ({"texts": ["bell\x07"]}, 400, "import_control_characters", 1),
        ({"texts": ["a"] * 11}, 413, "import_too_many", None),
        ({"texts": ["a"], "source": "phone"}, 400, "invalid", None),
        ({"texts": ["a"], "source": "x" * 41}, 413, "too_long", None),
        ({"texts": ["a"], "import_key": "short"}, 400, "invalid_client_key", None),
    ],
)
def test_json_import_refusals_name_the_row_and_import_nothing(app, api, workshop, body, status, code, row):
    app.config["IMPORT_MAX_INPUTS"] = 10
    body = {"import_key": key(), **body}
    response = api.post(path(workshop), json=body)
    assert response.status_code == status, response.json
    error = response.json["error"]
    assert error["code"] == code and error["message"]
    if row is not None:
        assert error["row"] == row and str(row) in error["message"]
    assert api.get(f"/workshops/{workshop['id']}").json["inputs"] == []


def test_import_needs_a_facilitator_of_the_workshop(client, api, workshop, other_user):
    anonymous = client.post("/api/v1" + path(workshop), json={"import_key": key(), "texts": ["a"]})
    assert anonymous.status_code == 401
    value, _ = services.create_token(other_user.id, "other")
    stranger = client.post(
        "/api/v1" + path(workshop), json={"import_key": key(), "texts": ["a"]}, headers={"Authorization": f"Bearer {value}"}
    )
    assert stranger.status_code == 404


def test_import_messages_follow_the_requesters_language(api, workshop):
    response = api.client.post(
        "/api/v1" + path(workshop),
        json={"import_key": key(), "texts": ["ok", " "]},
        headers={**api.headers, "Accept-Language": "da"},
    )
    assert response.json["error"]["message"].startswith("Række 2")


# --- HTTP: files --------------------------------------------------------------------------------


def test_csv_upload_with_header_semicolons_theme_and_ignored_columns(api, workshop):
    data = "Tema;Tekst;Andet\r\nAlpha;Vigtigt, at vi lytter;x\r\n;\"to\r\nlinjer\";y\r\n;;\r\n".encode("utf-8-sig")
    response = upload(api, workshop, "papir.csv", data)
    assert response.status_code == 201, response.json
    assert [(i["text"], i["theme_id"] is not None, i["source"]) for i in response.json["inputs"]] == [
        ("Vigtigt, at vi lytter", True, "Post-it"),
        ("to\r\nlinjer", False, "Post-it"),
    ]


def test_csv_without_header_keeps_commas_in_the_text(api, workshop):
    data = "Vigtigt, at ledelsen bakker op\nFleksible arbejdstider; ja\n\n".encode()
    response = upload(api, workshop, "liste.csv", data, source=None)
    assert [i["text"] for i in response.json["inputs"]] == ["Vigtigt, at ledelsen bakker op", "Fleksible arbejdstider; ja"]
    assert {i["source"] for i in response.json["inputs"]} == {"papir"}


def test_xlsx_upload_reads_the_first_sheet_and_a_question_column(api, workshop):
    api.post(f"/workshops/{workshop['id']}/prompt", json={"text": "Hvad virker?"})
    data = xlsx([["Text", "Question", "Theme"], ["=ikke en formel", "Hvad virker?", "Beta"], [42, None, None]])
    response = upload(api, workshop, "inputs.xlsx", data)
    assert response.status_code == 201, response.json
    inputs = response.json["inputs"]
    assert [i["text"] for i in inputs] == ["=ikke en formel", "42"]
    assert inputs[0]["prompt_id"] is not None and inputs[0]["theme_id"] is not None


def test_the_same_file_twice_with_one_key_adds_nothing(api, workshop):
    data = "en\nto\nto\n".encode()
    k = key()
    assert upload(api, workshop, "a.csv", data, import_key=k).status_code == 201
    assert upload(api, workshop, "a.csv", data, import_key=k).status_code == 200
    assert [i["text"] for i in api.get(f"/workshops/{workshop['id']}").json["inputs"]] == ["en", "to", "to"]


def formula_sheet() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "fin tekst"
    sheet["A2"] = "=1+1"  # openpyxl stores a string starting with "=" as a formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "name, data, status, code, row",
    [
        ("tom.csv", b"", 400, "import_empty", None),
        ("blank.csv", b"\r\n \r\n\r\n", 400, "import_empty", None),
        ("latin1.csv", "god\nbedre\nbl\u00e5b\u00e6r\n".encode("latin-1"), 400, "import_encoding", 3),
        ("lang.csv", ("kort\n" + "x" * 1001 + "\n").encode(), 413, "import_too_long", 2),
        ("formel.xlsx", formula_sheet(), 400, "import_formula", 2),
        ("mange.csv", "\n".join(f"input {n}" for n in range(12)).encode(), 413, "import_too_many", None),
        ("tema.csv", "Text,Theme\nen,Gamma\n".encode(), 400, "import_unknown_theme", 2),
        ("spm.csv", "Text,Question\nen,Hvad?\n".encode(), 400, "import_unknown_question", 2),
        ("nul.csv", b"en\nt\x00o\n", 400, "import_control_characters", 2),
        ("ikke.xlsx", b"PK\x03\x04 not really a zip", 400, "import_unreadable", None),
        ("billede.png", b"\x89PNG", 415, "import_file_type", None),
    ],
)
def test_bad_files_are_refused_whole_naming_the_row(app, api, workshop, name, data, status, code, row):
    app.config["IMPORT_MAX_INPUTS"] = 10
    response = upload(api, workshop, name, data)
    assert response.status_code == status, response.json
    assert response.json["error"]["code"] == code
    if row is not None:
        assert response.json["error"]["row"] == row
        assert f" {row} " in response.json["error"]["message"]  # "Række 2 …" (the default language) / "Row 2 …"
    assert api.get(f"/workshops/{workshop['id']}").json["inputs"] == []


def test_upload_without_a_file_is_invalid(api, workshop):
    response = api.client.post(
        "/api/v1" + path(workshop), data={"import_key": key()}, headers=api.headers, content_type="multipart/form-data"
    )
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid"


# --- exports --------------------------------------------------------------------------------------


def test_exports_count_paper_inputs_honestly_and_carry_the_source(app, api, client, user, workshop):
    for n in range(3):
        send(client, workshop["join_code"], f"telefon {n}")
    api.post(path(workshop), json={"import_key": key(), "texts": ["papir 1", "papir 2"]})
    doc = doc_of(workshop["id"])
    md = export.render(doc, "md")[0].decode()
    assert "Der er ikke blevet redigeret i de nedenstående 5 input, heraf 2 fra papir." in md
    assert "Kilde: papir: 2" in md
    assert export.parse_manifest(export.render(doc, "md")[0], "md") == export.manifest(doc)
    csv_text = export.render(doc, "csv")[0].decode("utf-8-sig")
    assert csv_text.splitlines()[0].endswith(",Kilde") and csv_text.splitlines()[-1].endswith(",papir")
    data = export_dict(doc)
    assert [i["source"] for i in data["unsorted"]] == ["phone"] * 3 + ["papir"] * 2
    # A re-import keeps where every input came from, and so the same digest.
    again = doc_of(services.import_workshop(user.id, data).id)
    assert export_dict(again) == data


# --- the migration ----------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_migration_0006_marks_earlier_inputs_as_phone_and_keeps_the_text_trigger(backend, tmp_path):
    from sqlalchemy import create_engine, text

    from facilitator import migrate

    with empty_database(backend, tmp_path, "sources") as url:
        engine = create_engine(url)
        try:
            migrate.upgrade(url, "0002")
            with engine.begin() as conn:
                insert_an_old_workshop(conn)
            migrate.upgrade(url)
            with engine.connect() as conn:
                assert conn.execute(text("SELECT source, import_key FROM inputs")).one() == ("phone", None)
            for _ in range(2):  # after the upgrade, and after a downgrade: the text stays immutable
                with pytest.raises(Exception, match="immutable"):
                    with engine.begin() as conn:
                        conn.execute(text("UPDATE inputs SET text = 'edited'"))
                migrate.downgrade(url, "0002")
            migrate.upgrade(url)
            with engine.connect() as conn:
                assert conn.execute(text("SELECT text, source FROM inputs")).one() == ("original", "phone")
        finally:
            engine.dispose()


def test_a_body_over_the_import_limit_is_refused_413(api, workshop):
    from facilitator.views.api import PAPER_IMPORT_MAX_BYTES

    texts = ["x" * 1000] * (PAPER_IMPORT_MAX_BYTES // 1000 + 10)
    response = api.post(path(workshop), json={"import_key": key(), "texts": texts})
    assert response.status_code == 413 and response.json["error"]["code"] == "body_too_large"
    # Encoded by hand: the test client would spool a big multipart body to a file it never closes.
    part = b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'
    data = part + b"x\n" * (PAPER_IMPORT_MAX_BYTES // 2 + 10) + b"\r\n--b--\r\n"
    big = api.client.post(
        "/api/v1" + path(workshop), data=data, headers=api.headers, content_type="multipart/form-data; boundary=b"
    )
    assert big.status_code == 413 and big.json["error"]["code"] == "body_too_large"


# --- the export package, without a database -----------------------------------------------------


def test_the_manifest_and_digest_cover_the_source_and_only_when_there_is_one():
    from dataclasses import replace

    from test_export_formats import make_doc

    phone = make_doc({"A": ["en", "to"], None: ["tre", ("skjult", True, "spam")]})
    assert "sources" not in export.manifest(phone)
    unsorted = tuple(replace(i, source="papir") for i in phone.unsorted_column)
    paper = replace(phone, unsorted_column=unsorted)
    email = replace(phone, unsorted_column=tuple(replace(i, source="e-mail") for i in phone.unsorted_column))
    assert len({export.digest(d) for d in (phone, paper, email)}) == 3
    assert export.manifest(paper)["sources"] == [{"source": "papir", "count": 2}]  # received: hidden one too
    for fmt in ("md", "txt", "html", "docx", "json", "pdf"):
        for d in (phone, paper):
            assert export.parse_manifest(export.render(d, fmt)[0], fmt) == export.manifest(d), fmt
    statement = export.render(paper, "txt")[0].decode("utf-8-sig")
    assert "Der er ikke blevet redigeret i de nedenstående 3 input, heraf 1 fra papir." in statement
    first = replace(paper.themes[0].column[0], source="e-mail")
    mixed = replace(paper, themes=(replace(paper.themes[0], column=(first,) + paper.themes[0].column[1:]),))
    assert "3 input, heraf 1 fra e-mail og 1 fra papir." in export.render(mixed, "md")[0].decode()
    english = export.render(replace(mixed, language="en"), "md")[0].decode()
    # Labels are written as the import gave them.
    assert "The 3 inputs below, 1 of them from e-mail and 1 from papir, have not been edited." in english
    sheet = openpyxl.load_workbook(io.BytesIO(export.render(paper, "xlsx")[0])).active
    assert [c.value for c in sheet[1]][-1] == "Kilde" and [c.value for c in sheet[sheet.max_row]][-1] == "papir"
    plain = openpyxl.load_workbook(io.BytesIO(export.render(phone, "xlsx")[0])).active
    assert [c.value for c in plain[1]][-1] == "Begrundelse"
