"""Inputs per theme as charts in real Chromium: the projector's counts view (the reference workshop's
117 inputs at 1920×1080 and 1280×720, readable from the back of the room, never counting a hidden
input) and the wall's live counts panel (inputs arriving, moves, hides), both axe-clean."""

from __future__ import annotations

import uuid

import pytest

from conftest import browser_login, screenshot, sqlite_only
from facilitator import services
from facilitator.db import read_session
from facilitator.demo import load_demo
from facilitator.models import Input, Theme
from test_accessibility import LEGIBLE, READ, arcmin, assert_accessible

pytestmark = [pytest.mark.browser, sqlite_only]

SEED_COUNTS = [("Ledelse og ansvar", 18), ("Ressourcer, organisering og politikker", 39), ("Arbejdsmiljø og kultur", 40),
               ("Viden og kompetenceudvikling", 20)]

# The counts table as the page shows it, and the chart picture's state: its rendered text size
# (the SVG draws its labels 16 units high; object-fit: contain scales the whole picture evenly).
COUNTS = """(id) => {
  const body = document.getElementById(id);
  const img = body.querySelector('.counts-chart');
  const box = img.getBoundingClientRect();
  const scale = img.naturalWidth ? Math.min(box.width / img.naturalWidth, box.height / img.naturalHeight) : 0;
  const drawn = { width: img.naturalWidth * scale, height: img.naturalHeight * scale };
  return {
    rows: [...body.querySelectorAll('tbody tr')].map((tr) => [tr.querySelector('.counts-title').textContent, Number(tr.querySelector('.counts-n').textContent)]),
    total: body.querySelector('.counts-total').textContent,
    src: img.getAttribute('src'),
    loaded: img.complete && img.naturalWidth > 0,
    visible: img.offsetParent !== null && body.querySelector('table').offsetParent !== null,
    chartText: 16 * scale,
    tableText: parseFloat(getComputedStyle(body.querySelector('tbody td')).fontSize),
    chartInside: box.left >= 0 && box.top >= 0 && box.top + drawn.height <= innerHeight && box.left + drawn.width <= innerWidth,
    tableInside: body.querySelector('table').getBoundingClientRect().bottom <= innerHeight,
  };
}"""


@pytest.fixture
def laptop(new_context, user):
    """A logged-in facilitator's browser page (a laptop-sized window)."""
    return browser_login(new_context(viewport={"width": 1440, "height": 900}))


def first_input_of(workshop_id: int, title: str) -> int:
    with read_session() as s:
        theme = s.query(Theme).filter_by(workshop_id=workshop_id, title=title).one()
        return s.query(Input).filter_by(theme_id=theme.id).order_by(Input.position).first().id


def wait_loaded(page, body_id: str, src: str | None = None):
    """Wait until the chart picture shows the numbers the table shows (a new src, loaded)."""
    page.wait_for_function(
        """([id, old]) => { const img = document.querySelector('#' + id + ' .counts-chart');
            return img.getAttribute('src') && img.getAttribute('src') !== old && img.complete && img.naturalWidth > 0; }""",
        arg=[body_id, src],
    )
    return page.evaluate(COUNTS, body_id)


@pytest.mark.parametrize("width, height", [(1920, 1080), (1280, 720)])
def test_the_projector_shows_the_counts_per_theme_readable_from_the_back(new_context, user, width, height):
    demo = load_demo(user.id)
    services.set_projector_view(demo.id, "counts")
    page = new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(f"/p/{demo.projector_secret}")
    page.wait_for_selector("#projector[data-counts=shown] #projector-counts:not([hidden])")
    shown = wait_loaded(page, "projector-counts-body")
    assert shown["rows"] == [list(r) for r in SEED_COUNTS] and shown["total"] == "117"
    assert shown["visible"] and shown["chartInside"] and shown["tableInside"], shown
    # The board's pages are put away; the page does not scroll.
    assert page.evaluate("() => document.querySelector('.projector-body').offsetParent === null")
    assert page.evaluate("() => document.documentElement.scrollHeight <= innerHeight + 1"), "the counts view scrolls"
    assert arcmin(shown["tableText"], height) >= LEGIBLE, shown
    assert arcmin(shown["chartText"], height) >= LEGIBLE, shown
    title = float(page.evaluate("() => parseFloat(getComputedStyle(document.getElementById('projector-counts-title')).fontSize)"))
    assert arcmin(title, height) >= READ
    screenshot(page, f"projector-counts-{height}p")

    # A hidden input leaves every count on the projector: the table and the picture.
    hidden = first_input_of(demo.id, "Arbejdsmiljø og kultur")
    services.hide_input(demo.id, hidden, "spam")
    page.wait_for_function("() => document.querySelector('#projector-counts-body .counts-total').textContent === '116'")
    after = wait_loaded(page, "projector-counts-body", shown["src"])
    assert after["rows"][2] == ["Arbejdsmiljø og kultur", 39]
    svg = page.request.get(after["src"]).text()
    assert ">39</text>" in svg and ">40</text>" not in svg

    # A spotlight takes the screen, and back; another view puts the counts away.
    services.set_projector_view(demo.id, spotlight={"input_id": first_input_of(demo.id, "Ledelse og ansvar")})
    page.wait_for_selector("#projector[data-spotlight=input]")
    assert page.is_hidden("#projector-counts")
    services.set_projector_view(demo.id, spotlight=None)
    page.wait_for_selector("#projector-counts:not([hidden])")
    services.set_projector_view(demo.id, "themes")
    page.wait_for_selector("#projector[data-view=themes] #projector-page .column-header")
    assert page.is_hidden("#projector-counts")


def test_the_wall_counts_follow_arrivals_moves_and_hides_and_both_views_are_accessible(laptop, new_context, user):
    w = services.create_workshop(user.id, "Plenum", language="da", themes=["Trafik", "Skole"])
    services.set_status(w.id, "open")
    laptop.goto(f"/workshops/{w.id}/wall")
    laptop.wait_for_selector("#connection[data-state=up]")
    laptop.click("#counts-panel summary")
    laptop.wait_for_selector("#wall-counts .counts-empty:not([hidden])")
    assert laptop.evaluate(COUNTS, "wall-counts")["rows"] == [["Trafik", 0], ["Skole", 0]]

    first, _ = services.submit_input(w.join_code, "Flere cykelstier", str(uuid.uuid4()))
    services.submit_input(w.join_code, "Mere lys", str(uuid.uuid4()))
    laptop.wait_for_function("() => document.querySelector('#wall-counts .counts-total').textContent === '2'")
    shown = wait_loaded(laptop, "wall-counts")
    assert shown["rows"] == [["Trafik", 0], ["Skole", 0], ["Unsorted", 2]]
    assert shown["visible"]

    with read_session() as s:
        trafik = s.query(Theme).filter_by(workshop_id=w.id, title="Trafik").one().id
    # A move made on the wall itself (keyboard: 1 sends the card to the first theme).
    laptop.focus(f"#columns .card[data-id='{first.id}']")
    laptop.keyboard.press("1")
    laptop.wait_for_function(
        "() => [...document.querySelectorAll('#wall-counts tbody tr')].map((tr) => tr.textContent).join('|') === 'Trafik1|Skole0|Unsorted1'"
    )
    moved = wait_loaded(laptop, "wall-counts", shown["src"])
    assert moved["total"] == "2"
    svg = laptop.request.get(moved["src"], headers={"Accept-Language": "en"}).text()
    assert "Unsorted" in svg and ">1</text>" in svg

    # A hide from another facilitator's session (the service) reaches this wall's counts too.
    services.hide_input(w.id, first.id, "spam")
    laptop.wait_for_function(
        "() => [...document.querySelectorAll('#wall-counts tbody tr')].map((tr) => tr.textContent).join('|') === 'Trafik0|Skole0|Unsorted1'"
    )
    assert laptop.evaluate(COUNTS, "wall-counts")["total"] == "1"
    assert trafik
    wait_loaded(laptop, "wall-counts", moved["src"])
    assert_accessible(laptop, "wall with the counts panel open")
    screenshot(laptop, "wall-counts-panel")

    # The wall's switch puts the projector on the counts.
    projector = new_context(viewport={"width": 1280, "height": 720}).new_page()
    projector.goto(f"/p/{w.projector_secret}")
    projector.wait_for_selector("#projector[data-view=collect][data-pages]")
    laptop.click("[data-projector-view=counts]")
    laptop.wait_for_selector("[data-projector-view=counts][aria-pressed=true]")
    projector.wait_for_selector("#projector[data-counts=shown]")
    counted = wait_loaded(projector, "projector-counts-body")
    assert counted["rows"] == [["Trafik", 0], ["Skole", 0], ["Ikke sorteret", 1]]  # the room's language
    assert_accessible(projector, "projector counts")
