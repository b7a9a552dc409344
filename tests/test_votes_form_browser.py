"""Voting with JavaScript off in real Chromium: the phone page's plain form places dots, a refusal
comes back on the same page in the phone's language with the choice kept, and the page is axe-clean."""

from __future__ import annotations

import re

import pytest

from conftest import PHONE, screenshot, sqlite_only
from facilitator import services
from facilitator.db import read_session
from facilitator.models import VoteRound
from facilitator.vote_queries import results
from test_accessibility import assert_accessible

pytestmark = [pytest.mark.browser, sqlite_only]


def tally(round_id):
    with read_session() as s:
        return {i["id"]: i["votes"] for i in results(s, s.get(VoteRound, round_id))["items"]}


def test_a_phone_without_javascript_votes_through_the_plain_form(new_context, user):
    w = services.create_workshop(user.id, "Plenum", language="da", themes=["Trafik", "Skole", "Kultur"])
    services.set_status(w.id, "open")
    r = services.open_vote_round(w.id, "themes", dots=5, per_item=3)
    a, b, c = r.item_ids
    page = new_context(java_script_enabled=False, **PHONE).new_page()
    page.goto(f"/j/{w.join_code}")
    assert page.is_visible("#vote-form") and page.is_hidden("#vote")  # the script's section stays hidden
    assert page.inner_text("#vote-form-heading") == "Afstemning: hvilke temaer er vigtigst?"

    # Over the budget: the same page again, the refusal with its numbers, the choice kept.
    page.fill(f"#vote-form-dots-{a}", "3")
    page.fill(f"#vote-form-dots-{b}", "3")
    page.click("#vote-form-save")
    page.wait_for_selector("#vote-form-error")
    message = page.inner_text("#vote-form-error")
    assert "6" in message and "5" in message and "prikker" in message
    assert page.input_value(f"#vote-form-dots-{a}") == "3" and page.input_value(f"#vote-form-dots-{b}") == "3"
    assert tally(r.id) == {a: 0, b: 0, c: 0}
    screenshot(page, "phone-vote-form-refused")

    # The browser's own checks (no script) keep more than 3 dots off one item.
    page.fill(f"#vote-form-dots-{b}", "4")
    assert page.locator(f"#vote-form-dots-{b}:out-of-range").count() == 1
    page.fill(f"#vote-form-dots-{b}", "2")
    page.click("#vote-form-save")
    page.wait_for_selector("#vote-form-saved")
    assert tally(r.id) == {a: 3, b: 2, c: 0}
    assert page.inner_text("#vote-form-placed") == "5 af 5 prikker placeret"
    assert page.input_value(f"#vote-form-dots-{a}") == "3" and page.input_value(f"#vote-form-dots-{b}") == "2"

    # The round closes while the page is open: the next save says so.
    services.close_vote_round(w.id, r.id)
    page.fill(f"#vote-form-dots-{c}", "0")
    page.click("#vote-form-save")
    page.wait_for_selector("#vote-form-error")
    assert page.inner_text("#vote-form-error") == "Afstemningen er lukket; prikkerne kan ikke længere ændres."
    assert tally(r.id) == {a: 3, b: 2, c: 0}


def as_without_javascript(route):
    """The page as a phone without JavaScript gets it: <noscript> content shown, no script loaded."""
    response = route.fetch()
    body = response.text()
    body = body.replace("<noscript>", "").replace("</noscript>", "")
    body = re.sub(r'<script[^>]*src="[^"]*"[^>]*></script>', "", body)
    route.fulfill(response=response, body=body)


def test_the_plain_vote_form_and_its_refusal_are_accessible(new_context, user):
    # axe needs a script; it runs in a page that is what a phone without JavaScript renders.
    w = services.create_workshop(user.id, "Plenum", language="da", themes=["Trafik", "Skole"])
    services.set_status(w.id, "open")
    r = services.open_vote_round(w.id, "themes", dots=3, per_item=2)
    page = new_context(**PHONE).new_page()
    page.route(re.compile(r"/j/"), as_without_javascript)
    page.goto(f"/j/{w.join_code}")
    page.wait_for_selector("#vote-form")
    assert page.is_hidden("#vote")
    assert_accessible(page, "phone vote form without JavaScript")
    page.fill(f"#vote-form-dots-{r.item_ids[0]}", "2")
    page.fill(f"#vote-form-dots-{r.item_ids[1]}", "2")
    page.click("#vote-form-save")
    page.wait_for_selector("#vote-form-error")
    assert_accessible(page, "phone vote form with a refusal")
