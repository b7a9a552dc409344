"""Dot voting through the service layer and the HTTP API: rounds, allocations, caps, reveal, close."""

from __future__ import annotations

import pytest

from conftest import send
from facilitator import services
from facilitator.db import read_session
from facilitator import phone_keys
from facilitator.errors import ServiceError
from facilitator.models import Event, VoteAllocation
from facilitator.vote_queries import results


def phone(app, key: str):
    """A test client that is one phone: the server-issued key for phone id `key` travels as the phone cookie."""
    c = app.test_client()
    with app.test_request_context():
        c.set_cookie("phone", phone_keys.issue(key))
    return c


def vote(c, code, round_id, allocation):
    return c.put(f"/api/v1/join/{code}/votes", json={"round": round_id, "allocation": allocation})


def theme_ids(api, wid):
    return [t["id"] for t in api.get(f"/workshops/{wid}").json["themes"]]


# --- service ------------------------------------------------------------------


def test_a_round_on_themes_counts_dots_and_voters_and_ranks_ties_as_ties(app, user):
    w = services.create_workshop(user.id, "Prioritering", themes=["A", "B", "C"])
    r = services.open_vote_round(w.id, "themes", dots=5, per_item=3)
    a, b, c = r.item_ids
    services.cast_votes(w.join_code, "p1", r.id, {str(a): 3, str(b): 2})
    services.cast_votes(w.join_code, "p2", r.id, {str(b): 3, str(a): 2})
    services.cast_votes(w.join_code, "p3", r.id, {str(c): 1})
    with read_session() as s:
        data = results(s, s.get(type(r), r.id))
    assert data["voters"] == 3 and data["dots_cast"] == 11
    ranked = [(i["id"], i["votes"], i["voters"], i["rank"]) for i in data["items"]]
    assert ranked == [(a, 5, 2, 1), (b, 5, 2, 1), (c, 1, 1, 3)]


def test_an_allocation_is_replaced_as_a_whole_and_the_same_one_records_nothing(app, user):
    w = services.create_workshop(user.id, "W", themes=["A", "B"])
    r = services.open_vote_round(w.id, "themes")
    a, b = r.item_ids
    services.cast_votes(w.join_code, "p1", r.id, {str(a): 3})
    services.cast_votes(w.join_code, "p1", r.id, {str(b): 1})
    with read_session() as s:
        seq = s.get(type(w), w.id).seq
        assert results(s, s.get(type(r), r.id))["items"][0] == {"kind": "theme", "id": b, "votes": 1, "voters": 1, "rank": 1}
    services.cast_votes(w.join_code, "p1", r.id, {str(b): 1, str(a): 0})
    with read_session() as s:
        assert s.get(type(w), w.id).seq == seq
    # An empty allocation takes the phone out of the count.
    services.cast_votes(w.join_code, "p1", r.id, {})
    with read_session() as s:
        assert results(s, s.get(type(r), r.id))["voters"] == 0
        assert s.query(VoteAllocation).count() == 0


@pytest.mark.parametrize(
    "allocation, code, params",
    [
        ({"A": 3, "B": 3}, "vote_over_budget", {"used": 6, "budget": 5}),
        ({"A": 4}, "vote_over_item", {"dots": 4, "limit": 3}),
        ({"999999": 1}, "vote_unknown_item", {}),
        ({"A": -1}, "invalid", {}),
        ({"A": True}, "invalid", {}),
        ({"A": 1.5}, "invalid", {}),
    ],
)
def test_refusals_carry_their_numbers(app, user, allocation, code, params):
    w = services.create_workshop(user.id, "W", themes=["A", "B"])
    r = services.open_vote_round(w.id, "themes")
    names = dict(zip("AB", r.item_ids))
    allocation = {str(names.get(k, k)): v for k, v in allocation.items()}
    with pytest.raises(ServiceError) as refused:
        services.cast_votes(w.join_code, "p1", r.id, allocation)
    assert refused.value.code == code
    assert params.items() <= refused.value.params.items()


def test_a_round_on_inputs_takes_visible_inputs_in_board_order_and_refuses_hidden_ones(app, user):
    w = services.create_workshop(user.id, "W", themes=["A", "B"])
    services.set_status(w.id, "open")
    ids = [services.submit_input(w.join_code, f"input {n}", f"key-{n:08d}")[0].id for n in range(4)]
    with read_session() as s:
        theme_a = [t.id for t in s.query(services.themes.Theme).filter_by(workshop_id=w.id).order_by("position")][0]
    services.move_input(w.id, ids[2], theme_a, 0)
    services.hide_input(w.id, ids[3], "spam")
    r = services.open_vote_round(w.id, "inputs")
    assert r.item_ids == [ids[2], ids[0], ids[1]]
    only_a = None
    services.close_vote_round(w.id, r.id)
    only_a = services.open_vote_round(w.id, "inputs", theme_ids=[theme_a])
    assert only_a.item_ids == [ids[2]]
    services.hide_input(w.id, ids[2], "later")
    with pytest.raises(ServiceError) as refused:
        services.cast_votes(w.join_code, "p1", only_a.id, {str(ids[2]): 1})
    assert refused.value.code == "vote_unknown_item"


def test_one_open_round_at_a_time_and_closing_freezes_and_reveals(app, user):
    w = services.create_workshop(user.id, "W", themes=["A"])
    r = services.open_vote_round(w.id, "themes", reveal="on_close")
    assert not r.revealed
    with pytest.raises(ServiceError) as refused:
        services.open_vote_round(w.id, "themes")
    assert refused.value.code == "vote_round_open"
    services.cast_votes(w.join_code, "p1", r.id, {str(r.item_ids[0]): 2})
    closed = services.close_vote_round(w.id, r.id)
    assert closed.status == "closed" and closed.revealed and closed.results["dots_cast"] == 2
    with pytest.raises(ServiceError) as refused:
        services.cast_votes(w.join_code, "p1", r.id, {})
    assert refused.value.code == "vote_closed"
    # Closing again changes nothing and records nothing.
    with read_session() as s:
        seq = s.get(type(w), w.id).seq
    services.close_vote_round(w.id, r.id)
    with read_session() as s:
        assert s.get(type(w), w.id).seq == seq


def test_every_change_is_an_event_and_no_event_names_a_phone(app, user):
    w = services.create_workshop(user.id, "W", themes=["A", "B"])
    r = services.open_vote_round(w.id, "themes", reveal="live")
    services.cast_votes(w.join_code, "secret-phone-hash", r.id, {str(r.item_ids[0]): 1})
    services.reveal_vote_round(w.id, r.id)  # live: already revealed, no event
    services.close_vote_round(w.id, r.id)
    with read_session() as s:
        events = s.query(Event).filter_by(workshop_id=w.id).order_by(Event.seq).all()
    types = [e.type for e in events]
    assert types[-3:] == ["vote.opened", "vote.cast", "vote.closed"]
    assert all("secret-phone-hash" not in repr(e.data) for e in events)
    assert events[-2].data["items"][0]["votes"] == 1


def test_bad_rounds_are_refused(app, user):
    w = services.create_workshop(user.id, "W")
    for kwargs, code in [
        ({"on": "people"}, "invalid"),
        ({"on": "themes", "dots": 0}, "invalid"),
        ({"on": "themes", "dots": 3, "per_item": 4}, "invalid"),
        ({"on": "themes", "reveal": "never"}, "invalid"),
        ({"on": "themes", "theme_ids": [123456]}, "not_found"),
        ({"on": "themes"}, "vote_nothing"),
        ({"on": "inputs"}, "vote_nothing"),
    ]:
        with pytest.raises(ServiceError) as refused:
            services.open_vote_round(w.id, **kwargs)
        assert refused.value.code == code, kwargs


# --- HTTP ----------------------------------------------------------------------


def test_http_round_lifecycle_with_two_phones(app, api, workshop):
    wid, code = workshop["id"], workshop["join_code"]
    opened = api.post(f"/workshops/{wid}/vote-rounds", json={"on": "themes", "dots": 4, "per_item": 2, "reveal": "on_close"})
    assert opened.status_code == 201
    rid = opened.json["round"]["id"]
    alpha, beta = theme_ids(api, wid)
    assert [i["id"] for i in opened.json["round"]["items"]] == [alpha, beta]

    one, two = phone(app, "phone-one-0123456789"), phone(app, "phone-two-0123456789")
    state = one.get(f"/api/v1/join/{code}").json["vote"]
    assert state["id"] == rid and state["dots"] == 4 and state["per_item"] == 2
    assert [(i["kind"], i["title"]) for i in state["items"]] == [("theme", "Alpha"), ("theme", "Beta")]
    assert state["mine"] == {}

    answer = vote(one, code, rid, {str(alpha): 2, str(beta): 1})
    assert answer.status_code == 200 and answer.json["left"] == 1
    assert vote(two, code, rid, {str(beta): 2}).status_code == 200
    assert vote(one, code, rid, {str(alpha): 2, str(beta): 1}).status_code == 200  # a retry: same allocation
    assert one.get(f"/api/v1/join/{code}").json["vote"]["mine"] == {str(alpha): 2, str(beta): 1}

    got = api.get(f"/workshops/{wid}/vote-rounds/{rid}").json
    assert got["voters"] == 2 and got["dots_cast"] == 5
    assert [(i["kind"], i["id"], i["votes"], i["voters"]) for i in got["items"]] == [
        ("theme", beta, 3, 2),
        ("theme", alpha, 2, 1),
    ]
    closed = api.post(f"/workshops/{wid}/vote-rounds/{rid}/close", json={})
    assert closed.status_code == 200 and closed.json["round"]["status"] == "closed"
    refused = vote(two, code, rid, {})
    assert refused.status_code == 409 and refused.json["error"]["code"] == "vote_closed"
    assert one.get(f"/api/v1/join/{code}").json["vote"] is None


def test_http_refusals_are_in_the_phones_language_with_numbers(app, api, workshop):
    wid, code = workshop["id"], workshop["join_code"]
    rid = api.post(f"/workshops/{wid}/vote-rounds", json={"on": "themes"}).json["round"]["id"]
    alpha, beta = theme_ids(api, wid)
    p = phone(app, "phone-lang-0123456789")
    over = vote(p, code, rid, {str(alpha): 3, str(beta): 3})
    assert over.status_code == 400
    assert over.json["error"]["code"] == "vote_over_budget"
    assert over.json["error"]["used"] == 6 and over.json["error"]["budget"] == 5
    assert "6" in over.json["error"]["message"] and "5" in over.json["error"]["message"]
    assert "prikker" in over.json["error"]["message"]  # the workshop is Danish
    cap = vote(p, code, rid, {str(alpha): 4})
    assert cap.status_code == 400 and cap.json["error"]["limit"] == 3 and cap.json["error"]["dots"] == 4
    unknown = vote(p, code, rid, {"nope": 1})
    assert unknown.status_code == 400 and unknown.json["error"]["code"] == "vote_unknown_item"
    assert vote(p, code, 999999, {}).status_code == 404
    keyless = app.test_client()
    refused = vote(keyless, code, rid, {})
    assert refused.status_code == 400 and refused.json["error"]["code"] == "vote_no_phone"


def test_http_round_on_inputs_never_shows_phones_hidden_inputs(app, api, client, workshop):
    wid, code = workshop["id"], workshop["join_code"]
    ids = [send(client, code, f"idé {n}").json["id"] for n in range(3)]
    api.post(f"/workshops/{wid}/inputs/{ids[1]}/hide", json={"reason": "spam"})
    rid = api.post(f"/workshops/{wid}/vote-rounds", json={"on": "inputs", "reveal": "live"}).json["round"]["id"]
    state = phone(app, "phone-inputs-0123456789").get(f"/api/v1/join/{code}").json["vote"]
    assert [i["text"] for i in state["items"]] == ["idé 0", "idé 2"]
    assert state["groups"] == [{"theme_id": None, "title": None, "item_ids": [ids[0], ids[2]]}]
    assert "idé 1" not in repr(phone(app, "phone-inputs-0123456789").get(f"/api/v1/join/{code}").json)
    assert api.get(f"/workshops/{wid}/vote-rounds/{rid}").json["voters"] == 0


def test_http_rounds_need_the_facilitator(app, api, client, workshop, other_user):
    wid = workshop["id"]
    assert client.post(f"/api/v1/workshops/{wid}/vote-rounds", json={"on": "themes"}).status_code == 401
    token, _row = services.create_token(other_user.id, "other")
    stranger = client.post(
        f"/api/v1/workshops/{wid}/vote-rounds", json={"on": "themes"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert stranger.status_code == 404
    assert api.post(f"/workshops/{wid}/vote-rounds", json={"on": "themes", "dots": "five"}).status_code == 400


def test_http_reveal_and_projector_results(app, api, workshop):
    wid, code = workshop["id"], workshop["join_code"]
    rid = api.post(f"/workshops/{wid}/vote-rounds", json={"on": "themes"}).json["round"]["id"]
    alpha, _beta = theme_ids(api, wid)
    vote(phone(app, "phone-reveal-0123456789"), code, rid, {str(alpha): 3})
    secret = api.get(f"/workshops/{wid}").json["projector_url"].rsplit("/", 1)[1]
    c = app.test_client()
    assert c.get(f"/p/{secret}/votes.json").json["rounds"] == []
    assert c.get(f"/p/{secret}/votes/{rid}.svg").status_code == 404
    assert api.post(f"/workshops/{wid}/vote-rounds/{rid}/reveal", json={}).json["round"]["revealed"] is True
    shown = c.get(f"/p/{secret}/votes.json").json["rounds"][0]
    assert [(i["label"], i["votes"], i["rank"]) for i in shown["items"]] == [("Alpha", 3, 1), ("Beta", 0, 2)]
    svg = c.get(f"/p/{secret}/votes/{rid}.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"Alpha" in svg.data
    wall_svg = api.get(f"/workshops/{wid}/vote-rounds/{rid}/chart.svg")
    assert wall_svg.status_code == 200 and b"<svg" in wall_svg.data


def test_a_purge_deletes_the_allocations_and_keeps_the_frozen_totals(app, user):
    w = services.create_workshop(user.id, "W", themes=["A", "B"])
    r = services.open_vote_round(w.id, "themes")
    services.cast_votes(w.join_code, "p1", r.id, {str(r.item_ids[1]): 2})
    services.set_status(w.id, "closed")
    services.purge_workshop(w.id)
    with read_session() as s:
        assert s.query(VoteAllocation).count() == 0
        round_ = s.get(type(r), r.id)
        assert round_.status == "closed" and results(s, round_)["dots_cast"] == 2


@pytest.mark.parametrize(
    "payload",
    [
        {"round": "1", "allocation": {}},
        {"round": None, "allocation": {}},
        {"allocation": {}},
        {"round": 0, "allocation": []},
        {"round": 0, "allocation": {"1e5": 1}},
        {"round": 0, "allocation": {"٥": 1}},
        {"round": 0, "allocation": {"THEME": 10**30}},
        {"round": 0, "allocation": {"THEME": None}},
        {"round": 0, "allocation": "all"},
        [],
    ],
)
def test_http_odd_vote_bodies_are_refused_never_a_500(app, api, workshop, payload):
    wid, code = workshop["id"], workshop["join_code"]
    rid = api.post(f"/workshops/{wid}/vote-rounds", json={"on": "themes"}).json["round"]["id"]
    alpha = theme_ids(api, wid)[0]
    if isinstance(payload, dict):
        payload = {k: (rid if v == 0 and k == "round" else v) for k, v in payload.items()}
        if isinstance(payload.get("allocation"), dict):
            payload["allocation"] = {str(alpha) if k == "THEME" else k: v for k, v in payload["allocation"].items()}
    answer = phone(app, "phone-odd-0123456789").put(f"/api/v1/join/{code}/votes", json=payload)
    assert answer.status_code in (400, 404), answer.json
    assert set(answer.json["error"]) >= {"code", "message"}
