"""What a review and an attack run found (issue 11), one test per finding, each against the real parts.

Open redirects after login, noncharacters and the exports they broke, the
projector's view of hidden inputs, what a co-facilitator may decide, export
headings, logging out, wall sockets that outlive the login, big anonymous
bodies, and the smaller ones: Retry-After on the login limit, invisible-only
inputs, strict booleans in imports, account probing through sharing, the
projector secret in access logs, the secret key's mode, nosniff on Socket.IO
polling, `verify` on spreadsheets and the development server.
"""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import psutil
import pytest
import requests
import socketio
from click.testing import CliRunner

from conftest import LiveServer, PASSWORD, csrf_in, log_in, log_in_over_http, logged_in, make_app, send
from facilitator import extensions, services
from facilitator.cli import main as cli
from facilitator.db import database
from facilitator.errors import ServiceError
from facilitator.models import Input
from facilitator.export import extract_inputs
from support.servers import BIN, ServerProcess, free_port
from test_security_access import connect, session_cookie

NONCHARACTERS = ["\ufffe", "\uffff", "\ufdd0", "\ufdef", "\U0001fffe", "\U0010ffff"]
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def open_workshop(owner_id: int, **settings):
    w = services.create_workshop(owner_id, "Fundne fejl", language="da", themes=["Alpha"], prompt="Hvad?", settings=settings or None)
    services.set_status(w.id, "open")
    return w


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


# --- 1. Open redirect after login -------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    ["/%09/evil.example", "/%0a/evil.example", "/%0d%0a/evil.example", "/%20/evil.example", "/%7f/evil.example",
     "/%5c/evil.example", "/%5cevil.example", "//evil.example", "https://evil.example", "/%0b/evil.example"],
)
def test_next_after_login_never_leaves_the_site(client, user, target):
    """GET (logged in) and the POST form: the written Location is a path on this site, never a 500."""
    fresh = client.application.test_client()
    from urllib.parse import unquote

    answer = log_in(fresh, user.email, next=unquote(target))
    for response in (answer, fresh.get(f"/login?next={target}")):
        assert response.status_code == 302, response.status_code
        location = response.headers["Location"]
        assert location.startswith("/") and not location.startswith("//"), location
        assert "evil.example" not in location, location


def test_a_same_site_next_still_works(client, user):
    log_in(client)
    assert client.get("/login?next=/workshops%3Fshow%3Darchived").headers["Location"] == "/workshops?show=archived"


# --- 2. Noncharacters are refused, and no stored text makes an export fail ------------------


@pytest.mark.parametrize("char", NONCHARACTERS, ids=[f"U+{ord(c):04X}" for c in NONCHARACTERS])
def test_noncharacters_are_refused_by_every_validator(app, user, token, client, char):
    w = open_workshop(user.id, named_inputs=True)
    refused = send(client, w.join_code, f"a{char}b")
    assert refused.status_code == 400, refused.json
    error = refused.json["error"]
    assert error["code"] == "noncharacters" and error["char"] == f"U+{ord(char):04X}"
    assert "tegn" in error["message"], error["message"]  # in the workshop's language (Danish)
    named = client.post(f"/api/v1/join/{w.join_code}/inputs", json={"text": "ok", "client_key": str(uuid.uuid4()), "author_name": f"Bo{char}"})
    assert named.status_code == 400 and named.json["error"]["code"] == "noncharacters"
    headers = {**bearer(token), "Accept-Language": "en"}
    api = client.application.test_client()
    base = f"/api/v1/workshops/{w.id}"
    theme = api.post(f"{base}/themes", json={"title": "Fine"}, headers=headers).json
    item = send(client, w.join_code, "fint").json
    for method, path, body in [
        ("POST", "/api/v1/workshops", {"title": f"T{char}", "language": "da"}),
        ("POST", "/api/v1/workshops", {"title": "T", "language": "da", "description": f"d{char}"}),
        ("PATCH", base, {"title": f"T{char}"}),
        ("PATCH", base, {"place": f"p{char}"}),
        ("POST", f"{base}/prompt", {"text": f"q{char}"}),
        ("POST", f"{base}/themes", {"title": f"t{char}"}),
        ("PATCH", f"{base}/themes/{theme['id']}", {"summary": f"s{char}"}),
        ("POST", f"{base}/inputs/{item['id']}/hide", {"reason": f"r{char}"}),
    ]:
        response = api.open(path, method=method, json=body, headers=headers)
        assert response.status_code == 400, (path, body, response.json)
        assert response.json["error"]["code"] == "noncharacters" and response.json["error"]["message"]
    # The JSON import runs the same validators.
    export = api.get(f"{base}/export.json", headers=headers).json
    export["themes"][0]["inputs"].append({"text": f"x{char}y"})
    with pytest.raises(ServiceError) as caught:
        services.import_workshop(user.id, export)
    assert caught.value.code == "noncharacters"


def store_as_if_before_validation(workshop_id: int, text: str, hidden: bool = False) -> int:
    """Write an input the way a version without the noncharacter check would have stored it."""
    with database().writer() as s, s.begin():
        item = Input(workshop_id=workshop_id, client_key=f"legacy-{uuid.uuid4().hex}", text=text, position=99, hidden=hidden)
        s.add(item)
        s.flush()
        return item.id


def test_a_stored_noncharacter_never_makes_an_export_answer_500(app, user, token, client):
    """DOCX and XLSX cannot hold U+FFFE: they say so in a 422 naming the input; the other formats keep it."""
    w = open_workshop(user.id)
    send(client, w.join_code, "Et almindeligt input")
    bad = store_as_if_before_validation(w.id, "a\ufffeb")
    base = f"/api/v1/workshops/{w.id}/export"
    for fmt in ("docx", "pdf", "md", "txt", "html", "csv", "xlsx", "json"):
        for query in ("", "?variant=report", "?list_hidden=1"):
            response = client.get(f"{base}.{fmt}{query}", headers={**bearer(token), "Accept-Language": "da"})
            assert response.status_code < 500, (fmt, query, response.status_code)
            if fmt == "pdf":
                # The PDF keeps it: each input's exact text is its /ActualText.
                assert response.status_code == 200
                assert "a\ufffeb" in [text for _theme, text in extract_inputs(response.data, "pdf")], query
            elif fmt in ("docx", "xlsx"):
                assert response.status_code == 422, (fmt, query)
                error = response.json["error"]
                assert error["code"] == "export_unrepresentable" and error["input_id"] == bad
                assert "U+FFFE" in error["message"] and "JSON" in error["message"]
            else:
                assert response.status_code == 200
                assert "a\ufffeb".encode() in response.data, (fmt, query)
    # Hidden, it leaves the DOCX appendix; the spreadsheet lists hidden inputs too and still says why it cannot.
    services.hide_input(w.id, bad, "spam")
    assert client.get(f"{base}.docx", headers=bearer(token)).status_code == 200
    assert client.get(f"{base}.docx?list_hidden=1", headers=bearer(token)).status_code == 422
    assert client.get(f"{base}.xlsx", headers=bearer(token)).status_code == 422


# --- 3. The projector never receives hidden text ------------------------------------------


def test_projector_sync_never_carries_the_text_of_an_input_hidden_now(live_server, user):
    w = open_workshop(user.id)
    marker = services.submit_input(w.join_code, "HIDDEN-MARKER-TEXT", "hidden-key-0001")[0]
    services.submit_input(w.join_code, "Visible text", "visible-key-0001")
    services.hide_input(w.id, marker.id, "spam")
    services.unhide_input(w.id, marker.id)
    services.hide_input(w.id, marker.id, "spam again")  # its input.unhidden event carries the text too
    projector = connect(live_server.url, {"role": "projector", "secret": w.projector_secret})
    try:
        seq = services.set_status(w.id, "open").seq
        for since in (0, 1, seq - 1, seq, None):
            answer = projector.call("sync", {"since": since}, timeout=10)
            assert "HIDDEN-MARKER-TEXT" not in repr(answer), since
            assert "spam" not in repr(answer)
        assert "Visible text" in repr(projector.call("sync", {"since": 0}, timeout=10))
    finally:
        threading.Thread(target=projector.disconnect, daemon=True).start()


# --- 6. Retention, sharing and deletion are the owner's; co-facilitators can be removed -----


def test_a_co_facilitator_cannot_delete_by_the_back_door_nor_share(app, user, other_user, token, client):
    w = open_workshop(user.id)
    services.add_co_facilitator(w.id, other_user.email)
    co_token, _ = services.create_token(other_user.id, "co")
    base = f"/api/v1/workshops/{w.id}"
    refused = client.patch(base, json={"settings": {"retention_days": 0}}, headers=bearer(co_token))
    assert refused.status_code == 403 and refused.json["error"]["code"] == "owner_only"
    assert client.post(f"{base}/co-facilitators", json={"email": user.email}, headers=bearer(co_token)).status_code == 403
    services.create_user("third@example.org", PASSWORD)
    assert client.post(f"{base}/co-facilitators", json={"email": "third@example.org"}, headers=bearer(co_token)).status_code == 403
    # Other settings stay the co-facilitator's to change, and the same retention is no change.
    assert client.patch(base, json={"settings": {"retention_days": 90, "max_input_length": 300}}, headers=bearer(co_token)).status_code == 200
    co_page, co_csrf = logged_in(app, other_user.email)
    assert co_page.post(f"/workshops/{w.id}/retention", data={"retention_days": "0", "csrf_token": co_csrf}).status_code == 403
    assert co_page.post(f"/workshops/{w.id}/co-facilitators", data={"email": "third@example.org", "csrf_token": co_csrf}).status_code == 403
    page = co_page.get(f"/workshops/{w.id}").text
    assert 'id="co-email"' not in page and 'id="retention-days"' not in page
    assert client.get(base, headers=bearer(token)).json["workshop"]["settings"]["retention_days"] == 90


def test_the_owner_removes_a_co_facilitator_and_their_walls_end(live_server, user, other_user, token):
    w = open_workshop(user.id)
    services.add_co_facilitator(w.id, other_user.email)
    co_token, _ = services.create_token(other_user.id, "co")
    base = f"{live_server.url}/api/v1/workshops/{w.id}"
    listed = requests.get(f"{base}/co-facilitators", headers=bearer(token), timeout=10).json()
    assert listed == {"co_facilitators": [{"user_id": other_user.id, "email": other_user.email}]}
    wall = connect(live_server.url, {"role": "wall", "workshop": w.id, "token": co_token})
    own_wall = connect(live_server.url, {"role": "wall", "workshop": w.id, "token": token})
    gone = threading.Event()
    wall.on("disconnect", lambda *args: gone.set())
    try:
        assert requests.delete(f"{base}/co-facilitators/{other_user.id}", headers=bearer(co_token), timeout=10).status_code == 403
        assert requests.delete(f"{base}/co-facilitators/{other_user.id}", headers=bearer(token), timeout=10).status_code == 204
        assert gone.wait(10), "the removed co-facilitator's wall stayed connected"
        assert requests.get(base, headers=bearer(co_token), timeout=10).status_code == 404
        assert requests.delete(f"{base}/co-facilitators/{other_user.id}", headers=bearer(token), timeout=10).status_code == 404
        events = requests.get(f"{base}/events?since=0", headers=bearer(token), timeout=10).json()["events"]
        assert events[-1]["type"] == "workshop.co_facilitator_removed" and events[-1]["data"] == {"user_id": other_user.id}
        assert "snapshot" in own_wall.call("sync", {"since": None}, timeout=10)  # the owner's wall stays
    finally:
        for client in (wall, own_wall):
            threading.Thread(target=client.disconnect, daemon=True).start()


def test_the_workshop_page_lists_and_removes_co_facilitators(app, user, other_user):
    w = open_workshop(user.id)
    services.add_co_facilitator(w.id, other_user.email)
    owner, csrf = logged_in(app, user.email)
    page = owner.get(f"/workshops/{w.id}").text
    action = f'/workshops/{w.id}/co-facilitators/{other_user.id}/remove'
    assert other_user.email in page and action in page
    done = owner.post(action, data={"csrf_token": csrf})
    assert done.status_code == 302
    page = owner.get(done.headers["Location"]).text
    assert 'id="co-notice"' in page and action not in page
    co, _ = logged_in(app, other_user.email)
    assert co.get(f"/workshops/{w.id}").status_code == 404


# --- 7. The export heading is a title ------------------------------------------------------


@pytest.mark.parametrize("heading", ["%00", "%01", "%1b%5b31m", "a%0ab", "%ef%bf%be"])
def test_a_hostile_export_heading_is_a_400(app, user, token, client, heading):
    w = open_workshop(user.id)
    for fmt in ("docx", "xlsx", "pdf", "md", "html", "csv", "txt", "json"):
        response = client.get(f"/api/v1/workshops/{w.id}/export.{fmt}?heading={heading}", headers=bearer(token))
        assert response.status_code == 400, (fmt, response.status_code)
        assert response.json["error"]["code"] in ("control_characters", "noncharacters")
    assert client.get(f"/api/v1/workshops/{w.id}/export.docx?heading=Bilag%201", headers=bearer(token)).status_code == 200


# --- 8. Logging out ends the session on the server ------------------------------------------


def test_a_cookie_saved_before_logout_is_refused_afterwards(app, user):
    w = open_workshop(user.id)
    browser, csrf = logged_in(app, user.email)
    saved = browser.get_cookie("facilitator_session").value
    assert browser.get(f"/api/v1/workshops/{w.id}").status_code == 200
    assert browser.post("/logout", data={"csrf_token": csrf}).status_code == 302
    thief = app.test_client()
    thief.set_cookie("facilitator_session", saved)
    assert thief.get(f"/api/v1/workshops/{w.id}").status_code == 401
    account = thief.get("/account")
    assert account.status_code == 302 and "/login" in account.headers["Location"]
    # Another login of the same account is not affected, and log out everywhere still ends it.
    other, other_csrf = logged_in(app, user.email)
    assert other.get("/account").status_code == 200
    kept = other.get_cookie("facilitator_session").value
    assert other.post("/logout", data={"everywhere": "1", "csrf_token": other_csrf}).status_code == 302
    replay = app.test_client()
    replay.set_cookie("facilitator_session", kept)
    assert replay.get("/account").status_code == 302


def test_logging_out_ends_the_walls_that_login_opened(live_server, user):
    w = open_workshop(user.id)
    web = requests.Session()
    log_in_over_http(web, live_server.url, user.email, timeout=10)
    cookie = "; ".join(f"{c.name}={c.value}" for c in web.cookies)
    wall = connect(live_server.url, {"role": "wall", "workshop": w.id}, {"Cookie": cookie})
    gone = threading.Event()
    wall.on("disconnect", lambda *args: gone.set())
    csrf = csrf_in(web.get(f"{live_server.url}/account", timeout=10).text)
    web.post(f"{live_server.url}/logout", data={"csrf_token": csrf}, timeout=10)
    try:
        assert gone.wait(10), "the wall of a logged-out login stayed connected"
    finally:
        threading.Thread(target=wall.disconnect, daemon=True).start()


# --- 9. Wall sockets end with the login's age ------------------------------------------------


def test_a_wall_socket_is_disconnected_when_its_login_grows_too_old(database_url, tmp_path, user):
    short = make_app(database_url, tmp_path / "short", SESSION_MAX_AGE=6)
    server = LiveServer(short).start()
    try:
        with short.app_context():
            w = open_workshop(user.id)
        cookie = session_cookie(server.url, user.email)
        wall = connect(server.url, {"role": "wall", "workshop": w.id}, {"Cookie": cookie})
        gone = threading.Event()
        wall.on("disconnect", lambda *args: gone.set())
        assert "snapshot" in wall.call("sync", {"since": None}, timeout=10)
        assert gone.wait(30), "the wall outlived its login's SESSION_MAX_AGE"
        threading.Thread(target=wall.disconnect, daemon=True).start()
        with short.app_context():
            from facilitator.socket_auth import Identity, still_valid
            from facilitator.models import Workshop

            with database().reader() as s:
                credential = {"user": user.id, "version": 1, "login": None, "logged_in_at": time.time() - 7}
                assert not still_valid(s, Identity(w.id, "facilitators", credential), s.get(Workshop, w.id))
    finally:
        server.stop()
        extensions.database(short).dispose()


# --- 11. Big anonymous bodies are refused before they are read -------------------------------


def raw_post(url: str, path: str, cookie: str = "", body_length: int = 8 * 1024 * 1024) -> str:
    """Send the headers of a big multipart post and only a sliver of its body; the status line that comes back."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=20) as conn:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Content-Type: multipart/form-data; boundary=xyz\r\nContent-Length: {body_length}\r\n"
            + (f"Cookie: {cookie}\r\n" if cookie else "")
            + "\r\n"
        )
        conn.sendall(head.encode() + b"--xyz\r\n" + b"x" * 1000)
        try:
            answer = conn.recv(200)
        except socket.timeout:
            return "no answer: the server waited for the rest of the body"
    return answer.decode("latin-1").split("\r\n", 1)[0]


def test_big_anonymous_bodies_are_refused_before_reading(live_server, user):
    status = raw_post(live_server.url, "/workshops/import")
    assert status.startswith("HTTP/1.1 403"), status
    # A visitor with a session (the login page's CSRF token) but no login: held to the general limit.
    visitor = requests.Session()
    visitor.get(f"{live_server.url}/login", timeout=10)
    cookie = "; ".join(f"{c.name}={c.value}" for c in visitor.cookies)
    status = raw_post(live_server.url, "/workshops/import", cookie)
    assert status.split(" ")[1] in ("403", "413"), status


# --- 12. The smaller ones ----------------------------------------------------------------------


def test_the_login_limit_answers_with_retry_after(database_url, tmp_path, user):
    limited = make_app(database_url, tmp_path / "limited", RATELIMIT_ENABLED=True, RATELIMIT_LOGIN_ACCOUNT="2/minute")
    try:
        with limited.app_context():
            attacker = limited.test_client()
            answers = [log_in(attacker, password=f"guess {n}") for n in range(3)]
            assert [a.status_code for a in answers] == [401, 401, 429]
            assert int(answers[-1].headers["Retry-After"]) >= 1
    finally:
        extensions.database(limited).dispose()


@pytest.mark.parametrize("text", ["\u200b", "\u200b\u200c\u200d", "\u202e\u2066\u2069", "\ufeff", " \u200b\n\u2060 ", "\u200e\u200f", "\u3164"])
def test_an_input_of_only_invisible_characters_is_empty(client, user, text):
    w = open_workshop(user.id)
    response = send(client, w.join_code, text)
    assert response.status_code == 400 and response.json["error"]["code"] == "empty"
    assert send(client, w.join_code, "a\u200bb").status_code == 201  # visible text with one inside is kept as sent
    with pytest.raises(ServiceError) as caught:
        services.create_theme(w.id, text)
    assert caught.value.code == "empty"


def test_import_booleans_are_strict(app, user, token, client):
    w = open_workshop(user.id)
    send(client, w.join_code, "Keep me visible")
    exported = client.get(f"/api/v1/workshops/{w.id}/export.json", headers=bearer(token)).json
    browser, csrf = logged_in(app, user.email)
    for value in ("false", "true", 0, 1, "no"):
        copy = json.loads(json.dumps(exported))
        copy["unsorted"][0]["hidden"] = value
        response = browser.post(
            "/workshops/import",
            data={"csrf_token": csrf, "file": (io.BytesIO(json.dumps(copy).encode()), "w.json")},
            headers={"Accept": "application/json"},
        )
        assert response.status_code == 400, (value, response.status_code)
    copy = json.loads(json.dumps(exported))
    copy["unsorted"][0]["hidden"] = False
    imported = services.import_workshop(user.id, copy)
    with database().reader() as s:
        assert [i.hidden for i in s.query(Input).filter_by(workshop_id=imported.id)] == [False]


def test_sharing_does_not_tell_whether_an_account_exists(app, user, other_user, token, client):
    w = open_workshop(user.id)
    owner, csrf = logged_in(app, user.email)
    answers = [
        owner.post(f"/workshops/{w.id}/co-facilitators", data={"email": email, "csrf_token": csrf})
        for email in (other_user.email, "nobody@example.org")
    ]
    assert [a.status_code for a in answers] == [302, 302]
    assert answers[0].headers["Location"] == answers[1].headers["Location"]
    api = [
        client.post(f"/api/v1/workshops/{w.id}/co-facilitators", json={"email": email}, headers=bearer(token))
        for email in ("third-missing@example.org", other_user.email)
    ]
    assert [a.status_code for a in api] == [202, 202]
    assert set(api[0].json) == set(api[1].json) == {"email"}


@sqlite_only
def test_the_projector_secret_never_reaches_the_access_log(app, user, database_url, tmp_path):
    w = open_workshop(user.id)
    server = ServerProcess(database_url, tmp_path / "instance-log", tmp_path)
    server.start()
    try:
        assert requests.get(f"{server.url}/p/{w.projector_secret}", timeout=10).status_code == 200
        assert requests.get(f"{server.url}/p/{w.projector_secret}/qr.svg", timeout=10).status_code == 200
    finally:
        server.stop()
    log = server.log_tail(100000)
    assert "/p/[redacted]" in log, log[-2000:]
    assert w.projector_secret not in log


def test_the_secret_key_file_is_never_readable_by_others(tmp_path):
    """Created under umask 0: no moment at which the file (or a temporary one) is group or world readable."""
    instance = tmp_path / "instance"
    instance.mkdir()
    probe = f"""
import os, stat, sys
instance = {str(instance)!r}
seen = []
busy = []
def look(event, args):
    if busy or not event.startswith(("open", "os.", "shutil.", "end")):
        return
    busy.append(1)  # the checks below raise audit events of their own
    try:
        for name in os.listdir(instance):
            mode = stat.S_IMODE(os.stat(os.path.join(instance, name)).st_mode)
            if mode & 0o077:
                seen.append((event, name, oct(mode)))
    finally:
        busy.pop()
sys.addaudithook(look)
os.umask(0)
from pathlib import Path
from facilitator.config import _instance_secret
key = _instance_secret(Path(instance))
look("end", ())
print(repr(seen), len(key), sorted(os.listdir(instance)))
"""
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, cwd=Path(__file__).parent.parent)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(" ", 1)[0] == "[]", result.stdout
    assert result.stdout.strip().endswith("['secret_key']"), result.stdout
    assert oct((instance / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_socketio_polling_answers_carry_nosniff(live_server):
    response = requests.get(f"{live_server.url}/socket.io/?EIO=4&transport=polling", timeout=10)
    assert response.status_code == 200
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    refused = requests.get(f"{live_server.url}/socket.io/?EIO=4&transport=polling", data="x" * 100000, timeout=10)
    assert refused.headers.get("X-Content-Type-Options") == "nosniff"


def test_verify_refuses_csv_and_xlsx_clearly(app, user, token, client, tmp_path):
    w = open_workshop(user.id)
    send(client, w.join_code, "Et input")
    for fmt in ("csv", "xlsx"):
        path = tmp_path / f"export.{fmt}"
        path.write_bytes(client.get(f"/api/v1/workshops/{w.id}/export.{fmt}", headers=bearer(token)).data)
        result = CliRunner().invoke(cli, ["verify", str(path)], obj=app)
        assert result.exit_code == 1, result.output
        assert isinstance(result.exception, SystemExit), result.exception
        assert "cannot be verified" in result.output and "JSON" in result.output
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"not a zip")
    result = CliRunner().invoke(cli, ["verify", str(broken)], obj=app)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output


@sqlite_only
def test_serve_dev_warns_and_listens_on_loopback_only(database_url, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "FACILITATOR_DATABASE_URL": database_url,
        "FACILITATOR_INSTANCE_PATH": str(tmp_path / "instance-dev"),
        "FACILITATOR_SECRET_KEY": "dev-test-secret",
    }
    process = subprocess.Popen(
        [str(BIN / "facilitator"), "serve", "--dev", "--host", "0.0.0.0", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"http://127.0.0.1:{port}/p/not-a-secret-at-all", timeout=2).status_code == 404:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline and process.poll() is None, "the dev server did not start"
            time.sleep(0.2)
        listening = {c.laddr.ip for c in psutil.net_connections(kind="tcp") if c.laddr.port == port and c.status == psutil.CONN_LISTEN}
        assert listening == {"127.0.0.1"}, listening
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        output = process.communicate(timeout=20)[0].decode(errors="replace")
    assert "WARNING" in output and "DEBUGGER" in output and "127.0.0.1" in output, output
    assert "not-a-secret-at-all" not in output and "/p/[redacted]" in output, output
