"""Server-rendered pages: login, dashboard, workshop page, QR codes, the no-JavaScript phone form."""

from __future__ import annotations

import json
import re

from conftest import PASSWORD, csrf_in, csrf_of, log_in
from facilitator import extensions, services
from facilitator.security import CSP


def test_facilitator_pages_need_a_login(client, user):
    for path in ["/workshops", "/workshops/1", "/workshops/1/wall", "/workshops/1/qr.svg"]:
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_login_rotates_the_session_and_logout_ends_it(client, user):
    client.get("/login")
    before = client.get_cookie("facilitator_session").value
    assert log_in(client).status_code == 302
    after = client.get_cookie("facilitator_session").value
    assert before != after
    assert client.get("/workshops").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_of(client)})
    assert client.get("/workshops").status_code == 302


def test_login_form_without_csrf_is_refused(client, user):
    response = client.post("/login", data={"email": "anna@example.org", "password": PASSWORD})
    assert response.status_code == 403


def test_create_workshop_through_the_form_and_see_its_qr_page(client, user):
    log_in(client)
    csrf = csrf_of(client)
    response = client.post(
        "/workshops",
        data={"csrf_token": csrf, "title": "Borgermøde", "language": "da", "themes": "Trafik\nSkole\n", "prompt": "Hvad fylder?"},
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    code = re.search(r'class="join-code"[^>]*>([A-Z0-9]{6})<', page).group(1)
    assert f"http://phones.example/j/{code}" in page
    svg = client.get(response.headers["Location"] + "/qr.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    png = client.get(response.headers["Location"] + "/qr.png")
    assert png.data.startswith(b"\x89PNG") and "attachment" in png.headers["Content-Disposition"]
    assert client.get(response.headers["Location"] + "/print").status_code == 200


def test_an_invalid_form_keeps_what_was_typed(client, user):
    log_in(client)
    csrf = csrf_of(client)
    response = client.post("/workshops", data={"csrf_token": csrf, "title": "", "description": "Keep me"})
    assert response.status_code == 400
    assert "Keep me" in response.get_data(as_text=True)


def test_qr_code_never_carries_localhost(database_url, tmp_path, user):
    from conftest import make_app

    local = make_app(database_url, tmp_path / "local", PUBLIC_URL=None)
    with local.app_context():
        w = services.create_workshop(user.id, "LAN")

        def workshop_page(base_url: str) -> str:
            client = local.test_client()
            log_in(client, base_url=base_url)
            return client.get(f"/workshops/{w.id}", base_url=base_url).get_data(as_text=True)

        page = workshop_page("http://localhost:5000")
        join = re.search(r'class="join-url">([^<]+)<', page).group(1)
        assert "localhost" not in join and "127.0.0.1" not in join
        assert 'id="qr-address"' in page
        assert "http://workshop.kommune.dk/j/" in workshop_page("http://workshop.kommune.dk")
    extensions.database(local).dispose()


def test_every_page_sends_the_strict_csp(client, user):
    w = services.create_workshop(user.id, "CSP")
    for path in ["/", "/login", f"/j/{w.join_code}", f"/p/{w.projector_secret}", "/j"]:
        response = client.get(path)
        assert response.headers["Content-Security-Policy"] == CSP, path
        assert "'unsafe-inline'" not in CSP and "'unsafe-eval'" not in CSP
        assert "<script>" not in response.get_data(as_text=True)
        assert "nosniff" == response.headers["X-Content-Type-Options"]


def test_phone_form_posts_without_javascript_and_a_resubmit_stores_once(client, user):
    w = services.create_workshop(user.id, "No JS")
    services.set_status(w.id, "open")
    page = client.get(f"/j/{w.join_code}").get_data(as_text=True)
    key = re.search(r'name="client_key" value="([^"]+)"', page).group(1)
    form = {"csrf_token": csrf_in(page), "client_key": key, "text": "Fra en gammel telefon"}
    first = client.post(f"/j/{w.join_code}", data=form)
    assert first.status_code == 302
    again = client.post(f"/j/{w.join_code}", data=form)  # the browser re-sends after a lost answer
    assert again.status_code == 302
    receipt = client.get(first.headers["Location"]).get_data(as_text=True)
    assert receipt.count("Fra en gammel telefon") == 1
    from facilitator.db import database
    from facilitator.models import Input
    from sqlalchemy import func, select

    with database().reader() as s:
        assert s.execute(select(func.count(Input.id))).scalar() == 1


def test_phone_form_errors_keep_the_text(client, user):
    w = services.create_workshop(user.id, "Closed", settings={"max_input_length": 10})
    page = client.get(f"/j/{w.join_code}").get_data(as_text=True)
    form = {"csrf_token": csrf_in(page), "client_key": "form-key-0001", "text": "Not open yet, but keep me"}
    response = client.post(f"/j/{w.join_code}", data=form)
    assert response.status_code == 409
    assert "Not open yet, but keep me" in response.get_data(as_text=True)


def test_unknown_join_code_page_says_so(client):
    response = client.get("/j/ZZZZZZ")
    assert response.status_code == 404
    assert 'role="alert"' in response.get_data(as_text=True)


def test_projector_link_is_secret(client, user):
    w = services.create_workshop(user.id, "P")
    assert client.get(f"/p/{w.projector_secret}").status_code == 200
    assert client.get("/p/guess").status_code == 404


def test_the_500_page_renders_without_templates_in_the_users_language(app):
    """Even with no template to be found, a person gets a page in their language, not an empty reply."""
    from jinja2 import FileSystemLoader

    app.jinja_loader = FileSystemLoader([])
    app.jinja_env.loader = app.jinja_loader
    app.testing = False  # let the 500 handler answer instead of raising into the test
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/login", headers={"Accept-Language": "da"})
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Noget gik galt på serveren" in page and "<h1>500</h1>" in page



def test_the_walls_card_atom_is_one_template_without_whitespace_between_its_tags(client, user):
    # Every clone of a <template> copies its indentation as text nodes: 2,000 cards, tens of thousands of them.
    workshop = services.create_workshop(user.id, "Atomer", language="da")
    log_in(client)
    page = client.get(f"/workshops/{workshop.id}/wall").get_data(as_text=True)
    assert 'id="suggest-slot-template"' not in page
    atom = re.search(r'<template id="card-template">(.*?)</template>', page, re.S).group(1)
    assert re.search(r">\s+<", atom) is None
    # The words between the tags are kept, with their spaces; the suggestion slot is inside the card, after its controls.
    assert ">Vis stort<" in atom and ">Flere som dette<" in atom
    assert atom.index('class="card-meta"') < atom.index('class="card-suggest"') < atom.rindex("</article>")


def test_the_wall_page_carries_the_board_as_inert_data_equal_to_the_apis(client, user, token):
    workshop = services.create_workshop(user.id, "Med tavlen", language="da", themes=["Trafik"])
    services.set_status(workshop.id, "open")
    hostile = "</script><script>alert(1)</script><!--"
    services.submit_input(workshop.join_code, hostile, "page-board-0001")
    services.submit_input(workshop.join_code, "Cykelstier", "page-board-0002")
    log_in(client)
    page = client.get(f"/workshops/{workshop.id}/wall").get_data(as_text=True)
    blocks = re.findall(r'<script type="application/json" id="wall-snapshot">(.*?)</script>', page, re.S)
    assert len(blocks) == 1 and "<" not in blocks[0]  # the text cannot close the block or open another
    api = client.get(f"/api/v1/workshops/{workshop.id}", headers={"Authorization": f"Bearer {token}"}).get_json()
    # The API adds the workshop's links; the board itself is the same, at the same seq.
    assert json.loads(blocks[0]) == {k: v for k, v in api.items() if k not in ("join_url", "projector_url")}
    assert [i["text"] for i in api["inputs"]] == [hostile, "Cykelstier"]
