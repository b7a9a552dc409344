"""The user journeys end to end in headless Chromium, through the real pages only: a facilitator
sets up and runs a workshop, three phones (separate browser contexts) take part, the inputs are
grouped by select, by drag and by keyboard, summarised, exported as DOCX and read back; the
language switch changes the UI. Screenshots go to test-artifacts/screenshots/journey-*.png."""

from __future__ import annotations

import io
import time
from urllib.parse import urlparse

import pytest
from docx import Document

from conftest import PHONE, browser_login, drag_card, lands, screenshot, sqlite_only

pytestmark = [pytest.mark.browser, sqlite_only]

QUESTION = "Hvad skal til for at flere kommer i job?"
PHONE_INPUTS = [
    "Ledelsen skal gå forrest og tale om det",
    "Mentorer fra egen baggrund hjælper",
    "Flere fleksible praktikpladser",
]
SUMMARY = "Deltagerne peger på ledelse og mentorer."


def column(page, title):
    """A wall column by its theme title."""
    return page.locator(".column", has=page.locator(".column-title", has_text=title))


def card_with(page, text):
    return page.locator(".card", has=page.locator(".card-text", has_text=text))


def wait_until(predicate, what, timeout=15.0):
    """Poll a server-side condition (the wall shows moves before the server confirms them)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_workshop_from_creation_to_the_docx_appendix(new_context, user, app, live_server):
    # The address QR codes and links carry: this server, as a deployment's public URL would be.
    app.config["PUBLIC_URL"] = live_server.url
    laptop = browser_login(new_context(viewport={"width": 1500, "height": 950}))
    page_errors = []
    laptop.on("pageerror", lambda e: page_errors.append(str(e)))

    # The facilitator creates the workshop through the form.
    laptop.goto("/workshops")
    laptop.fill("#title", "Workshop om beskæftigelse")
    laptop.fill("#prompt", QUESTION)
    laptop.select_option("#language", "da")
    laptop.fill("#themes", "Ledelse og ansvar\nNetværk\nPraktik")
    laptop.click("form[action='/workshops'] button[type=submit]")
    laptop.wait_for_url("**/workshops/*")
    workshop_path = urlparse(laptop.url).path
    assert laptop.inner_text("h1") == "Workshop om beskæftigelse"

    # Opens it for input; the status says so in words.
    laptop.click("button[name=status][value=open]")
    laptop.wait_for_selector(".status.status-open")
    join_url = laptop.get_attribute("a.join-url", "href")
    code = laptop.inner_text(".join-code").strip()
    assert code in join_url

    # Opens the projector from its link (a new tab), then the wall.
    with laptop.expect_popup() as popup:
        laptop.click("a[href*='/p/']")
    popup.value.wait_for_selector("#projector-join .qr")
    projector_url = popup.value.url
    popup.value.close()
    laptop.bring_to_front()  # a background tab gets its frames throttled
    # The room's screen is another computer: the link, opened in a browser of its own.
    projector = new_context(viewport={"width": 1920, "height": 1080}).new_page()
    projector.goto(projector_url)
    projector.wait_for_selector("#projector-join .qr")
    assert projector.inner_text("#projector-join .join-code").strip() == code
    laptop.click(f"a[href='{workshop_path}/wall']")
    laptop.wait_for_selector("#connection[data-state=up]")
    laptop.evaluate(
        """() => { window.__said = []; const r = document.getElementById('announcer');
           new MutationObserver(() => r.textContent.trim() && window.__said.push(r.textContent.trim()))
             .observe(r, { childList: true, characterData: true, subtree: true }); }"""
    )

    # Three phones join by the join URL (what the QR code carries) and send their inputs.
    phones = []
    for text in PHONE_INPUTS:
        phone = new_context(**PHONE).new_page()
        phone.goto(join_url)
        assert phone.inner_text("#prompt") == QUESTION
        assert phone.get_attribute("html", "lang") == "da"
        phone.fill("#text", text)
        phone.click("#send")
        phone.wait_for_selector(".receipt[data-state=received]")
        assert phone.inner_text(".receipt[data-state=received] .receipt-text") == text
        phones.append(phone)
    screenshot(phones[0], "journey-participant")

    # The wall and the projector receive them live, without a reload.
    laptop.wait_for_function("() => document.querySelectorAll('.column-unsorted .card').length === 3")
    projector.wait_for_function("() => document.querySelectorAll('#projector-page .card').length === 3")
    assert "3" in projector.inner_text("#projector-count")
    laptop.wait_for_function("() => window.__said.filter(s => s.startsWith('New input')).length >= 1")
    screenshot(projector, "journey-projector")

    # Grouping: by the "Move to" list, by dragging, and by keyboard.
    first, second, third = (card_with(laptop, t) for t in PHONE_INPUTS)
    # A card's list holds every column once it is about to be used (focus or pointer down), as a person's would be.
    first.locator(".card-move").focus()
    first.locator(".card-move").select_option(label="Ledelse og ansvar")
    column(laptop, "Ledelse og ansvar").locator(".card", has_text=PHONE_INPUTS[0]).wait_for()
    netvaerk = column(laptop, "Netværk")
    box = netvaerk.locator(".column-cards").bounding_box()
    landed = lands(netvaerk.get_attribute("data-theme-id"), f"ids.includes({second.get_attribute('data-id')})")
    drag_card(laptop, second, (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2), landed)
    column(laptop, "Netværk").locator(".card", has_text=PHONE_INPUTS[1]).wait_for()
    third.focus()
    laptop.keyboard.press("3")  # the third theme
    column(laptop, "Praktik").locator(".card", has_text=PHONE_INPUTS[2]).wait_for()

    from facilitator.db import database
    from facilitator.models import Input, Theme
    from sqlalchemy import select

    def grouped():
        with database().reader() as s:
            themes = {t.id: t.title for t in s.execute(select(Theme)).scalars()}
            return {i.text: themes.get(i.theme_id) for i in s.execute(select(Input)).scalars()}

    wait_until(
        lambda: grouped() == dict(zip(PHONE_INPUTS, ["Ledelse og ansvar", "Netværk", "Praktik"])), "the three moves"
    )

    # A summary, saved as it is typed.
    leadership = column(laptop, "Ledelse og ansvar")
    leadership.locator(".column-summary summary").click()
    leadership.locator(".summary-text").fill(SUMMARY)
    leadership.locator(".summary-state[data-state=saved]").wait_for()
    screenshot(laptop, "journey-wall")

    # The projector shows the themes when the facilitator switches it.
    laptop.click("[data-projector-view=themes]")
    projector.wait_for_selector("#projector[data-view=themes]")
    column(projector, "Netværk").locator(".card", has_text=PHONE_INPUTS[1]).wait_for()
    screenshot(projector, "journey-projector-themes")

    # Download the report as DOCX from the workshop page and read it back.
    laptop.goto(workshop_path)
    laptop.select_option("#export-format", "docx")
    laptop.check("#variant-report")
    with laptop.expect_download() as download:
        laptop.click(".export-form button[type=submit]")
    data = download.value.path().read_bytes()
    assert download.value.suggested_filename.endswith(".docx")
    doc = Document(io.BytesIO(data))
    paragraphs = [(p.style.name, p.text) for p in doc.paragraphs if p.text.strip()]
    texts = [t for _style, t in paragraphs]
    for text in PHONE_INPUTS + [SUMMARY, "Ledelse og ansvar", "Netværk", "Praktik"]:
        assert any(text in t for t in texts), (text, texts)
    # Each input sits under its theme's heading, verbatim.
    headings = [i for i, (style, _t) in enumerate(paragraphs) if style.startswith("Heading")]

    def heading_before(index):
        return paragraphs[max(h for h in headings if h < index)][1]

    for text, theme in zip(PHONE_INPUTS, ["Ledelse og ansvar", "Netværk", "Praktik"]):
        at = max(i for i, (_s, t) in enumerate(paragraphs) if t == text)
        assert heading_before(at) == theme
    assert any("3" in t and "input" in t.lower() for t in texts)

    # Switching the language changes the UI (and is remembered).
    laptop.goto(workshop_path + "?lang=en")
    english = laptop.evaluate("() => [...document.querySelectorAll('h2, nav a, nav button, main button')].map(e => e.textContent.trim())")
    assert laptop.get_attribute("html", "lang") == "en"
    with laptop.expect_navigation():
        laptop.click(".lang-switch a[hreflang=da]")
    assert laptop.get_attribute("html", "lang") == "da"
    danish = laptop.evaluate("() => [...document.querySelectorAll('h2, nav a, nav button, main button')].map(e => e.textContent.trim())")
    assert len(danish) == len(english) and sum(a != b for a, b in zip(english, danish)) >= len(english) // 2
    laptop.goto("/workshops")
    assert laptop.get_attribute("html", "lang") == "da"

    # A phone switches its own page's language, whatever the workshop's.
    phone = phones[0]
    before = phone.inner_text("label[for=text]")
    with phone.expect_navigation():
        phone.click(".lang-switch-phone a[hreflang=en]")
    assert phone.get_attribute("html", "lang") == "en"
    assert phone.inner_text("label[for=text]") != before
    assert phone.inner_text(".receipt[data-state=received] .receipt-text") == PHONE_INPUTS[0]
    assert page_errors == []
