"""The projector at the reference workshop's scale, in real headless Chromium: every input is on
screen whole at some page, no word breaks inside, counts agree with the snapshot, the pages turn by
themselves within a minute, the spotlight shows and leaves, and new inputs arrive visibly (without
motion when the room's screen asks for reduced motion)."""

from __future__ import annotations

import re
import uuid

import pytest

from conftest import screenshot, sqlite_only
from facilitator import services
from facilitator.db import session as db
from facilitator.demo import load_demo
from facilitator.models import Workshop
from facilitator.queries import snapshot

pytestmark = [pytest.mark.browser, sqlite_only]

SCREENS = [(1920, 1080), (1280, 720)]
COLOURS = ["blue", "green", "orange", "purple"]

# Every card on the current page: is it inside the viewport (and the page area, which clips), and
# does its text fit its box (no clipped lines, no word sticking out)?
CARDS_ON_PAGE = """() => {
  const area = document.getElementById('projector-page').getBoundingClientRect();
  return [...document.querySelectorAll('#projector-page .card')].map((card) => {
    const r = card.getBoundingClientRect();
    const text = card.querySelector('.card-text');
    const inside = r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth
      && r.top >= area.top - 0.5 && r.bottom <= area.bottom + 0.5 && r.right <= area.right + 0.5;
    const whole = text.scrollHeight <= text.clientHeight + 1 && text.scrollWidth <= text.clientWidth + 1;
    return { id: Number(card.dataset.id), inside, whole, size: parseFloat(getComputedStyle(text).fontSize) };
  });
}"""

# Words (runs of letters and digits) whose characters lie on more than one line. A break after a
# hyphen or a slash is between words; a browser's own hyphenation would show as such a break too,
# and this Chromium has no hyphenation dictionaries, so every split word is a failure here.
BROKEN_WORDS = """(selector) => {
  const broken = [];
  for (const el of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode())
    for (const m of node.data.matchAll(/[\\p{L}\\p{N}]+/gu)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
      if (lines.size > 1) broken.push(m[0]);
    }
  }
  return broken;
}"""

# Column titles that stick out of their header or column (a title must wrap at spaces, never overflow).
TITLES_OUTSIDE = """() => [...document.querySelectorAll('#projector-page .column-header')].filter((h) => {
  const title = h.querySelector('.column-title');
  const column = h.parentElement.getBoundingClientRect();
  const r = title.getBoundingClientRect();
  return title.scrollWidth > title.clientWidth + 1 || r.right > column.right + 0.5 || r.left < column.left - 0.5;
}).map((h) => h.querySelector('.column-title').textContent)"""

HEADERS = """() => [...document.querySelectorAll('#projector-page .column-header')].map((h) => ({
  theme: h.parentElement.dataset.themeId, colour: h.parentElement.dataset.colour, title: h.querySelector('.column-title').textContent,
  count: h.querySelector('.column-count').textContent }))"""


def number(text: str) -> int:
    return int(re.match(r"\d+", text).group())


def board_snapshot(workshop_id: int) -> dict:
    """The board as the server hands it to a projector (read afresh: services write in their own sessions)."""
    db().rollback()  # end any read transaction begun before the writes
    return snapshot(db(), db().get(Workshop, workshop_id), audience="projector")


@pytest.fixture
def demo(user):
    """The reference workshop: 117 inputs in four themes, paused paging so a test turns the pages."""
    w = load_demo(user.id)
    services.set_projector_view(w.id, paused=True)
    for theme, colour in zip(board_snapshot(w.id)["themes"], COLOURS):
        services.update_theme(w.id, theme["id"], {"colour": colour})
    return w


def open_projector(new_context, workshop, width, height, **options):
    page = new_context(viewport={"width": width, "height": height}, **options).new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.errors = errors
    page.goto(f"/p/{workshop.projector_secret}")
    page.wait_for_selector("#projector[data-pages]")
    return page


def settle(page) -> None:
    """Let the page turn's fade finish, so a screenshot shows what the room sees."""
    page.evaluate("() => Promise.all(document.getAnimations().map((a) => a.finished))")


def cycle(page, label: str) -> dict:
    """Turn through every page with the clicker's key; collect what each page showed."""
    pages = int(page.get_attribute("#projector", "data-pages"))
    seen, problems, headers = {}, [], []
    for n in range(1, pages + 1):
        page.wait_for_selector(f"#projector[data-page='{n}']")
        settle(page)
        if pages > 1:
            assert page.inner_text("#pager-numbers") == f"{n} / {pages}"
        for c in page.evaluate(CARDS_ON_PAGE):
            if c["inside"] and c["whole"]:
                seen[c["id"]] = c["size"]
            else:
                problems.append((n, c))
        broken = page.evaluate(
            BROKEN_WORDS, "#projector-page .card-text, #projector-page .column-title, .stage-title, #stage-summary, .projector-title, #projector-prompt"
        )
        assert not broken, f"{label} page {n}: words broken inside: {broken}"
        outside = page.evaluate(TITLES_OUTSIDE)
        assert not outside, f"{label} page {n}: titles outside their column: {outside}"
        headers += page.evaluate(HEADERS)
        screenshot(page, f"projector-{label}-page{n}")
        page.keyboard.press("ArrowRight")
    assert not problems, f"{label}: cards cut off or clipped: {problems[:5]}"
    seconds = float(page.get_attribute("#projector", "data-page-seconds"))
    return {"pages": pages, "seen": seen, "headers": headers, "minute": pages * seconds <= 60}


@pytest.mark.parametrize("width, height", SCREENS)
def test_every_input_of_the_reference_workshop_is_on_screen_whole_in_both_views(new_context, demo, width, height):
    snap = board_snapshot(demo.id)
    visible = {i["id"] for i in snap["inputs"]}
    assert len(visible) == 117
    floor_px = 2.5 * height / 100  # 10′ of arc from 10 m (tests/test_accessibility.py)

    page = open_projector(new_context, demo, width, height)
    assert page.inner_text("#pager-paused") and page.locator("#pager-paused").is_visible()
    assert number(page.inner_text("#projector-count")) == 117
    collect = cycle(page, f"collect-{height}p")
    assert set(collect["seen"]) == visible
    assert min(collect["seen"].values()) >= floor_px
    assert collect["minute"], "at its own pace not every page is shown within a minute"

    services.set_projector_view(demo.id, "themes")
    page.wait_for_selector("#projector[data-view=themes]")
    themes = cycle(page, f"themes-{height}p")
    assert set(themes["seen"]) == visible
    assert min(themes["seen"].values()) >= floor_px
    assert themes["minute"], "at its own pace not every page is shown within a minute"
    # Each theme's count, on its first column and its continuations alike, is the snapshot's.
    expected = {str(t["id"]): len(t["input_ids"]) for t in snap["themes"]}
    assert {h["theme"] for h in themes["headers"]} == set(expected)
    colours = {str(t["id"]): t["colour"] for t in snap["themes"]}
    for h in themes["headers"]:
        assert number(h["count"]) == expected[h["theme"]], h
        assert h["colour"] == colours[h["theme"]] and h["colour"] in COLOURS
    assert number(page.inner_text("#projector-count")) == sum(expected.values()) + len(snap["unsorted"])
    assert page.errors == []


@pytest.mark.parametrize("width, height", SCREENS)
def test_a_500_input_board_pages_and_every_input_is_shown(new_context, user, width, height):
    w = services.create_workshop(user.id, "Stor workshop om arbejdsmiljø", language="da", themes=["Trivsel", "Ledelse"])
    services.set_status(w.id, "open")
    words = "arbejdsmiljøorganisation trivselsundersøgelser ledelsesopbakning medarbejderinddragelse og mere tid".split()
    themes = services_theme_ids(w.id)
    for n in range(500):
        text = f"Input {n}: " + " ".join(words[: 1 + n % len(words)])
        item, _ = services.submit_input(w.join_code, text, str(uuid.uuid4()))
        if n % 3:
            services.move_input(w.id, item.id, themes[n % 2], 0)
    services.set_projector_view(w.id, "themes", paused=True)
    page = open_projector(new_context, w, width, height)
    page.wait_for_selector("#projector[data-view=themes]")
    result = cycle(page, f"500-{height}p")
    assert len(result["seen"]) == 500
    assert result["pages"] > 1
    # Every column's count, Unsorted's too, is the snapshot's, and they add up to the header's total.
    snap = board_snapshot(w.id)
    expected = {str(t["id"]): len(t["input_ids"]) for t in snap["themes"]} | {"": len(snap["unsorted"])}
    assert {h["theme"] for h in result["headers"]} == set(expected)
    for h in result["headers"]:
        assert number(h["count"]) == expected[h["theme"]], h
    assert number(page.inner_text("#projector-count")) == sum(expected.values()) == 500
    assert page.errors == []


def services_theme_ids(workshop_id: int) -> list[int]:
    return [t["id"] for t in board_snapshot(workshop_id)["themes"]]


def test_pages_turn_by_themselves_and_all_are_shown_within_a_minute(new_context, demo):
    services.set_projector_view(demo.id, paused=False)
    page = open_projector(new_context, demo, 1920, 1080)
    pages = int(page.get_attribute("#projector", "data-pages"))
    seconds = float(page.get_attribute("#projector", "data-page-seconds"))
    assert pages > 1 and pages * seconds <= 60
    assert page.locator("#pager-paused").is_hidden()
    page.wait_for_selector("#projector[data-page='2']", timeout=(seconds + 10) * 1000)
    # The facilitator's pace and pause reach the projector as events.
    services.set_projector_view(demo.id, page_seconds=30)
    page.wait_for_selector("#projector[data-page-seconds='30']")
    services.set_projector_view(demo.id, paused=True)
    page.wait_for_selector("#pager-paused:not([hidden])")


def test_the_spotlight_shows_one_input_or_one_theme_and_leaves(new_context, demo):
    snap = board_snapshot(demo.id)
    theme = snap["themes"][1]
    longest = max(snap["inputs"], key=lambda i: len(i["text"]))
    services.set_projector_view(demo.id, "themes")
    page = open_projector(new_context, demo, 1920, 1080)
    page.wait_for_selector("#projector[data-view=themes]")

    services.set_projector_view(demo.id, spotlight={"input_id": longest["id"]})
    page.wait_for_selector("#projector[data-spotlight=input]")
    cards = page.evaluate(CARDS_ON_PAGE)
    assert [c["id"] for c in cards] == [longest["id"]] and cards[0]["inside"] and cards[0]["whole"]
    assert cards[0]["size"] >= 4 * 1080 / 100  # larger than on any board page
    assert page.inner_text("#projector-page .card-text") == longest["text"]
    assert not page.evaluate(BROKEN_WORDS, "#projector-page .card-text")
    screenshot(page, "projector-spotlight-input")

    # A projector that (re)connects now shows the spotlight too.
    again = open_projector(new_context, demo, 1280, 720)
    again.wait_for_selector("#projector[data-spotlight=input]")
    screenshot(again, "projector-spotlight-input-720p")

    services.set_projector_view(demo.id, spotlight={"theme_id": theme["id"]})
    page.wait_for_selector("#projector[data-spotlight=theme]")
    assert page.inner_text("#stage-title") == theme["title"]
    assert page.inner_text("#stage-summary") == theme["summary"]
    assert number(page.inner_text("#stage-count")) == len(theme["input_ids"])
    result = cycle(page, "spotlight-theme")
    assert set(result["seen"]) == set(theme["input_ids"])
    assert result["pages"] <= 3  # 39 cards under the summary, not one page per card

    # Back to the view underneath.
    services.set_projector_view(demo.id, spotlight=None)
    page.wait_for_selector("#projector[data-view=themes]")
    assert page.errors == []


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_new_inputs_arrive_visibly_and_reduced_motion_stops_the_animation(new_context, demo, motion):
    page = open_projector(new_context, demo, 1920, 1080, reduced_motion=motion)
    page.wait_for_selector("#projector[data-view=collect]")
    item, _ = services.submit_input(demo.join_code, "Flere rollemodeller i ledelsen", str(uuid.uuid4()))
    card = page.locator(f'#projector-page .card[data-id="{item.id}"]')
    card.wait_for()
    assert page.get_attribute("#projector", "data-page") == "1"
    assert "is-arriving" in card.get_attribute("class")
    animation = card.evaluate("(c) => getComputedStyle(c).animationName")
    assert animation == ("none" if motion == "reduce" else "card-arrive")
    assert number(page.inner_text("#projector-count")) == 118
    if motion == "no-preference":
        settle(page)
        screenshot(page, "projector-new-input")


# --- The wall at the same scale: compact, collapsible, pinned Unsorted, spotlight from a card ---------

CARDS_IN_VIEW = """() => [...document.querySelectorAll('#columns .card')].filter((card) => {
  const r = card.getBoundingClientRect();
  const box = card.parentElement.getBoundingClientRect();
  return r.height > 0 && r.top >= Math.max(0, box.top) - 0.5 && r.bottom <= Math.min(innerHeight, box.bottom) + 0.5
    && r.left >= 0 && r.right <= innerWidth;
}).length"""


def view_shot(page, name: str) -> None:
    """A screenshot of the viewport as the facilitator sees it (a full-page one stretches vh units)."""
    from conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def open_demo_wall(new_context, workshop, width, height, **options):
    from conftest import browser_login

    page = browser_login(new_context(viewport={"width": width, "height": height}, **options))
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    page.goto(f"/workshops/{workshop.id}/wall")
    page.wait_for_selector("#connection[data-state=up]")
    page.wait_for_function("() => document.querySelectorAll('#columns .card').length >= 117")
    return page


def test_the_compact_wall_shows_40_cards_at_1080p_and_columns_collapse(new_context, demo):
    page = open_demo_wall(new_context, demo, 1920, 1080, locale="da-DK")
    # The browser asks for Danish: the facilitator's page is Danish, and times are Danish ("06.52").
    assert page.get_attribute("html", "lang") == "da"
    assert page.inner_text("#wall-compact") == "Kompakte kort"
    times = page.eval_on_selector_all("#columns .card-time", "els => els.map((e) => e.textContent)")
    assert times and all(re.fullmatch(r"\d\d\.\d\d", t) for t in times), times[:3]
    normal = page.evaluate(CARDS_IN_VIEW)
    page.focus("#wall-compact")
    page.keyboard.press("Enter")
    page.wait_for_selector("#wall.is-compact")
    compact = page.evaluate(CARDS_IN_VIEW)
    assert compact >= 40 and compact > normal, (normal, compact)
    view_shot(page, "wall-compact-1080p")

    # Collapse a theme to its title and count, from the keyboard; the layout survives a reload.
    theme = board_snapshot(demo.id)["themes"][2]
    column = f'#columns .column[data-theme-id="{theme["id"]}"]'
    page.focus(f"{column} .column-collapse")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"{column}.is-collapsed")
    assert page.get_attribute(f"{column} .column-collapse", "aria-expanded") == "false"
    assert page.locator(f"{column} .card").first.is_hidden()
    assert number(page.inner_text(f"{column} .column-count")) == len(theme["input_ids"])
    page.reload()
    page.wait_for_selector(f"#wall.is-compact {column}.is-collapsed")
    view_shot(page, "wall-compact-collapsed-1080p")
    assert page.errors == []


@pytest.mark.parametrize("width, height", [(1366, 768), (1180, 820)])
def test_the_wall_keeps_unsorted_pinned_on_a_laptop_and_a_tablet(new_context, demo, width, height):
    for n in range(3):
        services.submit_input(demo.join_code, f"Nyt input {n}", str(uuid.uuid4()))
    page = open_demo_wall(new_context, demo, width, height, has_touch=width < 1366)
    page.wait_for_function("() => document.querySelectorAll('.column-unsorted .card').length === 3")
    page.evaluate("() => { const b = document.querySelector('.board'); b.scrollLeft = b.scrollWidth; }")
    box = page.locator(".column-unsorted").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
    # The horizontal scroll shows the last theme, and Unsorted still sits at the left edge.
    last = page.locator("#columns .column").last.bounding_box()
    assert last["x"] + last["width"] <= width + 1
    # Only the board scrolls sideways, never the page.
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > innerWidth + 1
        && !e.closest('.board .columns')).slice(0, 8).map((e) => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
    sizes = page.evaluate("""() => ['html', 'body', 'main', '.wall', '.board', '#columns', '.wall-bar'].map((q) => {
        const e = document.querySelector(q); return q + ' ' + e.scrollWidth + '/' + e.clientWidth; })""")
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth"), (wide, sizes)
    view_shot(page, f"wall-{width}x{height}")
    assert page.errors == []


def test_the_spotlight_from_a_wall_card_by_keyboard_and_back(new_context, demo):
    services.set_projector_view(demo.id, "themes")
    wall = open_demo_wall(new_context, demo, 1920, 1080)
    projector = open_projector(new_context, demo, 1920, 1080)
    projector.wait_for_selector("#projector[data-view=themes]")
    first = board_snapshot(demo.id)["themes"][0]["input_ids"][0]
    card = f'#columns .card[data-id="{first}"]'
    wall.focus(card)
    wall.keyboard.press("Tab")  # the card's first control: "Move to"
    wall.keyboard.press("Tab")  # "Show large"
    assert wall.evaluate("() => document.activeElement.classList.contains('card-spotlight')")
    wall.keyboard.press("Enter")
    projector.wait_for_selector("#projector[data-spotlight=input]")
    wall.wait_for_selector(f"{card} .card-spotlight[aria-pressed=true]")
    assert wall.locator("#projector-spot").is_visible()
    screenshot(wall, "wall-spotlight-on")
    wall.click("#projector-back")
    projector.wait_for_selector("#projector[data-view=themes]")
    wall.wait_for_selector("#projector-spot", state="hidden")
    # Pace and pause from the wall.
    wall.select_option("#projector-pace", "30")
    projector.wait_for_selector("#projector[data-page-seconds='30']")
    wall.click("#projector-pause")
    wall.wait_for_selector("#projector-pause[aria-pressed=false]")
    projector.wait_for_selector("#pager-paused", state="hidden")
    assert wall.errors == [] and projector.errors == []
