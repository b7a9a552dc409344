"""Personal data: anonymous by default, names only when asked for, nothing about the device, a privacy page."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import inspect, select, text

from facilitator import extensions, services
from conftest import csrf_of
from facilitator.db import database
from facilitator.models import Base, Input

PHONE_COOKIE = "PHONECOOKIEMARKER123"
ADDRESS = "203.0.113.77"
AGENT = "AgentMarker/9.9 (phone of a participant)"
# What an input is stored as: nothing about who or which device sent it.
# source is a channel ("phone", or an import's label such as "papir") and import_key
# the facilitator's import, suggested whether an accepted suggestion placed it: none says
# which person sent an input.
INPUT_COLUMNS = {
    "id", "workshop_id", "client_key", "text", "prompt_id", "theme_id",
    "position", "hidden", "hidden_reason", "author_name", "received_at", "source", "import_key",
    "suggested",
}
INPUT_KEYS = {"id", "text", "theme_id", "position", "prompt_id", "hidden", "hidden_reason", "received_at", "source"}
# "question" (the 1-based number of the question answered) only in workshops that asked any.
EXPORT_INPUT_KEYS = {"text", "received_at", "hidden", "hidden_reason", "author_name", "source", "suggested", "question"}


def a_phone(app):
    phone = app.test_client()
    phone.environ_base.update({"REMOTE_ADDR": ADDRESS, "HTTP_USER_AGENT": AGENT})
    phone.set_cookie("phone", PHONE_COOKIE)
    return phone


def post(phone, code, text, key, name=None):
    body = {"text": text, "client_key": key}
    if name is not None:
        body["author_name"] = name
    return phone.post(f"/api/v1/join/{code}/inputs", json=body)


def every_stored_value() -> str:
    """All rows of all tables as one text (what an operator's database dump would hold)."""
    out = []
    with database().engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(table.select()):
                out.append(repr(tuple(row)))
    return "\n".join(out)


def test_the_inputs_table_has_no_column_for_who_sent_it(app):
    columns = {c["name"] for c in inspect(database().engine).get_columns("inputs")}
    assert columns == INPUT_COLUMNS
    assert {c.name for c in Input.__table__.columns} == INPUT_COLUMNS


def test_no_address_device_or_browser_is_stored_anywhere(app, user, api):
    w = services.create_workshop(user.id, "Anonymous", prompt="Q?")
    services.set_status(w.id, "open")
    phone = a_phone(app)
    phone.get(f"/j/{w.join_code}")
    assert post(phone, w.join_code, "anonymous one", "anon-key-000001", name="Mette Hansen").status_code == 201
    form = phone.get(f"/j/{w.join_code}").text
    key = form.split('name="client_key" value="', 1)[1].split('"', 1)[0]
    csrf = csrf_of(phone)
    assert phone.post(f"/j/{w.join_code}", data={"text": "anonymous two", "client_key": key, "author_name": "Mette Hansen", "csrf_token": csrf}).status_code == 302

    dump = every_stored_value()
    for marker in (PHONE_COOKIE, ADDRESS, AGENT, "Mette Hansen"):
        assert marker not in dump, f"{marker!r} was stored"
    with database().reader() as s:
        names = s.execute(select(Input.author_name)).scalars().all()
    assert names == ["", ""]  # the workshop does not ask for names, so none is kept

    snapshot = api.get(f"/workshops/{w.id}").json
    assert all(set(i) == INPUT_KEYS for i in snapshot["inputs"])
    events = api.get(f"/workshops/{w.id}/events?since=0").json["events"]
    assert PHONE_COOKIE not in json.dumps(events) and ADDRESS not in json.dumps(events)
    export = json.loads(api.get(f"/workshops/{w.id}/export.json").data)
    items = export["unsorted"]
    assert [i["text"] for i in items] == ["anonymous one", "anonymous two"]
    assert all(set(i) == EXPORT_INPUT_KEYS and i["author_name"] == "" for i in items)
    assert export["workshop"]["named_inputs"] is False
    assert ADDRESS not in json.dumps(export) and PHONE_COOKIE not in json.dumps(export)


def test_names_show_only_while_the_workshop_asks_for_them(app, user, api):
    w = services.create_workshop(user.id, "Named", settings={"named_inputs": True})
    services.set_status(w.id, "open")
    assert post(a_phone(app), w.join_code, "signed", "named-key-000001", name="Mette Hansen").status_code == 201

    snapshot = api.get(f"/workshops/{w.id}").json
    assert snapshot["inputs"][0]["author_name"] == "Mette Hansen"
    export = json.loads(api.get(f"/workshops/{w.id}/export.json").data)
    assert export["unsorted"][0]["author_name"] == "Mette Hansen"
    assert "Mette Hansen" in api.get(f"/workshops/{w.id}/export.csv").get_data(as_text=True)

    # Turned off: the name stays in the row (an input is never edited) but is shown nowhere.
    assert api.patch(f"/workshops/{w.id}", json={"settings": {"named_inputs": False}}).status_code == 200
    snapshot = api.get(f"/workshops/{w.id}").json
    assert "author_name" not in snapshot["inputs"][0]
    for fmt in ("json", "csv", "md", "txt", "html"):
        body = api.get(f"/workshops/{w.id}/export.{fmt}?variant=report").get_data(as_text=True)
        assert "Mette Hansen" not in body, fmt
        assert "signed" in body
    rows = list(csv.reader(io.StringIO(api.get(f"/workshops/{w.id}/export.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert all("Mette Hansen" not in row for row in rows)


def test_the_phone_form_asks_for_a_name_only_when_names_are_collected(app, user):
    anonymous = services.create_workshop(user.id, "No names")
    named = services.create_workshop(user.id, "Names", settings={"named_inputs": True})
    assert 'name="author_name"' not in app.test_client().get(f"/j/{anonymous.join_code}").text
    assert 'name="author_name"' in app.test_client().get(f"/j/{named.join_code}").text


@pytest.mark.parametrize("lang", ["en", "da"])
def test_the_privacy_page_says_what_how_long_and_who(client, app, lang):
    page = client.get(f"/privacy?lang={lang}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    for section in ('id="participants"', 'id="facilitators"', 'id="how-long"', 'id="who-sees"'):
        assert section in html
    assert str(app.config["RETENTION_DAYS"]) in html.split('id="retention-default"', 1)[1].split("</li>", 1)[0]
    assert 'id="controller"' not in html  # no controller configured


def test_the_privacy_page_names_the_controller_and_follows_the_retention_setting(database_url, tmp_path):
    from conftest import make_app

    configured = make_app(database_url, tmp_path / "configured", RETENTION_DAYS=30, PRIVACY_CONTROLLER="Aarhus Kommune, dpo@aarhus.example")
    try:
        with configured.app_context():
            html = configured.test_client().get("/privacy?lang=en").get_data(as_text=True)
            assert "Aarhus Kommune, dpo@aarhus.example" in html
            assert "30" in html.split('id="retention-default"', 1)[1].split("</li>", 1)[0]
    finally:
        extensions.database(configured).dispose()


def test_every_page_for_people_links_to_the_privacy_page(client, user, app):
    w = services.create_workshop(user.id, "Footer")
    for path in ("/", "/login", "/j", f"/j/{w.join_code}", "/privacy"):
        assert 'href="/privacy"' in client.get(path).get_data(as_text=True), path
    # The projector is a full screen in a room; it carries no footer.
    assert 'class="site-footer"' not in client.get(f"/p/{w.projector_secret}").get_data(as_text=True)


def test_the_wall_shows_names_only_for_named_workshops(app, user, api):
    """The wall's data (its snapshot) carries author_name only when the setting is on."""
    anonymous = services.create_workshop(user.id, "Anon")
    services.set_status(anonymous.id, "open")
    post(a_phone(app), anonymous.join_code, "x", "wall-key-000001", name="Secret Name")
    answer = api.get(f"/workshops/{anonymous.id}").json
    assert "author_name" not in answer["inputs"][0]
    with database().engine.connect() as conn:
        assert conn.execute(text("SELECT author_name FROM inputs")).scalar() == ""
