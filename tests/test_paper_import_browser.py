"""The wall's "Add inputs from paper" dialog in headless Chromium: live preview count, import once, file upload."""

from __future__ import annotations

import pytest

from conftest import screenshot, sqlite_only
from facilitator import services
from test_wall_browser import open_wall, server_snapshot, wait_for_server
from test_wall_browser import wall_board  # noqa: F401 (a fixture the tests below use)

pytestmark = [pytest.mark.browser, sqlite_only]

PASTED = "Mere tid til pauser\nMere tid til pauser\n\n  Bedre kaffe  \nLængere\nforslag over to linjer\n"


def preview(page) -> str:
    return page.locator("#import-preview").text_content()


def test_paste_import_preview_counts_then_imports_once(new_context, wall_board):
    page = open_wall(new_context, wall_board)
    page.click("#import-open")
    page.wait_for_selector("#import-dialog[open]")
    assert preview(page) == "Nothing to add yet."
    assert page.locator("#import-confirm").is_disabled()
    page.fill("#import-text", PASTED)
    assert preview(page) == "5 inputs will be added."
    page.check("#import-split-blocks")
    assert preview(page) == "2 inputs will be added."
    page.check("#import-split-lines")
    assert preview(page) == "5 inputs will be added."
    assert page.locator("#import-source").input_value() == "paper"  # the English workshop's default
    page.fill("#import-source", "Post-its")
    screenshot(page, "wall-paper-import-dialog")
    page.locator("#import-confirm").dblclick()  # a double click: one import
    page.wait_for_selector("#import-dialog:not([open])", state="attached")
    lines = ["Mere tid til pauser", "Mere tid til pauser", "  Bedre kaffe  ", "Længere", "forslag over to linjer"]
    snap = wait_for_server(wall_board, lambda s: len(s["inputs"]) == 6 + 5, what=server_snapshot)
    imported = [i for i in snap["inputs"] if i["source"] == "Post-its"]
    assert [i["text"] for i in imported] == lines
    for item in imported:
        page.wait_for_selector(f'.column-unsorted .card[data-id="{item["id"]}"]')
    assert len(server_snapshot(wall_board)["inputs"]) == 11
    assert page.errors == []


def test_paste_import_as_paragraphs_and_a_refusal_in_the_dialog(app, new_context, wall_board):
    app.config["IMPORT_MAX_INPUTS"] = 1
    page = open_wall(new_context, wall_board)
    page.click("#import-open")
    page.check("#import-split-blocks")
    page.fill("#import-text", "Første afsnit\nmed to linjer\n\nAndet afsnit")
    assert preview(page) == "2 inputs will be added."
    page.click("#import-confirm")
    error = page.locator("#import-error")
    error.wait_for(state="visible")
    assert "at most 1" in error.text_content()
    assert page.locator("#import-dialog[open]").count() == 1  # the text is kept for another try
    app.config["IMPORT_MAX_INPUTS"] = 10
    page.click("#import-confirm")
    page.wait_for_selector("#import-dialog:not([open])", state="attached")
    snap = wait_for_server(wall_board, lambda s: len(s["inputs"]) == 8, what=server_snapshot)
    assert [i["text"] for i in snap["inputs"][-2:]] == ["Første afsnit\nmed to linjer", "Andet afsnit"]


def test_file_upload_from_the_dialog(new_context, wall_board, tmp_path):
    path = tmp_path / "postits.csv"
    path.write_text("Tekst;Tema\nFra en post-it;Alpha\nEn til\n", encoding="utf-8")
    page = open_wall(new_context, wall_board)
    page.click("#import-open")
    page.set_input_files("#import-file", str(path))
    assert "postits.csv" in preview(page)
    page.click("#import-confirm")
    page.wait_for_selector("#import-dialog:not([open])", state="attached")
    snap = wait_for_server(wall_board, lambda s: len(s["inputs"]) == 8, what=server_snapshot)
    alpha = next(t for t in snap["themes"] if t["title"] == "Alpha")
    texts = {i["id"]: i["text"] for i in snap["inputs"]}
    assert [texts[i] for i in alpha["input_ids"]] == ["Fra en post-it"]
    # The themed card arrives live in its theme's column, not in Unsorted.
    page.wait_for_selector(f'.column[data-theme-id="{alpha["id"]}"] .card[data-id="{alpha["input_ids"][0]}"]')


def test_danish_wall_offers_papir(user, new_context, live_server):
    w = services.create_workshop(user.id, "Papir", language="da", themes=[])
    from conftest import browser_login

    page = browser_login(new_context(viewport={"width": 1366, "height": 768}))
    page.goto(f"/workshops/{w.id}/wall")
    page.click("#import-open")
    assert page.locator("#import-source").input_value() == "papir"


@pytest.mark.parametrize(
    "name, viewport",
    [
        ("phone", {"width": 390, "height": 844}),
        ("laptop", {"width": 1366, "height": 768}),
        ("projector", {"width": 1920, "height": 1080}),
    ],
)
def test_import_dialog_on_the_demo_at_every_size(user, new_context, live_server, name, viewport):
    from conftest import browser_login
    from facilitator.demo import load_demo

    w = load_demo(user.id)
    page = browser_login(new_context(viewport=viewport, locale="da-DK"))
    page.goto(f"/workshops/{w.id}/wall")
    page.wait_for_selector("#connection[data-state=up]")
    page.click("#import-open")
    page.fill("#import-text", "Flere pauser\n\nBedre kaffe\nog kage\n\nTid til at tale sammen")
    page.check("#import-split-blocks")
    assert preview(page) == "3 input bliver tilføjet."  # a Danish browser gets the Danish wall
    dialog = page.locator("#import-dialog")
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    page.screenshot(path=str(screenshot_path(f"wall-paper-import-{name}")))


def screenshot_path(name: str):
    from conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
