"""Questions as rounds, and participants choosing a theme: services and HTTP, every endpoint and error."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from conftest import csrf_in, insert_an_old_workshop, log_in, send
from facilitator import services
from facilitator.db import database
from facilitator.errors import ServiceError
from facilitator.models import Event, Input, Prompt
from facilitator.queries import participant_state


def events(workshop_id):
    with database().reader() as s:
        return list(s.execute(select(Event).where(Event.workshop_id == workshop_id).order_by(Event.seq)).scalars())


def prompt_rows(workshop_id):
    with database().reader() as s:
        rows = s.execute(select(Prompt).where(Prompt.workshop_id == workshop_id).order_by(Prompt.position)).scalars()
        return [(p.text, p.position, p.active) for p in rows]


def open_workshop(user, **kw):
    w = services.create_workshop(user.id, "Runder", themes=kw.pop("themes", ["Trafik", "Skole"]), **kw)
    services.set_status(w.id, "open")
    return w


def submit(w, text, theme_id=None):
    return services.submit_input(w.join_code, text, str(uuid.uuid4()), theme_id=theme_id)[0]


# --- services -------------------------------------------------------------------


def test_questions_are_added_in_order_and_one_is_active(user):
    w = open_workshop(user)
    first = services.add_prompt(w.id, "Hvad virker?", activate=True)
    services.add_prompt(w.id, "Hvad mangler?")
    services.add_prompt(w.id, "Hvad gør vi nu?")
    assert prompt_rows(w.id) == [("Hvad virker?", 0, True), ("Hvad mangler?", 1, False), ("Hvad gør vi nu?", 2, False)]
    assert submit(w, "Cykelstier").prompt_id == first.id
    assert [e.type for e in events(w.id)][-4:] == ["prompt.created", "prompt.created", "prompt.created", "input.created"]


def test_an_earlier_question_can_be_asked_again_and_inputs_keep_their_question(user):
    w = open_workshop(user)
    one = services.add_prompt(w.id, "Første", activate=True)
    a = submit(w, "svar 1")
    two = services.set_active_prompt(w.id, "Andet")
    b = submit(w, "svar 2")
    services.activate_prompt(w.id, one.id)
    c = submit(w, "svar 3")
    assert (a.prompt_id, b.prompt_id, c.prompt_id) == (one.id, two.id, one.id)
    assert [active for _t, _p, active in prompt_rows(w.id)] == [True, False]
    assert events(w.id)[-2].type == "prompt.activated" and events(w.id)[-2].data == {"prompt_id": one.id}
    seq = events(w.id)[-1].seq
    services.activate_prompt(w.id, one.id)  # already active: nothing changes, no event
    assert events(w.id)[-1].seq == seq


def test_a_question_is_edited_and_deleted_only_until_an_input_answers_it(user):
    w = open_workshop(user)
    asked = services.add_prompt(w.id, "Hvad synes du?", activate=True)
    spare = services.add_prompt(w.id, "Reserve")
    services.update_prompt(w.id, asked.id, {"text": "Hvad synes I?"})
    assert events(w.id)[-1].type == "prompt.updated" and events(w.id)[-1].data == {"prompt_id": asked.id, "text": "Hvad synes I?"}
    submit(w, "Godt")
    with pytest.raises(ServiceError) as refused:
        services.update_prompt(w.id, asked.id, {"text": "Noget andet"})
    assert refused.value.code == "prompt_answered" and refused.value.status == 409
    with pytest.raises(ServiceError) as refused:
        services.delete_prompt(w.id, asked.id)
    assert refused.value.code == "prompt_answered"
    # The same text again is no change, so it is allowed; moving an answered question is too.
    services.update_prompt(w.id, asked.id, {"text": "Hvad synes I?", "position": 1})
    assert prompt_rows(w.id) == [("Reserve", 0, False), ("Hvad synes I?", 1, True)]
    services.delete_prompt(w.id, spare.id)
    assert prompt_rows(w.id) == [("Hvad synes I?", 0, True)]
    assert events(w.id)[-1].data == {"prompt_id": spare.id, "prompt_order": [asked.id]}


def test_reordering_renumbers_and_records_the_order(user):
    w = open_workshop(user)
    ids = [services.add_prompt(w.id, f"Q{n}").id for n in range(3)]
    services.update_prompt(w.id, ids[2], {"position": 0})
    assert [t for t, _p, _a in prompt_rows(w.id)] == ["Q2", "Q0", "Q1"]
    assert events(w.id)[-1].data == {"prompt_id": ids[2], "prompt_order": [ids[2], ids[0], ids[1]]}
    seq = events(w.id)[-1].seq
    services.update_prompt(w.id, ids[2], {"position": 0})
    assert events(w.id)[-1].seq == seq


@pytest.mark.parametrize(
    "call, code",
    [
        (lambda w, p: services.add_prompt(w.id, ""), "empty"),
        (lambda w, p: services.add_prompt(w.id, "a\nb"), "control_characters"),
        (lambda w, p: services.add_prompt(w.id, "x" * 1001), "too_long"),
        (lambda w, p: services.add_prompt(w.id, 7), "empty"),
        (lambda w, p: services.update_prompt(w.id, p.id, {"text": ""}), "empty"),
        (lambda w, p: services.update_prompt(w.id, p.id, {"position": "1"}), "invalid"),
        (lambda w, p: services.update_prompt(w.id, p.id, {"active": True}), "invalid"),
        (lambda w, p: services.update_prompt(w.id, p.id, []), "invalid"),
        (lambda w, p: services.update_prompt(w.id, p.id + 999, {"text": "x"}), "not_found"),
        (lambda w, p: services.delete_prompt(w.id, p.id + 999), "not_found"),
        (lambda w, p: services.activate_prompt(w.id, p.id + 999), "not_found"),
    ],
)
def test_prompt_refusals(user, call, code):
    w = open_workshop(user)
    p = services.add_prompt(w.id, "Spørgsmål")
    with pytest.raises(ServiceError) as refused:
        call(w, p)
    assert refused.value.code == code


def test_another_workshops_question_is_not_found(user):
    w = open_workshop(user)
    other = open_workshop(user)
    foreign = services.add_prompt(other.id, "Fremmed")
    for call in (
        lambda: services.activate_prompt(w.id, foreign.id),
        lambda: services.update_prompt(w.id, foreign.id, {"text": "x"}),
        lambda: services.delete_prompt(w.id, foreign.id),
    ):
        with pytest.raises(ServiceError) as refused:
            call()
        assert refused.value.code == "not_found"


def test_a_chosen_theme_puts_the_input_at_its_end(user):
    w = open_workshop(user, settings={"participants_choose_theme": True})
    trafik = services.create_theme(w.id, "Cykler")
    first = submit(w, "Cykelsti", theme_id=trafik.id)
    second = submit(w, "Parkering", theme_id=trafik.id)
    loose = submit(w, "Andet")
    assert (first.theme_id, first.position, second.theme_id, second.position) == (trafik.id, 0, trafik.id, 1)
    assert loose.theme_id is None
    created = [e for e in events(w.id) if e.type == "input.created"]
    assert [e.data["theme_id"] for e in created] == [trafik.id, trafik.id, None]


def test_a_choice_that_no_longer_fits_lands_in_unsorted(user):
    w = open_workshop(user, settings={"participants_choose_theme": True})
    gone = services.create_theme(w.id, "Slettet")
    not_offered = services.create_theme(w.id, "Ikke tilbudt")
    services.update_theme(w.id, not_offered.id, {"offered": False})
    services.delete_theme(w.id, gone.id)
    assert submit(w, "a", theme_id=gone.id).theme_id is None
    assert submit(w, "b", theme_id=not_offered.id).theme_id is None
    assert submit(w, "c", theme_id=10**9).theme_id is None
    services.update_workshop(w.id, {"settings": {"participants_choose_theme": False}})
    offered = services.create_theme(w.id, "Tilbudt")
    assert submit(w, "d", theme_id=offered.id).theme_id is None  # choosing is off: the facilitator sorts
    with pytest.raises(ServiceError) as refused:
        submit(w, "e", theme_id="1")
    assert refused.value.code == "invalid"
    with database().reader() as s:
        assert {i.text for i in s.execute(select(Input).where(Input.workshop_id == w.id)).scalars()} == set("abcd")


def test_the_phone_state_offers_the_offered_themes_only_when_choosing_is_on(user):
    w = open_workshop(user, settings={"participants_choose_theme": True}, themes=["Ét", "To", "Tre"])
    with database().reader() as s:
        state = participant_state(s, s.get(type(w), w.id))
    assert state["choose_theme"] is True
    assert [t["title"] for t in state["themes"]] == ["Ét", "To", "Tre"]
    services.update_theme(w.id, state["themes"][1]["id"], {"offered": False})
    with database().reader() as s:
        assert [t["title"] for t in participant_state(s, s.get(type(w), w.id))["themes"]] == ["Ét", "Tre"]
    services.update_workshop(w.id, {"settings": {"participants_choose_theme": False}})
    with database().reader() as s:
        state = participant_state(s, s.get(type(w), w.id))
    assert state["choose_theme"] is False and state["themes"] == []
    with pytest.raises(ServiceError) as refused:
        services.update_theme(w.id, first_theme_id(w), {"offered": "yes"})
    assert refused.value.code == "invalid"


def first_theme_id(w):
    from facilitator.models import Theme

    with database().reader() as s:
        return s.execute(select(Theme.id).where(Theme.workshop_id == w.id).order_by(Theme.position)).scalars().first()


def test_participants_see_wall_is_a_flag_like_the_others(user):
    w = services.create_workshop(user.id, "W", settings={"participants_see_wall": True})
    assert w.participants_see_wall is True
    assert services.update_workshop(w.id, {"settings": {"max_input_length": 50}}).participants_see_wall is True
    with pytest.raises(ServiceError) as refused:
        services.update_workshop(w.id, {"settings": {"participants_see_wall": "yes"}})
    assert refused.value.code == "invalid"


# --- HTTP -------------------------------------------------------------------------


def test_prompts_endpoints(api, client, workshop):
    wid = workshop["id"]
    base = f"/workshops/{wid}/prompts"
    assert api.get(base).json == {"prompts": []}
    made = api.post(base, json={"text": "Hvad virker?", "activate": True})
    assert made.status_code == 201 and made.json["active"] is True and made.json["position"] == 0
    second = api.post(base, json={"text": "Hvad mangler?"}).json
    assert second["active"] is False
    send(client, workshop["join_code"], "Cykelstier")
    listed = api.get(base).json["prompts"]
    assert [(p["text"], p["active"], p["answers"]) for p in listed] == [("Hvad virker?", True, 1), ("Hvad mangler?", False, 0)]
    assert api.patch(f"{base}/{second['id']}", json={"text": "Hvad savner I?"}).json["text"] == "Hvad savner I?"
    moved = api.patch(f"{base}/{second['id']}", json={"position": 0})
    assert moved.status_code == 200 and moved.json["position"] == 0
    activated = api.post(f"{base}/{second['id']}/activate", json={})
    assert activated.status_code == 200 and activated.json["active"] is True
    assert client.get(f"/api/v1/join/{workshop['join_code']}").json["prompt"]["text"] == "Hvad savner I?"
    assert api.delete(f"{base}/{second['id']}").status_code == 204
    assert [p["text"] for p in api.get(base).json["prompts"]] == ["Hvad virker?"]
    types = [e["type"] for e in api.get(f"/workshops/{wid}/events?since=0").json["events"]]
    assert types[-5:] == ["input.created", "prompt.updated", "prompt.updated", "prompt.activated", "prompt.deleted"]


def test_the_old_prompt_endpoint_adds_and_activates(api, workshop):
    wid = workshop["id"]
    assert api.post(f"/workshops/{wid}/prompt", json={"text": "Første"}).status_code == 201
    assert api.post(f"/workshops/{wid}/prompt", json={"text": "Andet"}).status_code == 201
    listed = api.get(f"/workshops/{wid}/prompts").json["prompts"]
    assert [(p["text"], p["active"]) for p in listed] == [("Første", False), ("Andet", True)]


@pytest.mark.parametrize(
    "method, path, body, status, code",
    [
        ("post", "", {"text": ""}, 400, "empty"),
        ("post", "", {"text": "a\u0007"}, 400, "control_characters"),
        ("post", "", {"text": "x" * 1001}, 413, "too_long"),
        ("post", "", {"text": "ok", "activate": "yes"}, 400, "invalid"),
        ("patch", "/{pid}", {"text": "Nyt"}, 409, "prompt_answered"),
        ("patch", "/{pid}", {"position": None}, 400, "invalid"),
        ("patch", "/{pid}", {"colour": "red"}, 400, "invalid"),
        ("delete", "/{pid}", None, 409, "prompt_answered"),
        ("patch", "/999999", {"text": "x"}, 404, "not_found"),
        ("delete", "/999999", None, 404, "not_found"),
        ("post", "/999999/activate", {}, 404, "not_found"),
    ],
)
def test_prompt_endpoint_errors(api, client, workshop, method, path, body, status, code):
    base = f"/workshops/{workshop['id']}/prompts"
    pid = api.post(base, json={"text": "Besvaret", "activate": True}).json["id"]
    send(client, workshop["join_code"], "svar")
    kwargs = {} if body is None else {"json": body}
    response = getattr(api, method)(base + path.format(pid=pid), **kwargs)
    assert response.status_code == status
    assert response.json["error"]["code"] == code and response.json["error"]["message"]


def test_prompt_endpoints_refuse_other_facilitators_and_anonymous_callers(api, client, workshop, other_user):
    base = f"/api/v1/workshops/{workshop['id']}/prompts"
    pid = api.post(f"/workshops/{workshop['id']}/prompts", json={"text": "Q"}).json["id"]
    assert client.get(base).status_code == 401
    assert client.post(f"{base}/{pid}/activate", json={}).status_code == 401
    other, _ = services.create_token(other_user.id, "other")
    headers = {"Authorization": f"Bearer {other}"}
    for method, path in (("get", ""), ("post", ""), ("patch", f"/{pid}"), ("delete", f"/{pid}"), ("post", f"/{pid}/activate")):
        response = getattr(client, method)(base + path, json={"text": "x"}, headers=headers)
        assert response.status_code == 404, (method, path)


def test_a_danish_error_for_an_answered_question(api, client, workshop):
    base = f"/workshops/{workshop['id']}/prompts"
    pid = api.post(base, json={"text": "Besvaret", "activate": True}).json["id"]
    send(client, workshop["join_code"], "svar")
    response = api.client.delete(f"/api/v1{base}/{pid}", headers={**api.headers, "Accept-Language": "da"})
    assert response.status_code == 409
    assert "spørgsmål" in response.json["error"]["message"]


def test_a_phone_chooses_a_theme_over_http(api, client, workshop):
    wid = workshop["id"]
    assert api.patch(f"/workshops/{wid}", json={"settings": {"participants_choose_theme": True}}).status_code == 200
    themes = api.get(f"/workshops/{wid}").json["themes"]
    assert all(t["offered"] for t in themes)
    beta = themes[1]["id"]
    state = client.get(f"/api/v1/join/{workshop['join_code']}").json
    assert state["choose_theme"] and [t["title"] for t in state["themes"]] == ["Alpha", "Beta"]
    answer = client.post(
        f"/api/v1/join/{workshop['join_code']}/inputs", json={"text": "Til Beta", "client_key": str(uuid.uuid4()), "theme_id": beta}
    )
    assert answer.status_code == 201
    snap = api.get(f"/workshops/{wid}").json
    assert snap["themes"][1]["input_ids"] == [answer.json["id"]]
    assert api.patch(f"/workshops/{wid}/themes/{beta}", json={"offered": False}).json["offered"] is False
    assert [t["title"] for t in client.get(f"/api/v1/join/{workshop['join_code']}").json["themes"]] == ["Alpha"]
    bad = client.post(
        f"/api/v1/join/{workshop['join_code']}/inputs", json={"text": "x", "client_key": str(uuid.uuid4()), "theme_id": "Beta"}
    )
    assert bad.status_code == 400 and bad.json["error"]["code"] == "invalid"
    assert api.patch(f"/workshops/{wid}/themes/{beta}", json={"offered": 1}).status_code == 400


def test_the_no_javascript_form_chooses_a_theme(api, client, workshop):
    wid = workshop["id"]
    api.patch(f"/workshops/{wid}", json={"settings": {"participants_choose_theme": True}})
    alpha = api.get(f"/workshops/{wid}").json["themes"][0]["id"]
    page = client.get(f"/j/{workshop['join_code']}").get_data(as_text=True)
    assert 'name="theme_id"' in page and "Alpha" in page
    import re

    csrf = csrf_in(page)
    key = re.search(r'name="client_key" value="([^"]+)"', page).group(1)
    posted = client.post(f"/j/{workshop['join_code']}", data={"csrf_token": csrf, "client_key": key, "text": "Fra formular", "theme_id": str(alpha)})
    assert posted.status_code == 302
    assert len(api.get(f"/workshops/{wid}").json["themes"][0]["input_ids"]) == 1


def test_the_api_turns_participants_see_wall_on_and_off(api, workshop):
    response = api.patch(f"/workshops/{workshop['id']}", json={"settings": {"participants_see_wall": True}})
    assert response.status_code == 200 and response.json["settings"]["participants_see_wall"] is True
    created = api.post("/workshops", json={"title": "x", "settings": {"participants_see_wall": True}})
    assert created.status_code == 201 and created.json["settings"]["participants_see_wall"] is True


def test_migration_0005_offers_existing_themes_and_keeps_the_text_trigger(tmp_path):
    from sqlalchemy import create_engine, text

    from facilitator import migrate

    url = f"sqlite:///{tmp_path / 'offered.sqlite3'}"
    engine = create_engine(url)
    try:
        migrate.upgrade(url, "0002")
        with engine.begin() as conn:
            insert_an_old_workshop(conn)
            conn.execute(text("INSERT INTO themes (workshop_id, title, summary, colour, position) VALUES (1, 'Gammelt', '', '', 0)"))
        migrate.upgrade(url, "0005")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT offered FROM themes")).scalar() in (1, True)
        migrate.downgrade(url, "0002")
        migrate.upgrade(url, "0005")
        with pytest.raises(Exception, match="immutable"):
            with engine.begin() as conn:
                conn.execute(text("UPDATE inputs SET text = 'edited'"))
    finally:
        engine.dispose()


def test_the_question_forms_show_a_refusal_at_the_form_and_keep_what_was_typed(app, api, workshop):
    web = app.test_client()
    log_in(web)
    page = web.get(f"/workshops/{workshop['id']}").get_data(as_text=True)
    long = "Hvorfor " + "meget " * 200
    refused = web.post(f"/workshops/{workshop['id']}/prompts", data={"csrf_token": csrf_in(page), "text": long, "activate": "1"})
    assert refused.status_code == 413
    body = refused.get_data(as_text=True)
    assert 'id="prompt-text-error"' in body and 'aria-invalid="true" aria-describedby="prompt-text-error"' in body
    assert f'value="{long}"' in body  # kept, to be shortened
    assert "1000" in body.split('id="prompt-text-error"')[1].split("</p>")[0]  # the limit, in the message
    # An answered question cannot be changed: said at its own form, the other forms untouched.
    pid = api.post(f"/workshops/{workshop['id']}/prompts", json={"text": "Hvad virker?", "activate": True}).json["id"]
    send(app.test_client(), workshop["join_code"], "Et svar")
    edit = web.post(f"/workshops/{workshop['id']}/prompts/{pid}/edit", data={"csrf_token": csrf_in(page), "text": "Ny tekst"})
    assert edit.status_code == 409
    body = edit.get_data(as_text=True)
    assert 'id="prompt-edit-error"' in body and 'id="prompt-text-error"' not in body
    assert [p["text"] for p in api.get(f"/workshops/{workshop['id']}/prompts").json["prompts"]] == ["Hvad virker?"]
