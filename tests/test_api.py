"""The JSON API: every endpoint, every documented error."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import event

from conftest import csrf_of, log_in, send

from facilitator import extensions


def test_create_workshop_answers_with_codes_and_urls(api):
    response = api.post(
        "/workshops",
        json={"title": "Workshop om X", "language": "en", "description": "d", "themes": ["A", "B"], "settings": {"max_input_length": 300}},
    )
    assert response.status_code == 201
    data = response.json
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{6}", data["join_code"])
    assert data["join_url"] == f"http://phones.example/j/{data['join_code']}"
    assert data["projector_url"].startswith("http://phones.example/p/")
    assert data["settings"]["max_input_length"] == 300
    assert data["status"] == "draft"


@pytest.mark.parametrize(
    "body, status",
    [
        ({"language": "da"}, 400),
        ({"title": "x", "language": "fr"}, 400),
        ({"title": "x", "themes": "A"}, 400),
        ({"title": "x", "settings": {"max_input_length": 0}}, 400),
        ({"title": "x" * 201}, 413),
    ],
)
def test_create_workshop_refuses_bad_bodies(api, body, status):
    response = api.post("/workshops", json=body)
    assert response.status_code == status
    assert set(response.json["error"]) >= {"code", "message"}


def test_snapshot_lists_themes_inputs_and_seq(api, client, workshop):
    ids = [send(client, workshop["join_code"], f"input {n}").json["id"] for n in range(3)]
    snap = api.get(f"/workshops/{workshop['id']}").json
    assert [t["title"] for t in snap["themes"]] == ["Alpha", "Beta"]
    assert snap["unsorted"] == ids
    assert [i["text"] for i in snap["inputs"]] == ["input 0", "input 1", "input 2"]
    assert snap["seq"] == api.get(f"/workshops/{workshop['id']}/events?since=0").json["events"][-1]["seq"]


def test_events_since_returns_exactly_the_later_events(api, client, workshop):
    seq = api.get(f"/workshops/{workshop['id']}").json["seq"]
    send(client, workshop["join_code"], "one")
    send(client, workshop["join_code"], "two")
    later = api.get(f"/workshops/{workshop['id']}/events?since={seq}").json["events"]
    assert [e["seq"] for e in later] == [seq + 1, seq + 2]
    assert [e["data"]["text"] for e in later] == ["one", "two"]
    assert api.get(f"/workshops/{workshop['id']}/events?since=x").status_code == 400


def test_status_changes_and_refuses_unknown_values(api, workshop):
    wid = workshop["id"]
    assert api.post(f"/workshops/{wid}/status", json={"status": "paused"}).json["status"] == "paused"
    assert api.post(f"/workshops/{wid}/status", json={"status": "party"}).status_code == 400


def test_participant_post_is_idempotent_per_client_key(client, workshop):
    key = str(uuid.uuid4())
    first = send(client, workshop["join_code"], "Vigtigt at ledelsen bakker op", key)
    again = send(client, workshop["join_code"], "Vigtigt at ledelsen bakker op", key)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json == again.json
    assert first.json["client_key"] == key


def test_a_phone_post_is_one_transaction(app, client, workshop):
    """The unit of work finds and locks the workshop itself; the post reads nothing in a transaction before it."""
    database = extensions.database(app)
    begun: list[bool] = []

    def note(connection):
        begun.append(connection.engine.pool is database.write_engine.pool)

    engines = (database.engine, database.write_engine)
    for engine in engines:
        event.listen(engine, "begin", note)
    try:
        assert send(client, workshop["join_code"], "one transaction").status_code == 201
    finally:
        for engine in engines:
            event.remove(engine, "begin", note)
    assert begun == [True]


def test_a_phone_post_runs_four_statements_in_the_workshop_lock_on_sqlite_three_on_postgresql(app, client, workshop):
    """Lock, the input (its place and question found in its INSERT), the event's seq, the event: nothing else waits in the lock.

    On PostgreSQL the event's seq and the event are one statement (an UPDATE in a WITH), so three.
    """
    database = extensions.database(app)
    statements: list[tuple[str, str]] = []

    def note(_connection, _cursor, statement, *_args):
        verb = statement.split(None, 1)[0].upper()
        if verb != "BEGIN":  # SQLite's BEGIN IMMEDIATE, which takes the write lock
            statements.append((verb, re.search(r"(?:FROM|INTO|UPDATE)\s+(\w+)", statement).group(1)))

    event.listen(database.write_engine, "before_cursor_execute", note)
    try:
        assert send(client, workshop["join_code"], "four statements").status_code == 201
        assert send(client, workshop["join_code"], "four statements", key="again-0001").status_code == 201
    finally:
        event.remove(database.write_engine, "before_cursor_execute", note)
    if database.write_engine.dialect.name == "postgresql":
        post = [("SELECT", "workshops"), ("INSERT", "inputs"), ("WITH", "workshops")]
    else:
        post = [("SELECT", "workshops"), ("INSERT", "inputs"), ("UPDATE", "workshops"), ("INSERT", "events")]
    assert statements == post + post


def test_join_codes_are_accepted_as_people_type_them(client, workshop):
    code = workshop["join_code"]
    typed = f"{code[:3].lower()}-{code[3:].lower()}"
    assert send(client, typed, "typed by hand").status_code == 201


@pytest.mark.parametrize(
    "payload, status, code",
    [
        ({"text": "", "client_key": "k" * 10}, 400, "empty"),
        ({"text": "x" * 1001, "client_key": "k" * 11}, 413, "too_long"),
        ({"text": "ok", "client_key": "no spaces allowed"}, 400, "invalid_client_key"),
        ({"text": "ok"}, 400, "invalid_client_key"),
        ({"text": "a\x1bb", "client_key": "k" * 12}, 400, "control_characters"),
    ],
)
def test_participant_errors_have_documented_codes(client, workshop, payload, status, code):
    response = client.post(f"/api/v1/join/{workshop['join_code']}/inputs", json=payload)
    assert response.status_code == status
    assert response.json["error"]["code"] == code
    assert response.json["error"]["message"]


def test_too_long_says_how_long_it_may_be_in_danish(client, workshop):
    response = send(client, workshop["join_code"], "x" * 1001)
    assert response.json["error"]["limit"] == 1000
    assert "1000" in response.json["error"]["message"]
    assert "tegn" in response.json["error"]["message"]  # the workshop is Danish


def test_unknown_code_is_404(client):
    response = send(client, "ZZZZZZ", "hello")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "unknown_code"


def test_closed_workshop_is_409(api, client, workshop):
    api.post(f"/workshops/{workshop['id']}/status", json={"status": "closed"})
    response = send(client, workshop["join_code"], "late")
    assert response.status_code == 409
    assert response.json["error"]["code"] == "closed"


def test_non_json_and_malformed_json_are_refused(client, workshop):
    url = f"/api/v1/join/{workshop['join_code']}/inputs"
    assert client.post(url, data="text=hi", content_type="application/x-www-form-urlencoded").status_code == 415
    bad = client.post(url, data="{not json", content_type="application/json")
    assert bad.status_code == 400 and bad.json["error"]["code"] == "invalid"
    assert client.post(url, json=["a list"]).status_code == 400


def test_oversized_body_is_413(client, workshop):
    response = client.post(
        f"/api/v1/join/{workshop['join_code']}/inputs", data="x" * 100_000, content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json["error"]["code"] == "body_too_large"


def test_rate_limit_answers_429_with_retry_after(database_url, tmp_path, user):
    from conftest import make_app

    limited = make_app(database_url, tmp_path / "limited", RATELIMIT_ENABLED=True, RATELIMIT_PHONE="3/minute")
    from facilitator import extensions, services

    with limited.app_context():
        w = services.create_workshop(user.id, "Limited")
        services.set_status(w.id, "open")
        client = limited.test_client()
        client.get(f"/api/v1/join/{w.join_code}")  # the server issues the phone key (cookie)
        statuses = [send(client, w.join_code, f"n{n}").status_code for n in range(4)]
        assert statuses == [201, 201, 201, 429]
        refused = send(client, w.join_code, "again")
        assert refused.json["error"]["code"] == "rate_limited"
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        other_phone = limited.test_client()
        other_phone.get(f"/api/v1/join/{w.join_code}")
        assert send(other_phone, w.join_code, "another phone").status_code == 201
    extensions.database(limited).dispose()


def test_api_needs_a_login_or_token(client, workshop):
    assert client.get(f"/api/v1/workshops/{workshop['id']}").status_code == 401
    bad = client.get(f"/api/v1/workshops/{workshop['id']}", headers={"Authorization": "Bearer fac_wrong"})
    assert bad.status_code == 401


def test_another_facilitators_workshop_is_not_found(client, workshop, other_user):
    from facilitator import services

    other_token, _ = services.create_token(other_user.id)
    headers = {"Authorization": f"Bearer {other_token}"}
    wid = workshop["id"]
    assert client.get(f"/api/v1/workshops/{wid}", headers=headers).status_code == 404
    assert client.post(f"/api/v1/workshops/{wid}/status", json={"status": "closed"}, headers=headers).status_code == 404


def test_co_facilitator_gets_access(api, client, workshop, other_user):
    from facilitator import services

    assert api.post(f"/workshops/{workshop['id']}/co-facilitators", json={"email": "bo@example.org"}).status_code == 202
    other_token, _ = services.create_token(other_user.id)
    response = client.get(f"/api/v1/workshops/{workshop['id']}", headers={"Authorization": f"Bearer {other_token}"})
    assert response.status_code == 200


def test_session_api_calls_need_the_csrf_header(client, user):
    assert log_in(client).status_code == 302
    body = {"title": "Via session"}
    assert client.post("/api/v1/workshops", json=body).status_code == 403
    assert client.post("/api/v1/workshops", json=body, headers={"X-CSRF-Token": "wrong"}).status_code == 403
    ok = client.post("/api/v1/workshops", json=body, headers={"X-CSRF-Token": csrf_of(client)})
    assert ok.status_code == 201


def test_wrong_password_is_refused_with_a_message(client, user):
    response = log_in(client, password="not the password")
    assert response.status_code == 401
    assert "Wrong email or password" in response.get_data(as_text=True) or "Forkert" in response.get_data(as_text=True)


def test_themes_endpoints(api, client, workshop):
    wid = workshop["id"]
    theme = api.post(f"/workshops/{wid}/themes", json={"title": "Gamma", "summary": "S"})
    assert theme.status_code == 201
    tid = theme.json["id"]
    assert api.patch(f"/workshops/{wid}/themes/{tid}", json={"title": "Gamma 2", "position": 0}).json["title"] == "Gamma 2"
    snap = api.get(f"/workshops/{wid}").json
    assert [t["title"] for t in snap["themes"]] == ["Gamma 2", "Alpha", "Beta"]
    item = send(client, workshop["join_code"], "to move").json
    moved = api.post(f"/workshops/{wid}/inputs/{item['id']}/move", json={"theme_id": tid, "index": 0})
    assert moved.json["theme_id"] == tid
    alpha = snap["themes"][1]["id"]
    assert api.post(f"/workshops/{wid}/themes/{tid}/merge", json={"into": alpha}).status_code == 200
    assert api.get(f"/workshops/{wid}").json["themes"][0]["input_ids"] == [item["id"]]
    assert api.delete(f"/workshops/{wid}/themes/{alpha}").status_code == 204
    assert api.get(f"/workshops/{wid}").json["unsorted"] == [item["id"]]
    assert api.post(f"/workshops/{wid}/inputs/{item['id']}/move", json={"theme_id": "x", "index": 0}).status_code == 400


def test_hide_and_unhide_keep_the_input(api, client, workshop):
    wid = workshop["id"]
    item = send(client, workshop["join_code"], "Mit CPR-nummer er ...").json
    hidden = api.post(f"/workshops/{wid}/inputs/{item['id']}/hide", json={"reason": "personal data"}).json
    assert hidden["hidden"] and hidden["hidden_reason"] == "personal data"
    snap = api.get(f"/workshops/{wid}").json
    assert snap["inputs"][0]["text"] == "Mit CPR-nummer er ..." and snap["inputs"][0]["hidden"]
    assert api.post(f"/workshops/{wid}/inputs/{item['id']}/unhide", json={}).json["hidden"] is False
