"""Attacks tried over HTTP: CSP on every page, CSRF on every write, hostile bodies and codes, export injection.

Routes come from app.url_map (see test_security_access.py), so new routes are
attacked too without editing this file.
"""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook

from conftest import csrf_of, log_in, logged_in
from facilitator import services
from facilitator.auth import CSRF_EXEMPT
from facilitator.export import HTML_CSP
from facilitator.security import CSP
from test_security_access import Scene, call, routes, url

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>"\'&amp;'
WRITES = {"POST", "PATCH", "PUT", "DELETE"}


@pytest.fixture
def scene(user, other_user):
    return Scene(user, other_user)


class Inline(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, handlers, style attributes and elements."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = {name for name, _ in attrs}
        # A JSON data block (the wall's board) is never run, so the CSP does not govern it.
        data_block = dict(attrs).get("type") == "application/json"
        if tag == "script" and "src" not in names and not data_block:
            self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}=")
            if name == "style":
                self.problems.append(f"{tag} style=")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"{tag} {name}=javascript:")


def directives(policy: str) -> dict[str, str]:
    return {part.strip().split(" ", 1)[0]: part.strip() for part in policy.split(";") if part.strip()}


def test_every_get_route_sends_a_strict_csp(app, scene):
    """Each GET route, as the owner, as a phone and as nobody: a CSP without inline script or eval."""
    owner, _csrf = logged_in(app, "anna@example.org")
    stranger = app.test_client()
    pages = 0
    for endpoint, method, rule in routes(app):
        if method != "GET":
            continue
        path = url(app, rule, scene.values(rule))
        for client in (owner, stranger):
            response = client.get(path)
            assert response.status_code < 500, f"{path}: {response.status_code}"
            policy = response.headers.get("Content-Security-Policy")
            assert policy, f"{path} sent no CSP"
            parts = directives(policy)
            script = parts.get("script-src", parts.get("default-src", ""))
            assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy, f"{path}: {policy}"
            assert "*" not in script and "data:" not in script, f"{path}: {policy}"
            assert policy in (CSP, HTML_CSP), f"{path}: unexpected policy {policy}"
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            if response.mimetype == "text/html" and policy == CSP:
                pages += 1
                found = Inline()
                found.feed(response.get_data(as_text=True))
                assert not found.problems, f"{path} has {found.problems}, which the CSP blocks"
                assert response.headers["X-Frame-Options"] == "DENY"
                assert "frame-ancestors 'none'" in policy
            response.close()  # a static file's response holds the file open until closed
    assert pages >= 10


def test_every_write_with_a_session_needs_the_csrf_token(app, scene):
    """Every POST/PATCH/DELETE route, as the logged-in owner but without (or with a wrong) token: 403."""
    owner, good = logged_in(app, "anna@example.org")
    checked = 0
    for endpoint, method, rule in routes(app):
        if method not in WRITES or endpoint in CSRF_EXEMPT:
            continue
        path = url(app, rule, scene.values(rule))
        for token in (None, "forged-" + good[7:], ""):
            response = call(owner, method, path, csrf=token)
            assert response.status_code == 403, f"{method} {path} without a valid CSRF token: {response.status_code}"
            body = response.get_json(silent=True)
            assert body is None or body["error"]["code"] == "csrf"
        checked += 1
    assert checked >= 20
    # Nothing happened: the board is as it was.
    assert services.user_for_token(scene.owner_token) is not None
    assert owner.get(f"/workshops/{scene.workshop.id}").status_code == 200


def test_the_csrf_exempt_phone_post_cannot_be_sent_by_a_cross_site_form(client, scene):
    """The exemptions need a JSON content type (and a PUT), which a cross-site form cannot send without CORS."""
    assert CSRF_EXEMPT == {"api.submit_input", "votes.put_votes"}
    code = scene.workshop.join_code
    for content_type in ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain"):
        response = client.post(f"/api/v1/join/{code}/inputs", data='{"text": "x", "client_key": "cross-site-01"}', content_type=content_type)
        assert response.status_code == 415, content_type
        vote = client.put(f"/api/v1/join/{code}/votes", data='{"round": 1, "allocation": {}}', content_type=content_type)
        assert vote.status_code == 415, content_type
    # A form can only GET or POST: the vote's PUT has no form-shaped twin.
    assert client.post(f"/api/v1/join/{code}/votes", data={"round": "1"}).status_code == 405
    # And it carries no ambient authority: a facilitator's cookie adds nothing to a phone's post.


def test_login_and_logout_forms_need_the_token_too(client, user):
    assert client.post("/login", data={"email": "anna@example.org", "password": "x" * 12}).status_code == 403
    assert client.post("/logout").status_code == 403


BAD_BODIES = [
    ("malformed JSON", {"data": '{"title": "x",', "content_type": "application/json"}),
    ("a JSON list", {"data": "[1, 2]", "content_type": "application/json"}),
    ("JSON null", {"data": "null", "content_type": "application/json"}),
    ("text/plain", {"data": "title=x", "content_type": "text/plain"}),
    ("XML", {"data": "<x/>", "content_type": "application/xml"}),
    ("invalid UTF-8", {"data": b'{"title": "\xff\xfe"}', "content_type": "application/json"}),
    ("deep nesting", {"data": "[" * 5000 + "]" * 5000, "content_type": "application/json"}),
    ("oversized", {"data": "x" * (100 * 1024), "content_type": "application/json"}),
    ("oversized form", {"data": "text=" + "x" * (100 * 1024), "content_type": "application/x-www-form-urlencoded"}),
]
DOCUMENTED = {"invalid", "unsupported_media_type", "body_too_large", "empty", "not_found", "csrf"}


@pytest.mark.parametrize("label, body", BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_hostile_bodies_get_a_documented_4xx_never_a_500(app, scene, label, body):
    """Every write route, as the owner with a valid token, fed a hostile body."""
    owner, csrf = logged_in(app, "anna@example.org")
    for endpoint, method, rule in routes(app):
        # The API's workshop delete reads no body: it would just delete the workshop the others need.
        # Removing a co-facilitator reads no body either (and the owner is none: 404).
        if method not in WRITES or endpoint in ("api.delete_workshop", "api.remove_co_facilitator"):
            continue
        scene.theme_id = services.create_theme(scene.workshop.id, f"T {endpoint} {method}").id
        scene.prompt_id = services.add_prompt(scene.workshop.id, f"Q {endpoint} {method}").id
        path = url(app, rule, scene.values(rule))
        response = owner.open(path, method=method, headers={"X-CSRF-Token": csrf, "Accept": "application/json"}, **body)
        assert response.status_code < 500, f"{label}: {method} {path} answered {response.status_code}"
        if response.status_code >= 400 and path.startswith("/api/"):
            error = response.get_json()["error"]
            assert error["code"] in DOCUMENTED | {"locked", "not_open", "invalid_client_key", "unknown_code", "owner_only"}, (
                f"{label}: {method} {path}: {error}"
            )
            assert error["message"]
        # A route that declares its own larger body limit (the paper import) is tested against that limit apart.
        own_limit = getattr(app.view_functions[endpoint], "max_content_length", None)
        if label.startswith("oversized") and path.startswith("/api/") and response.status_code >= 400 and not own_limit:
            expected = {413, 415} if label == "oversized form" else {413}
            assert response.status_code in expected, f"{method} {path}: {response.status_code}"


def test_a_deeply_nested_import_file_is_refused(app, scene):
    owner, csrf = logged_in(app, "anna@example.org")
    nested = ("[" * 100_000 + "]" * 100_000).encode()
    response = owner.post(
        "/workshops/import", data={"file": (io.BytesIO(nested), "export.json"), "csrf_token": csrf},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400


CODES = [
    ("homoglyphs", "АВСDEF"),  # Cyrillic А, В, С
    ("greek", "ΑΒΕΖΗΙ"),
    ("rtl override only", "\u202e\u202d"),
    ("very long", "A" * 10_000),
    ("null byte", "AB\x00CD"),
    ("emoji", "😀😀😀"),
    ("combining", "A\u0301B\u0301C"),
    ("dots", ".."),
    ("percent", "%00%2F%ff"),
    ("html", "<script>"),
    ("sql", "' OR 1=1 --"),
    ("empty after folding", "\u200b"),
]


@pytest.mark.parametrize("label, code", CODES, ids=[c[0] for c in CODES])
def test_unicode_tricks_in_codes_are_refused_cleanly(app, scene, label, code):
    client = app.test_client()
    csrf = csrf_of(client)
    from urllib.parse import quote

    quoted = quote(code, safe="")
    answers = {
        "phone page": client.get(f"/j/{quoted}"),
        "enter code": client.get(f"/j?code={quoted}"),
        "state": client.get(f"/api/v1/join/{quoted}"),
        "post": client.post(f"/api/v1/join/{quoted}/inputs", json={"text": "x", "client_key": "unicode-key-01"}),
        "form": client.post(f"/j/{quoted}", data={"text": "x", "client_key": "unicode-key-02", "csrf_token": csrf}),
        "projector": client.get(f"/p/{quoted}"),
    }
    for where, response in answers.items():
        assert response.status_code < 500, f"{label} at {where}: {response.status_code}"
        assert response.status_code in (302, 308, 404, 405), f"{label} at {where}: {response.status_code}"
        if response.status_code in (302, 308):
            assert client.get(response.headers["Location"]).status_code == 404
        if where in ("state", "post"):
            assert response.json["error"]["code"] == "unknown_code"
        assert "SECRET-INPUT-TEXT" not in response.get_data(as_text=True)


def _stored_xss(scene):
    services.update_workshop(scene.workshop.id, {"title": "W " + XSS})
    item, _ = services.submit_input(scene.workshop.join_code, "Input " + XSS, "xss-key-000001")
    theme = services.create_theme(scene.workshop.id, "Theme " + XSS, "Summary " + XSS)
    services.move_input(scene.workshop.id, item.id, theme.id, 0)
    services.set_active_prompt(scene.workshop.id, "Prompt " + XSS)
    return item


class Texts(HTMLParser):
    """Every text node and every element, to check the payload stayed text."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.texts.append(data)


def test_stored_xss_stays_text_in_every_server_rendered_page(app, scene):
    _stored_xss(scene)
    owner, _ = logged_in(app, "anna@example.org")
    for endpoint, method, rule in routes(app):
        if method != "GET":
            continue
        response = owner.get(url(app, rule, scene.values(rule)))
        response.close()  # a static file's response holds the file open until closed
        if response.mimetype != "text/html":
            continue
        page = Texts()
        page.feed(response.get_data(as_text=True))
        assert not [t for t, a in page.tags if t == "img" and a.get("src") == "x"], endpoint
        # Only the wall's board, as one JSON data block: a payload that closed it would leave an <img> or a <script> here.
        inline = [a for t, a in page.tags if t == "script" and "src" not in a]
        assert inline in ([], [{"type": "application/json", "id": "wall-snapshot"}]), endpoint
        assert not any("onerror" in a for _t, a in page.tags), endpoint


def test_stored_xss_is_text_in_the_html_export(app, scene):
    _stored_xss(scene)
    owner, _ = logged_in(app, "anna@example.org")
    for variant in ("appendix", "report"):
        response = owner.get(f"/api/v1/workshops/{scene.workshop.id}/export.html?variant={variant}")
        assert response.status_code == 200 and response.headers["Content-Security-Policy"] == HTML_CSP
        assert "script-src" not in HTML_CSP and "default-src 'none'" in HTML_CSP
        page = Texts()
        page.feed(response.get_data(as_text=True))
        assert not [t for t, _a in page.tags if t in ("script", "img", "iframe", "object")]
        assert not any(k.startswith("on") for _t, a in page.tags for k in a)
        text = "".join(page.texts)
        assert "Input " + XSS in text
        if variant == "report":
            assert "Summary " + XSS in text and "Theme " + XSS in text


def test_spreadsheet_formulas_in_inputs_stay_text_in_csv_and_xlsx(app, scene):
    formulas = ['=HYPERLINK("http://evil.example","klik")', "+1+1", "-2+3", "@SUM(A1:A2)"]
    for n, text in enumerate(formulas):
        services.submit_input(scene.workshop.join_code, text, f"formula-key-{n:04d}")
    owner, _ = logged_in(app, "anna@example.org")
    rows = list(csv.reader(io.StringIO(owner.get(f"/api/v1/workshops/{scene.workshop.id}/export.csv").get_data(as_text=True).lstrip("\ufeff"))))
    cells = [cell for row in rows for cell in row]
    for text in formulas:
        assert text not in cells and "'" + text in cells
    book = load_workbook(io.BytesIO(owner.get(f"/api/v1/workshops/{scene.workshop.id}/export.xlsx").data))
    values = {c.value: c.data_type for sheet in book for row in sheet.iter_rows() for c in row if c.value in formulas}
    assert set(values) == set(formulas) and set(values.values()) == {"s"}


def test_an_import_larger_than_the_general_body_limit_still_works(app, scene):
    """The import form has its own, larger limit, applied before the CSRF check parses the form."""
    import json

    owner, csrf = logged_in(app, "anna@example.org")
    items = [{"text": f"input {n} " + "x" * 200} for n in range(400)]
    data = {"format": "facilitator-export", "version": 1, "workshop": {"title": "Big", "language": "da"},
            "themes": [], "unsorted": items}
    raw = json.dumps(data).encode()
    assert len(raw) > app.config["MAX_CONTENT_LENGTH"]
    response = owner.post(
        "/workshops/import", data={"file": (io.BytesIO(raw), "export.json"), "csrf_token": csrf},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.status_code
    # Still the CSRF token is required for it.
    refused = owner.post("/workshops/import", data={"file": (io.BytesIO(raw), "export.json")}, content_type="multipart/form-data")
    assert refused.status_code == 403


NUL = "x\x00y\u202e\ud800"[:4]  # a NUL byte and a direction override (a lone surrogate cannot be sent)
FIELDS = ["title", "text", "email", "password", "label", "reason", "summary", "colour", "description", "place",
          "held_on", "prompt", "status", "view", "into", "theme_id", "index", "client_key", "author_name", "locked",
          "retention_days", "current", "new", "repeat", "active", "is_admin", "confirm", "max_input_length",
          "language", "next", "themes", "named_inputs", "settings", "everywhere"]


def test_nul_bytes_in_every_field_and_parameter_never_cause_a_500(app, scene):
    """PostgreSQL refuses NUL in text: no field or query parameter may carry one to the database."""
    owner, csrf = logged_in(app, "anna@example.org")
    hostile = {name: NUL for name in FIELDS}
    query = "?" + "&".join(f"{name}=x%00y" for name in ("heading", "next", "variant", "since", "lang", "code", "fmt", "list_hidden", "download"))
    for endpoint, method, rule in routes(app):
        if endpoint == "api.delete_workshop":
            continue
        scene.theme_id = services.create_theme(scene.workshop.id, f"T {endpoint} {method}").id
        scene.prompt_id = services.add_prompt(scene.workshop.id, f"Q {endpoint} {method}").id
        path = url(app, rule, scene.values(rule))
        headers = {"X-CSRF-Token": csrf, "Accept": "application/json"}
        if method == "GET":
            answers = [owner.get(path + query, headers=headers), app.test_client().get(path + query)]
        else:
            answers = [
                owner.open(path, method=method, headers=headers, json=hostile),
                owner.open(path, method=method, headers=headers, data={**hostile, "csrf_token": csrf}),
            ]
        for response in answers:
            response.close()
            assert response.status_code < 500, f"{method} {path}: {response.status_code}"
    # The login form too, with a NUL in the email.
    assert log_in(app.test_client(), "anna\x00@example.org", "x" * 12).status_code == 401
