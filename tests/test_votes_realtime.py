"""Dot voting with real Socket.IO clients and real phones over HTTP against a running server."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from facilitator import services
from facilitator.db import read_session
from facilitator.models import Event
from facilitator.vote_queries import results
from test_realtime import Listener


@pytest.fixture
def room(user, token):
    w = services.create_workshop(user.id, "Afstemning", themes=["A", "B", "C"])
    services.set_status(w.id, "open")
    return w


def a_phone(url: str, code: str) -> requests.Session:
    """One phone: its own cookie jar, holding the phone key the server issues with the join state."""
    s = requests.Session()
    answer = s.get(f"{url}/api/v1/join/{code}", timeout=30)
    assert answer.status_code == 200 and s.cookies.get("phone") == answer.json()["phone_key"]
    return s


def put(phone, url, code, round_id, allocation):
    return phone.put(f"{url}/api/v1/join/{code}/votes", json={"round": round_id, "allocation": allocation}, timeout=30)


def test_walls_see_every_tally_the_projector_only_once_revealed_and_phones_what_they_vote_on(live_server, room, token):
    url, code = live_server.url, room.join_code
    wall = Listener(url, {"role": "wall", "workshop": room.id, "token": token})
    projector = Listener(url, {"role": "projector", "secret": room.projector_secret})
    phone_socket = Listener(url, {"role": "participant", "code": code})
    try:
        phone_socket.wait_for(lambda l: l.states)
        assert phone_socket.states[-1]["vote"] is None
        r = services.open_vote_round(room.id, "themes", dots=5, per_item=3, reveal="on_close")
        phone_socket.wait_for(lambda l: l.states[-1]["vote"] is not None)
        vote = phone_socket.states[-1]["vote"]
        assert [i["title"] for i in vote["items"]] == ["A", "B", "C"] and vote["dots"] == 5
        assert "mine" not in vote  # a broadcast holds no phone's allocation

        a, b, _c = r.item_ids
        phone = a_phone(url, code)
        assert put(phone, url, code, r.id, {str(a): 3, str(b): 1}).status_code == 200
        wall.wait_for(lambda l: any(e["type"] == "vote.cast" for e in l.events))
        projector.wait_for(lambda l: any(e["type"] == "vote.cast" for e in l.events))
        cast = [e for e in wall.events if e["type"] == "vote.cast"][-1]["data"]
        assert cast["dots_cast"] == 4 and cast["voters"] == 1 and cast["items"][0] == {"kind": "theme", "id": a, "votes": 3, "voters": 1, "rank": 1}
        hidden = [e for e in projector.events if e["type"] == "vote.cast"][-1]["data"]
        assert hidden == {"round_id": r.id, "voters": 1, "revealed": False}

        services.reveal_vote_round(room.id, r.id)
        projector.wait_for(lambda l: any(e["type"] == "vote.revealed" for e in l.events))
        assert [e for e in projector.events if e["type"] == "vote.revealed"][-1]["data"]["dots_cast"] == 4
        assert put(phone, url, code, r.id, {str(b): 2}).status_code == 200
        projector.wait_for(lambda l: [e for e in l.events if e["type"] == "vote.cast"][-1]["data"].get("dots_cast") == 2)

        services.close_vote_round(room.id, r.id)
        phone_socket.wait_for(lambda l: l.states[-1]["vote"] is None)
        projector.wait_for(lambda l: any(e["type"] == "vote.closed" for e in l.events))
        closed = [e for e in projector.events if e["type"] == "vote.closed"][-1]["data"]
        assert closed["items"][0]["id"] == b and closed["items"][0]["votes"] == 2
        # Walls and projector saw one gap-free sequence (they converge by applying it in order).
        # The close reaches each room in its own emit: wait for the wall's too before comparing.
        wall.wait_for(lambda l: any(e["type"] == "vote.closed" for e in l.events))
        seqs = [e["seq"] for e in wall.events]
        assert seqs == sorted(seqs) and seqs == list(range(seqs[0], seqs[0] + len(seqs)))
        assert [e["seq"] for e in projector.events] == seqs
    finally:
        for listener in (wall, projector, phone_socket):
            listener.close()


def test_a_reconnecting_wall_gets_the_vote_events_it_missed_and_the_rounds_in_its_snapshot(live_server, room, token):
    url = live_server.url
    wall = Listener(url, {"role": "wall", "workshop": room.id, "token": token})
    seen = wall.sync(None)["snapshot"]["seq"]
    wall.close()
    r = services.open_vote_round(room.id, "themes")
    services.cast_votes(room.join_code, "hash-1", r.id, {str(r.item_ids[0]): 2})
    back = Listener(url, {"role": "wall", "workshop": room.id, "token": token})
    try:
        assert [e["type"] for e in back.sync(seen)["events"]] == ["vote.opened", "vote.cast"]
        snap = back.sync(None)["snapshot"]
        assert snap["vote_rounds"][0]["results"]["dots_cast"] == 2
        projector = Listener(url, {"role": "projector", "secret": room.projector_secret})
        try:
            assert "results" not in projector.sync(None)["snapshot"]["vote_rounds"][0]
        finally:
            projector.close()
    finally:
        back.close()


def test_a_hundred_phones_allocating_at_once_totals_exact_none_over_budget(live_server, room, token):
    url, code = live_server.url, room.join_code
    r = services.open_vote_round(room.id, "themes", dots=5, per_item=3)
    items = [str(i) for i in r.item_ids]
    wall = Listener(url, {"role": "wall", "workshop": room.id, "token": token})
    phones = [a_phone(url, code) for _ in range(100)]
    final: dict[int, dict] = {}
    refusals = []
    start = threading.Barrier(100)

    def run(n: int) -> None:
        rng = random.Random(n)
        phone = phones[n]
        start.wait()
        allocation: dict = {}
        for _ in range(3):
            allocation = {}
            budget = 5
            for item in rng.sample(items, len(items)):
                dots = rng.randint(0, min(3, budget))
                if dots:
                    allocation[item] = dots
                    budget -= dots
            answer = put(phone, url, code, r.id, allocation)
            assert answer.status_code == 200, answer.text
            assert answer.json()["allocation"] == allocation
        # Every phone also tries to overspend: refused, its last allocation stands.
        over = put(phone, url, code, r.id, {items[0]: 3, items[1]: 3})
        refusals.append((over.status_code, over.json()["error"]["code"]))
        final[n] = allocation

    try:
        with ThreadPoolExecutor(max_workers=100) as pool:
            for future in [pool.submit(run, n) for n in range(100)]:
                future.result()
        assert refusals == [(400, "vote_over_budget")] * 100
        expected = {item: sum(a.get(item, 0) for a in final.values()) for item in items}
        voters = {item: sum(1 for a in final.values() if a.get(item)) for item in items}
        with read_session() as s:
            counted = results(s, s.get(type(r), r.id))
            events = s.query(Event).filter(Event.workshop_id == room.id, Event.type == "vote.cast").order_by(Event.seq).all()
        assert {str(i["id"]): i["votes"] for i in counted["items"]} == expected
        assert {str(i["id"]): i["voters"] for i in counted["items"]} == voters
        assert counted["voters"] == sum(1 for a in final.values() if a)
        assert counted["dots_cast"] == sum(expected.values()) <= 5 * 100
        # Each event's totals never exceed the room's budget, and the last one is the final count.
        assert all(e.data["dots_cast"] <= 500 for e in events)
        assert events[-1].data["items"] == counted["items"]
        wall.wait_for(lambda l: any(e["seq"] == events[-1].seq for e in l.events), timeout=30)
        assert [e for e in wall.events if e["type"] == "vote.cast"][-1]["data"]["items"] == counted["items"]
    finally:
        wall.close()
