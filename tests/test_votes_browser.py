"""Dot voting in real Chromium: a phone votes with the keyboard only, offline then online;
the wall opens, reveals and closes a round; the projector shows the ranked results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import PHONE, browser_login, screenshot, sqlite_only
from facilitator import services
from facilitator.db import read_session
from facilitator.models import VoteRound
from facilitator.vote_queries import results

pytestmark = [pytest.mark.browser, sqlite_only]

SEED = Path(__file__).resolve().parent.parent / "facilitator" / "data" / "seed-workshop.json"


@pytest.fixture
def themed(user):
    """The reference workshop's four themes with their summaries, open."""
    seed = json.loads(SEED.read_text(encoding="utf-8"))
    w = services.create_workshop(user.id, seed["title"], language="da", themes=[t["title"] for t in seed["themes"]])
    with read_session() as s:
        ids = [t.id for t in s.query(services.themes.Theme).filter_by(workshop_id=w.id).order_by("position")]
    for theme_id, theme in zip(ids, seed["themes"]):
        services.update_theme(w.id, theme_id, {"summary": theme.get("summary", "")[:300]})
    services.set_status(w.id, "open")
    return w, ids


def tally(round_id):
    with read_session() as s:
        return {i["id"]: i["votes"] for i in results(s, s.get(VoteRound, round_id))["items"]}


def test_a_phone_votes_with_the_keyboard_only_and_offline_then_online(new_context, themed):
    w, ids = themed
    r = services.open_vote_round(w.id, "themes", dots=5, per_item=3)
    context = new_context(**PHONE)
    page = context.new_page()
    page.goto(f"/j/{w.join_code}")
    page.wait_for_selector("#vote:not([hidden]) .vote-item")
    assert page.locator(".vote-item").count() == 4
    assert page.inner_text("#vote-left") == "5 af 5 prikker tilbage"

    # Tab to the first item's "+" and press Enter three times, once more: the cap says no.
    plus = page.locator(".vote-item").nth(0).locator(".vote-plus")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.classList.contains('vote-plus')"):
            break
    assert page.evaluate("() => document.activeElement.closest('.vote-item').dataset.id") == str(ids[0])
    for _ in range(4):
        page.keyboard.press("Enter")
    assert page.inner_text(".vote-item >> nth=0 >> .vote-dots") == "3 prikker"
    assert page.inner_text("#vote-error") == "Der kan højst sættes 3 prikker på ét punkt."
    assert plus.get_attribute("aria-disabled") == "true"
    page.wait_for_function("() => document.getElementById('vote-sync').textContent.includes('gemt')")
    assert tally(r.id)[ids[0]] == 3

    # Offline: two dots on the second theme via Tab and Space; kept on the phone, nothing reaches the server.
    context.set_offline(True)
    page.keyboard.press("Tab")  # the next item's "−"
    page.keyboard.press("Tab")  # its output is not focusable; this is its "+"
    assert page.evaluate("() => document.activeElement.classList.contains('vote-plus')")
    page.keyboard.press("Space")
    page.keyboard.press("Space")
    assert page.inner_text("#vote-left") == "0 af 5 prikker tilbage"
    page.wait_for_function("() => document.getElementById('vote-sync').textContent.includes('Ingen forbindelse')")
    screenshot(page, "phone-vote-offline")
    assert tally(r.id)[ids[1]] == 0
    # The allocation survives a reload while offline? The page cannot load offline; the storage holds it.
    stored = page.evaluate(f"() => JSON.parse(localStorage.getItem('facilitator:vote:{w.join_code}:{r.id}'))")
    assert stored == {"allocation": {str(ids[0]): 3, str(ids[1]): 2}, "synced": False}

    context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.wait_for_function("() => document.getElementById('vote-sync').textContent.includes('gemt')")
    assert tally(r.id) == {ids[0]: 3, ids[1]: 2, ids[2]: 0, ids[3]: 0}

    # Take one dot back with the keyboard: Shift+Tab to the "−", Enter.
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("() => document.activeElement.classList.contains('vote-minus')")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('vote-left').textContent.startsWith('1 af')")
    page.wait_for_function("() => document.getElementById('vote-sync').textContent.includes('gemt')")
    assert tally(r.id)[ids[1]] == 1
    screenshot(page, "phone-vote")

    # A reload starts from the server's copy of this phone's dots.
    page.reload()
    page.wait_for_selector(".vote-item")
    page.wait_for_function("() => document.getElementById('vote-left').textContent.startsWith('1 af')")

    services.close_vote_round(w.id, r.id)
    page.wait_for_function("() => document.getElementById('vote-sync').textContent.includes('lukket')")
    assert page.locator(".vote-item").count() == 0


def test_the_wall_opens_and_closes_a_round_and_the_projector_shows_ranked_results(new_context, themed):
    w, ids = themed
    laptop = new_context(viewport={"width": 1366, "height": 768})
    wall = browser_login(laptop)
    wall.goto(f"/workshops/{w.id}/wall")
    wall.wait_for_selector(".column")
    projector = new_context(viewport={"width": 1920, "height": 1080}).new_page()
    projector.goto(f"/p/{w.projector_secret}")
    projector.wait_for_selector("#projector[data-pages]")

    wall.click("#vote-panel summary")
    wall.fill("input[name=dots]", "6")
    wall.click("#vote-open")
    wall.wait_for_selector(".vote-round[data-status=open]")
    with read_session() as s:
        r = s.query(VoteRound).filter_by(workshop_id=w.id).one()
        assert (r.on, r.dots, r.per_item, r.reveal) == ("themes", 6, 3, "on_close")
    projector.wait_for_selector("#projector-votes:not([hidden])")
    assert projector.is_hidden("#projector-votes-results")

    plan = [{ids[2]: 3, ids[0]: 2}, {ids[2]: 3, ids[1]: 3}, {ids[0]: 3, ids[3]: 1}, {ids[2]: 1}]
    for n, allocation in enumerate(plan):
        services.cast_votes(w.join_code, f"phone-hash-{n}", r.id, {str(k): v for k, v in allocation.items()})
    wall.wait_for_function("() => document.querySelector('.vote-round .vote-round-meta').textContent.includes('4 phones voted')")
    assert wall.inner_text(".vote-round tbody tr >> nth=0 >> .vote-votes") == "7"
    projector.wait_for_function("() => document.getElementById('projector-votes-line').textContent.includes('4')")
    assert projector.is_hidden("#projector-votes-results")  # not revealed yet
    screenshot(wall, "wall-vote-open")

    wall.click(".vote-round .vote-close")
    projector.wait_for_selector("#projector-votes-results:not([hidden]) tbody tr")
    rows = projector.eval_on_selector_all(
        "#projector-votes tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))"
    )
    with read_session() as s:
        titles = [t.title for t in services.board.themes(s, w.id)]
    assert rows == [
        ["1", titles[2], "7", "3"],
        ["2", titles[0], "5", "2"],
        ["3", titles[1], "3", "1"],
        ["4", titles[3], "1", "1"],
    ]
    projector.wait_for_function("() => document.querySelector('#projector-votes .vote-chart').complete && document.querySelector('#projector-votes .vote-chart').naturalWidth > 0")
    screenshot(projector, "projector-vote-results")
    screenshot(wall, "wall-vote-closed")

    # Switching the projector view puts the results away.
    wall.click("[data-projector-view=themes]")
    projector.wait_for_selector("#projector-votes", state="hidden")


def test_the_timer_shows_the_same_time_on_phone_projector_and_wall_across_a_reload(new_context, themed):
    w, _ids = themed
    services.set_timer(w.id, "start", 300)
    services.set_timer(w.id, "pause")
    with read_session() as s:
        from facilitator.models import WorkshopTimer

        left = s.get(WorkshopTimer, w.id).remaining_ms
    seconds = -(-left // 1000)
    shown = f"{seconds // 60}:{seconds % 60:02d}"
    phone = new_context(**PHONE).new_page()
    phone.goto(f"/j/{w.join_code}")
    phone.wait_for_selector("#phone-timer:not([hidden])")
    projector = new_context(viewport={"width": 1920, "height": 1080}).new_page()
    projector.goto(f"/p/{w.projector_secret}")
    projector.wait_for_selector("#projector-timer:not([hidden])")
    laptop = new_context(viewport={"width": 1366, "height": 768})
    wall = browser_login(laptop)
    wall.goto(f"/workshops/{w.id}/wall")
    wall.wait_for_selector("#wall-timer:not([hidden])")
    for page, sel in ((phone, "#phone-timer"), (projector, "#projector-timer"), (wall, "#wall-timer")):
        assert page.inner_text(f"{sel} .timer-time") == shown
        assert page.get_attribute(sel, "data-state") == "paused"
    # Extend from the wall (+1 minute): phone and projector follow; after a reload they still agree.
    wall.click("#timer-panel summary")
    wall.click("[data-timer=extend]")
    seconds += 60
    later = f"{seconds // 60}:{seconds % 60:02d}"
    phone.wait_for_function(f"() => document.querySelector('#phone-timer .timer-time').textContent === '{later}'")
    projector.wait_for_function(f"() => document.querySelector('#projector-timer .timer-time').textContent === '{later}'")
    phone.reload()
    phone.wait_for_function(f"() => document.querySelector('#phone-timer .timer-time').textContent === '{later}'")
    screenshot(phone, "phone-timer")
    screenshot(projector, "projector-timer")
    # Resume: the countdown runs (the server's end time; no assertion on how fast).
    wall.click("[data-timer=resume]")
    phone.wait_for_function("() => document.getElementById('phone-timer').dataset.state === 'running'")
    projector.wait_for_function("() => document.getElementById('projector-timer').dataset.state === 'running'")
