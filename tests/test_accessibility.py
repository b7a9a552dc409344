"""Accessibility in real headless Chromium: axe-core's WCAG 2.2 A/AA rules on every page, in light
and dark mode, plus keyboard focus, the wall's live region and the phone page at 320 px, 200 % and
large text."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from conftest import PHONE, browser_login, screenshot, send, sqlite_only
from facilitator import services
from facilitator.demo import load_demo

pytestmark = [pytest.mark.browser, sqlite_only]

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core-4.14.1.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SCHEMES = ("light", "dark")


def axe_violations(page) -> list[dict]:
    """Run axe-core's WCAG 2.x A/AA rules on the page as it is now; return the violations."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol, which the page's CSP does not govern: the
        # page keeps its strict policy and no script tag is added.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
            return r.violations.map((v) => ({
              id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
            }));
        }""",
        WCAG_TAGS,
    )
    return result


def assert_accessible(page, label: str, schemes=SCHEMES) -> None:
    """Zero axe violations in each colour scheme (the page is re-checked after switching)."""
    problems = []
    for scheme in schemes:
        page.emulate_media(color_scheme=scheme)
        page.wait_for_function(
            "(s) => matchMedia('(prefers-color-scheme: dark)').matches === (s === 'dark')", arg=scheme
        )
        for v in axe_violations(page):
            nodes = "; ".join(f"{n['target']}: {n['summary']}" for n in v["nodes"])
            problems.append(f"[{label} / {scheme}] {v['id']} ({v['impact']}): {v['help']} -> {nodes}")
    page.emulate_media(color_scheme="light")
    assert not problems, "\n".join(problems)


@pytest.fixture
def laptop(new_context, user):
    """A logged-in facilitator's browser page."""
    return browser_login(new_context())


def test_public_pages(new_context, user):
    page = new_context().new_page()
    for path, label in [
        ("/login", "login"),
        ("/", "landing"),
        ("/j", "enter code"),
        ("/j/ZZZZZZ", "unknown code"),
        ("/no-such-page", "404"),
        ("/no-such-page?lang=da", "404 in Danish"),
        ("/privacy", "privacy"),
        ("/accessibility", "accessibility statement"),
        ("/accessibility?lang=da", "accessibility statement in Danish"),
    ]:
        page.goto(path)
        assert_accessible(page, label)
    page.goto("/login")
    page.fill("#email", "anna@example.org")
    page.fill("#password", "wrong password")
    page.click("button[type=submit]")
    page.wait_for_selector("#login-error")
    assert_accessible(page, "login error")


def test_dashboard_and_workshop_pages(laptop, user):
    laptop.goto("/workshops")
    assert_accessible(laptop, "dashboard empty")
    w = services.create_workshop(user.id, "Trivsel i hverdagen", prompt="Hvad gør en god dag?", themes=["Ro", "Fællesskab"])
    services.create_workshop(user.id, "Second workshop", language="en")
    services.set_status(w.id, "open")
    laptop.goto("/workshops")
    assert_accessible(laptop, "dashboard with workshops")
    # Colour is never alone: every status badge says its status in words.
    badges = laptop.eval_on_selector_all(".status", "els => els.map(e => e.textContent.trim())")
    assert len(badges) == 2 and all(badges), badges
    laptop.goto(f"/workshops/{w.id}")
    assert_accessible(laptop, "workshop page")
    laptop.fill("#s-title", " ")
    laptop.fill("#s-max", "0")
    laptop.evaluate("() => document.querySelector('#settings form').noValidate = true")
    laptop.click("#settings button[type=submit]")
    laptop.wait_for_selector("#settings-error")
    assert_accessible(laptop, "workshop settings error")
    laptop.goto(f"/workshops/{w.id}")
    laptop.click("#archive")
    laptop.wait_for_url("**/workshops/*")
    laptop.goto("/workshops?show=archived&done=archived")
    assert_accessible(laptop, "archived workshops")
    laptop.goto(f"/workshops/{w.id}/print")
    assert_accessible(laptop, "print page")
    laptop.goto("/workshops/99999")
    assert_accessible(laptop, "404 logged in")
    for path, label in [("/account", "account"), ("/privacy", "privacy")]:
        response = laptop.goto(path)
        if response.status == 200:
            assert_accessible(laptop, label)


@pytest.mark.parametrize("status", ["draft", "open", "paused", "closed"])
def test_participant_page_in_each_state(new_context, user, status):
    w = services.create_workshop(user.id, "Borgermøde", prompt="Hvad skal vi huske?")
    if status != "draft":
        services.set_status(w.id, status)
    phone = new_context(**PHONE).new_page()
    phone.goto(f"/j/{w.join_code}")
    phone.wait_for_selector(f"#status-banner.status-{status}")
    assert_accessible(phone, f"phone {status}")


def test_participant_page_after_a_send_and_with_an_error(new_context, user):
    w = services.create_workshop(user.id, "Borgermøde", prompt="Hvad skal vi huske?", settings={"max_input_length": 20})
    services.set_status(w.id, "open")
    phone = new_context(**PHONE).new_page()
    phone.goto(f"/j/{w.join_code}")
    phone.fill("#text", "Flere bænke i parken")
    phone.click("#send")
    phone.wait_for_selector(".receipt[data-state=received]")
    assert_accessible(phone, "phone after send")
    phone.fill("#text", "Denne tekst er alt for lang til grænsen")
    phone.click("#send")
    phone.wait_for_selector("#live-error:not([hidden])")
    assert_accessible(phone, "phone with an error")
    # When the script does not load, the plain form posts and the server shows the error.
    nojs = new_context(**PHONE).new_page()
    nojs.route("**/js/participant.js", lambda route: route.abort())
    nojs.goto(f"/j/{w.join_code}")
    nojs.fill("#text", "Denne tekst er alt for lang til grænsen")
    nojs.click("#send")
    nojs.wait_for_selector("#form-error")
    assert_accessible(nojs, "phone form error (no JS)")


@pytest.fixture
def demo(user):
    """The reference workshop (117 inputs in four themes) plus two unsorted inputs just in."""
    w = load_demo(user.id)
    for text in ("Mere tid til samtaler", "Kortere ventetid"):
        services.submit_input(w.join_code, text, str(uuid.uuid4()))
    return w


def demo_input(workshop) -> int:
    """The first input of the demo's first theme."""
    return services_board(workshop)["themes"][0]["input_ids"][0]


def demo_theme(workshop) -> int:
    return services_board(workshop)["themes"][1]["id"]


def services_board(workshop) -> dict:
    from facilitator.db import session
    from facilitator.models import Workshop
    from facilitator.queries import snapshot

    return snapshot(session(), session().get(Workshop, workshop.id))


def test_wall_projector_and_export_with_the_demo_workshop(laptop, new_context, demo):
    # Theme colours from the palette, so their tints and stripes are checked for contrast too.
    for theme, colour in zip(services_board(demo)["themes"], ["blue", "green", "orange", "teal"]):
        services.update_theme(demo.id, theme["id"], {"colour": colour})
    laptop.goto(f"/workshops/{demo.id}/wall")
    laptop.wait_for_selector("#connection[data-state=up]")
    laptop.wait_for_function("() => document.querySelectorAll('#columns .card').length === 119")
    assert_accessible(laptop, "wall")
    # The hide dialog, opened from a card by keyboard (H), and a search in progress.
    laptop.focus("#columns .card")
    laptop.keyboard.press("h")
    laptop.wait_for_selector("#hide-dialog[open]")
    assert_accessible(laptop, "wall with the hide dialog")
    laptop.keyboard.press("Escape")
    laptop.wait_for_selector("#hide-dialog:not([open])", state="attached")
    laptop.fill("#wall-search", "ledelse")
    laptop.wait_for_selector("#wall-search-count:not([hidden])")
    assert_accessible(laptop, "wall while searching")

    projector = new_context(viewport={"width": 1920, "height": 1080}).new_page()
    projector.goto(f"/p/{demo.projector_secret}")
    projector.wait_for_selector("#projector[data-view=collect][data-pages] #projector-page .card")
    assert_accessible(projector, "projector collecting")
    services.set_projector_view(demo.id, "themes")
    projector.wait_for_selector("#projector[data-view=themes] #projector-page .column-header")
    assert_accessible(projector, "projector themes")
    # The spotlight: one input large, then one theme with its summary.
    services.set_projector_view(demo.id, spotlight={"input_id": demo_input(demo)})
    projector.wait_for_selector("#projector[data-spotlight=input]")
    assert_accessible(projector, "projector spotlight input")
    services.set_projector_view(demo.id, spotlight={"theme_id": demo_theme(demo)})
    projector.wait_for_selector("#projector[data-spotlight=theme]")
    assert_accessible(projector, "projector spotlight theme")
    # The wall compact, with a column collapsed and the spotlight controls showing.
    laptop.goto(f"/workshops/{demo.id}/wall")
    laptop.wait_for_selector("#connection[data-state=up]")
    laptop.click("#wall-compact")
    laptop.click("#columns .column:nth-child(2) .column-collapse")
    laptop.wait_for_selector("#wall.is-compact .column.is-collapsed")
    laptop.wait_for_selector("#projector-spot:not([hidden])")
    assert_accessible(laptop, "wall compact with a collapsed column")

    laptop.goto(f"/api/v1/workshops/{demo.id}/export.html")
    assert_accessible(laptop, "HTML export")
    laptop.goto(f"/api/v1/workshops/{demo.id}/export.html?variant=report")
    assert_accessible(laptop, "HTML export report")


def test_the_axe_check_catches_real_violations(new_context):
    """The harness is not vacuous: a page with known faults fails it, in both schemes."""
    page = new_context().new_page()
    page.goto("/j")
    page.evaluate(
        """() => {
            const main = document.querySelector('main');
            const input = document.createElement('input');      // no label
            const pale = document.createElement('p');            // 1.3:1 contrast
            pale.textContent = 'Pale text';
            pale.style.color = '#dddddd';
            pale.style.background = '#ffffff';
            main.append(input, pale);
        }"""
    )
    ids = {v["id"] for v in axe_violations(page)}
    assert {"label", "color-contrast"} <= ids
    with pytest.raises(AssertionError, match="color-contrast"):
        assert_accessible(page, "faulty page")


# --- Keyboard, live region, colour ---------------------------------------------------------

RECORD_ANNOUNCEMENTS = """() => {
    window.__said = [];
    const region = document.getElementById('announcer');
    new MutationObserver(() => { if (region.textContent.trim()) window.__said.push(region.textContent.trim()); })
      .observe(region, { childList: true, characterData: true, subtree: true });
}"""


def test_the_wall_works_by_keyboard_with_a_visible_focus_and_polite_announcements(laptop, user):
    w = services.create_workshop(user.id, "Tastatur", prompt="Hvad?", themes=["Første tema", "Andet tema"])
    services.set_status(w.id, "open")
    first, _ = services.submit_input(w.join_code, "Det første input", str(uuid.uuid4()))
    laptop.goto(f"/workshops/{w.id}/wall")
    laptop.wait_for_selector("#connection[data-state=up]")
    laptop.wait_for_selector(f".card[data-id='{first.id}']")

    # Tab alone reaches the first card, which shows a clear focus ring.
    for _ in range(80):
        laptop.keyboard.press("Tab")
        if laptop.evaluate("() => document.activeElement.classList.contains('card')"):
            break
    assert laptop.evaluate("() => document.activeElement.dataset.id") == str(first.id)
    ring = laptop.evaluate(
        "() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
    )
    assert ring[0] not in ("none", "hidden") and ring[1] >= 2, ring

    # A keyboard shortcut moves the focused card into the first theme; the focus stays on it.
    themes = {t.title: t.id for t in services_themes(w.id)}
    laptop.keyboard.press("1")
    laptop.wait_for_selector(f".column[data-theme-id='{themes['Første tema']}'] .card[data-id='{first.id}']")
    assert laptop.evaluate("() => document.activeElement.dataset.id") == str(first.id)
    wait_for_theme(w.id, first.id, themes["Første tema"])

    # The "Move to" list works by keyboard too: choose with the arrow key, commit with Enter.
    laptop.keyboard.press("Tab")
    assert laptop.evaluate("() => document.activeElement.classList.contains('card-move')")
    laptop.keyboard.press("ArrowDown")
    laptop.keyboard.press("Enter")
    laptop.wait_for_selector(f".column[data-theme-id='{themes['Andet tema']}'] .card[data-id='{first.id}']")
    wait_for_theme(w.id, first.id, themes["Andet tema"])

    # A new input is announced politely, once, as "New input": never the board or the text.
    live = laptop.evaluate("() => document.getElementById('announcer').getAttribute('aria-live')")
    assert live == "polite"
    # The second move's own words (the first move's are there until then): only then start listening.
    laptop.wait_for_function("() => document.getElementById('announcer').textContent.startsWith('Moved to Andet tema')")
    laptop.evaluate(RECORD_ANNOUNCEMENTS)
    text = "Et helt nyt input fra en telefon"
    services.submit_input(w.join_code, text, str(uuid.uuid4()))
    laptop.wait_for_selector(".card.is-new")
    # The region is emptied and then filled a moment later (so the same words are said again).
    laptop.wait_for_function("() => window.__said.includes('New input')")
    said = laptop.evaluate("() => window.__said")
    assert said.count("New input") == 1, said
    assert all(text not in line and len(line) < 80 for line in said), said
    assert laptop.evaluate("() => document.querySelector('#columns').closest('[aria-live]:not([aria-live=off])')") is None

    # Colour is never alone: the status and the connection say it in words.
    assert laptop.inner_text("#wall-status").strip()
    assert laptop.inner_text("#connection").strip()


def services_themes(workshop_id):
    from sqlalchemy import select

    from facilitator.db import database
    from facilitator.models import Theme

    with database().reader() as s:
        return list(s.execute(select(Theme).where(Theme.workshop_id == workshop_id)).scalars())


def wait_for_theme(workshop_id, input_id, theme_id, tries=100):
    """The server has the move (the wall shows it optimistically first)."""
    import time

    from facilitator.db import database
    from facilitator.models import Input

    for _ in range(tries):
        with database().reader() as s:
            if s.get(Input, input_id).theme_id == theme_id:
                return
        time.sleep(0.05)
    raise AssertionError(f"input {input_id} did not reach theme {theme_id}")


# --- The phone page at 320 px, 200 % zoom, large text, text spacing and dark mode ----------

NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
# WCAG 1.4.12 text spacing, added through the CSSOM (the page's CSP forbids inline styles).
TEXT_SPACING = """() => {
  const sheet = document.styleSheets[0];
  sheet.insertRule('* { line-height: 1.5 !important; letter-spacing: .12em !important; word-spacing: .16em !important; }', sheet.cssRules.length);
  sheet.insertRule('p { margin-bottom: 2em !important; }', sheet.cssRules.length);
}"""


@pytest.mark.parametrize(
    "name, options, setup, scheme",
    [
        # WCAG 1.4.10 reflow: 320 CSS px wide, what a 1280 px window shows at 400 %.
        ("320px", {"viewport": {"width": 320, "height": 640}}, None, "light"),
        # Browser zoom 200 % of a 1280 x 800 window: 640 x 400 CSS px at twice the pixel density.
        ("zoom-200", {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2, "is_mobile": False, "has_touch": False}, None, "light"),
        # The phone's own large text: root font size doubled (every size in the CSS is in rem/em), at 320 px.
        ("large-text", {"viewport": {"width": 320, "height": 640}}, "() => { document.documentElement.style.fontSize = '200%'; }", "light"),
        ("text-spacing", {"viewport": {"width": 320, "height": 640}}, TEXT_SPACING, "light"),
        ("dark", {"viewport": {"width": 320, "height": 640}}, None, "dark"),
    ],
)
def test_the_phone_page_reflows_and_stays_usable(new_context, user, name, options, setup, scheme):
    w = services.create_workshop(
        user.id,
        "Borgermøde om den nye bydelsplan for Nørrebro og omegn",
        prompt="Hvad er det vigtigste, vi skal tage med i planen for de kommende år?",
        settings={"named_inputs": True},
    )
    services.set_status(w.id, "open")
    phone = new_context(**{**PHONE, **options, "color_scheme": scheme}).new_page()
    phone.goto(f"/j/{w.join_code}")
    phone.wait_for_selector("#status-banner.status-open")
    if setup:
        phone.evaluate(setup)
    # A long unbroken word is what breaks narrow layouts.
    phone.fill("#text", "Supercykelstiforbindelsesprojektet" * 3)
    assert phone.evaluate(NO_SIDEWAYS_SCROLL), phone.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    width = phone.viewport_size["width"]
    send_button = phone.locator("#send")
    send_button.scroll_into_view_if_needed()
    box = send_button.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= width and box["height"] >= 24, box
    assert send_button.is_visible() and send_button.is_enabled()
    screenshot(phone, f"participant-{name}")

    phone.fill("#author_name", "Ida")
    send_button.click()
    phone.wait_for_selector(".receipt[data-state=received]")
    assert phone.evaluate(NO_SIDEWAYS_SCROLL)
    if scheme == "dark":
        background = phone.evaluate("() => getComputedStyle(document.body).backgroundColor")
        assert background != "rgb(255, 255, 255)"
        assert_accessible(phone, "phone dark after send", schemes=("dark",))


# --- The projector from the back of a 10 m room ----------------------------------------------

# Assumptions (README, "Projector text sizes"): the farthest viewer sits 10 m away, and the image
# is 1/6 of that high (1.67 m, the 6H rule for reading); a letter's cap height is 0.70 of its font
# size (DejaVu Sans 0.73, Segoe UI 0.70, Roboto 0.71). ANSI/HFES 100 asks for at least 16 minutes of
# arc for text people must read; 10′ is twice what normal (20/20) vision can just make out.
DISTANCE_M, IMAGE_HEIGHT_M, CAP_HEIGHT = 10.0, 10.0 / 6, 0.70
READ, LEGIBLE = 16.0, 10.0


def arcmin(font_px: float, viewport_px: float) -> float:
    """The cap height's visual angle from the back row, in minutes of arc."""
    import math

    height_m = CAP_HEIGHT * font_px / viewport_px * IMAGE_HEIGHT_M
    return math.degrees(math.atan(height_m / DISTANCE_M)) * 60


SIZES = """(selectors) => Object.fromEntries(selectors.map((s) => {
    const e = document.querySelector(s);
    return [s, e && e.offsetParent !== null ? parseFloat(getComputedStyle(e).fontSize) : null];
}))"""


@pytest.mark.parametrize("width, height", [(1920, 1080), (1280, 720)])
def test_projector_text_is_large_enough_for_a_10_m_room_and_fits_one_screen(new_context, user, width, height):
    w = services.create_workshop(
        user.id,
        "Workshop om LGBT+ og beskæftigelse",
        prompt="Hvad skal der til for at flere LGBT+ personer kommer i beskæftigelse og trives på arbejdspladsen?",
        themes=["Ledelse og ansvar", "Netværk", "Synlighed"],
    )
    services.set_status(w.id, "open")
    for n in range(12):
        services.submit_input(w.join_code, f"Input nummer {n} om ledelse og synlighed", str(uuid.uuid4()))
    page = new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(f"/p/{w.projector_secret}")
    page.wait_for_function("() => document.querySelectorAll('.card').length === 12")

    readable = ["#projector-prompt", "#projector-count", ".projector-title", "#projector-join .join-code"]
    legible = ["#projector-join .join-url", ".card-text"]
    sizes = page.evaluate(SIZES, readable + legible)
    problems = [f"{s}: {sizes[s]} px = {arcmin(sizes[s], height):.1f}′" for s in readable if arcmin(sizes[s], height) < READ]
    problems += [f"{s}: {sizes[s]} px = {arcmin(sizes[s], height):.1f}′" for s in legible if arcmin(sizes[s], height) < LEGIBLE]
    assert not problems, problems
    assert page.evaluate("() => document.documentElement.scrollHeight <= innerHeight + 1"), "the collecting view scrolls"
    screenshot(page, f"projector-collect-{height}p")

    themes = services_themes(w.id)
    services.set_projector_view(w.id, "themes")
    page.wait_for_selector("#projector[data-view=themes]")
    page.wait_for_function("() => document.querySelectorAll('.column').length >= 3")
    sizes = page.evaluate(SIZES, [".column-title", ".card-text", ".column-count"])
    assert arcmin(sizes[".column-title"], height) >= READ, sizes
    assert arcmin(sizes[".card-text"], height) >= LEGIBLE and arcmin(sizes[".column-count"], height) >= LEGIBLE, sizes
    assert page.evaluate("() => document.documentElement.scrollHeight <= innerHeight + 1"), "the themed view scrolls"
    assert len(themes) == 3
