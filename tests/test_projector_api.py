"""The projector's state through the API, on SQLite and PostgreSQL: the spotlight (one input or one
theme) and the paging pace are one projector.view event each, in the snapshot for a reconnecting
projector, and refused clearly when they name something the projector may not show."""

from __future__ import annotations

from conftest import send


def events(api, workshop_id, since=0):
    answer = api.get(f"/workshops/{workshop_id}/events?since={since}")
    assert answer.status_code == 200
    return answer.json["events"]


def test_spotlight_and_pace_are_events_and_in_the_snapshot(api, workshop):
    wid = workshop["id"]
    item = send(api.client, workshop["join_code"], "Synlighed i ledelsen").json
    theme = api.get(f"/workshops/{wid}").json["themes"][0]
    seq = api.get(f"/workshops/{wid}").json["seq"]

    answer = api.post(f"/workshops/{wid}/projector", json={"view": "themes"})
    assert answer.status_code == 200
    assert answer.json["view"] == "themes" and answer.json["spotlight"] is None
    answer = api.post(f"/workshops/{wid}/projector", json={"spotlight": {"input_id": item["id"]}})
    assert answer.json["spotlight"] == {"input_id": item["id"]} and answer.json["view"] == "themes"
    api.post(f"/workshops/{wid}/projector", json={"spotlight": {"theme_id": theme["id"]}, "page_seconds": 20, "paused": True})
    # The same state again changes nothing and records nothing.
    api.post(f"/workshops/{wid}/projector", json={"page_seconds": 20})

    recorded = [e for e in events(api, wid, seq) if e["type"] == "projector.view"]
    assert [e["data"] for e in recorded] == [
        {"view": "themes", "spotlight": None, "page_seconds": 0, "paused": False},
        {"view": "themes", "spotlight": {"input_id": item["id"]}, "page_seconds": 0, "paused": False},
        {"view": "themes", "spotlight": {"theme_id": theme["id"]}, "page_seconds": 20, "paused": True},
    ]
    snapshot = api.get(f"/workshops/{wid}").json
    assert snapshot["workshop"]["projector"] == recorded[-1]["data"]

    # Back: clearing the spotlight keeps the view and pace; choosing a view ends a spotlight too.
    assert api.post(f"/workshops/{wid}/projector", json={"spotlight": None}).json["spotlight"] is None
    api.post(f"/workshops/{wid}/projector", json={"spotlight": {"input_id": item["id"]}})
    answer = api.post(f"/workshops/{wid}/projector", json={"view": "collect"})
    assert answer.json == {**answer.json, "view": "collect", "spotlight": None, "page_seconds": 20, "paused": True}


def test_a_spotlight_on_a_hidden_or_foreign_input_and_bad_values_are_refused(api, workshop):
    wid = workshop["id"]
    item = send(api.client, workshop["join_code"], "Mere tid til trivsel").json
    assert api.post(f"/workshops/{wid}/inputs/{item['id']}/hide", json={"reason": "Spam"}).status_code == 200
    other = api.post("/workshops", json={"title": "Anden", "language": "da", "themes": ["X"]}).json
    foreign_theme = api.get(f"/workshops/{other['id']}").json["themes"][0]["id"]
    seq = api.get(f"/workshops/{wid}").json["seq"]

    for spot in ({"input_id": item["id"]}, {"theme_id": foreign_theme}, {"input_id": 10**9}):
        answer = api.post(f"/workshops/{wid}/projector", json={"spotlight": spot})
        assert answer.status_code == 404 and answer.json["error"]["code"] == "not_found", spot
    for body in (
        {"spotlight": "input:1"},
        {"spotlight": {"input_id": True}},
        {"spotlight": {"input_id": 1, "theme_id": 2}},
        {"spotlight": {"kind": 1}},
        {"page_seconds": 7},
        {"page_seconds": True},
        {"page_seconds": [8]},
        {"paused": "yes"},
        {"view": "spotlight"},
    ):
        answer = api.post(f"/workshops/{wid}/projector", json=body)
        assert answer.status_code == 400 and answer.json["error"]["code"] == "invalid", body
    assert api.get(f"/workshops/{wid}").json["seq"] == seq
