"""The core loop in real headless Chromium: phone sends, wall and projector show it live."""

from __future__ import annotations

import pytest

from conftest import PHONE, browser_login, screenshot, sqlite_only
from facilitator import services
from support.no_websocket_proxy import NoWebSocketProxy

pytestmark = [pytest.mark.browser, sqlite_only]


@pytest.fixture
def open_workshop(user):
    w = services.create_workshop(user.id, "Workshop om LGBT+ og beskæftigelse", prompt="Hvad skal der til?", themes=["Ledelse og ansvar"])
    services.set_status(w.id, "open")
    return w


def track_scripts(page) -> list[str]:
    """The paths of the scripts the page will request (filled as it loads)."""
    paths: list[str] = []
    page.on("request", lambda r: paths.append(r.url.split("://", 1)[1].split("/", 1)[1].split("?")[0]) if r.resource_type == "script" else None)
    return paths


def preloaded(page) -> set[str]:
    """The paths of the page's modulepreload links and module scripts."""
    return set(page.eval_on_selector_all(
        "link[rel=modulepreload], script[type=module]",
        "els => els.map((e) => new URL(e.href || e.src).pathname.slice(1))",
    ))


def test_phone_sends_and_wall_and_projector_show_it_without_reload(new_context, open_workshop):
    csp_errors = []
    wall = browser_login(new_context())
    wall.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    wall_scripts = track_scripts(wall)
    wall.goto(f"/workshops/{open_workshop.id}/wall")
    wall.wait_for_selector("#connection[data-state=up]")
    wall.wait_for_selector(".column-unsorted")

    projector = new_context().new_page()
    projector_scripts = track_scripts(projector)
    projector.goto(f"/p/{open_workshop.projector_secret}")
    projector.wait_for_selector("#projector[data-pages]")

    phone = new_context(**PHONE).new_page()
    phone_scripts = track_scripts(phone)
    phone.goto(f"/j/{open_workshop.join_code}")
    phone.wait_for_selector("#send")
    # Every module a page loads was announced in its HTML, so the browser fetched them
    # all at once instead of one level of imports per round trip.
    for page, scripts in ((wall, wall_scripts), (projector, projector_scripts), (phone, phone_scripts)):
        modules = {path for path in scripts if "Sortable" not in path}
        assert len(modules) > 1
        assert modules <= preloaded(page), sorted(modules - preloaded(page))
    text = "Synlighed er vigtigt – ledelse skal tage mere ansvar <script>alert(1)</script>"
    phone.fill("#text", text)
    phone.click("#send")
    phone.wait_for_selector(".receipt[data-state=received]")
    assert phone.inner_text(".receipt .receipt-text") == text
    assert phone.input_value("#text") == ""

    wall.wait_for_selector(".column-unsorted .card")
    assert wall.inner_text(".column-unsorted .card .card-text") == text
    assert wall.locator("script", has_text="alert(1)").count() == 0
    projector.wait_for_selector("#projector .card")
    assert projector.eval_on_selector("#projector .card .card-text", "e => e.textContent") == text
    assert wall.inner_text("#announcer")

    screenshot(phone, "participant-phone")
    screenshot(wall, "wall")
    screenshot(projector, "projector")
    assert csp_errors == []


def test_a_page_opened_again_asks_for_none_of_its_scripts_and_style_sheets(new_context, open_workshop):
    """On a venue's wifi every request is a wait: the static URLs name their version, so the browser keeps the files."""
    phone = new_context(**PHONE).new_page()
    phone.goto(f"/j/{open_workshop.join_code}")
    phone.wait_for_selector("#send")
    phone.goto("/privacy")
    phone.goto(f"/j/{open_workshop.join_code}")
    phone.wait_for_selector("#send")
    # transferSize 0: taken from the browser's cache without asking the server (a 304 has its headers' size).
    files = phone.evaluate(
        "() => performance.getEntriesByType('resource').filter((e) => new URL(e.name).pathname.startsWith('/static/'))"
        ".map((e) => [new URL(e.name).pathname, e.transferSize])"
    )
    assert any(path.endswith("/js/participant.js") for path, _size in files), files
    assert any(path.endswith("/css/app.css") for path, _size in files), files
    assert [path for path, size in files if size] == []


def test_phone_page_works_without_javascript(new_context, open_workshop):
    page = new_context(java_script_enabled=False, **PHONE).new_page()
    page.goto(f"/j/{open_workshop.join_code}")
    page.fill("#text", "Sendt uden JavaScript")
    page.click("#send")
    page.wait_for_selector("#server-receipt")
    assert "Sendt uden JavaScript" in page.inner_text("#receipts")
    assert page.input_value("#text") == ""


def test_a_closed_workshop_keeps_the_text_on_the_phone(new_context, open_workshop):
    services.set_status(open_workshop.id, "closed")
    phone = new_context(**PHONE).new_page()
    phone.goto(f"/j/{open_workshop.join_code}")
    phone.fill("#text", "Kom for sent")
    phone.click("#send")
    phone.wait_for_selector(".receipt[data-state=held]")
    assert phone.inner_text(".receipt[data-state=held] .receipt-text") == "Kom for sent"
    assert "lukket" in phone.inner_text(".receipt[data-state=held] .receipt-detail").lower() or phone.inner_text(".receipt-detail")
    services.set_status(open_workshop.id, "open")
    phone.wait_for_selector(".receipt[data-state=received]")


def test_wall_projector_and_phone_go_live_by_long_polling_where_a_proxy_refuses_websockets(new_context, open_workshop, live_server):
    proxy = NoWebSocketProxy(("127.0.0.1", live_server.server.server_port)).start()
    try:
        wall = browser_login(new_context(base_url=proxy.url))
        wall.goto(f"/workshops/{open_workshop.id}/wall")
        projector = new_context(base_url=proxy.url).new_page()
        projector.goto(f"/p/{open_workshop.projector_secret}")
        phone = new_context(base_url=proxy.url, **PHONE).new_page()
        phone.goto(f"/j/{open_workshop.join_code}")
        wall.wait_for_selector("#connection[data-state=up]")

        # Live both ways without a WebSocket: an input reaches the wall and the projector, a pause the phone.
        item, _ = services.submit_input(open_workshop.join_code, "Sendt uden WebSocket", "no-websocket-0001")
        wall.locator(f'.card[data-id="{item.id}"]').wait_for()
        projector.locator("#projector .card-text", has_text="Sendt uden WebSocket").wait_for()
        services.set_status(open_workshop.id, "paused")
        phone.locator(".status-banner.status-paused").wait_for()
        assert proxy.refused >= 3  # each page asked for a WebSocket first
    finally:
        proxy.stop()
