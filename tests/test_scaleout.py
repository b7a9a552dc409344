"""Two real server processes on one PostgreSQL database and the Redis message queue.

Each process is `facilitator serve` (gunicorn, one worker) in its own OS
process; they share nothing but PostgreSQL and a Redis channel of their own,
so an event can only reach the other process's sockets through Redis.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import psycopg
import pytest
import redis
import requests
import socketio

from conftest import PG_ADMIN, PASSWORD

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

BIN = Path(sys.executable).parent
REDIS_URL = os.environ.get("FACILITATOR_TEST_REDIS", "redis://127.0.0.1:6379/0")
# Long enough that a handful of API calls surely fall into one window.
DEBOUNCE = 1.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cli(env: dict, *args: str) -> str:
    done = subprocess.run([str(BIN / "facilitator"), *args], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


class Cluster:
    """Two `facilitator serve` processes (a and b), a facilitator token, an open workshop."""

    def __init__(self, tmp: Path, async_mode: str) -> None:
        self.db_name = f"facilitator_scale_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.db_name}"')
        base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
        self.env = {
            **os.environ,
            "DATABASE_URL": f"{base}/{self.db_name}",
            "FACILITATOR_INSTANCE_PATH": str(tmp / "instance"),
            "FACILITATOR_SECRET_KEY": "scale-out-test-secret",
            "FACILITATOR_RATELIMIT_ENABLED": "0",
            "FACILITATOR_PUBLIC_URL": "http://phones.example",
        }
        self.processes: list[subprocess.Popen] = []
        self.log_files: list = []
        self.logs = tmp
        self.channel = f"facilitator-test-{uuid.uuid4().hex}"
        _cli(self.env, "db", "upgrade")
        _cli(self.env, "user", "create", "anna@example.org", "--password", PASSWORD)
        self.token = _cli(self.env, "token", "create", "anna@example.org").strip()
        served = {
            **self.env,
            "FACILITATOR_SOCKETIO_MESSAGE_QUEUE": REDIS_URL,
            # A channel of this run only: parallel runs on the same Redis do not hear each other.
            "FACILITATOR_SOCKETIO_CHANNEL": self.channel,
            "FACILITATOR_PARTICIPANT_STATE_DEBOUNCE": str(DEBOUNCE),
            "FACILITATOR_SOCKETIO_ASYNC_MODE": async_mode,
        }
        self.a = self._serve(served, "a")
        self.b = self._serve(served, "b")

    def _serve(self, env: dict, name: str) -> str:
        port = _free_port()
        log = open(self.logs / f"server-{name}.log", "wb")
        self.log_files.append(log)
        self.processes.append(
            subprocess.Popen(
                [str(BIN / "facilitator"), "serve", "--host", "127.0.0.1", "--port", str(port), "--threads", "40"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{url}/api/v1/join/ZZZZZZ", timeout=2).status_code == 404:
                    return url
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline or self.processes[-1].poll() is not None:
                raise AssertionError((self.logs / f"server-{name}.log").read_text()[-3000:])
            time.sleep(0.2)

    def api(self, base: str, method: str, path: str, json=None):
        """Call the facilitator API of one process with the token."""
        return requests.request(
            method, f"{base}/api/v1{path}", json=json, headers={"Authorization": f"Bearer {self.token}"}, timeout=20
        )

    def close(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        for log in self.log_files:
            log.close()
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{self.db_name}" WITH (FORCE)')


@pytest.fixture(scope="module", params=["threading", "gevent"])
def cluster(request, tmp_path_factory):
    """Both processes for this module's tests (starting them costs a few seconds), in each async mode."""
    running = Cluster(tmp_path_factory.mktemp("scaleout"), request.param)
    yield running
    running.close()


@pytest.fixture
def workshop(cluster):
    """A fresh open workshop, created on process a."""
    made = cluster.api(cluster.a, "POST", "/workshops", {"title": "Plenary", "language": "en", "prompt": "What now?"})
    assert made.status_code == 201, made.text
    data = made.json()
    assert cluster.api(cluster.a, "POST", f"/workshops/{data['id']}/status", {"status": "open"}).status_code == 200
    return data


class Client:
    """A real Socket.IO client that records every message it gets, whatever its name."""

    def __init__(self, url: str, auth: dict) -> None:
        self.received: list[tuple[str, object]] = []
        self.changed = threading.Condition()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("*", self._record)
        self.sio.connect(url, auth=auth, transports=["websocket"], wait_timeout=10)

    def _record(self, name, data=None):
        with self.changed:
            self.received.append((name, data))
            self.changed.notify_all()

    def messages(self, name: str) -> list:
        with self.changed:
            return [data for kind, data in self.received if kind == name]

    def wait_for(self, predicate, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        with self.changed:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out; received {self.received[-5:]}")
                self.changed.wait(left)

    def sync(self, since):
        return self.sio.call("sync", {"since": since}, timeout=15)

    def close(self) -> None:
        self.sio.disconnect()


def _wall(cluster, base: str, workshop: dict) -> Client:
    return Client(base, {"role": "wall", "workshop": workshop["id"], "token": cluster.token})


def _post(base: str, code: str, text: str) -> dict:
    answer = requests.post(
        f"{base}/api/v1/join/{code}/inputs", json={"text": text, "client_key": uuid.uuid4().hex}, timeout=20
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def _seqs(wall: Client) -> list[int]:
    return [event["seq"] for event in wall.messages("event")]


def test_an_input_posted_to_one_process_reaches_a_wall_on_the_other_in_seq_order(cluster, workshop):
    wall_b = _wall(cluster, cluster.b, workshop)
    try:
        start = wall_b.sync(None)["snapshot"]["seq"]
        posted = [_post(cluster.a, workshop["join_code"], f"from A {n}") for n in range(15)]
        wall_b.wait_for(lambda: len(wall_b.messages("event")) >= 15)
        events = wall_b.messages("event")
        assert [e["seq"] for e in events] == list(range(start + 1, start + 16))
        assert [e["data"]["id"] for e in events] == [p["id"] for p in posted]
        assert [e["data"]["text"] for e in events] == [f"from A {n}" for n in range(15)]
    finally:
        wall_b.close()


def test_concurrent_posts_to_both_processes_reach_every_wall_exactly_once(cluster, workshop):
    walls = [_wall(cluster, base, workshop) for base in (cluster.a, cluster.b, cluster.b)]
    try:
        start = walls[0].sync(None)["snapshot"]["seq"]
        texts = [f"both {n}" for n in range(40)]
        threads = [
            threading.Thread(target=_post, args=(cluster.a if n % 2 else cluster.b, workshop["join_code"], text))
            for n, text in enumerate(texts)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        for wall in walls:
            wall.wait_for(lambda w=wall: len(w.messages("event")) >= 40)
            assert sorted(_seqs(wall)) == list(range(start + 1, start + 41))
            assert sorted(e["data"]["text"] for e in wall.messages("event")) == sorted(texts)
        # The log both processes wrote is the one the walls saw.
        logged = cluster.api(cluster.b, "GET", f"/workshops/{workshop['id']}/events?since={start}").json()["events"]
        assert [e["seq"] for e in logged] == list(range(start + 1, start + 41))
    finally:
        for wall in walls:
            wall.close()


def test_a_wall_that_moves_from_a_to_b_resyncs_without_gaps(cluster, workshop):
    code = workshop["join_code"]
    wall = _wall(cluster, cluster.a, workshop)
    start = wall.sync(None)["snapshot"]["seq"]
    for n in range(5):
        _post(cluster.b, code, f"before {n}")
    wall.wait_for(lambda: len(wall.messages("event")) >= 5)
    last_seen = max(_seqs(wall))
    assert _seqs(wall) == list(range(start + 1, last_seen + 1))
    wall.close()

    # While it is away, inputs arrive at both processes.
    for n in range(6):
        _post(cluster.a if n % 2 else cluster.b, code, f"while away {n}")

    moved = _wall(cluster, cluster.b, workshop)
    try:
        missed = moved.sync(last_seen)["events"]
        assert [e["seq"] for e in missed] == list(range(last_seen + 1, last_seen + 7))
        assert [e["data"]["text"] for e in missed] == [f"while away {n}" for n in range(6)]
        # And it is live again on the new process, continuing right after what it synced.
        _post(cluster.a, code, "after the move")
        moved.wait_for(lambda: len(moved.messages("event")) >= 1)
        assert [e["seq"] for e in moved.messages("event")] == [last_seen + 7]
    finally:
        moved.close()


def test_phones_get_coalesced_state_and_never_other_peoples_inputs(cluster, workshop):
    wid = workshop["id"]
    phone = Client(cluster.b, {"role": "participant", "code": workshop["join_code"]})
    wall = _wall(cluster, cluster.b, workshop)
    try:
        phone.wait_for(lambda: len(phone.messages("state")) == 1)
        assert phone.messages("state")[0]["prompt"]["text"] == "What now?"
        start = wall.sync(None)["snapshot"]["seq"]
        for n in range(10):
            _post(cluster.a, workshop["join_code"], f"someone else {n}")

        # Four changes every phone must see, made on the other process in one breath.
        assert cluster.api(cluster.a, "POST", f"/workshops/{wid}/prompt", {"text": "Second question"}).status_code == 201
        assert cluster.api(cluster.a, "POST", f"/workshops/{wid}/status", {"status": "paused"}).status_code == 200
        assert cluster.api(cluster.a, "POST", f"/workshops/{wid}/prompt", {"text": "Third question"}).status_code == 201
        assert cluster.api(cluster.a, "POST", f"/workshops/{wid}/status", {"status": "open"}).status_code == 200
        # The wall got every one of the 14 events...
        wall.wait_for(lambda: len(wall.messages("event")) >= 14)
        assert _seqs(wall) == list(range(start + 1, start + 15))
        # ...the phone one state message with the end result.
        phone.wait_for(lambda: len(phone.messages("state")) >= 2)
        assert phone.messages("state")[1]["prompt"]["text"] == "Third question"
        assert phone.messages("state")[1]["status"] == "open"

        # A later change is a message of its own; nothing else arrived in between.
        assert cluster.api(cluster.a, "POST", f"/workshops/{wid}/status", {"status": "closed"}).status_code == 200
        phone.wait_for(lambda: len(phone.messages("state")) >= 3)
        assert [s["status"] for s in phone.messages("state")] == ["open", "open", "closed"]
        assert {name for name, _ in phone.received} == {"state"}
    finally:
        phone.close()
        wall.close()


def test_dots_and_a_timer_started_on_one_process_reach_the_wall_and_projector_on_the_other(cluster, workshop):
    wid, code = workshop["id"], workshop["join_code"]
    for title in ("Traffic", "Schools"):
        assert cluster.api(cluster.a, "POST", f"/workshops/{wid}/themes", {"title": title}).status_code == 201
    secret = cluster.api(cluster.a, "GET", f"/workshops/{wid}").json()["projector_url"].rsplit("/", 1)[1]
    wall = _wall(cluster, cluster.b, workshop)
    projector = Client(cluster.b, {"role": "projector", "secret": secret})
    try:
        start = wall.sync(None)["snapshot"]["seq"]
        opened = cluster.api(cluster.a, "POST", f"/workshops/{wid}/vote-rounds", {"on": "themes", "reveal": "live"})
        assert opened.status_code == 201, opened.text
        rid = opened.json()["round"]["id"]
        traffic, schools = [i["id"] for i in opened.json()["round"]["items"]]

        # A phone gets its key from process a and places its dots there.
        phone = requests.Session()
        assert phone.get(f"{cluster.a}/api/v1/join/{code}", timeout=20).status_code == 200
        placed = phone.put(
            f"{cluster.a}/api/v1/join/{code}/votes", json={"round": rid, "allocation": {str(traffic): 3, str(schools): 1}}, timeout=20
        )
        assert placed.status_code == 200, placed.text
        started = cluster.api(cluster.a, "POST", f"/workshops/{wid}/timer", {"action": "start", "seconds": 300})
        assert started.status_code == 200, started.text
        timer = started.json()["timer"]

        def got(client, kind):
            return [e for e in client.messages("event") if e["type"] == kind]

        for client in (wall, projector):
            client.wait_for(lambda c=client: got(c, "vote.cast") and got(c, "timer.updated"))
            cast = got(client, "vote.cast")[-1]["data"]
            # The round is live, so the room sees the tally too: exact, and never who voted what.
            assert cast["round_id"] == rid and cast["voters"] == 1 and cast["dots_cast"] == 4
            assert [(i["id"], i["votes"], i["voters"]) for i in cast["items"]] == [(traffic, 3, 1), (schools, 1, 1)]
            assert "phone" not in repr(cast)
            assert got(client, "timer.updated")[-1]["data"]["timer"] == timer
        # In the log's order on the other process, without a gap.
        assert _seqs(wall) == list(range(start + 1, start + 1 + len(_seqs(wall))))
        assert [e["type"] for e in wall.messages("event")] == ["vote.opened", "vote.cast", "timer.updated"]
        # What the projector reads over HTTP from process b agrees.
        assert requests.get(f"{cluster.b}/p/{secret}/timer.json", timeout=20).json()["timer"] == timer
        shown = requests.get(f"{cluster.b}/p/{secret}/votes.json", timeout=20).json()["shown"]
        assert shown["id"] == rid and [(i["label"], i["votes"]) for i in shown["items"]] == [("Traffic", 3), ("Schools", 1)]
    finally:
        wall.close()
        projector.close()


def test_an_input_crosses_the_queue_once_for_the_wall_and_the_projector(cluster, workshop):
    """One queue message per input event, not one per room: the queue is what a plenary's posts share."""
    secret = cluster.api(cluster.a, "GET", f"/workshops/{workshop['id']}").json()["projector_url"].rsplit("/", 1)[1]
    queue = redis.Redis.from_url(REDIS_URL)
    heard = queue.pubsub(ignore_subscribe_messages=True)
    heard.subscribe(cluster.channel)
    wall = _wall(cluster, cluster.b, workshop)
    projector = Client(cluster.b, {"role": "projector", "secret": secret})
    try:
        start = wall.sync(None)["snapshot"]["seq"]
        posted = [_post(cluster.a, workshop["join_code"], f"once {n}") for n in range(5)]
        for screen in (wall, projector):
            screen.wait_for(lambda s=screen: len(s.messages("event")) >= 5)
        assert _seqs(wall) == _seqs(projector) == list(range(start + 1, start + 6))
        assert [e["data"]["id"] for e in projector.messages("event")] == [p["id"] for p in posted]
        emits = []
        # get_message answers None for the subscription's own confirmation too: read until quiet.
        quiet_since = time.monotonic()
        while time.monotonic() - quiet_since < 1.0:
            message = heard.get_message(timeout=0.1)
            if message is None:
                continue
            quiet_since = time.monotonic()
            published = json.loads(message["data"])
            if published.get("method") == "emit" and published.get("event") == "event":
                emits.append(published)
        assert [m["data"][0]["seq"] for m in emits] == list(range(start + 1, start + 6))
        assert all(sorted(m["room"]) == [f"w{workshop['id']}:facilitators", f"w{workshop['id']}:projector"] for m in emits)
    finally:
        wall.close()
        projector.close()
        heard.close()
        queue.close()
