"""Two facilitators move the same cards at the same moment: every wall ends with the server's board.

Two real Socket.IO wall clients keep a model of the board the way static/js/board.js
does (a snapshot, then events applied strictly in seq order: a move names the input
it now follows, a theme change carries the full orders of the columns it changed). Two threads send conflicting commands over HTTP
through the real server, each as its own facilitator, released together by a barrier.
Afterwards both models equal each other and the snapshot from GET /api/v1/workshops/<id>.
"""

from __future__ import annotations

import random
import threading
import time

import pytest
import requests
import socketio

from facilitator import services


class WallModel:
    """The board as a wall sees it: a Python twin of board.js's Board.apply."""

    def __init__(self) -> None:
        self.seq = 0
        self.themes: list[dict] = []
        self.unsorted: list[int] = []
        self.hidden: dict[int, bool] = {}

    def load(self, snap: dict) -> None:
        self.seq = snap["seq"]
        self.themes = [{"id": t["id"], "title": t["title"], "summary": t["summary"], "ids": list(t["input_ids"])} for t in snap["themes"]]
        self.unsorted = list(snap["unsorted"])
        self.hidden = {i["id"]: i["hidden"] for i in snap["inputs"]}

    def theme(self, theme_id):
        return next((t for t in self.themes if t["id"] == theme_id), None)

    def set_column(self, theme_id, order) -> None:
        if theme_id is None:
            self.unsorted = list(order)
        elif self.theme(theme_id) is not None:
            self.theme(theme_id)["ids"] = list(order)

    def order_themes(self, ids) -> None:
        by_id = {t["id"]: t for t in self.themes}
        self.themes = [by_id[i] for i in ids if i in by_id]

    def apply(self, event: dict) -> None:
        kind, d = event["type"], event["data"]
        if kind == "input.created":
            self.hidden.setdefault(d["id"], False)
            if d["id"] not in self.unsorted:
                self.unsorted.append(d["id"])
        elif kind == "input.moved":
            # As static/js/board.js: out of its column, in after the input the event names.
            for column in [self.unsorted, *(t["ids"] for t in self.themes)]:
                if d["input_id"] in column:
                    column.remove(d["input_id"])
            target = self.unsorted if d["theme_id"] is None else self.theme(d["theme_id"])["ids"]
            target.insert(0 if d["after"] is None else target.index(d["after"]) + 1, d["input_id"])
        elif kind == "input.hidden":
            self.hidden[d["input_id"]] = True
        elif kind == "input.unhidden":
            self.hidden[d["input_id"]] = False
        elif kind == "theme.created":
            if self.theme(d["id"]) is None:
                self.themes.append({"id": d["id"], "title": d["title"], "summary": d["summary"], "ids": list(d.get("input_ids", []))})
        elif kind == "theme.updated":
            theme = self.theme(d["theme_id"])
            for key in ("title", "summary"):
                if theme is not None and key in d:
                    theme[key] = d[key]
            if "theme_order" in d:
                self.order_themes(d["theme_order"])
        elif kind == "theme.deleted":
            self.themes = [t for t in self.themes if t["id"] != d["theme_id"]]
            self.set_column(None, d["unsorted_order"])
            self.order_themes(d["theme_order"])
        elif kind == "theme.merged":
            self.themes = [t for t in self.themes if t["id"] != d["theme_id"]]
            self.set_column(d["into"], d["order"])
            self.theme(d["into"])["summary"] = d["summary"]
            self.order_themes(d["theme_order"])
        self.seq = event["seq"]

    def board(self) -> dict:
        return {
            "themes": [(t["id"], t["title"], t["summary"], t["ids"]) for t in self.themes],
            "unsorted": self.unsorted,
            "hidden": sorted(i for i, h in self.hidden.items() if h),
        }


def snapshot_board(snap: dict) -> dict:
    """The same shape as WallModel.board(), from the API's snapshot."""
    return {
        "themes": [(t["id"], t["title"], t["summary"], t["input_ids"]) for t in snap["themes"]],
        "unsorted": snap["unsorted"],
        "hidden": sorted(i["id"] for i in snap["inputs"] if i["hidden"]),
    }


class WallClient:
    """A real Socket.IO wall: snapshot first, then events in seq order; a gap is fetched with `sync`."""

    def __init__(self, url: str, workshop_id: int, token: str) -> None:
        self.model = WallModel()
        self.loaded = False
        self.pending: dict[int, dict] = {}
        self.changed = threading.Condition()
        self.client = socketio.Client(reconnection=False)
        self.client.on("event", self._on_event)
        self.client.connect(url, auth={"role": "wall", "workshop": workshop_id, "token": token}, transports=["websocket"], wait_timeout=10)
        answer = self.client.call("sync", {"since": None}, timeout=10)
        with self.changed:
            self.model.load(answer["snapshot"])
            self.loaded = True
            self._drain()

    def _on_event(self, event: dict) -> None:
        with self.changed:
            if event["seq"] > self.model.seq:
                self.pending[event["seq"]] = event
            if self.loaded:
                self._drain()

    def _drain(self) -> None:
        while self.model.seq + 1 in self.pending:
            self.model.apply(self.pending.pop(self.model.seq + 1))
        for seq in [s for s in self.pending if s <= self.model.seq]:
            del self.pending[seq]
        self.changed.notify_all()

    def wait_for_seq(self, seq: int, timeout: float = 15.0) -> None:
        """Wait until the model has applied every event up to seq, asking for what a gap lost."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while self.model.seq < seq:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"wall stuck at seq {self.model.seq}, server at {seq}")
                if not self.changed.wait(min(left, 2.0)) and self.model.seq < seq:
                    since = self.model.seq
                    self.changed.release()
                    try:
                        answer = self.client.call("sync", {"since": since}, timeout=10)
                    finally:
                        self.changed.acquire()
                    for event in answer.get("events", []):
                        if event["seq"] > self.model.seq:
                            self.pending[event["seq"]] = event
                    self._drain()

    def close(self) -> None:
        threading.Thread(target=self.client.disconnect, daemon=True).start()


class Facilitator:
    """One facilitator's HTTP client with its own token."""

    def __init__(self, url: str, workshop_id: int, token: str) -> None:
        self.base = f"{url}/api/v1/workshops/{workshop_id}"
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def move(self, input_id: int, theme_id, index: int) -> int:
        return self.http.post(f"{self.base}/inputs/{input_id}/move", json={"theme_id": theme_id, "index": index}, timeout=15).status_code

    def theme(self, method: str, path: str = "", json=None) -> int:
        return self.http.request(method, f"{self.base}/themes{path}", json=json, timeout=15).status_code

    def snapshot(self) -> dict:
        answer = self.http.get(self.base, timeout=15)
        assert answer.status_code == 200
        return answer.json()


@pytest.fixture
def shared(user, other_user, token):
    """An open workshop shared by two facilitators, three themes and twelve Unsorted inputs."""
    w = services.create_workshop(user.id, "Konvergens", themes=["A", "B", "C"])
    services.set_status(w.id, "open")
    services.add_co_facilitator(w.id, other_user.email)
    other_token, _ = services.create_token(other_user.id, "co-facilitator")
    ids = [services.submit_input(w.join_code, f"kort {n}", f"conv-key-{n:04d}")[0].id for n in range(12)]
    return w, ids, token, other_token


def test_conflicting_moves_from_two_facilitators_converge_on_every_wall(live_server, shared):
    workshop, ids, token, other_token = shared
    anna = Facilitator(live_server.url, workshop.id, token)
    bo = Facilitator(live_server.url, workshop.id, other_token)
    theme_ids = [t["id"] for t in anna.snapshot()["themes"]]
    a, b, c = theme_ids
    walls = [WallClient(live_server.url, workshop.id, token), WallClient(live_server.url, workshop.id, other_token)]
    try:
        rng = random.Random(20261127)
        # Each round, both facilitators grab the same card and put it somewhere else.
        rounds = []
        for n in range(24):
            card = ids[rng.randrange(4)] if n % 2 else ids[n % len(ids)]
            rounds.append(
                (
                    ("move", card, rng.choice([a, b, None]), rng.randrange(4)),
                    ("move", card, rng.choice([b, c, None]), rng.randrange(4)),
                )
            )
        # Then theme changes that race with moves into the same theme.
        rounds.append((("theme", "DELETE", f"/{c}", None), ("move", ids[0], c, 0)))
        rounds.append((("theme", "PATCH", f"/{b}", {"position": 0}), ("move", ids[1], b, 1)))
        rounds.append((("theme", "POST", f"/{a}/merge", {"into": b}), ("move", ids[2], a, 0)))

        barrier = threading.Barrier(2)
        statuses: list[list[int]] = [[], []]

        def run(who: int, client: Facilitator) -> None:
            for pair in rounds:
                command = pair[who]
                barrier.wait(timeout=30)
                if command[0] == "move":
                    statuses[who].append(client.move(command[1], command[2], command[3]))
                else:
                    statuses[who].append(client.theme(command[1], command[2], command[3]))

        threads = [threading.Thread(target=run, args=(0, anna)), threading.Thread(target=run, args=(1, bo))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert not any(thread.is_alive() for thread in threads)

        # Every command was either done or refused cleanly (a move into a theme deleted a moment before).
        assert all(s in (200, 204) for s in statuses[0]), statuses[0]
        assert all(s in (200, 404) for s in statuses[1]), statuses[1]
        assert statuses[1].count(200) >= len(rounds) - 3

        final = anna.snapshot()
        for wall in walls:
            wall.wait_for_seq(final["seq"])
        expected = snapshot_board(final)
        assert walls[0].model.board() == walls[1].model.board() == expected
        assert walls[0].model.seq == walls[1].model.seq == final["seq"]
        # Nothing lost or doubled: every card is in exactly one column, and the merged theme is gone.
        placed = expected["unsorted"] + [i for t in expected["themes"] for i in t[3]]
        assert sorted(placed) == sorted(ids)
        assert [t[0] for t in expected["themes"]] == [b]
    finally:
        for wall in walls:
            wall.close()
