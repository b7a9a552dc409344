"""Stored XSS in real Chromium: hostile input text, theme titles, summaries, workshop titles and prompts
show as text on the wall, the projector and the phone, at first render and when they arrive live."""

from __future__ import annotations

import pytest

from conftest import PHONE, browser_login, sqlite_only
from facilitator import services

pytestmark = [pytest.mark.browser, sqlite_only]

PAYLOAD = '<img src=x onerror="window.__xss=1;alert(1)"><script>window.__xss=2;alert(2)</script>"\'&lt;'


@pytest.fixture
def hostile(user):
    w = services.create_workshop(user.id, "Title " + PAYLOAD, prompt="Prompt " + PAYLOAD)
    services.set_status(w.id, "open")
    theme = services.create_theme(w.id, "Theme " + PAYLOAD, "Summary " + PAYLOAD)
    item, _ = services.submit_input(w.join_code, "Input " + PAYLOAD, "xss-browser-0001")
    services.move_input(w.id, item.id, theme.id, 0)
    services.set_projector_view(w.id, "themes")  # the projector then shows themes, titles and their cards
    return w


def watch(page) -> list[str]:
    """Record every dialog (an alert is the classic XSS proof) and CSP violation on the page."""
    seen: list[str] = []
    page.on("dialog", lambda dialog: (seen.append("dialog: " + dialog.message), dialog.dismiss()))
    page.on("console", lambda m: seen.append("csp: " + m.text) if "Content Security Policy" in m.text else None)
    return seen


def no_script_ran(page) -> None:
    assert page.evaluate("window.__xss === undefined")
    assert page.locator("img[src=x]").count() == 0


def test_hostile_text_stays_text_on_wall_projector_and_phone(new_context, hostile):
    wall = browser_login(new_context())
    wall_seen = watch(wall)
    wall.goto(f"/workshops/{hostile.id}/wall")
    wall.wait_for_selector("#connection[data-state=up]")
    wall.wait_for_selector(".column[data-theme-id] .card .card-text")
    themed = wall.locator(".column", has=wall.locator(".card"))
    assert themed.locator(".column-title").first.inner_text() == "Theme " + PAYLOAD
    assert wall.locator(".card-text").first.inner_text() == "Input " + PAYLOAD
    summaries = themed.locator(".summary-text")
    if summaries.count():  # the wall's summary editor (a textarea: its value is text by nature)
        assert summaries.first.input_value() == "Summary " + PAYLOAD
    assert "Title " + PAYLOAD in wall.title()

    projector = new_context().new_page()
    projector_seen = watch(projector)
    projector.goto(f"/p/{hostile.projector_secret}")
    projector.wait_for_selector(".card .card-text")
    assert projector.locator(".projector-title").inner_text() == "Title " + PAYLOAD
    assert projector.locator(".card-text").first.inner_text() == "Input " + PAYLOAD
    assert projector.locator("#projector-prompt").inner_text() == "Prompt " + PAYLOAD

    phone = new_context(**PHONE).new_page()
    phone_seen = watch(phone)
    phone.goto(f"/j/{hostile.join_code}")
    assert phone.locator(".phone-title").inner_text() == "Title " + PAYLOAD
    assert phone.locator("#prompt").inner_text() == "Prompt " + PAYLOAD
    phone.fill("#text", "Phone " + PAYLOAD)
    phone.click("#send")
    phone.wait_for_selector(".receipt[data-state=received]")
    assert phone.locator(".receipt .receipt-text").first.inner_text() == "Phone " + PAYLOAD

    # The live path (events rendered by the page's script) as well as the first render.
    # Locator waits, not wait_for_function: that polls with eval, which the strict CSP (rightly) blocks.
    wall.locator(".card-text", has_text="Phone ").first.wait_for()
    projector.locator(".card-text", has_text="Phone ").first.wait_for()
    live = [t for t in wall.locator(".card-text").all_inner_texts() if t.startswith("Phone ")]
    assert live == ["Phone " + PAYLOAD]
    services.create_theme(hostile.id, "Live " + PAYLOAD)
    wall.locator(".column-title", has_text="Live ").first.wait_for()
    projector.locator(".column-title", has_text="Live ").first.wait_for()
    assert wall.locator(".column-title", has_text="Live ").first.inner_text() == "Live " + PAYLOAD

    for page in (wall, projector, phone):
        no_script_ran(page)
    assert wall_seen == [] and projector_seen == [] and phone_seen == []
