"""Kill the server with SIGKILL in the middle of a burst and start it again.

The server is `facilitator serve` in its own process (tests/support/servers.py)
on the test's database. Phones keep retrying with their client keys; a wall
(python-socketio, reconnection on) reconnects, asks for the events after its
last seq, and must end at the database's seq and board. Runs on SQLite (the
embedded default, where a kill must not lose a committed WAL transaction) and
on PostgreSQL.
"""

from __future__ import annotations

import random
import threading
import time
import uuid

import pytest
import requests
import socketio
from sqlalchemy import select

from facilitator import services
from facilitator.db import database
from facilitator.models import Input, Workshop
from facilitator.queries import snapshot
from support.servers import ServerProcess

PHONES = 20
INPUTS_PER_PHONE = 5
KILL_AFTER = 30  # acknowledged inputs before the kill: mid-burst


class Phone(threading.Thread):
    """Sends its inputs one by one; retries each with the same key until it holds a receipt."""

    def __init__(self, number: int, base: str, code: str, acked: threading.Condition, log: list) -> None:
        super().__init__(daemon=True)
        self.url = f"{base}/api/v1/join/{code}/inputs"
        self.inputs = {f"r{number:02d}i{i}-{uuid.uuid4().hex[:10]}": f"Telefon {number} input {i}" for i in range(INPUTS_PER_PHONE)}
        self.receipts: dict[str, dict] = {}
        self.problems: list[str] = []
        self.failures = 0
        self.acked = acked
        self.log = log
        self.random = random.Random(number)

    def run(self) -> None:
        session = requests.Session()
        deadline = time.monotonic() + 120
        for key, text in self.inputs.items():
            while True:
                if time.monotonic() > deadline:
                    self.problems.append(f"{key}: no receipt in time")
                    return
                try:
                    response = session.post(self.url, json={"text": text, "client_key": key}, timeout=5)
                except requests.RequestException:
                    self.failures += 1
                    time.sleep(self.random.uniform(0.02, 0.1))
                    continue
                if response.status_code >= 500:
                    self.failures += 1
                    time.sleep(self.random.uniform(0.02, 0.1))
                    continue
                if response.status_code in (200, 201) and response.json().get("client_key") == key:
                    with self.acked:
                        self.receipts[key] = response.json()
                        self.log.append(key)
                        self.acked.notify_all()
                    break
                self.problems.append(f"{key}: {response.status_code} {response.text[:200]}")
                return


class Wall:
    """A wall that applies events in seq order and resyncs on reconnect or gap, as board.js does."""

    def __init__(self, url: str, workshop_id: int, token: str) -> None:
        self.seq: int | None = None
        self.unsorted: list[int] = []
        self.texts: dict[int, str] = {}
        self.pending: dict[int, dict] = {}
        self.connects = 0
        self.syncs: list[tuple[int | None, str]] = []  # (since, "events" | "snapshot")
        self.problems: list[str] = []
        self.lock = threading.Lock()
        self.client = socketio.Client(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=1, randomization_factor=0.5)
        self.client.on("connect", self._on_connect)
        self.client.on("event", self._on_event)
        self.client.connect(url, auth={"role": "wall", "workshop": workshop_id, "token": token}, transports=["websocket"], wait_timeout=10)

    def _on_connect(self) -> None:
        self.connects += 1
        self.sync()

    def sync(self) -> None:
        since = self.seq
        try:
            self.client.emit("sync", {"since": since}, callback=lambda answer: self._on_sync(since, answer))
        except socketio.exceptions.BadNamespaceError:
            pass  # the server went away in between, as walls see it: the next connect syncs again


    def _on_sync(self, since, answer) -> None:
        with self.lock:
            if "snapshot" in answer:
                self.syncs.append((since, "snapshot"))
                snap = answer["snapshot"]
                self.seq = snap["seq"]
                self.unsorted = list(snap["unsorted"])
                self.texts = {i["id"]: i["text"] for i in snap["inputs"]}
            elif "events" in answer:
                self.syncs.append((since, "events"))
                for event in answer["events"]:
                    self.pending[event["seq"]] = event
            else:
                self.problems.append(f"sync answered {answer}")
            self._drain()

    def _on_event(self, event) -> None:
        with self.lock:
            if self.seq is None or event["seq"] <= self.seq:
                return
            self.pending[event["seq"]] = event
            self._drain()
            gap = bool(self.pending)
        if gap:
            self.sync()

    def _drain(self) -> None:
        while self.seq is not None and self.seq + 1 in self.pending:
            event = self.pending.pop(self.seq + 1)
            if event["type"] != "input.created":
                self.problems.append(f"unexpected event {event['type']}")
            elif event["data"]["id"] not in self.texts:
                self.texts[event["data"]["id"]] = event["data"]["text"]
                self.unsorted.append(event["data"]["id"])
            self.seq = event["seq"]
        for seq in [s for s in self.pending if self.seq is not None and s <= self.seq]:
            del self.pending[seq]

    def close(self) -> None:
        threading.Thread(target=self.client.disconnect, daemon=True).start()


def wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def server(app, database_url, tmp_path):
    process = ServerProcess(database_url, tmp_path / "server-instance", tmp_path)
    yield process
    process.stop()


def test_sigkill_mid_burst_loses_and_doubles_nothing_and_the_wall_resyncs(app, server, user, token):
    workshop = services.create_workshop(user.id, "Genstart", language="da")
    services.set_status(workshop.id, "open")
    server.start()
    wall = Wall(server.url, workshop.id, token)
    acked = threading.Condition()
    log: list[str] = []
    phones = [Phone(n, server.url, workshop.join_code, acked, log) for n in range(PHONES)]
    try:
        wait_until(lambda: wall.seq is not None, 10, "the wall's first snapshot")
        for phone in phones:
            phone.start()
        with acked:
            assert acked.wait_for(lambda: len(log) >= KILL_AFTER, 60), "the burst did not start"
        server.kill()
        with acked:
            acked_before_kill = {key: phone.receipts[key] for phone in phones for key in list(phone.receipts)}
        assert len(acked_before_kill) < PHONES * INPUTS_PER_PHONE  # the kill really was mid-burst
        server.start()
        for phone in phones:
            phone.join(120)
            assert not phone.is_alive()
        assert [p for phone in phones for p in phone.problems] == []
        assert sum(phone.failures for phone in phones) > 0  # phones did meet the dead server

        sent = {key: text for phone in phones for key, text in phone.inputs.items()}
        with database().reader() as s:
            rows = s.execute(select(Input.id, Input.client_key, Input.text).where(Input.workshop_id == workshop.id)).all()
            seq = s.execute(select(Workshop.seq).where(Workshop.id == workshop.id)).scalar_one()
        stored = {key: (id_, text) for id_, key, text in rows}
        assert len(rows) == len(sent)  # none doubled
        assert {key: text for key, (_id, text) in stored.items()} == sent  # none missing, none altered
        for key, receipt in acked_before_kill.items():  # every acknowledgement survived the kill
            assert stored[key] == (receipt["id"], receipt["text"])
        for phone in phones:
            assert set(phone.receipts) == set(phone.inputs)
            assert all(stored[k][0] == r["id"] for k, r in phone.receipts.items())

        wait_until(lambda: wall.seq == seq, 30, f"the wall to reach seq {seq} (it is at {wall.seq})")
        with database().reader() as s:
            board = snapshot(s, s.get(Workshop, workshop.id))
        with wall.lock:
            assert wall.problems == []
            assert wall.seq == board["seq"]
            assert wall.unsorted == board["unsorted"]
            assert wall.texts == {i["id"]: i["text"] for i in board["inputs"]}
            assert wall.connects >= 2  # it lost the server and came back
            # After the reconnect it asked for what it missed since its last seq, and got events.
            assert any(since not in (None, 0) and kind == "events" for since, kind in wall.syncs[1:])
    finally:
        wall.close()
    print(
        f"\nrestart: {len(acked_before_kill)} of {len(sent)} acknowledged before SIGKILL, "
        f"{sum(p.failures for p in phones)} failed attempts retried, wall syncs {wall.syncs}"
    )
