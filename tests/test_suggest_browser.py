"""Grouping help on the wall in real headless Chromium: a hint accepted with the keyboard, "more like this", twins."""

from __future__ import annotations

import time

import pytest
import requests
from conftest import browser_login, screenshot, sqlite_only

from facilitator import services
from facilitator.demo import load_demo

pytestmark = [pytest.mark.browser, sqlite_only]


def api_get(live_server, token, path):
    answer = requests.get(f"{live_server.url}/api/v1{path}", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert answer.status_code == 200
    return answer.json()


def wait_until(fetch, predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        state = fetch()
        if predicate(state):
            return state
        if time.monotonic() > deadline:
            raise AssertionError(f"never reached; last: {state}")
        time.sleep(0.1)


@pytest.fixture
def sorted_demo(app, user, token, live_server):
    """The reference workshop with the last three inputs of every theme back in Unsorted."""
    app.config["SUGGEST_ENGINE"] = "lexical"
    workshop = load_demo(user.id)
    snap = api_get(live_server, token, f"/workshops/{workshop.id}")
    for theme in snap["themes"]:
        for input_id in theme["input_ids"][-3:]:
            services.move_input(workshop.id, input_id, None, 0)
    return workshop


def open_wall(new_context, workshop, **options):
    page = browser_login(new_context(**options))
    page.goto(f"/workshops/{workshop.id}/wall")
    page.wait_for_selector("#connection[data-state=up]")
    page.wait_for_selector(".column-unsorted .card .suggest-hint")
    return page


def test_a_theme_hint_is_accepted_with_the_keyboard_and_recorded_as_a_suggestion(sorted_demo, new_context, live_server, token):
    page = open_wall(new_context, sorted_demo, viewport={"width": 1366, "height": 768})
    screenshot(page, "suggest-wall-laptop")
    card = page.locator(".column-unsorted .card:has(.suggest-hint)").first
    input_id = int(card.get_attribute("data-id"))
    theme_id = int(card.locator(".suggest-hint").first.get_attribute("data-theme-id"))
    seq = api_get(live_server, token, f"/workshops/{sorted_demo.id}")["seq"]
    card.focus()
    page.keyboard.press("a")
    snap = wait_until(
        lambda: api_get(live_server, token, f"/workshops/{sorted_demo.id}"),
        lambda s: input_id in next(t["input_ids"] for t in s["themes"] if t["id"] == theme_id),
    )
    assert input_id not in snap["unsorted"]
    events = api_get(live_server, token, f"/workshops/{sorted_demo.id}/events?since={seq}")["events"]
    assert [(e["type"], e["data"]["input_id"], e["data"].get("suggested")) for e in events] == [
        ("input.moved", input_id, True)
    ]
    # Focus stays on the moved card, which no longer carries a hint, and the move can be undone.
    page.wait_for_function(f"() => document.activeElement?.dataset.id === '{input_id}'")
    page.wait_for_function(
        f"() => !document.querySelector('.card[data-id=\"{input_id}\"] .suggest-hint')"
    )
    page.keyboard.press("Control+z")
    wait_until(lambda: api_get(live_server, token, f"/workshops/{sorted_demo.id}"), lambda s: input_id in s["unsorted"])


def test_more_like_this_moves_a_similar_input_into_the_cards_theme_by_keyboard(sorted_demo, new_context, live_server, token):
    page = open_wall(new_context, sorted_demo, viewport={"width": 1920, "height": 1080})
    snap = api_get(live_server, token, f"/workshops/{sorted_demo.id}")
    theme = snap["themes"][0]
    source = theme["input_ids"][0]
    page.locator(f'.card[data-id="{source}"]').focus()
    page.keyboard.press("l")
    page.wait_for_selector("#similar-dialog[open] .similar-item")
    screenshot(page, "suggest-more-like-this-projector")
    focused = page.evaluate("() => document.activeElement.closest('.similar-item')?.dataset.id")
    assert focused is not None
    moved = int(focused)
    page.keyboard.press("Enter")
    wait_until(
        lambda: api_get(live_server, token, f"/workshops/{sorted_demo.id}"),
        lambda s: moved in next(t["input_ids"] for t in s["themes"] if t["id"] == theme["id"]),
    )
    page.keyboard.press("Escape")
    page.wait_for_selector("#similar-dialog:not([open])", state="attached")


def test_the_identical_twin_is_flagged_and_one_action_places_a_card_next_to_it(sorted_demo, new_context, live_server, token):
    page = open_wall(new_context, sorted_demo, viewport={"width": 390, "height": 844})
    twins = page.locator(".suggest-twin:not([hidden]).is-same")
    twins.first.wait_for()
    assert twins.count() == 2
    card = twins.first.locator("xpath=ancestor::article[contains(@class,'card')]")
    screenshot(page, "suggest-wall-phone")
    input_id = int(card.get_attribute("data-id"))
    suggestions = api_get(live_server, token, f"/workshops/{sorted_demo.id}/suggestions")
    pair = next(d["input_ids"] for d in suggestions["duplicates"] if d["same"])
    other = pair[1] if pair[0] == input_id else pair[0]
    card.locator(".suggest-twin-place").click()
    snap = wait_until(
        lambda: api_get(live_server, token, f"/workshops/{sorted_demo.id}"),
        lambda s: any(
            input_id in c and other in c and abs(c.index(input_id) - c.index(other)) == 1
            for c in [s["unsorted"], *[t["input_ids"] for t in s["themes"]]]
        ),
    )
    assert snap
