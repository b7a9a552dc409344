"""A server killed mid-round loses no acknowledged allocation: phones that hold a 200 find
their dots in the database after `facilitator serve` is SIGKILLed and started again."""

from __future__ import annotations

import pytest
import requests

from facilitator import services
from facilitator.db import read_session
from facilitator.models import VoteRound
from facilitator.vote_queries import results
from support.servers import ServerProcess


@pytest.fixture
def server(app, database_url, tmp_path):
    process = ServerProcess(database_url, tmp_path / "server-instance", tmp_path)
    yield process.start()
    process.stop()


def test_acknowledged_allocations_survive_a_sigkill(server, user):
    w = services.create_workshop(user.id, "Genstart", themes=["A", "B", "C"])
    r = services.open_vote_round(w.id, "themes", dots=5, per_item=3)
    items = [str(i) for i in r.item_ids]
    phones = []
    acked: dict[int, dict] = {}
    for n in range(20):
        phone = requests.Session()
        # The server issues the phone key (a cookie) with the phone's first look at the workshop.
        assert phone.get(f"{server.url}/api/v1/join/{w.join_code}", timeout=10).status_code == 200
        phones.append(phone)
        allocation = {items[n % 3]: 1 + n % 3, items[(n + 1) % 3]: 1}
        answer = phone.put(f"{server.url}/api/v1/join/{w.join_code}/votes", json={"round": r.id, "allocation": allocation}, timeout=10)
        assert answer.status_code == 200
        acked[n] = answer.json()["allocation"]
    server.kill()
    server.start()
    # The phones' own view after the restart: each finds exactly what was acknowledged.
    for n, phone in enumerate(phones):
        state = phone.get(f"{server.url}/api/v1/join/{w.join_code}", timeout=10).json()
        assert state["vote"]["id"] == r.id and state["vote"]["mine"] == acked[n]
    with read_session() as s:
        counted = results(s, s.get(VoteRound, r.id))
    assert counted["voters"] == 20
    assert {str(i["id"]): i["votes"] for i in counted["items"]} == {
        item: sum(a.get(item, 0) for a in acked.values()) for item in items
    }
    # Voting goes on after the restart.
    again = phones[0].put(f"{server.url}/api/v1/join/{w.join_code}/votes", json={"round": r.id, "allocation": {}}, timeout=10)
    assert again.status_code == 200
