"""A big wall in real Chromium: 500 cards load, columns scroll, new cards arrive highlighted with
their time, and the search box filters by text ignoring case and accents. No timing assertions:
every wait is for a condition."""

from __future__ import annotations

import json
import unicodedata
import uuid

import pytest
from sqlalchemy import select

from conftest import browser_login, screenshot, sqlite_only
from facilitator import services
from facilitator.db import database
from facilitator.demo import load_seed
from facilitator.export import document_from_seed, render
from facilitator.models import Input

pytestmark = [pytest.mark.browser, sqlite_only]

CARDS = 500
VISIBLE = "() => [...document.querySelectorAll('#columns .card')].filter(c => !c.classList.contains('is-filtered-out')).length"


def fold(text: str) -> str:
    """What wall-search.js does: decompose, drop combining marks, lower-case."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)).lower()


def expected_matches(workshop_id: int, query: str) -> int:
    with database().reader() as s:
        texts = s.execute(select(Input.text).where(Input.workshop_id == workshop_id, Input.hidden.is_(False))).scalars()
        return sum(1 for t in texts if fold(query) in fold(t))


@pytest.fixture
def big(user):
    """An open workshop of 500 inputs in the reference workshop's four themes (via the JSON importer)."""
    seed = load_seed()
    texts = [(t["title"], text) for t in seed["themes"] for text in t["inputs"]]
    columns = {t["title"]: [] for t in seed["themes"]}
    for n in range(CARDS):
        title, text = texts[n % len(texts)]
        columns[title].append(f"{text} (#{n + 1})")
    for theme in seed["themes"]:
        theme["inputs"] = columns[theme["title"]]
    data, _mimetype, _name = render(document_from_seed(seed), "json")
    w = services.import_workshop(user.id, json.loads(data))
    services.set_status(w.id, "open")
    return w


def test_a_wall_of_500_cards_loads_scrolls_highlights_and_searches(new_context, big):
    wall = browser_login(new_context(viewport={"width": 1600, "height": 1000}))
    wall.goto(f"/workshops/{big.id}/wall")
    wall.wait_for_selector("#connection[data-state=up]")
    wall.wait_for_function(f"() => document.querySelectorAll('#columns .card').length === {CARDS}")

    # Long columns scroll inside themselves; the page does not grow with the board.
    longest = wall.evaluate(
        """() => [...document.querySelectorAll('#columns .column-cards')].map((c) => ({
              overflow: getComputedStyle(c).overflowY, scrolls: c.scrollHeight > c.clientHeight + 1 }))"""
    )
    assert any(c["scrolls"] for c in longest)
    assert all(c["overflow"] in ("auto", "scroll") for c in longest)

    # A new input arrives live: highlighted, with its time, and findable.
    services.submit_input(big.join_code, "Café på Østerbro med længere åbningstid", str(uuid.uuid4()))
    card = wall.wait_for_selector("#columns .card.is-new")
    assert "Café på Østerbro" in card.inner_text()
    assert card.eval_on_selector(".card-time", "t => t.dateTime") and card.inner_text() != ""
    assert card.eval_on_selector(".card-time", "t => t.textContent.trim()") != ""

    total = CARDS + 1
    search = wall.locator("#wall-search")
    for query in ("CAFE", "cafe", "Café", "ØSTERBRO"):
        search.fill(query)
        wanted = expected_matches(big.id, query)
        assert wanted >= 1
        wall.wait_for_function(f"() => ({VISIBLE})() === {wanted}")
        assert wall.inner_text("#wall-search-count").startswith(str(wanted))
    # "a" finds "å" too (accents ignored), but a word that is nowhere finds nothing.
    search.fill("abningstid")
    wall.wait_for_function(f"() => ({VISIBLE})() === {expected_matches(big.id, 'abningstid')}")
    assert expected_matches(big.id, "abningstid") >= 1
    screenshot(wall, "wall-500-search")
    search.fill("zzqx-nowhere")
    wall.wait_for_function(f"() => ({VISIBLE})() === 0")

    # While a search is on, cards that arrive are filtered like the rest.
    search.fill("cykelsti")
    before = expected_matches(big.id, "cykelsti")
    wall.wait_for_function(f"() => ({VISIBLE})() === {before}")
    services.submit_input(big.join_code, "Ny cykelsti til skolen", str(uuid.uuid4()))
    services.submit_input(big.join_code, "Flere bænke", str(uuid.uuid4()))
    wall.wait_for_function(f"() => document.querySelectorAll('#columns .card').length === {total + 2}")
    wall.wait_for_function(f"() => ({VISIBLE})() === {before + 1}")

    # Escape clears the search and every card is back.
    search.press("Escape")
    wall.wait_for_function(f"() => ({VISIBLE})() === {total + 2}")
    assert wall.input_value("#wall-search") == ""
    assert wall.is_hidden("#wall-search-count")
