"""A full room: phone sockets past the cap are refused at once; walls, projectors and posts still answer.

Each test runs the real `facilitator serve` (the serving model `make run`
uses) in its own process on its own port. A phone's socket refused past
SOCKETIO_MAX_PARTICIPANTS must get an answer (the "live_full" refusal), not
hang; the phone page then says live updates are paused and keeps posting
over HTTP (tests/test_phone_offline.py drives that page in Chromium).
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid

import pytest
import requests
import socketio
from sqlalchemy import select

from conftest import sqlite_only
from facilitator import extensions, services
from facilitator.db import database
from facilitator.models import Input
from support.servers import ServerProcess

CAP = 5


def wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


class Phone:
    """One phone's socket: what it was told when it connected, or why it was refused."""

    def __init__(self, url: str, code: str) -> None:
        self.states: list[dict] = []
        self.refusals: list[dict] = []
        self.client = socketio.Client(reconnection=False)
        self.client.on("state", self.states.append)
        self.client.on("connect_error", self.refusals.append)
        try:
            self.client.connect(url, auth={"role": "participant", "code": code}, transports=["websocket"], wait_timeout=20)
        except socketio.exceptions.ConnectionError:
            pass

    @property
    def connected(self) -> bool:
        return self.client.connected

    def close(self) -> None:
        self.client.disconnect()


class WallSocket:
    """A wall socket that keeps every event it receives."""

    def __init__(self, url: str, workshop_id: int, token: str) -> None:
        self.events: list[dict] = []
        self.lock = threading.Lock()
        self.client = socketio.Client(reconnection=False)
        self.client.on("event", self._on_event)
        self.client.connect(url, auth={"role": "wall", "workshop": workshop_id, "token": token}, transports=["websocket"], wait_timeout=20)

    def _on_event(self, event: dict) -> None:
        with self.lock:
            self.events.append(event)

    def texts(self) -> list[str]:
        with self.lock:
            return [e["data"]["text"] for e in self.events if e["type"] == "input.created"]


def _post(url: str, code: str, text: str) -> requests.Response:
    return requests.post(
        f"{url}/api/v1/join/{code}/inputs",
        json={"text": text, "client_key": str(uuid.uuid4())},
        headers={"X-Phone-Key": f"phone-{uuid.uuid4().hex}"},
        timeout=20,
    )


@pytest.fixture
def full_room(app, user, token, database_url, tmp_path):
    """An open workshop on its own `facilitator serve` with room for CAP phone sockets."""
    workshop = services.create_workshop(user.id, "Plenum", language="da")
    services.set_status(workshop.id, "open")
    server = ServerProcess(
        database_url, tmp_path / "server-instance", tmp_path, threads=None,
        SOCKETIO_MAX_PARTICIPANTS=str(CAP), SERVE_RESERVED_CONNECTIONS="50",
    )
    server.start()
    yield server, workshop
    server.stop()


def test_phone_sockets_past_the_cap_are_refused_at_once_and_walls_and_posts_still_answer(full_room, token):
    server, workshop = full_room
    phones = [Phone(server.url, workshop.join_code) for _ in range(CAP)]
    extra: list[Phone] = []
    wall = None
    try:
        assert all(p.connected for p in phones), server.log_tail()
        wait_until(lambda: all(p.states for p in phones), 20, "every admitted phone's state")

        # Over the cap: an answer (the refusal), not a connect that waits for a free thread.
        extra = [Phone(server.url, workshop.join_code) for _ in range(3)]
        for phone in extra:
            assert not phone.connected
            assert [r.get("data", {}).get("code") for r in phone.refusals] == ["live_full"]
            assert phone.refusals[0]["message"]  # the server's words too, for API clients
            assert phone.states == []

        # Walls are not phones: their share is untouched, and they get every post.
        wall = WallSocket(server.url, workshop.id, token)
        answer = wall.client.call("sync", {"since": 0}, timeout=20)
        assert "events" in answer or "snapshot" in answer
        for n in range(3):
            posted = _post(server.url, workshop.join_code, f"fuld sal {n}")
            assert posted.status_code == 201, posted.text
        wait_until(lambda: len(wall.texts()) == 3, 20, "the wall to receive every post")
        assert wall.texts() == ["fuld sal 0", "fuld sal 1", "fuld sal 2"]
        # The phone page itself still loads.
        assert requests.get(f"{server.url}/j/{workshop.join_code}", timeout=20).status_code == 200

        # A phone that leaves gives its place to the next one.
        phones.pop().close()

        def next_phone_gets_in() -> bool:
            phone = Phone(server.url, workshop.join_code)
            extra.append(phone)
            return phone.connected
        wait_until(next_phone_gets_in, 20, "a freed place to be given to the next phone")
    finally:
        for phone in phones + extra:
            phone.close()
        if wall is not None:
            wall.client.disconnect()


PLENARY = 3000


@pytest.mark.slow
def test_the_default_serve_holds_a_plenary_of_3000_phone_sockets_from_one_address(app, user, token, database_url, tmp_path):
    """3,000 participant sockets from 127.0.0.1 (one venue NAT) on the default settings: posts and a wall answer."""
    if not database_url.startswith("sqlite"):
        pytest.skip("the embedded default is SQLite")
    _room_for_sockets(PLENARY + 200)
    workshop = services.create_workshop(user.id, "Plenum", language="da")
    services.set_status(workshop.id, "open")
    server = ServerProcess(database_url, tmp_path / "server-instance", tmp_path, threads=None).start()
    try:
        connected = _run_in_own_thread(_plenary(server.url, workshop.join_code, PLENARY, lambda: _while_full(server, workshop, token)))
        assert connected == PLENARY, server.log_tail()
    finally:
        server.stop()


def _room_for_sockets(count: int) -> None:
    """This test process holds every phone's socket: raise its open-files limit as serve does its own."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < count:
        if hard != resource.RLIM_INFINITY and hard < count:
            pytest.skip(f"the hard limit on open files ({hard}) is below {count}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (count, hard))


def _while_full(server, workshop, token) -> None:
    """With every phone socket open: a wall connects and syncs, posts are stored and reach it."""
    wall = WallSocket(server.url, workshop.id, token)
    try:
        answer = wall.client.call("sync", {"since": None}, timeout=30)
        assert answer["snapshot"]["seq"] >= 0
        for n in range(5):
            posted = _post(server.url, workshop.join_code, f"plenum {n}")
            assert posted.status_code == 201, posted.text
        wait_until(lambda: len(wall.texts()) == 5, 30, "the wall to receive the plenary's posts")
        assert requests.get(f"{server.url}/j/{workshop.join_code}", timeout=30).status_code == 200
    finally:
        wall.client.disconnect()


async def _plenary(url: str, code: str, count: int, check) -> int:
    """Open `count` phone sockets (50 at a time), run check() with all of them open, close them."""
    gate = asyncio.Semaphore(50)
    clients: list[socketio.AsyncClient] = []

    async def one() -> None:
        async with gate:
            client = socketio.AsyncClient(reconnection=False)
            clients.append(client)
            try:
                await client.connect(url, auth={"role": "participant", "code": code}, transports=["websocket"], wait_timeout=30)
            except socketio.exceptions.ConnectionError:
                pass

    try:
        await asyncio.wait_for(asyncio.gather(*(one() for _ in range(count))), 300)
        connected = sum(1 for c in clients if c.connected)
        if connected == count:
            await asyncio.get_running_loop().run_in_executor(None, check)
        return connected
    finally:
        await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)


@pytest.mark.browser
@sqlite_only
def test_a_phone_turned_away_says_live_updates_are_paused_and_still_sends(browser, app, user, database_url, tmp_path):
    from conftest import PHONE, LiveServer, make_app, screenshot

    workshop = services.create_workshop(user.id, "Fuld sal", language="da")
    services.set_status(workshop.id, "open")
    full = make_app(database_url, tmp_path / "full", SOCKETIO_MAX_PARTICIPANTS=1)
    server = LiveServer(full).start()
    first = Phone(server.url, workshop.join_code)  # takes the only place
    context = browser.new_context(base_url=server.url, **PHONE)
    context.set_default_timeout(15000)
    try:
        assert first.connected
        page = context.new_page()
        page.goto(f"/j/{workshop.join_code}")
        page.wait_for_selector("#live-paused:not([hidden])")
        notice = page.locator("#live-paused").inner_text()
        assert "Live-opdateringer er sat på pause" in notice  # the page's language (the workshop's: Danish)
        page.fill("#text", "Sendt uden live-forbindelse")
        page.click("#send")
        page.wait_for_selector(".receipt[data-state=received]")
        screenshot(page, "phone-live-paused")
        with database().reader() as s:
            texts = s.execute(select(Input.text).where(Input.workshop_id == workshop.id)).scalars().all()
        assert texts == ["Sendt uden live-forbindelse"]
    finally:
        context.close()
        first.close()
        server.stop()
        extensions.database(full).dispose()


def _run_in_own_thread(coroutine):
    """asyncio.run() in a thread of its own: Playwright's sync API may already run a loop in this one."""
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()

