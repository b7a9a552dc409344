"""Exports through the API from a workshop built as phones and facilitators build it."""

from __future__ import annotations

import io
import json
import re
import uuid

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from conftest import SEED, csrf_of, log_in, send
from facilitator import services
from facilitator.cli import main as cli_main


@pytest.fixture
def seed():
    return json.loads(SEED.read_text(encoding="utf-8"))


@pytest.fixture
def reference(api, client, seed):
    """The 117 reference inputs posted through the participant API and grouped through the API."""
    created = api.post("/workshops", json={"title": seed["title"], "language": "da", "held_on": seed["held_on"]}).json
    wid = created["id"]
    api.post(f"/workshops/{wid}/status", json={"status": "open"})
    for theme in seed["themes"]:
        tid = api.post(f"/workshops/{wid}/themes", json={"title": theme["title"], "summary": theme["summary"]}).json["id"]
        for index, text in enumerate(theme["inputs"]):
            posted = send(client, created["join_code"], text)
            assert posted.status_code == 201
            moved = api.post(f"/workshops/{wid}/inputs/{posted.json['id']}/move", json={"theme_id": tid, "index": index})
            assert moved.status_code == 200
    return created


def expected_appendix_lines(seed) -> list[str]:
    lines = [f"# {seed['appendix_heading']}", "", seed["appendix_statement"], ""]
    for theme in seed["themes"]:
        lines += [f"## {theme['title']}", ""] + [f"- {text}" for text in theme["inputs"]] + [""]
    return lines


def test_markdown_appendix_reproduces_the_reference_exactly(api, reference, seed):
    heading = seed["appendix_heading"]
    response = api.get(f"/workshops/{reference['id']}/export.md", query_string={"heading": heading})
    assert response.status_code == 200
    assert response.mimetype == "text/markdown"
    assert 'attachment; filename="input-fra-workshop-om-lgbt-og-beskaeftigelse-appendix.md"' == response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    expected = expected_appendix_lines(seed)
    assert text.splitlines()[: len(expected)] == expected
    body, _, manifest = text.partition("\n---\n")
    bullets = [line[2:] for line in body.splitlines() if line.startswith("- ")]
    assert len(bullets) == 117
    assert "- Modtaget: 117" in manifest and "- Tema: Arbejdsmiljø og kultur: 40" in manifest
    # one input was written identically by two participants: both are kept
    assert len(set(bullets)) == 116


def test_docx_appendix_holds_the_same_paragraphs(api, reference, seed):
    response = api.get(f"/workshops/{reference['id']}/export.docx", query_string={"heading": seed["appendix_heading"]})
    document = docx.Document(io.BytesIO(response.data))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    assert paragraphs[0] == ("Heading 1", seed["appendix_heading"])
    assert (paragraphs[1][1]) == seed["appendix_statement"]
    headings = [text for style, text in paragraphs if style == "Heading 2"]
    assert headings[:4] == [t["title"] for t in seed["themes"]]
    bullets = [text for style, text in paragraphs if style == "List Bullet"]
    assert bullets == [text for t in seed["themes"] for text in t["inputs"]]


def test_report_puts_the_summaries_first(api, reference, seed):
    text = api.get(f"/workshops/{reference['id']}/export.md?variant=report").get_data(as_text=True)
    for theme in seed["themes"]:
        assert theme["summary"] in text
    assert text.index(seed["themes"][0]["summary"]) < text.index("Der er ikke blevet redigeret i de nedenstående 117 input.")
    assert "13. august 2025" in text


def test_counts_add_up_with_hidden_inputs(api, client, workshop):
    code = workshop["join_code"]
    ids = [send(client, code, f"input {n}").json["id"] for n in range(5)]
    alpha = api.get(f"/workshops/{workshop['id']}").json["themes"][0]["id"]
    api.post(f"/workshops/{workshop['id']}/inputs/{ids[0]}/move", json={"theme_id": alpha, "index": 0})
    api.post(f"/workshops/{workshop['id']}/inputs/{ids[1]}/hide", json={"reason": "spam"})
    sheet = openpyxl.load_workbook(io.BytesIO(api.get(f"/workshops/{workshop['id']}/export.xlsx").data)).worksheets[0]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 5  # received = listed + hidden: every input has a row
    md = api.get(f"/workshops/{workshop['id']}/export.md").get_data(as_text=True)
    assert "de nedenstående 4 input" in md
    assert "spam" not in md
    listed = api.get(f"/workshops/{workshop['id']}/export.md?list_hidden=1").get_data(as_text=True)
    assert "spam" in listed and "input 1" in listed


@pytest.mark.parametrize("fmt", ["md", "txt", "html", "docx", "csv", "xlsx", "json"])
def test_every_format_downloads(api, reference, fmt):
    response = api.get(f"/workshops/{reference['id']}/export.{fmt}")
    assert response.status_code == 200 and len(response.data) > 1000


def test_html_export_is_escaped_and_carries_its_own_csp(api, client, workshop):
    send(client, workshop["join_code"], "<script>alert(1)</script>")
    response = api.get(f"/workshops/{workshop['id']}/export.html")
    body = response.get_data(as_text=True)
    assert "<script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "script-src 'none'" in response.headers["Content-Security-Policy"] or "default-src 'none'" in response.headers["Content-Security-Policy"]


def test_unknown_format_or_variant_is_404(api, workshop):
    assert api.get(f"/workshops/{workshop['id']}/export.odt").status_code == 404
    assert api.get(f"/workshops/{workshop['id']}/export.md?variant=x").status_code == 404


def test_another_facilitator_cannot_export(client, workshop, other_user):
    other, _ = services.create_token(other_user.id)
    response = client.get(f"/api/v1/workshops/{workshop['id']}/export.md", headers={"Authorization": f"Bearer {other}"})
    assert response.status_code == 404


def test_json_import_rebuilds_the_workshop_and_reexports_the_same(api, reference, app, tmp_path, seed):
    original = api.get(f"/workshops/{reference['id']}/export.json")
    path = tmp_path / "export.json"
    path.write_bytes(original.data)
    runner = CliRunner()
    result = runner.invoke(cli_main, ["import", str(path), "--owner", "anna@example.org"], obj=app)
    assert result.exit_code == 0, result.output
    new_id = int(re.search(r"Imported workshop (\d+)", result.output).group(1))
    again = json.loads(api.get(f"/workshops/{new_id}/export.json").data)
    before = json.loads(original.data)
    assert again["themes"] == before["themes"] and again["unsorted"] == before["unsorted"]
    assert again["manifest"] == before["manifest"]
    md_before = api.get(f"/workshops/{reference['id']}/export.md").data
    md_after = api.get(f"/workshops/{new_id}/export.md").data
    assert md_before == md_after


def test_verify_says_whether_an_export_is_complete_and_unaltered(api, reference, app, tmp_path, client, seed):
    runner = CliRunner()
    for fmt in ("md", "docx", "json", "txt", "html"):
        path = tmp_path / f"appendix.{fmt}"
        path.write_bytes(api.get(f"/workshops/{reference['id']}/export.{fmt}").data)
        result = runner.invoke(cli_main, ["verify", str(path)], obj=app)
        assert result.exit_code == 0 and "complete and unaltered" in result.output, (fmt, result.output)
    altered = tmp_path / "altered.md"
    text = (tmp_path / "appendix.md").read_text(encoding="utf-8").replace("Vigtigt at ledelsen bakker op", "Vigtigt at ledelsen bakker IKKE op")
    altered.write_text(text, encoding="utf-8")
    result = runner.invoke(cli_main, ["verify", str(altered), "--workshop", str(reference["id"])], obj=app)
    assert result.exit_code != 0
    assert "bakker IKKE op" in result.output
    # an input arriving after the export makes the export incomplete
    send(client, reference["join_code"], "kom efter eksporten")
    result = runner.invoke(cli_main, ["verify", str(tmp_path / "appendix.json"), "--workshop", str(reference["id"])], obj=app)
    assert result.exit_code != 0


def test_dashboard_upload_imports_a_json_export(api, reference, client, user):
    data = api.get(f"/workshops/{reference['id']}/export.json").data
    log_in(client)
    csrf = csrf_of(client)
    response = client.post(
        "/workshops/import",
        data={"csrf_token": csrf, "file": (io.BytesIO(data), "export.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    bad = client.post(
        "/workshops/import",
        data={"csrf_token": csrf, "file": (io.BytesIO(b"{}"), "x.json")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400
    unused = uuid.uuid4()
    assert unused
