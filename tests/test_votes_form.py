"""Voting without JavaScript: the phone page's plain vote form, its refusals, and the workshop cap on votes.

The form posts to the same service as `PUT /api/v1/join/<code>/votes`; every
refusal renders the phone page again in the phone's language, with the
fields as the phone sent them.
"""

from __future__ import annotations

import html
import re

import pytest

from conftest import send
from facilitator import phone_keys, services
from facilitator.db import read_session
from facilitator.models import VoteAllocation, VoteRound
from facilitator.vote_queries import results


def phone(app, key: str):
    """A test client that is one phone, holding the server-issued key for phone id `key`."""
    c = app.test_client()
    with app.test_request_context():
        c.set_cookie("phone", phone_keys.issue(key))
    return c


def form_of(page: str) -> dict:
    """The vote form's fields on a phone page: {"csrf_token", "round", "dots-<id>": value}, in order."""
    section = re.search(r'<section id="vote-form".*?</section>', page, re.S)
    assert section, "the page has no vote form"
    fields = {}
    for tag in re.findall(r"<input[^>]*>", section.group(0)):
        name = re.search(r'name="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = html.unescape(value.group(1)) if value else ""
    return fields


def vote_error(page: str) -> str | None:
    found = re.search(r'<p class="error" role="alert" id="vote-form-error">(.*?)</p>', page, re.S)
    return html.unescape(found.group(1)) if found else None


def stored(round_id: int) -> dict:
    with read_session() as s:
        return results(s, s.get(VoteRound, round_id))


@pytest.fixture
def room(user):
    """An open Danish workshop with two themes and a round on them (5 dots, at most 3 on one)."""
    w = services.create_workshop(user.id, "Plenum", language="da", themes=["Trafik", "Skole"])
    services.set_status(w.id, "open")
    r = services.open_vote_round(w.id, "themes", dots=5, per_item=3)
    return w, r


def page_and_form(c, code: str, query: str = ""):
    page = c.get(f"/j/{code}{query}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    return text, form_of(text)


def test_the_form_shows_the_open_round_and_places_the_phones_dots(app, room):
    w, r = room
    a, b = r.item_ids
    p = phone(app, "phone-form-0123456789")
    text, fields = page_and_form(p, w.join_code)
    assert "<noscript>" in text and 'action="/j/%s/votes"' % w.join_code in text
    assert "Trafik" in text and "Skole" in text
    assert fields["round"] == str(r.id) and fields[f"dots-{a}"] == "0" and fields[f"dots-{b}"] == "0"
    assert 'max="3"' in text

    answer = p.post(f"/j/{w.join_code}/votes", data={**fields, f"dots-{a}": "3", f"dots-{b}": "2"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/j/{w.join_code}?voted=1#vote-form")
    got = stored(r.id)
    assert got["voters"] == 1 and got["dots_cast"] == 5
    assert {i["id"]: i["votes"] for i in got["items"]} == {a: 3, b: 2}

    # Back on the page: saved, and the fields hold the stored dots (the same allocation the script's PUT replaces).
    text, fields = page_and_form(p, w.join_code, "?voted=1")
    assert 'id="vote-form-saved"' in text and fields[f"dots-{a}"] == "3" and fields[f"dots-{b}"] == "2"
    assert "5 af 5 prikker placeret" in text
    put = p.put(f"/api/v1/join/{w.join_code}/votes", json={"round": r.id, "allocation": {str(b): 1}})
    assert put.status_code == 200
    _text, fields = page_and_form(p, w.join_code)
    assert fields[f"dots-{a}"] == "0" and fields[f"dots-{b}"] == "1"
    # An empty field is no dots; all zero takes the phone out of the count.
    assert p.post(f"/j/{w.join_code}/votes", data={**fields, f"dots-{b}": ""}).status_code == 302
    assert stored(r.id)["voters"] == 0
    with read_session() as s:
        assert s.query(VoteAllocation).count() == 0


@pytest.mark.parametrize(
    "change, status, words",
    [
        ({"A": "3", "B": "3"}, 400, ["6", "5", "prikker"]),  # over the budget: the numbers are in the message
        ({"A": "4"}, 400, ["3", "4"]),  # over the per-item cap
        ({"999999": "1"}, 400, ["ikke længere"]),  # an item that is not in the vote
        ({"A": "to"}, 400, ["helt tal"]),  # not a number
        ({"A": "-1"}, 400, ["helt tal"]),
    ],
)
def test_each_refusal_renders_the_page_again_with_the_choice_kept(app, room, change, status, words):
    w, r = room
    names = dict(zip("AB", r.item_ids))
    p = phone(app, "phone-refused-0123456789")
    _text, fields = page_and_form(p, w.join_code)
    sent = {**fields, **{f"dots-{names.get(k, k)}": v for k, v in change.items()}}
    answer = p.post(f"/j/{w.join_code}/votes", data=sent)
    assert answer.status_code == status
    text = answer.get_data(as_text=True)
    message = vote_error(text)
    assert message and all(word in message for word in words), message
    assert 'lang="da"' in text
    kept = form_of(text)
    for item in r.item_ids:
        assert kept[f"dots-{item}"] == sent[f"dots-{item}"]
    assert stored(r.id)["voters"] == 0


def test_the_phones_own_language_and_a_closed_round(app, room):
    w, r = room
    a, _b = r.item_ids
    p = phone(app, "phone-english-0123456789")
    _text, fields = page_and_form(p, w.join_code, "?lang=en")
    over = p.post(f"/j/{w.join_code}/votes", data={**fields, f"dots-{a}": "4"})
    assert over.status_code == 400
    assert vote_error(over.get_data(as_text=True)).startswith("At most 3 dots can go on one item; you placed 4 there.")

    services.close_vote_round(w.id, r.id)
    closed = p.post(f"/j/{w.join_code}/votes", data={**fields, f"dots-{a}": "1"})
    assert closed.status_code == 409
    text = closed.get_data(as_text=True)
    assert vote_error(text) == "This vote has closed; dots can no longer be changed."
    assert 'name="dots-' not in text  # no form for a round that is over
    assert stored(r.id)["voters"] == 0
    # The next round's form is the next round's, whatever an old page posts.
    nxt = services.open_vote_round(w.id, "themes")
    again = p.post(f"/j/{w.join_code}/votes", data={**fields, f"dots-{a}": "1"})
    assert again.status_code == 409 and form_of(again.get_data(as_text=True))["round"] == str(nxt.id)


def test_a_post_without_the_csrf_token_or_the_phone_key_changes_nothing(app, room):
    w, r = room
    a, _b = r.item_ids
    p = phone(app, "phone-csrf-0123456789")
    _text, fields = page_and_form(p, w.join_code)
    for token in (None, "forged"):
        data = {**fields, f"dots-{a}": "2"}
        if token is None:
            del data["csrf_token"]
        else:
            data["csrf_token"] = token
        refused = p.post(f"/j/{w.join_code}/votes", data=data)
        assert refused.status_code == 403
    # A phone without a session at all is refused before its body is read.
    assert phone(app, "phone-stranger-0123456789").post(f"/j/{w.join_code}/votes", data={f"dots-{a}": "2"}).status_code == 403
    assert stored(r.id)["voters"] == 0

    # A phone whose key the server did not issue is told so; the page it gets issues one, and then it votes.
    keyless = app.test_client()
    _text, fields = page_and_form(keyless, w.join_code)
    keyless.delete_cookie("phone")
    refused = keyless.post(f"/j/{w.join_code}/votes", data={**fields, f"dots-{a}": "2"})
    assert refused.status_code == 400 and "genkendes" in vote_error(refused.get_data(as_text=True))
    assert "phone=" in refused.headers.get("Set-Cookie", "")
    assert form_of(refused.get_data(as_text=True))[f"dots-{a}"] == "2"
    assert keyless.post(f"/j/{w.join_code}/votes", data={**fields, f"dots-{a}": "2"}).status_code == 302
    assert stored(r.id)["voters"] == 1


def test_a_round_on_inputs_offers_visible_inputs_by_theme_and_never_a_hidden_one(app, user):
    w = services.create_workshop(user.id, "Plenum", language="en", themes=["Traffic"])
    services.set_status(w.id, "open")
    ids = [services.submit_input(w.join_code, f"idea {n}", f"key-{n:08d}")[0].id for n in range(3)]
    with read_session() as s:
        theme = s.query(services.themes.Theme).filter_by(workshop_id=w.id).one().id
    services.move_input(w.id, ids[0], theme, 0)
    services.hide_input(w.id, ids[2], "spam")
    r = services.open_vote_round(w.id, "inputs")
    p = phone(app, "phone-inputs-0123456789")
    text, fields = page_and_form(p, w.join_code)
    assert "idea 2" not in text
    assert [k for k in fields if k.startswith("dots-")] == [f"dots-{ids[0]}", f"dots-{ids[1]}"]
    assert re.search(r"<h3[^>]*>Traffic</h3>.*idea 0.*<h3[^>]*>Unsorted</h3>.*idea 1", text, re.S)
    # Hidden after the page was loaded: a dot there is refused, the others are kept on the page.
    services.hide_input(w.id, ids[1], "later")
    refused = p.post(f"/j/{w.join_code}/votes", data={**fields, f"dots-{ids[0]}": "1", f"dots-{ids[1]}": "1"})
    assert refused.status_code == 400 and "no longer in this vote" in vote_error(refused.get_data(as_text=True))
    assert form_of(refused.get_data(as_text=True)) == {
        "csrf_token": fields["csrf_token"], "round": str(r.id), f"dots-{ids[0]}": "1",
    }


def test_no_round_no_form(app, user):
    w = services.create_workshop(user.id, "Plenum", language="da")
    services.set_status(w.id, "open")
    assert 'id="vote-form"' not in phone(app, "phone-none-0123456789").get(f"/j/{w.join_code}").get_data(as_text=True)


# --- the workshop's cap counts votes too -------------------------------------------


def test_the_workshop_cap_counts_inputs_and_votes_from_any_mix_of_phones(limited, room, user):
    w, r = room
    a, _b = r.item_ids
    app = limited(RATELIMIT_WORKSHOP="4/minute")
    code = w.join_code
    phones = [phone(app, f"phone-cap-{n}-0123456789") for n in range(5)]
    assert send(phones[0], code, "et input").status_code == 201
    answers = [p.put(f"/api/v1/join/{code}/votes", json={"round": r.id, "allocation": {str(a): 1}}) for p in phones[1:4]]
    assert [x.status_code for x in answers] == [200, 200, 200]
    refused = phones[4].put(f"/api/v1/join/{code}/votes", json={"round": r.id, "allocation": {str(a): 1}})
    assert refused.status_code == 429 and refused.json["error"]["code"] == "vote_busy"
    assert refused.headers["Retry-After"].isdigit()
    assert "prikker" in refused.json["error"]["message"]  # the workshop's language
    # The cap is shared: inputs are refused now too, and the plain form keeps the phone's choice.
    assert send(phones[0], code, "et til").status_code == 429
    _text, fields = page_and_form(phones[4], code)
    form = phones[4].post(f"/j/{code}/votes", data={**fields, f"dots-{a}": "2"})
    assert form.status_code == 429 and form.headers["Retry-After"].isdigit()
    assert "prikker" in vote_error(form.get_data(as_text=True))
    assert form_of(form.get_data(as_text=True))[f"dots-{a}"] == "2"
    with app.app_context():
        assert stored(r.id)["voters"] == 3
        # Another workshop is not held up by this one's crowd.
        other = services.create_workshop(user.id, "Andet rum", themes=["X"])
        services.set_status(other.id, "open")
        other_round = services.open_vote_round(other.id, "themes")
    assert phones[4].put(
        f"/api/v1/join/{other.join_code}/votes", json={"round": other_round.id, "allocation": {str(other_round.item_ids[0]): 1}}
    ).status_code == 200
