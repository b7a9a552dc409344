"""Faults between phone and server: lost requests and lost acknowledgements, and the
limits that protect the room (oversized socket messages, sockets per address).

The fault test puts a real TCP proxy between real HTTP clients and the real
server; it loses requests before the server sees them, cuts them in half, and
loses responses after the server committed. Phones retry with the same client
key until they hold a receipt, as participant.js does.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from urllib.parse import urlparse

import pytest
import requests
import socketio
from sqlalchemy import func, select

from conftest import LiveServer, csrf_in, make_app, sqlite_only
from facilitator import extensions, services
from facilitator.db import database
from facilitator.models import Event, Input, Workshop
from support.faulty_proxy import FaultyProxy

PHONES = 30
INPUTS_PER_PHONE = 5
MAX_ATTEMPTS = 200  # per input; far beyond what the drop rates need, so a stuck phone fails the test


@pytest.fixture
def open_workshop(user):
    w = services.create_workshop(user.id, "Dårlig wifi", language="da")
    services.set_status(w.id, "open")
    return w


class Phone(threading.Thread):
    """One phone: sends its inputs one by one, retrying each with the same key until it holds a receipt."""

    def __init__(self, number: int, base: str, code: str) -> None:
        super().__init__(daemon=True)
        self.number = number
        self.url = f"{base}/api/v1/join/{code}/inputs"
        self.inputs = {f"p{number:02d}i{i}-{uuid.uuid4().hex[:12]}": f"Telefon {number}, input {i} – æøå ✓" for i in range(INPUTS_PER_PHONE)}
        self.receipts: dict[str, dict] = {}
        self.answers: Counter[str] = Counter()
        self.problems: list[str] = []
        self.random = random.Random(number)

    def run(self) -> None:
        session = requests.Session()
        session.headers["Connection"] = "close"  # one request per connection, so the proxy sees each one
        for key, text in self.inputs.items():
            for _attempt in range(MAX_ATTEMPTS):
                try:
                    response = session.post(self.url, json={"text": text, "client_key": key}, timeout=5)
                except requests.RequestException:
                    self.answers["lost"] += 1
                    time.sleep(self.random.uniform(0.005, 0.04))  # jittered, like the phone page (scaled down)
                    continue
                self.answers[str(response.status_code)] += 1
                if response.status_code in (200, 201) and response.json().get("client_key") == key:
                    self.receipts[key] = response.json()
                    break
                self.problems.append(f"{key}: {response.status_code} {response.text[:200]}")
                return
            else:
                self.problems.append(f"{key}: no receipt after {MAX_ATTEMPTS} attempts")
                return


def test_phones_behind_a_lossy_network_store_each_input_exactly_once(live_server, open_workshop):
    upstream = urlparse(live_server.url)
    proxy = FaultyProxy((upstream.hostname, upstream.port), drop_request=0.15, cut_request=0.1, drop_response=0.2, seed=4).start()
    try:
        phones = [Phone(n, proxy.url, open_workshop.join_code) for n in range(PHONES)]
        for phone in phones:
            phone.start()
        for phone in phones:
            phone.join(120)
            assert not phone.is_alive(), f"phone {phone.number} is still sending"
    finally:
        proxy.stop()

    assert [p for phone in phones for p in phone.problems] == []
    answers = sum((phone.answers for phone in phones), Counter())
    # The faults really happened, and the server answered repeats with the stored input.
    assert proxy.counts["drop_request"] and proxy.counts["cut_request"] and proxy.counts["drop_response"]
    assert answers["200"] > 0 and answers["lost"] > 0
    assert set(answers) <= {"200", "201", "lost"}  # no refusal and never a 5xx

    sent = {key: text for phone in phones for key, text in phone.inputs.items()}
    with database().reader() as s:
        rows = s.execute(
            select(Input.id, Input.client_key, Input.text).where(Input.workshop_id == open_workshop.id)
        ).all()
        created = s.execute(
            select(func.count()).select_from(Event).where(Event.workshop_id == open_workshop.id, Event.type == "input.created")
        ).scalar_one()
    assert len(rows) == PHONES * INPUTS_PER_PHONE
    assert {key: text for _id, key, text in rows} == sent  # each input once, text exact
    assert created == len(rows)  # one event per input, none for a repeat
    stored_ids = {key: id_ for id_, key, _text in rows}
    for phone in phones:
        assert set(phone.receipts) == set(phone.inputs)  # a receipt for every input
        for key, receipt in phone.receipts.items():
            assert receipt["id"] == stored_ids[key] and receipt["text"] == phone.inputs[key]
    print(
        f"\nfault proxy: {sum(proxy.counts.values())} connections {dict(proxy.counts)}; "
        f"phone answers {dict(answers)}; {len(rows)} inputs stored once each"
    )


# --- Limits that protect the room ---------------------------------------------------------


def _form_post(client, code: str, text: str):
    csrf = csrf_in(client.get(f"/j/{code}").get_data(as_text=True))
    return client.post(f"/j/{code}", data={"text": text, "client_key": uuid.uuid4().hex, "csrf_token": csrf})


@sqlite_only
def test_every_http_limit_answers_with_its_documented_error(database_url, tmp_path, open_workshop, app):
    limited = make_app(
        database_url,
        tmp_path / "limited",
        RATELIMIT_ENABLED=True,
        RATELIMIT_PHONE="2/minute",
        RATELIMIT_ADDRESS="5/minute",
        RATELIMIT_JOIN_ADDRESS="1000/minute",
    )
    code = open_workshop.join_code
    url = f"/api/v1/join/{code}/inputs"
    try:
        with limited.app_context():
            phone = limited.test_client()
            phone.get(f"/api/v1/join/{code}")  # the server issues the phone key
            answers = [phone.post(url, json={"text": f"n{n}", "client_key": uuid.uuid4().hex}) for n in range(3)]
            assert [a.status_code for a in answers] == [201, 201, 429]
            refused = answers[-1]
            assert refused.json["error"]["code"] == "rate_limited"
            assert refused.headers["Retry-After"].isdigit() and refused.json["error"]["retry_after"] >= 1
            assert refused.headers["Retry-After"] in refused.json["error"]["message"]  # says when, in words
            # The no-JavaScript form: the same limit, a page that keeps the text, and Retry-After.
            page = _form_post(phone, code, "Fra formularen")
            assert page.status_code == 429 and page.headers["Retry-After"].isdigit()
            assert "Fra formularen</textarea>" in page.get_data(as_text=True)
            # Per address: other phones from the same address run into it after 5 posts in all.
            other = limited.test_client()
            other.get(f"/api/v1/join/{code}")
            statuses = [other.post(url, json={"text": "x", "client_key": uuid.uuid4().hex}).status_code for _ in range(3)]
            assert statuses[-1] == 429
            # Size limits answer 413 with their own codes, never a 500.
            unlimited = make_app(database_url, tmp_path / "fresh", RATELIMIT_ENABLED=False)
            fresh = unlimited.test_client()
            too_long = fresh.post(url, json={"text": "x" * 1001, "client_key": uuid.uuid4().hex})
            assert too_long.status_code == 413 and too_long.json["error"]["code"] == "too_long"
            assert too_long.json["error"]["limit"] == 1000
            huge = fresh.post(url, data="x" * (limited.config["MAX_CONTENT_LENGTH"] + 1), content_type="application/json")
            assert huge.status_code == 413 and huge.json["error"]["code"] == "body_too_large"
            huge_form = _form_post(fresh, code, "ø" * 20_000)
            assert huge_form.status_code == 413
            extensions.database(unlimited).dispose()
    finally:
        extensions.database(limited).dispose()


# --- Socket.IO limits ---------------------------------------------------------------------


class Wall:
    """A real Socket.IO wall client that records the events it gets."""

    def __init__(self, url: str, workshop_id: int, token: str) -> None:
        self.events: list[dict] = []
        self.gone = threading.Event()
        self.client = socketio.Client(reconnection=False)
        self.client.on("event", self.events.append)
        self.client.on("disconnect", lambda *args: self.gone.set())
        self.client.connect(url, auth={"role": "wall", "workshop": workshop_id, "token": token}, transports=["websocket"], wait_timeout=10)

    def close(self) -> None:
        threading.Thread(target=self.client.disconnect, daemon=True).start()


def wait_until(predicate, timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


# The socket limits do not depend on the database: the embedded default is enough.
@sqlite_only
@pytest.mark.parametrize("size", [64 * 1024, 2 * 1024 * 1024])
def test_an_oversized_socket_message_is_refused_and_the_server_keeps_serving(live_server, open_workshop, token, app, size):
    assert size > app.config["SOCKETIO_MAX_HTTP_BUFFER_SIZE"]
    bystander = Wall(live_server.url, open_workshop.id, token)
    attacker = Wall(live_server.url, open_workshop.id, token)
    transport = attacker.client.eio.ws
    try:
        attacker.client.emit("sync", {"since": 0, "padding": "x" * size})
        assert attacker.gone.wait(10), "the server kept a socket that sent an oversized message"
        # The server lives on: the other wall still gets events, and new sockets connect and sync.
        posted = requests.post(
            f"{live_server.url}/api/v1/join/{open_workshop.join_code}/inputs",
            json={"text": "Stadig i live", "client_key": uuid.uuid4().hex},
            timeout=10,
        )
        assert posted.status_code == 201
        wait_until(lambda: any(e["data"].get("text") == "Stadig i live" for e in bystander.events), what="the event")
        assert not bystander.gone.is_set()
        newcomer = Wall(live_server.url, open_workshop.id, token)
        try:
            answer = newcomer.client.call("sync", {"since": None}, timeout=10)
            assert any(i["text"] == "Stadig i live" for i in answer["snapshot"]["inputs"])
        finally:
            newcomer.close()
    finally:
        bystander.close()
        attacker.client.disconnect()
        transport.shutdown()


@sqlite_only
def test_an_oversized_polling_post_is_refused_at_once_and_the_session_lives_on(live_server, app):
    # Without a long-poll GET waiting, Engine.IO's own refusal would hold the request's thread for good.
    base = f"{live_server.url}/socket.io/?EIO=4&transport=polling"
    handshake = requests.get(base, timeout=10)
    assert handshake.status_code == 200
    sid = handshake.text[handshake.text.index('"sid":"') + 7 :].split('"')[0]
    big = "4" + "x" * (app.config["SOCKETIO_MAX_HTTP_BUFFER_SIZE"] * 2)
    response = requests.post(f"{base}&sid={sid}", data=big, timeout=10)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"
    # The session was not torn down: a normal packet on it is still accepted.
    assert requests.post(f"{base}&sid={sid}", data="40", timeout=10).status_code == 200
    assert requests.get(base, timeout=10).status_code == 200  # and the server still serves new ones


@sqlite_only
def test_socket_connections_per_address_are_limited(database_url, tmp_path, open_workshop, app):
    limited = make_app(database_url, tmp_path / "limited", SOCKETIO_MAX_CONNECTIONS_PER_ADDRESS=3)
    server = LiveServer(limited).start()
    auth = {"role": "participant", "code": open_workshop.join_code}
    phones = []
    try:
        for _ in range(3):
            phone = socketio.Client(reconnection=False)
            phone.connect(server.url, auth=auth, transports=["websocket"], wait_timeout=10)
            phones.append(phone)
        refused = requests.get(f"{server.url}/socket.io/?EIO=4&transport=polling", timeout=10)
        assert refused.status_code == 429
        assert refused.headers["Retry-After"].isdigit()
        assert refused.json()["error"]["code"] == "rate_limited"
        extra = socketio.Client(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            extra.connect(server.url, auth=auth, transports=["websocket"], wait_timeout=5)
        # The rest of the app is not limited by it, and a closed socket frees its place.
        assert requests.get(f"{server.url}/j/{open_workshop.join_code}", timeout=10).status_code == 200
        counter = extensions.socket_guard(limited)
        phones.pop().disconnect()
        wait_until(lambda: counter.open_count("127.0.0.1") < 3, what="the closed socket to be released")
        again = socketio.Client(reconnection=False)
        again.connect(server.url, auth=auth, transports=["websocket"], wait_timeout=10)
        phones.append(again)
    finally:
        for phone in phones:
            threading.Thread(target=phone.disconnect, daemon=True).start()
        server.stop()
        extensions.database(limited).dispose()
