"""The load generator: walls and phones as real Socket.IO and HTTP clients (asyncio).

Walls and phones run in separate generator processes, so the walls' receive
timestamps are not delayed by the phones' own work. Both use
time.monotonic(), one clock for every process on the machine, so a send time
taken in the phones' process and a receive time taken in the walls' process
subtract cleanly. Each process talks to the coordinator over a Pipe.
"""

from __future__ import annotations

import asyncio
import os
import random
import time

import aiohttp
import socketio

# A wall waits this long for a missing seq before it asks for what it missed (as board.js does).
GAP_WAIT = 1.0
# A phone gives up on one attempt after this long, then backs off as participant.js does.
SEND_TIMEOUT = 10.0


def backoff(attempt: int) -> float:
    """participant.js backoff(): 2, 4, 8, 16, 30, 30 ... seconds, each times 0.5-1.5 (jitter)."""
    return min(30.0, 2.0 ** min(attempt, 5)) * (0.5 + random.random())


def socketio_backoff(attempt: int, low: float, high: float, jitter: float = 0.5) -> float:
    """socket.io-client's Backoff.duration(): low * 2**attempt, up or down by up to `jitter` of it, at most `high`.

    python-socketio's own client differs: its jitter is a fixed +-0.5 s and it
    gives a reconnect 1 s to be answered, so a thousand of its clients come back
    in step, every 10 s, and each wave that a busy server cannot answer within
    1 s waits for the next. Browsers spread out and wait 20 s.
    """
    ms = low * 2**attempt
    r = random.random()
    deviation = r * jitter * ms
    ms = ms - deviation if int(r * 10) % 2 == 0 else ms + deviation
    return min(ms, high)


class Reconnecting:
    """A python-socketio client that reconnects as the pages' socket.io-client does (see socketio_backoff)."""

    CONNECT_TIMEOUT = 20.0  # socket.io-client's `timeout` default

    def __init__(self, low: float, high: float) -> None:
        self.low, self.high = low, high
        self.closing = False
        self._task: asyncio.Task | None = None
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("disconnect", self._on_disconnect)

    async def open(self, url: str, auth: dict) -> None:
        """Connect the first time (raises socketio.exceptions.ConnectionError)."""
        self.url, self.auth = url, auth
        await self.sio.connect(url, auth=auth, transports=["websocket"], wait_timeout=60)

    async def _on_disconnect(self, *_reason) -> None:
        if not self.closing and (self._task is None or self._task.done()):
            self._task = asyncio.get_running_loop().create_task(self._reconnect())

    async def _reconnect(self) -> None:
        attempt = 0
        while not self.closing:
            await asyncio.sleep(socketio_backoff(attempt, self.low, self.high))
            attempt += 1
            try:
                await self.sio.connect(self.url, auth=self.auth, transports=["websocket"], wait_timeout=self.CONNECT_TIMEOUT)
                return
            except (socketio.exceptions.ConnectionError, ValueError):
                continue

    async def close(self) -> None:
        self.closing = True
        if self._task is not None:
            self._task.cancel()
        await self.sio.disconnect()


def _pin(cpus) -> None:
    if cpus and len(os.sched_getaffinity(0)) > 1:
        os.sched_setaffinity(0, cpus)


class Wall:
    """A wall that applies events strictly in seq order and resyncs after a reconnect or a gap."""

    def __init__(self, url: str, auth: dict) -> None:
        self.url, self.auth = url, auth
        self.applied: int | None = None
        self.pending: dict[int, tuple[dict, float]] = {}
        # text -> list of (seq, applied at); more than one seq for a text is a duplicate.
        self.delivered: dict[str, list[tuple[int, float]]] = {}
        self.synced_at = 0.0
        self.resyncs = 0
        self._gap_task: asyncio.Task | None = None
        # wall.js: socket.io-client's defaults (1 s to 5 s) with randomizationFactor 0.5.
        self.client = Reconnecting(low=1.0, high=5.0)
        self.sio = self.client.sio
        self.sio.on("connect", self._on_connect)
        self.sio.on("event", self._on_event)

    async def connect(self) -> None:
        await self.client.open(self.url, self.auth)
        await self.resync()

    async def _on_connect(self) -> None:
        # Only reconnects need this; the first sync is awaited in connect().
        if self.applied is not None:
            asyncio.get_running_loop().create_task(self.resync())

    async def resync(self) -> None:
        for _ in range(20):
            try:
                answer = await self.sio.call("sync", {"since": self.applied}, timeout=30)
                break
            except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError):
                await asyncio.sleep(0.5)
        else:
            return
        now = time.monotonic()
        if "snapshot" in answer:
            snapshot = answer["snapshot"]
            for item in snapshot["inputs"]:
                self._deliver(item["text"], None, now)
            self.applied = snapshot["seq"]
        else:
            for event in answer.get("events", []):
                if self.applied is None or event["seq"] > self.applied:
                    self._apply(event, now)
        self.resyncs += 1
        self.synced_at = now
        self._drain()

    async def _on_event(self, event: dict) -> None:
        now = time.monotonic()
        if self.applied is not None and event["seq"] <= self.applied:
            return
        self.pending[event["seq"]] = (event, now)
        self._drain()

    def _drain(self) -> None:
        if self.applied is None:
            return
        for seq in [s for s in self.pending if s <= self.applied]:
            del self.pending[seq]
        while self.applied + 1 in self.pending:
            event, received = self.pending.pop(self.applied + 1)
            self._apply(event, received)
        if self.pending and (self._gap_task is None or self._gap_task.done()):
            self._gap_task = asyncio.get_running_loop().create_task(self._fill_gap(self.applied))

    async def _fill_gap(self, stuck_at: int) -> None:
        await asyncio.sleep(GAP_WAIT)
        if self.pending and self.applied == stuck_at:
            await self.resync()

    def _apply(self, event: dict, at: float) -> None:
        self.applied = event["seq"]
        if event["type"] == "input.created":
            self._deliver(event["data"]["text"], event["seq"], at)

    def _deliver(self, text: str, seq: int | None, at: float) -> None:
        seen = self.delivered.setdefault(text, [])
        if seq is None or all(s != seq for s, _ in seen):
            if seq is None and seen:
                return  # already had it live; the snapshot only confirms it
            seen.append((seq, at))


def walls_main(conn, urls: list[str], auth: dict, count: int, cpus) -> None:
    """Walls process: connect, report ready, then wait for the texts the coordinator names."""
    _pin(cpus)
    asyncio.run(_walls(conn, urls, auth, count))


async def _walls(conn, urls, auth, count) -> None:
    loop = asyncio.get_running_loop()
    walls = [Wall(urls[n % len(urls)], auth) for n in range(count)]
    await asyncio.gather(*(w.connect() for w in walls))
    conn.send({"ready": True})
    while True:
        message = await loop.run_in_executor(None, conn.recv)
        if message.get("stop"):
            break
        expected = set(message["texts"])
        deadline = time.monotonic() + message["timeout"]
        while time.monotonic() < deadline and not all(expected <= w.delivered.keys() for w in walls):
            await asyncio.sleep(0.05)
        # Let a restarted server's late reconnects finish too.
        while time.monotonic() < deadline and any(not w.sio.connected for w in walls):
            await asyncio.sleep(0.05)
        conn.send(
            {
                "delivered": [{t: v for t, v in w.delivered.items()} for w in walls],
                "synced_at": [w.synced_at for w in walls],
                "connected": [w.sio.connected for w in walls],
                "resyncs": [w.resyncs for w in walls],
            }
        )
    await asyncio.gather(*(w.client.close() for w in walls), return_exceptions=True)


class Phones:
    """Participant sockets plus the HTTP posts they make (with the phone's retry-until-acknowledged)."""

    def __init__(self, urls: list[str], code: str, count: int) -> None:
        self.urls, self.code, self.count = urls, code, count
        self.clients: list[Reconnecting] = []
        # Each phone's own cookies (its admission and its phone key), as its browser keeps them.
        self.cookies: list[str] = [""] * count
        self.connected_at: list[float] = [0.0] * count
        self.states = [0] * count
        self.other_messages = 0
        self.not_connected = 0
        self.acks: list[dict] = []
        self.failures: list[dict] = []

    def _socket(self, n: int) -> Reconnecting:
        # participant.js: reconnectionDelay 2 s, reconnectionDelayMax 15 s, randomizationFactor 0.5.
        client = Reconnecting(low=2.0, high=15.0)
        self.clients.append(client)
        sio = client.sio

        async def on_connect():
            self.connected_at[n] = time.monotonic()

        async def on_state(_state):
            self.states[n] += 1

        async def on_other(name, *_args):
            if name != "state":
                self.other_messages += 1

        sio.on("connect", on_connect)
        sio.on("state", on_state)
        sio.on("*", on_other)
        return client

    async def connect(self, concurrency: int = 50) -> float:
        """Connect every phone's socket; seconds until the last one is in."""
        gate = asyncio.Semaphore(concurrency)
        # The phone page reads the workshop's state first; its answer sets the phone's cookies.
        http = aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar())

        async def one(n: int) -> None:
            async with gate:
                await self._join(http, n)
                client = self._socket(n)
                auth = {"role": "participant", "code": self.code}
                for attempt in range(5):
                    try:
                        await client.open(self.urls[n % len(self.urls)], auth)
                        return
                    except socketio.exceptions.ConnectionError:
                        await asyncio.sleep(0.5 * (attempt + 1))
                # Counted, not fatal: a server that turns phones away is a result too.
                self.not_connected += 1

        started = time.monotonic()
        try:
            await asyncio.gather(*(one(n) for n in range(self.count)))
        finally:
            await http.close()
        return time.monotonic() - started

    async def _join(self, http, n: int) -> None:
        """GET the join state as participant.js does; keep the cookies it sets for this phone's posts."""
        url = f"{self.urls[n % len(self.urls)]}/api/v1/join/{self.code}"
        try:
            async with http.get(url, timeout=aiohttp.ClientTimeout(total=SEND_TIMEOUT)) as answer:
                await answer.read()
                self.cookies[n] = "; ".join(f"{name}={morsel.value}" for name, morsel in answer.cookies.items())
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
            pass  # posts without cookies, as a phone whose first read failed

    async def post_all(self, rate: float, duration: float, prefix: str, give_up_after: float) -> float:
        """Send rate*duration inputs on schedule; return the worst lag behind the schedule."""
        total = int(rate * duration)
        connector = aiohttp.TCPConnector(limit=200)
        worst_lag = 0.0
        async with aiohttp.ClientSession(connector=connector) as http:
            start = time.monotonic() + 0.05
            deadline = start + duration + give_up_after
            tasks = []
            for i in range(total):
                due = start + i / rate
                delay = due - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                worst_lag = max(worst_lag, time.monotonic() - due)
                tasks.append(asyncio.ensure_future(self._post(http, i, f"{prefix} input {i:06d}", deadline)))
            await asyncio.gather(*tasks)
        return worst_lag

    async def _post(self, http, i: int, text: str, deadline: float) -> None:
        url = f"{self.urls[i % len(self.urls)]}/api/v1/join/{self.code}/inputs"
        body = {"text": text, "client_key": f"{text.replace(' ', '-')}-key"}
        headers = {"Cookie": self.cookies[i % self.count]} if self.cookies[i % self.count] else {}
        first = time.monotonic()
        attempts = 0
        status = None
        while time.monotonic() < deadline:
            attempts += 1
            try:
                timeout = aiohttp.ClientTimeout(total=SEND_TIMEOUT)
                async with http.post(url, json=body, headers=headers, timeout=timeout) as answer:
                    status = answer.status
                    await answer.read()
                    if status in (200, 201):
                        self.acks.append({"text": text, "sent": first, "acked": time.monotonic(), "attempts": attempts})
                        return
                    if status < 500 and status != 429:
                        break
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
                status = "connection"
            await asyncio.sleep(min(backoff(attempts), max(0.0, deadline - time.monotonic())))
        self.failures.append({"text": text, "status": status, "attempts": attempts})

    async def wait_all_connected(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not all(c.sio.connected for c in self.clients):
            await asyncio.sleep(0.05)

    async def close(self) -> None:
        await asyncio.gather(*(c.close() for c in self.clients), return_exceptions=True)


def phones_main(conn, urls: list[str], code: str, count: int, cpus) -> None:
    """Phones process: connect all, report, post on the coordinator's go, report acks."""
    _pin(cpus)
    asyncio.run(_phones(conn, urls, code, count))


async def _phones(conn, urls, code, count) -> None:
    loop = asyncio.get_running_loop()
    phones = Phones(urls, code, count)
    connect_seconds = await phones.connect()
    conn.send({"connect_seconds": connect_seconds})
    go = await loop.run_in_executor(None, conn.recv)
    lag = await phones.post_all(go["rate"], go["duration"], go["prefix"], go["give_up_after"])
    await phones.wait_all_connected(go["reconnect_timeout"])
    conn.send(
        {
            "acks": phones.acks,
            "failures": phones.failures,
            "schedule_lag": lag,
            "connected_at": phones.connected_at,
            "connected": sum(1 for c in phones.clients if c.sio.connected),
            "not_connected_at_start": phones.not_connected,
            "states": phones.states,
            "other_messages": phones.other_messages,
        }
    )
    await loop.run_in_executor(None, conn.recv)
    await phones.close()
