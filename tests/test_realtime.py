"""Socket.IO with real clients against a real server: live events, auth at connect, resync."""

from __future__ import annotations

import threading
import time

import pytest
import requests
import socketio

from facilitator import services


class Listener:
    """A real Socket.IO client that records what it receives."""

    def __init__(self, url: str, auth: dict, headers: dict | None = None) -> None:
        self.events: list[dict] = []
        self.states: list[dict] = []
        self.arrived = threading.Condition()
        self.client = socketio.Client(reconnection=False)
        self.client.on("event", self._on_event)
        self.client.on("state", self._on_state)
        self.client.connect(url, auth=auth, headers=headers or {}, transports=["websocket"], wait_timeout=10)

    def _on_event(self, event):
        with self.arrived:
            self.events.append(event)
            self.arrived.notify_all()

    def _on_state(self, state):
        with self.arrived:
            self.states.append(state)
            self.arrived.notify_all()

    def wait_for(self, predicate, timeout: float = 10.0):
        deadline = time.monotonic() + timeout
        with self.arrived:
            while not predicate(self):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("timed out waiting for a socket message")
                self.arrived.wait(left)

    def sync(self, since):
        return self.client.call("sync", {"since": since}, timeout=10)

    def close(self):
        # The websocket client waits ~3 s for the close handshake; nothing in
        # these tests depends on it, so let it finish in the background.
        threading.Thread(target=self.client.disconnect, daemon=True).start()


@pytest.fixture
def open_workshop(user):
    w = services.create_workshop(user.id, "Live", themes=["A"])
    services.set_status(w.id, "open")
    return w


def test_an_input_posted_over_http_reaches_the_wall_with_the_right_seq(live_server, open_workshop, token):
    wall = Listener(live_server.url, {"role": "wall", "workshop": open_workshop.id, "token": token})
    try:
        snapshot = wall.sync(None)["snapshot"]
        posted = requests.post(
            f"{live_server.url}/api/v1/join/{open_workshop.join_code}/inputs",
            json={"text": "Live fra telefonen", "client_key": "phone-key-0001"},
            timeout=10,
        )
        assert posted.status_code == 201
        wall.wait_for(lambda w: any(e["type"] == "input.created" for e in w.events))
        event = [e for e in wall.events if e["type"] == "input.created"][0]
        assert event["seq"] == snapshot["seq"] + 1
        assert event["data"]["text"] == "Live fra telefonen"
        assert event["data"]["id"] == posted.json()["id"]
    finally:
        wall.close()


def test_a_reconnecting_client_gets_exactly_what_it_missed(live_server, open_workshop, token):
    wall = Listener(live_server.url, {"role": "wall", "workshop": open_workshop.id, "token": token})
    seen = wall.sync(None)["snapshot"]["seq"]
    wall.close()
    for n in range(5):
        services.submit_input(open_workshop.join_code, f"while away {n}", f"away-key-{n:04d}")
    back = Listener(live_server.url, {"role": "wall", "workshop": open_workshop.id, "token": token})
    try:
        missed = back.sync(seen)["events"]
        assert [e["seq"] for e in missed] == list(range(seen + 1, seen + 6))
        assert [e["data"]["text"] for e in missed] == [f"while away {n}" for n in range(5)]
        assert back.sync(seen + 5) == {"events": []}
    finally:
        back.close()


def test_a_client_too_far_behind_gets_a_snapshot(live_server, open_workshop, token, app):
    app.config["SYNC_MAX_EVENTS"] = 3
    for n in range(5):
        services.submit_input(open_workshop.join_code, f"n{n}", f"far-key-{n:04d}")
    wall = Listener(live_server.url, {"role": "wall", "workshop": open_workshop.id, "token": token})
    try:
        answer = wall.sync(1)
        assert "snapshot" in answer and len(answer["snapshot"]["inputs"]) == 5
    finally:
        wall.close()


def test_two_walls_see_the_same_events_in_order(live_server, open_workshop, token):
    walls = [Listener(live_server.url, {"role": "wall", "workshop": open_workshop.id, "token": token}) for _ in range(2)]
    try:
        start = walls[0].sync(None)["snapshot"]["seq"]
        for n in range(10):
            services.submit_input(open_workshop.join_code, f"burst {n}", f"burst-key-{n:04d}")
        for wall in walls:
            wall.wait_for(lambda w: len(w.events) >= 10)
            assert sorted(e["seq"] for e in wall.events) == list(range(start + 1, start + 11))
    finally:
        for wall in walls:
            wall.close()


@pytest.mark.parametrize(
    "auth",
    [
        {},
        {"role": "wall", "workshop": 1},
        {"role": "wall", "workshop": 1, "token": "fac_not-a-token"},
        {"role": "projector", "secret": "wrong"},
        {"role": "participant", "code": "ZZZZZZ"},
        {"role": "admin"},
    ],
)
def test_connect_without_a_valid_credential_is_refused(live_server, open_workshop, auth):
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(live_server.url, auth=auth, transports=["websocket"], wait_timeout=5)


def test_another_facilitators_token_cannot_listen(live_server, open_workshop, other_user):
    other_token, _ = services.create_token(other_user.id)
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(
            live_server.url, auth={"role": "wall", "workshop": open_workshop.id, "token": other_token}, transports=["websocket"]
        )


def test_a_foreign_origin_is_refused(live_server, open_workshop, token):
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(
            live_server.url,
            auth={"role": "wall", "workshop": open_workshop.id, "token": token},
            headers={"Origin": "http://evil.example"},
            transports=["websocket"],
            wait_timeout=5,
        )


def test_projector_sees_events_without_moderation_reasons(live_server, open_workshop):
    projector = Listener(live_server.url, {"role": "projector", "secret": open_workshop.projector_secret})
    try:
        projector.sync(None)
        item, _ = services.submit_input(open_workshop.join_code, "Mit navn er Hemmelig", "proj-key-0001")
        services.hide_input(open_workshop.id, item.id, "personal data: a name")
        projector.wait_for(lambda p: any(e["type"] == "input.hidden" for e in p.events))
        hidden = [e for e in projector.events if e["type"] == "input.hidden"][0]
        assert hidden["data"] == {"input_id": item.id}
        snapshot = projector.sync(None)["snapshot"]
        assert all(i["id"] != item.id for i in snapshot["inputs"])
    finally:
        projector.close()


def test_a_new_projector_link_disconnects_old_projectors(live_server, open_workshop):
    projector = Listener(live_server.url, {"role": "projector", "secret": open_workshop.projector_secret})
    revoked = threading.Event()
    projector.client.on("revoked", lambda *_: revoked.set())
    services.regenerate_projector_secret(open_workshop.id)
    assert revoked.wait(10)
    projector.close()
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(live_server.url, auth={"role": "projector", "secret": open_workshop.projector_secret}, transports=["websocket"])


def test_phones_get_state_changes_but_not_other_peoples_inputs(live_server, open_workshop):
    phone = Listener(live_server.url, {"role": "participant", "code": open_workshop.join_code})
    try:
        phone.wait_for(lambda p: len(p.states) >= 1)
        assert phone.states[0]["status"] == "open"
        services.submit_input(open_workshop.join_code, "someone else's input", "other-phone-0001")
        services.set_status(open_workshop.id, "closed")
        phone.wait_for(lambda p: p.states[-1]["status"] == "closed")
        assert phone.events == []
        refusal = phone.sync(0)["error"]
        assert refusal["code"] == "forbidden" and refusal["message"]  # a message, as HTTP refusals carry
    finally:
        phone.close()



def test_phones_that_see_the_wall_follow_the_visible_board_and_nothing_else(live_server, open_workshop):
    code = open_workshop.join_code
    services.update_workshop(open_workshop.id, {"settings": {"participants_see_wall": True}})
    phone = Listener(live_server.url, {"role": "participant", "code": code})
    try:
        phone.wait_for(lambda p: p.states and p.states[-1]["wall"] == {"themes": [{"id": p.states[-1]["wall"]["themes"][0]["id"], "title": "A", "inputs": []}], "unsorted": []})
        made, _ = services.submit_input(code, "til tavlen", "wall-phone-0001")
        phone.wait_for(lambda p: p.states[-1]["wall"]["unsorted"] == [{"id": made.id, "text": "til tavlen"}])
        theme = phone.states[-1]["wall"]["themes"][0]["id"]
        services.move_input(open_workshop.id, made.id, theme, 0)
        phone.wait_for(lambda p: p.states[-1]["wall"]["themes"][0]["inputs"] == [{"id": made.id, "text": "til tavlen"}])
        services.hide_input(open_workshop.id, made.id, "nej")
        phone.wait_for(lambda p: p.states[-1]["wall"]["themes"][0]["inputs"] == [])
        assert phone.events == []  # the board, never the log (which holds moderation reasons)

        services.update_workshop(open_workshop.id, {"settings": {"participants_see_wall": False}})
        phone.wait_for(lambda p: p.states[-1]["wall"] is None)
        seen = len(phone.states)
        services.submit_input(code, "ikke til telefoner", "wall-phone-0002")
        services.set_status(open_workshop.id, "paused")
        phone.wait_for(lambda p: p.states[-1]["status"] == "paused")
        # With the setting off a new input sends phones nothing: the pause is the next state.
        assert len(phone.states) == seen + 1
        assert "ikke til telefoner" not in repr(phone.states)
    finally:
        phone.close()