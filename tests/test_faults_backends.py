"""The servers behind the app go away mid-run: Redis, PostgreSQL, the SQLite file's disk.

Each test starts the server it breaks itself (tests/support/own_services.py, a
tmpfs of its own), never the machine's shared ones. Phones are real HTTP
clients that keep their input and retry with the same client key, as the
phone page's outbox does; walls are real Socket.IO clients.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import threading
import time
import uuid
from pathlib import Path

import psycopg
import pytest
import requests
import socketio
from sqlalchemy import select

from conftest import LiveServer, csrf_in, fresh_pg_database, make_app, sqlite_only
from facilitator import extensions, migrate, services
from facilitator.db import database
from facilitator.models import Input
from support.own_services import PostgresCluster, RedisServer
from support.servers import ServerProcess

pytestmark = pytest.mark.slow


class Phone:
    """A phone with its server-issued key; keeps each input until the server acknowledges it."""

    def __init__(self, base: str, code: str) -> None:
        self.base = base
        self.code = code
        self.http = requests.Session()
        assert self.http.get(f"{base}/api/v1/join/{code}", timeout=10).status_code == 200
        self.pending: dict[str, str] = {}
        self.acked: dict[str, int] = {}

    def write(self, text: str) -> str:
        key = uuid.uuid4().hex
        self.pending[key] = text
        return key

    def send(self, key: str) -> requests.Response | None:
        """One attempt; the input stays pending unless it was acknowledged."""
        try:
            answer = self.http.post(
                f"{self.base}/api/v1/join/{self.code}/inputs", json={"text": self.pending.get(key) or "", "client_key": key}, timeout=20
            )
        except requests.RequestException:
            return None
        if answer.status_code in (200, 201) and answer.json().get("client_key") == key:
            self.acked[key] = answer.json()["id"]
            self.pending.pop(key, None)
        return answer

    def flush(self, timeout: float = 90) -> None:
        """Resend everything pending until acknowledged (the outbox's retries)."""
        deadline = time.monotonic() + timeout
        while self.pending:
            for key in list(self.pending):
                self.send(key)
            if self.pending:
                assert time.monotonic() < deadline, f"never acknowledged: {self.pending}"
                time.sleep(0.3)


class Wall:
    """A wall socket that records events and fills gaps by `sync`, as wall.js does."""

    def __init__(self, url: str, workshop_id: int, token: str) -> None:
        self.events: dict[int, dict] = {}
        self.changed = threading.Condition()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("event", self._event)
        self.sio.connect(url, auth={"role": "wall", "workshop": workshop_id, "token": token}, transports=["websocket"], wait_timeout=10)
        self.seq = self.sio.call("sync", {"since": None}, timeout=15)["snapshot"]["seq"]

    def _event(self, event) -> None:
        with self.changed:
            self.events[event["seq"]] = event
            self.changed.notify_all()

    def catch_up(self) -> None:
        """Apply the events after the last contiguous one."""
        while self.seq + 1 in self.events:
            self.seq += 1
        answer = self.sio.call("sync", {"since": self.seq}, timeout=15)
        for event in answer["events"]:
            self.events[event["seq"]] = event
        while self.seq + 1 in self.events:
            self.seq += 1

    def texts(self) -> list[str]:
        return [e["data"]["text"] for _seq, e in sorted(self.events.items()) if e["type"] == "input.created"]

    def close(self) -> None:
        self.sio.disconnect()


def _setup(url: str, instance: Path, language: str = "da", **settings):
    """A user, an API token and an open workshop, written through the services."""
    app = make_app(url, instance)
    with app.app_context():
        user = services.create_user("anna@example.org", "correct horse battery")
        token, _row = services.create_token(user.id, "faults")
        w = services.create_workshop(user.id, "Borgermøde", language=language, settings=settings or None)
        services.set_status(w.id, "open")
    return app, token, w


def _count_inputs(app, workshop_id: int) -> list[str]:
    with app.app_context():
        with database().reader() as s:
            return list(s.execute(select(Input.client_key).where(Input.workshop_id == workshop_id)).scalars())


def _refused_in_danish(answer, code: str) -> None:
    assert answer is not None and answer.status_code == 503, answer.text if answer is not None else None
    assert answer.headers["Retry-After"].isdigit()
    error = answer.json()["error"]
    assert error["code"] == code and error["retry_after"] >= 1
    assert "Serveren kan ikke gemme" in error["message"], error["message"]


# --- Redis ---------------------------------------------------------------------------------


@pytest.fixture
def pg_database():
    """A database of this test's own on the shared PostgreSQL (only Redis is broken here)."""
    with fresh_pg_database("facilitator_faults") as url:
        yield url


@pytest.mark.postgres
def test_phones_keep_posting_while_redis_is_away_and_walls_converge_after(pg_database, tmp_path):
    redis = RedisServer(tmp_path).start()
    app, token, w = _setup(pg_database, tmp_path / "setup")
    settings = {
        "SOCKETIO_MESSAGE_QUEUE": redis.url,
        "SOCKETIO_CHANNEL": f"faults-{uuid.uuid4().hex}",
        "RATELIMIT_ENABLED": "1",  # the limiter counts in Redis: the part that used to answer 500
    }
    a = ServerProcess(pg_database, tmp_path / "a", tmp_path, **settings).start()
    b = ServerProcess(pg_database, tmp_path / "b", tmp_path, **settings).start()
    wall = None
    try:
        wall = Wall(b.url, w.id, token)
        phones = [Phone(server.url, w.join_code) for server in (a, b, a, b)]
        for n, phone in enumerate(phones):
            assert phone.send(phone.write(f"før {n}")).status_code == 201
        with wall.changed:
            assert wall.changed.wait_for(lambda: len(wall.events) >= 4, 20), wall.events

        redis.kill()
        for round_ in range(3):
            for n, phone in enumerate(phones):
                answer = phone.send(phone.write(f"uden redis {round_}.{n}"))
                assert answer is not None and answer.status_code == 201, answer.text if answer else None

        redis.start()
        # Until the channel is back, a post reaches the wall only by a later sync; go on posting
        # until one arrives live again (Socket.IO's listener reconnects with a backoff).
        deadline = time.monotonic() + 120
        while True:
            key = phones[0].write(f"efter {time.monotonic():.3f}")
            assert phones[0].send(key).status_code == 201
            live = phones[0].acked[key]
            with wall.changed:
                if wall.changed.wait_for(lambda: live in {e["data"].get("id") for e in wall.events.values()}, 3):
                    break
            assert time.monotonic() < deadline, "the wall never got a live event after Redis came back"
        wall.catch_up()

        stored = _count_inputs(app, w.id)
        sent = [key for phone in phones for key in phone.acked]
        assert sorted(stored) == sorted(sent)  # nothing lost, nothing doubled
        assert len(wall.texts()) == len(stored) == len(set(wall.texts()))
        assert "Redis is unreachable" in a.log_tail(100_000) + b.log_tail(100_000)
        # The limiter tries Redis again a few seconds after its failure, and says so when it answers.
        deadline = time.monotonic() + 60
        while "Redis is reachable again" not in a.log_tail(100_000):
            phones[0].send(phones[0].write("senere"))
            assert time.monotonic() < deadline, a.log_tail()
            time.sleep(0.5)
        phones[0].flush()

        stored = _count_inputs(app, w.id)
        sent = [key for phone in phones for key in phone.acked]
        assert sorted(stored) == sorted(sent)
    finally:
        if wall is not None:
            wall.close()
        a.stop()
        b.stop()
        redis.kill()
        extensions.database(app).dispose()


# --- PostgreSQL restart --------------------------------------------------------------------


@pytest.fixture
def own_postgres():
    """A PostgreSQL cluster of this test's own, with an empty migrated database."""
    cluster = PostgresCluster().start()
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{cluster.port}/postgres", autocommit=True) as conn:
        conn.execute('CREATE DATABASE "facilitator"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:{cluster.port}/facilitator"
    migrate.upgrade(url)
    yield cluster, url
    cluster.destroy()


def test_a_postgresql_restart_answers_503_and_the_outbox_resends(own_postgres, tmp_path):
    cluster, url = own_postgres
    app, token, w = _setup(url, tmp_path / "setup")
    server = ServerProcess(url, tmp_path / "server", tmp_path).start()
    try:
        phones = [Phone(server.url, w.join_code) for _ in range(3)]
        for n, phone in enumerate(phones):
            assert phone.send(phone.write(f"før genstart {n}")).status_code == 201
        before = {key: id_ for phone in phones for key, id_ in phone.acked.items()}

        cluster.stop()
        for n, phone in enumerate(phones):
            _refused_in_danish(phone.send(phone.write(f"under genstart {n}")), "unavailable")
        state = phones[0].http.get(f"{server.url}/api/v1/join/{w.join_code}", timeout=20)
        _refused_in_danish(state, "unavailable")
        # The facilitator's API says so too, in its own words.
        wall_call = requests.post(
            f"{server.url}/api/v1/workshops/{w.id}/themes", json={"title": "Tema"},
            headers={"Authorization": f"Bearer {token}", "Accept-Language": "da"}, timeout=20,
        )
        _refused_in_danish(wall_call, "storage_unavailable")

        cluster.start()
        for phone in phones:
            phone.flush()
        # An input acknowledged before the restart, sent again (its receipt was lost): the same row.
        key, id_ = next(iter(before.items()))
        owner = next(p for p in phones if key in p.acked)
        owner.pending[key] = "før genstart 0"
        assert owner.send(key).status_code == 200 and owner.acked[key] == id_
        assert server.process.poll() is None and server.runs == 1  # recovered without a restart
        stored = _count_inputs(app, w.id)
        assert sorted(stored) == sorted(k for p in phones for k in p.acked) and len(stored) == 6
    finally:
        server.stop()
        extensions.database(app).dispose()


# --- SQLite: disk full, read-only ------------------------------------------------------------


def _fill(folder: Path, name: str) -> Path:
    """Write zeros into folder until its filesystem is full."""
    path = folder / name
    chunk = b"\0" * 65536
    with open(path, "wb", buffering=0) as f:
        try:
            while True:
                f.write(chunk)
        except OSError:
            pass
    return path


def _integrity(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MB tmpfs of this test's own (needs root, as the tests run here)."""
    folder = tmp_path / "disk"
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(folder)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=True)


def test_a_full_disk_answers_503_and_keeps_the_file_whole(small_disk, tmp_path):
    path = small_disk / "facilitator.sqlite3"
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    app, token, w = _setup(url, tmp_path / "instance", max_input_length=5000)
    server = LiveServer(app).start()
    try:
        phones = [Phone(server.url, w.join_code) for _ in range(2)]
        assert phones[0].send(phones[0].write("før disken blev fuld")).status_code == 201
        filler = _fill(small_disk, "filler")
        os.truncate(filler, max(0, filler.stat().st_size - 256 * 1024))  # a little room left
        refused = None
        for n in range(400):  # each post needs new pages in the WAL: the room runs out
            phone = phones[n % 2]
            answer = phone.send(phone.write(f"input {n} " + "ø" * 3000))
            if answer.status_code != 201:
                refused = answer
                break
        _refused_in_danish(refused, "unavailable")
        more = _fill(small_disk, "more")
        # The wall's commands are refused with their own clear message (this one needs more
        # room than the refused post left in the write-ahead log).
        wall_call = requests.post(
            f"{server.url}/api/v1/workshops/{w.id}/themes", json={"title": "Tema", "summary": "Tema " * 3800},
            headers={"Authorization": f"Bearer {token}", "Accept-Language": "da"}, timeout=20,
        )
        _refused_in_danish(wall_call, "storage_unavailable")
        assert _integrity(path) == "ok"

        filler.unlink()
        more.unlink()
        for phone in phones:
            phone.flush()
        stored = _count_inputs(app, w.id)
        assert sorted(stored) == sorted(k for p in phones for k in p.acked)
        assert _integrity(path) == "ok"
    finally:
        server.stop()
        extensions.database(app).dispose()


@sqlite_only
def test_a_read_only_database_answers_503_and_the_text_waits_on_the_phone(database_url, tmp_path):
    path = Path(database_url.removeprefix("sqlite:///"))
    writable, token, w = _setup(database_url, tmp_path / "setup", language="da")
    # The same file opened read-only, as when its folder or mount forbids writing.
    read_only = make_app(f"sqlite:///file:{path}?mode=ro&uri=true", tmp_path / "ro")
    server = LiveServer(read_only).start()
    try:
        phone = Phone(server.url, w.join_code)  # reading still works: the phone page opens
        key = phone.write("mens databasen er skrivebeskyttet")
        _refused_in_danish(phone.send(key), "unavailable")
        # The no-JavaScript form: the page again with the text kept, the reason and Retry-After.
        csrf = csrf_in(phone.http.get(f"{server.url}/j/{w.join_code}", timeout=20).text)
        form = phone.http.post(
            f"{server.url}/j/{w.join_code}", data={"text": "fra formularen", "client_key": uuid.uuid4().hex, "csrf_token": csrf}, timeout=20
        )
        assert form.status_code == 503 and form.headers["Retry-After"].isdigit()
        assert "fra formularen</textarea>" in form.text and "Serveren kan ikke gemme input" in form.text
        wall_call = requests.post(
            f"{server.url}/api/v1/workshops/{w.id}/themes", json={"title": "Tema"},
            headers={"Authorization": f"Bearer {token}", "Accept-Language": "da"}, timeout=20,
        )
        _refused_in_danish(wall_call, "storage_unavailable")
    finally:
        server.stop()
        extensions.database(read_only).dispose()
    # Writable again: the phone's outbox delivers the text it kept, once.
    server = LiveServer(writable).start()
    try:
        phone.base = server.url
        phone.flush()
        assert _count_inputs(writable, w.id) == [key]
        assert _integrity(path) == "ok"
    finally:
        server.stop()
        extensions.database(writable).dispose()


@sqlite_only
@pytest.mark.browser
def test_the_wall_says_clearly_that_it_cannot_save_while_the_database_is_read_only(database_url, tmp_path, app, user, new_context, live_server):
    from conftest import browser_login, screenshot
    from facilitator.demo import load_demo

    w = load_demo(user.id)  # the 117 inputs of the reference workshop
    path = Path(database_url.removeprefix("sqlite:///"))
    read_only = make_app(f"sqlite:///file:{path}?mode=ro&uri=true", tmp_path / "ro")
    server = LiveServer(read_only).start()
    try:
        # Logged in while the database could still be written; cookies do not tell ports apart.
        laptop = {"viewport": {"width": 1366, "height": 768}, "locale": "da-DK"}
        login = new_context(**laptop)
        browser_login(login)
        context = new_context(**laptop, base_url=server.url)
        context.add_cookies(login.cookies())
        page = context.new_page()
        page.goto(f"/workshops/{w.id}/wall")
        page.fill("#add-theme-title", "Nyt tema")
        page.press("#add-theme-title", "Enter")
        error = page.locator("#wall-error")
        error.wait_for(state="visible")
        assert "Serveren kan ikke gemme ændringer" in error.text_content()
        screenshot(page, "wall-database-read-only")
    finally:
        server.stop()
        extensions.database(read_only).dispose()


@sqlite_only
@pytest.mark.browser
def test_the_phone_keeps_the_text_and_says_why_while_the_database_is_read_only(database_url, tmp_path, app, user, new_context):
    from conftest import PHONE, screenshot

    w = services.create_workshop(user.id, "Borgermøde", language="da", prompt="Hvad skal byen satse på?")
    services.set_status(w.id, "open")
    path = Path(database_url.removeprefix("sqlite:///"))
    read_only = make_app(f"sqlite:///file:{path}?mode=ro&uri=true", tmp_path / "ro")
    server = LiveServer(read_only).start()
    try:
        page = new_context(**PHONE, base_url=server.url).new_page()
        page.goto(f"/j/{w.join_code}")
        page.fill("#text", "Flere cykelstier langs havnen")
        page.click("#send")
        waiting = page.locator("li[data-state=waiting]")
        waiting.wait_for()
        assert "Flere cykelstier langs havnen" in waiting.text_content()
        assert "Serveren kan ikke gemme input lige nu" in waiting.text_content()
        screenshot(page, "phone-database-read-only")
    finally:
        server.stop()
        extensions.database(read_only).dispose()
