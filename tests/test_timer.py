"""The workshop timer: service, HTTP, and Socket.IO across a reconnect."""

from __future__ import annotations

import pytest
import requests

from facilitator import services
from facilitator.db import read_session
from facilitator.errors import ServiceError
from facilitator.models import Workshop, WorkshopTimer
from facilitator.services.timer import now_ms
from facilitator.vote_queries import open_round
from test_realtime import Listener


@pytest.fixture
def w(user):
    workshop = services.create_workshop(user.id, "Timer", themes=["A"])
    services.set_status(workshop.id, "open")
    return workshop


def stored(workshop_id):
    with read_session() as s:
        return s.get(WorkshopTimer, workshop_id)


def test_start_pause_resume_extend_keep_the_countdown_in_the_servers_clock(w):
    before = now_ms()
    t = services.set_timer(w.id, "start", 300)
    assert t.state == "running" and before + 300_000 <= t.ends_at_ms <= now_ms() + 300_000
    paused = services.set_timer(w.id, "pause")
    assert paused.state == "paused" and paused.ends_at_ms is None and 0 < paused.remaining_ms <= 300_000
    left = paused.remaining_ms
    assert services.set_timer(w.id, "extend", 60).remaining_ms == left + 60_000
    before = now_ms()
    resumed = services.set_timer(w.id, "resume")
    assert before + left + 60_000 <= resumed.ends_at_ms <= now_ms() + left + 60_000
    ends = resumed.ends_at_ms
    assert services.set_timer(w.id, "extend", 30).ends_at_ms == ends + 30_000
    assert services.set_timer(w.id, "clear") is None and stored(w.id) is None


def test_bad_timer_actions_are_refused(w):
    for args in [("start", 0), ("start", 10**9), ("start", "5"), ("dance", 5), ("pause", None), ("extend", 0)]:
        with pytest.raises(ServiceError):
            services.set_timer(w.id, *args)
    with pytest.raises(ServiceError):
        services.set_timer(w.id, "start", 60, on_zero="explode")


def test_at_zero_nothing_happens_unless_chosen(w):
    t = services.set_timer(w.id, "start", 60)
    assert services.expire_timer(w.id, t.ends_at_ms - 1) is False  # not yet
    assert services.expire_timer(w.id, t.ends_at_ms) is True
    assert stored(w.id).state == "done"
    assert services.expire_timer(w.id, t.ends_at_ms + 5000) is False  # once
    with read_session() as s:
        assert s.get(Workshop, w.id).status == "open"


def test_at_zero_pause_input_pauses_the_workshop(w):
    t = services.set_timer(w.id, "start", 60, on_zero="pause_input")
    services.expire_timer(w.id, t.ends_at_ms)
    with read_session() as s:
        assert s.get(Workshop, w.id).status == "paused"


def test_at_zero_close_the_vote_closes_the_open_round(w):
    r = services.open_vote_round(w.id, "themes")
    services.cast_votes(w.join_code, "p1", r.id, {str(r.item_ids[0]): 2})
    t = services.set_timer(w.id, "start", 60, on_zero="close_vote")
    # A paused timer never reaches zero; an extended one later.
    services.set_timer(w.id, "pause")
    assert services.expire_timer(w.id, t.ends_at_ms + 10**6) is False
    t = services.set_timer(w.id, "resume")
    services.expire_timer(w.id, t.ends_at_ms)
    with read_session() as s:
        assert open_round(s, w.id) is None
    with pytest.raises(ServiceError) as refused:
        services.cast_votes(w.join_code, "p1", r.id, {})
    assert refused.value.code == "vote_closed"


def test_http_timer_answers_carry_the_servers_clock(api, workshop, client):
    wid = workshop["id"]
    assert api.get(f"/workshops/{wid}/timer").json["timer"] is None
    started = api.post(f"/workshops/{wid}/timer", json={"action": "start", "seconds": 120, "on_zero": "pause_input"})
    assert started.status_code == 200
    data = started.json
    assert data["timer"]["state"] == "running" and data["timer"]["on_zero"] == "pause_input"
    assert data["timer"]["ends_at_ms"] - data["now_ms"] <= 120_000
    assert api.post(f"/workshops/{wid}/timer", json={"action": "start", "seconds": -1}).status_code == 400
    assert client.post(f"/api/v1/workshops/{wid}/timer", json={"action": "pause"}).status_code == 401
    phone = client.get(f"/api/v1/join/{workshop['join_code']}").json
    assert phone["timer"]["ends_at_ms"] == data["timer"]["ends_at_ms"] and isinstance(phone["now_ms"], int)


def test_the_timer_survives_a_reconnect_on_wall_projector_and_phone(live_server, w, token):
    url = live_server.url
    wall = Listener(url, {"role": "wall", "workshop": w.id, "token": token})
    seen = wall.sync(None)["snapshot"]["seq"]
    wall.close()
    # While the wall is away the timer is started, paused and extended.
    services.set_timer(w.id, "start", 300)
    services.set_timer(w.id, "pause")
    paused = services.set_timer(w.id, "extend", 60)
    back = Listener(url, {"role": "wall", "workshop": w.id, "token": token})
    phone = Listener(url, {"role": "participant", "code": w.join_code})
    try:
        missed = [e for e in back.sync(seen)["events"] if e["type"] == "timer.updated"]
        assert [e["data"]["timer"]["state"] for e in missed] == ["running", "paused", "paused"]
        assert missed[-1]["data"]["timer"]["remaining_ms"] == paused.remaining_ms
        # Every screen's fresh answer names the same numbers, with the server's clock.
        wall_answer = requests.get(f"{url}/api/v1/workshops/{w.id}/timer", headers={"Authorization": f"Bearer {token}"}, timeout=10).json()
        projector_answer = requests.get(f"{url}/p/{w.projector_secret}/timer.json", timeout=10).json()
        phone.wait_for(lambda l: l.states)
        for answer in (wall_answer, projector_answer, phone.states[-1]):
            assert answer["timer"] == {**missed[-1]["data"]["timer"]}
            assert isinstance(answer["now_ms"], int)
        # Resuming reaches the phone as a state with the new end time.
        resumed = services.set_timer(w.id, "resume")
        phone.wait_for(lambda l: l.states[-1]["timer"]["state"] == "running")
        assert phone.states[-1]["timer"]["ends_at_ms"] == resumed.ends_at_ms
    finally:
        back.close()
        phone.close()


def test_a_short_timer_ends_by_itself_and_pauses_input(live_server, api, workshop):
    wid = workshop["id"]
    wall_token = api.headers["Authorization"].split()[1]
    wall = Listener(live_server.url, {"role": "wall", "workshop": wid, "token": wall_token})
    try:
        api.post(f"/workshops/{wid}/timer", json={"action": "start", "seconds": 1, "on_zero": "pause_input"})
        wall.wait_for(lambda l: any(e["type"] == "workshop.status" for e in l.events), timeout=15)
        done = [e for e in wall.events if e["type"] == "timer.updated"][-1]["data"]
        assert done["expired"] is True and done["timer"]["state"] == "done"
        assert [e["data"]["status"] for e in wall.events if e["type"] == "workshop.status"] == ["paused"]
    finally:
        wall.close()
