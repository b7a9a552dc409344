"""No setting that does nothing: every workshop setting is walked, and each one changes what a user sees.

The list of settings is read from the API's own answer, so a setting added
later without an effect checked here makes this test fail.
"""

from __future__ import annotations

import re
import uuid

import pytest

from conftest import log_in, send
from facilitator import services


def phone_page(app, code: str) -> str:
    """The join page as a fresh phone (its own cookie jar) sees it."""
    return app.test_client().get(f"/j/{code}").get_data(as_text=True)


def set_settings(api, workshop, **settings):
    response = api.patch(f"/workshops/{workshop['id']}", json={"settings": settings})
    assert response.status_code == 200, response.json
    return response.json


def check_max_input_length(app, api, client, workshop):
    assert "At most 20 characters" not in phone_page(app, workshop["join_code"])
    set_settings(api, workshop, max_input_length=20)
    assert re.search(r"(At most|Højst) 20 ", phone_page(app, workshop["join_code"]))
    refused = send(client, workshop["join_code"], "x" * 21)
    assert refused.status_code == 413 and refused.json["error"]["limit"] == 20
    assert send(client, workshop["join_code"], "x" * 20).status_code == 201


def check_named_inputs(app, api, client, workshop):
    assert 'id="author_name"' not in phone_page(app, workshop["join_code"])
    set_settings(api, workshop, named_inputs=True)
    assert 'id="author_name"' in phone_page(app, workshop["join_code"])
    answer = client.post(
        f"/api/v1/join/{workshop['join_code']}/inputs",
        json={"text": "med navn", "client_key": str(uuid.uuid4()), "author_name": "Ida"},
    )
    shown = [i for i in api.get(f"/workshops/{workshop['id']}").json["inputs"] if i["id"] == answer.json["id"]]
    assert shown[0]["author_name"] == "Ida"


def check_participants_choose_theme(app, api, client, workshop):
    choice = re.compile(r'<fieldset id="theme-choice" class="theme-choice">')
    assert not choice.search(phone_page(app, workshop["join_code"]))  # rendered hidden
    set_settings(api, workshop, participants_choose_theme=True)
    page = phone_page(app, workshop["join_code"])
    assert choice.search(page) and "Alpha" in page and "Beta" in page
    beta = api.get(f"/workshops/{workshop['id']}").json["themes"][1]["id"]
    made = client.post(
        f"/api/v1/join/{workshop['join_code']}/inputs", json={"text": "til Beta", "client_key": str(uuid.uuid4()), "theme_id": beta}
    )
    assert api.get(f"/workshops/{workshop['id']}").json["themes"][1]["input_ids"] == [made.json["id"]]


def check_locked(app, api, client, workshop):
    stranger = app.test_client()
    set_settings(api, workshop, locked=True)
    refused = stranger.post(
        f"/api/v1/join/{workshop['join_code']}/inputs", json={"text": "udefra", "client_key": str(uuid.uuid4())}
    )
    assert refused.status_code == 409 and refused.json["error"]["code"] == "locked"


def check_retention_days(app, api, client, workshop):
    send(client, workshop["join_code"], "slettes")
    set_settings(api, workshop, retention_days=0)
    api.post(f"/workshops/{workshop['id']}/status", json={"status": "closed"})
    services.purge_expired()
    assert api.get(f"/workshops/{workshop['id']}").json["inputs"] == []


def check_participants_see_wall(app, api, client, workshop):
    code = workshop["join_code"]
    send(client, code, "synlig for alle")
    hidden = send(client, code, "skjult tekst").json["id"]
    api.post(f"/workshops/{workshop['id']}/inputs/{hidden}/hide", json={"reason": "spam"})
    assert "synlig for alle" not in phone_page(app, code)
    assert client.get(f"/api/v1/join/{code}").json["wall"] is None
    set_settings(api, workshop, participants_see_wall=True)
    page = phone_page(app, code)
    assert '<section id="phone-wall" class="phone-wall"' in page and "synlig for alle" in page
    wall = client.get(f"/api/v1/join/{code}").json["wall"]
    assert [i["text"] for i in wall["unsorted"]] == ["synlig for alle"]
    # A hidden input never reaches a phone, in the page or the API.
    assert "skjult tekst" not in page and "skjult tekst" not in repr(wall)


CHECKS = {name[len("check_"):]: function for name, function in dict(globals()).items() if name.startswith("check_")}


def test_every_setting_has_a_check(api, workshop):
    assert set(api.get(f"/workshops/{workshop['id']}").json["workshop"]["settings"]) == set(CHECKS)


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_each_setting_has_an_effect_a_user_can_see(app, api, client, workshop, name):
    CHECKS[name](app, api, client, workshop)


def test_the_workshop_page_offers_a_control_for_every_phone_setting(app, api, workshop):
    web = app.test_client()
    log_in(web)
    page = web.get(f"/workshops/{workshop['id']}").get_data(as_text=True)
    assert 'name="participants_choose_theme"' in page
    assert 'name="participants_see_wall"' in page
