"""A Hypothesis state machine over the phone's write path and the wall's board.

Phones submit inputs, retry with the same key, lose the acknowledgement (the
server stored the input but the phone never heard), lose the request (it never
arrived), and find the workshop paused; the wall moves and hides inputs and
pauses and opens input; the database connections are dropped (reconnect) and
the app is rebuilt on the same database (restart).

Invariant after every step: the JSON export (downloaded over HTTP) lists
exactly the stored inputs, each once, byte for byte, in the board order the
model predicts; at the end, when every phone has retried what it holds, the
export equals the acknowledged inputs.
"""

from __future__ import annotations

import functools
import json

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from conftest import make_app
from facilitator import extensions, services
from facilitator.db import database
from facilitator.export import build_document
from facilitator.models import Workshop

texts = st.one_of(
    st.text(st.characters(exclude_categories=["Cc", "Cs"]) | st.sampled_from("\n\r\t"), min_size=1, max_size=25),
    st.sampled_from(["Ja", "Ja", "👩\u200d👩\u200d👧", "\u202etxet\u202c", "e\u0301", "<b>fed</b>", "  mellemrum  "]),
).filter(lambda t: t.strip())


def step(function):
    """Mark the machine unclean until the invariant has passed after this step."""

    @functools.wraps(function)
    def wrapped(self, *args, **kwargs):
        self.clean = False
        return function(self, *args, **kwargs)

    return wrapped


class Harness:
    """An app with its context pushed on one database; restart() builds a new one on the same database."""

    def __init__(self, database_url: str, instance) -> None:
        self.database_url = database_url
        self.instance = instance
        self.app = None
        self.context = None
        self.start()

    def start(self) -> None:
        self.app = make_app(self.database_url, self.instance)
        self.context = self.app.app_context()
        self.context.push()
        self.client = self.app.test_client()

    def stop(self) -> None:
        self.context.pop()
        extensions.database(self.app).dispose()

    def restart(self) -> None:
        self.stop()
        self.start()


def machine_for(harness: Harness, user_id: int, token: str):
    class PhonesAndWall(RuleBasedStateMachine):
        """The model: what each phone holds, and each board column as a list of input ids."""

        def __init__(self) -> None:
            super().__init__()
            # One harness for the whole run (an app costs time); each example has its own workshop.
            self.harness = harness
            self.token = token
            self.workshop = services.create_workshop(user_id, "Tilstandsmaskine", themes=["Alpha", "Beta"])
            services.set_status(self.workshop.id, "open")
            self.status = "open"
            self.keys = 0
            self.clean = True
            with database().reader() as s:
                doc = build_document(s, s.get(Workshop, self.workshop.id))
            self.theme_ids = [None] + [int(t) for t in self._theme_ids()]
            self.columns: dict[int | None, list[int]] = {t: [] for t in self.theme_ids}
            self.text_of: dict[int, str] = {}
            self.hidden: set[int] = set()
            self.acked: dict[str, tuple[int, str]] = {}  # the phone holds a receipt
            self.ack_lost: dict[str, tuple[int, str]] = {}  # stored, but the phone never heard
            self.unsent: dict[str, str] = {}  # the request never arrived
            self.held: dict[str, str] = {}  # refused while paused: the phone keeps it
            assert doc.total_received == 0

        def _theme_ids(self):
            snap = self.api("GET", f"/workshops/{self.workshop.id}")
            return [t["id"] for t in snap.json["themes"]]

        # --- plumbing -------------------------------------------------------------------

        def api(self, method: str, path: str, body=None):
            headers = {"Authorization": f"Bearer {self.token}"}
            return self.harness.client.open("/api/v1" + path, method=method, json=body, headers=headers)

        def new_key(self) -> str:
            """A client key unique in this workshop, the same on every replay of an example."""
            self.keys += 1
            return f"phone-key-{self.keys:05d}"

        def post_input(self, key: str, text: str):
            return self.harness.client.post(
                f"/api/v1/join/{self.workshop.join_code}/inputs", json={"text": text, "client_key": key}
            )

        def stored(self, key: str, text: str, response) -> int:
            """A new input was stored: it joins the end of Unsorted."""
            assert response.status_code == 201, response.json
            assert response.json["client_key"] == key and response.json["text"] == text
            input_id = response.json["id"]
            assert input_id not in self.text_of
            self.text_of[input_id] = text
            self.columns[None].append(input_id)
            return input_id

        def refused_while_paused(self, response) -> None:
            assert response.status_code == 409 and response.json["error"]["code"] == "not_open", response.json

        def send(self, key: str, text: str, receipts: dict) -> None:
            """A phone posts a new input: stored while open (noted in `receipts`), held while paused."""
            response = self.post_input(key, text)
            if self.status == "open":
                receipts[key] = (self.stored(key, text, response), text)
            else:
                self.refused_while_paused(response)
                self.held[key] = text

        # --- phones ---------------------------------------------------------------------

        @rule(text=texts)
        @step
        def submit(self, text):
            self.send(self.new_key(), text, self.acked)

        @rule(text=texts)
        @step
        def submit_and_lose_the_ack(self, text):
            self.send(self.new_key(), text, self.ack_lost)  # the server answers; the phone never hears it

        @rule(text=texts)
        @step
        def submit_and_lose_the_request(self, text):
            self.unsent[self.new_key()] = text  # the phone tried; nothing reached the server

        @precondition(lambda self: self.acked or self.ack_lost or self.unsent or self.held)
        @rule(data=st.data())
        @step
        def retry(self, data):
            key = data.draw(st.sampled_from(sorted([*self.acked, *self.ack_lost, *self.unsent, *self.held])))
            if key in self.acked or key in self.ack_lost:
                input_id, text = self.acked.get(key) or self.ack_lost.pop(key)
                response = self.post_input(key, text)
                # A repeat gets the stored input back, open or not, and stores nothing.
                assert response.status_code == 200, response.json
                assert response.json["id"] == input_id and response.json["text"] == text
                self.acked[key] = (input_id, text)
                return
            self.send(key, self.unsent.pop(key, None) or self.held.pop(key), self.acked)

        # --- the wall -------------------------------------------------------------------

        @precondition(lambda self: self.text_of)
        @rule(data=st.data(), index=st.integers(0, 12))
        @step
        def move(self, data, index):
            input_id = data.draw(st.sampled_from(sorted(self.text_of)))
            theme_id = data.draw(st.sampled_from(self.theme_ids))
            response = self.api(
                "POST", f"/workshops/{self.workshop.id}/inputs/{input_id}/move", {"theme_id": theme_id, "index": index}
            )
            assert response.status_code == 200, response.json
            source = next(t for t, ids in self.columns.items() if input_id in ids)
            self.columns[source].remove(input_id)
            target = self.columns[theme_id]
            target.insert(min(index, len(target)), input_id)

        @precondition(lambda self: self.text_of)
        @rule(data=st.data())
        @step
        def hide(self, data):
            input_id = data.draw(st.sampled_from(sorted(self.text_of)))
            response = self.api("POST", f"/workshops/{self.workshop.id}/inputs/{input_id}/hide", {"reason": "spam"})
            assert response.status_code == 200, response.json
            self.hidden.add(input_id)

        @rule(status=st.sampled_from(["open", "paused"]))
        @step
        def set_status(self, status):
            response = self.api("POST", f"/workshops/{self.workshop.id}/status", {"status": status})
            assert response.status_code == 200, response.json
            self.status = status

        # --- the server -----------------------------------------------------------------

        @rule()
        @step
        def reconnect(self):
            database().dispose()  # every pooled connection is gone; the next request opens new ones

        @rule()
        @step
        def restart(self):
            self.harness.restart()

        # --- what must hold -------------------------------------------------------------

        @invariant()
        def export_lists_exactly_the_stored_inputs(self):
            response = self.api("GET", f"/workshops/{self.workshop.id}/export.json")
            assert response.status_code == 200
            exported = json.loads(response.get_data())
            columns = [t["inputs"] for t in exported["themes"]] + [exported["unsorted"]]
            expected = [self.columns[t] for t in self.theme_ids[1:]] + [self.columns[None]]
            # Byte for byte, in board order, hidden ones kept in place and marked.
            assert [[i["text"].encode() for i in c] for c in columns] == [
                [self.text_of[i].encode() for i in ids] for ids in expected
            ]
            assert [[i["hidden"] for i in c] for c in columns] == [[i in self.hidden for i in ids] for ids in expected]
            # Each stored input exactly once (by id: two people may write the same text).
            with database().reader() as s:
                doc = build_document(s, s.get(Workshop, self.workshop.id))
            ids = [i.id for t in doc.themes for i in t.column] + [i.id for i in doc.unsorted_column]
            assert sorted(ids) == sorted(self.text_of)
            assert sorted(self.text_of) == sorted(i for i, _ in [*self.acked.values(), *self.ack_lost.values()])
            self.clean = True

        def teardown(self):
            if not self.clean:
                return  # a step failed: Hypothesis reports that, not a follow-on error from here
            # Every phone retries what it holds once input is open: then the export is the acknowledged inputs.
            if self.status != "open":
                self.set_status("open")
            while self.ack_lost or self.unsent or self.held:
                key = sorted([*self.ack_lost, *self.unsent, *self.held])[0]
                self.retry(_Fixed(key))
            self.export_lists_exactly_the_stored_inputs()
            exported = json.loads(self.api("GET", f"/workshops/{self.workshop.id}/export.json").get_data())
            listed = sorted(i["text"] for c in [*(t["inputs"] for t in exported["themes"]), exported["unsorted"]] for i in c)
            assert listed == sorted(text for _id, text in self.acked.values())
            assert exported["manifest"]["received"] == len(self.acked)

    return PhonesAndWall


class _Fixed:
    """Stands in for st.data() in teardown: always draws the given value."""

    def __init__(self, value) -> None:
        self.value = value

    def draw(self, _strategy):
        return self.value


def test_export_equals_the_acknowledged_inputs_through_retries_lost_acks_and_restarts(app, database_url, tmp_path, user, token):
    harness = Harness(database_url, tmp_path / "machine-instance")
    try:
        run_state_machine_as_test(
            machine_for(harness, user.id, token),
            settings=settings(max_examples=15, stateful_step_count=20, deadline=None, database=None),
        )
    finally:
        harness.stop()
