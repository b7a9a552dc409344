"""Who gets in: every route in the app's URL map and every Socket.IO event, walked as outsiders.

The route list is read from app.url_map, so a route added later is covered
without touching this file: a route with a workshop id is checked against
outsiders automatically, and any other new route makes the classification
test fail until someone decides who may use it.
"""

from __future__ import annotations

import threading

import pytest
import requests
import socketio

from conftest import PASSWORD, csrf_in, csrf_of, log_in_over_http, logged_in
from facilitator import extensions, services
from facilitator.realtime import socketio as server_socketio

# Anyone, logged in or not: the participant's and projector's doors, login, public pages.
PUBLIC = {
    "static",
    "dashboard.index",
    "dashboard.accessibility",
    "privacy.page",
    "auth.login",
    "auth.logout",
    "participant.enter_code",
    "participant.join",
    "participant.send",
    "phone_votes.vote",
    "api.join_state",
    "api.submit_input",
    "api.openapi_document",
    "votes.put_votes",
    "votes.projector_votes",
    "votes.projector_chart",
    "timer.projector_timer",
    "projector.show",
    "projector.qr_svg",
    "counts.projector_counts",
}
# Any logged-in facilitator, acting on their own account or creating their own workshop.
SELF = {
    "dashboard.workshops",
    "dashboard.create",
    "api.create_workshop",
    "exports.upload",
    "auth.account",
    "auth.create_token",
    "auth.change_password",
    "auth.revoke_token",
}
ADMIN = {"admin.users", "admin.create_user", "admin.set_active"}
# Workshop routes a co-facilitator may not use either.
OWNER_ONLY = {
    "privacy.confirm_delete",
    "privacy.delete",
    "privacy.retention",
    "api.delete_workshop",
    "api.add_co_facilitator",
    "api.remove_co_facilitator",
    "dashboard.co_facilitator",
    "dashboard.remove_co_facilitator",
}
NO_ENTRY = {401, 403, 404}


def routes(app):
    """(endpoint, method, rule) for every route and method (HEAD and OPTIONS are Flask's own)."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, rule


def workshop_routes(app):
    """Routes that name a workshop by id."""
    return [(e, m, r) for e, m, r in routes(app) if "workshop_id" in r.arguments]


class Scene:
    """The victim's workshop (owner anna, co-facilitator cleo) and the outsider bo with his own workshop."""

    def __init__(self, user, other_user):
        self.owner = user
        self.outsider = other_user
        self.co = services.create_user("cleo@example.org", PASSWORD)
        self.admin = services.create_user("root@example.org", PASSWORD, is_admin=True)
        self.workshop = services.create_workshop(user.id, "Victim", themes=["Alpha", "Beta"], prompt="Q?")
        services.set_status(self.workshop.id, "open")
        services.add_co_facilitator(self.workshop.id, "cleo@example.org")
        self.item, _ = services.submit_input(self.workshop.join_code, "SECRET-INPUT-TEXT", "victim-key-0001")
        self.theme_id = services.create_theme(self.workshop.id, "Gamma").id
        # A question kept for later (unanswered, so even DELETE and PATCH of its text would succeed for the owner).
        self.prompt_id = services.add_prompt(self.workshop.id, "Later question").id
        self.round_id = services.open_vote_round(self.workshop.id, "themes").id
        self.own = services.create_workshop(other_user.id, "Outsider's own", themes=["X"])
        services.set_status(self.own.id, "open")
        self.owner_token, token_row = services.create_token(user.id, "victim token")
        self.token_id = token_row.id
        self.outsider_token, _ = services.create_token(other_user.id, "outsider token")

    def values(self, rule) -> dict:
        """URL values that point at the victim's things."""
        known = {
            "workshop_id": self.workshop.id,
            "theme_id": self.theme_id,
            "prompt_id": self.prompt_id,
            "round_id": self.round_id,
            "input_id": self.item.id,
            "token_id": self.token_id,
            "user_id": self.owner.id,
            "code": self.workshop.join_code,
            "secret": self.workshop.projector_secret,
            "fmt": "json",
            "filename": "css/app.css",
        }
        missing = rule.arguments - known.keys()
        assert not missing, f"{rule.rule}: the access matrix needs a value for {missing}"
        return {name: known[name] for name in rule.arguments}


@pytest.fixture
def scene(user, other_user):
    return Scene(user, other_user)


def url(app, rule, values) -> str:
    return app.url_map.bind("localhost").build(rule.endpoint, values, method=next(iter(rule.methods - {"HEAD", "OPTIONS"})))


def call(client, method, path, csrf=None, token=None):
    """One request with an empty JSON body (writes) and, for sessions, a valid CSRF token."""
    # JSON errors on pages too, so a refusal's code tells "no access" from "bad request".
    headers = {"Accept": "application/json"}
    if csrf:
        headers["X-CSRF-Token"] = csrf
    if token:
        headers["Authorization"] = f"Bearer {token}"
    kwargs = {"headers": headers}
    if method in ("POST", "PATCH", "PUT", "DELETE"):
        if path.startswith("/api/"):
            kwargs["json"] = {}
        else:
            kwargs["data"] = {"csrf_token": csrf or ""}
    return client.open(path, method=method, **kwargs)


# Codes that mean "not for you" (a 404 for an unknown theme or account is about the request instead).
REFUSALS = {"not_found", "unauthorized", "forbidden", "owner_only", "admin_only"}


def denied(response) -> bool:
    """No access: 401/403/404 with a refusal code, or a redirect to the login page."""
    if response.status_code in NO_ENTRY:
        code = (response.get_json(silent=True) or {}).get("error", {}).get("code")
        return code in REFUSALS or code is None
    return response.status_code in (302, 303) and "/login" in response.headers.get("Location", "")


def test_every_route_is_classified(app):
    """A new route without a workshop id must be put in a list above on purpose."""
    unclassified = sorted(
        {e for e, _m, r in routes(app) if "workshop_id" not in r.arguments} - PUBLIC - SELF - ADMIN
    )
    assert not unclassified, f"decide who may use these routes and add them to a list: {unclassified}"
    assert OWNER_ONLY <= {e for e, _m, _r in workshop_routes(app)}


def test_outsiders_get_nothing_from_any_workshop_route(app, scene):
    """Anonymous, another facilitator's session, another facilitator's token: never in, over every method."""
    anonymous = app.test_client()
    anonymous_csrf = csrf_of(anonymous)
    outsider, outsider_csrf = logged_in(app, "bo@example.org")
    tokened = app.test_client()
    checked = 0
    for endpoint, method, rule in workshop_routes(app):
        path = url(app, rule, scene.values(rule))
        for who, response in (
            ("anonymous", call(anonymous, method, path, csrf=anonymous_csrf)),
            ("another facilitator", call(outsider, method, path, csrf=outsider_csrf)),
            ("another facilitator's token", call(tokened, method, path, token=scene.outsider_token)),
        ):
            assert denied(response), f"{who} got {response.status_code} from {method} {path} ({endpoint})"
            assert b"SECRET-INPUT-TEXT" not in response.data
            checked += 1
    assert checked >= 3 * 20
    # Nothing was changed by all that: same seq, same input.
    snapshot = app.test_client().get(
        f"/api/v1/workshops/{scene.workshop.id}", headers={"Authorization": f"Bearer {scene.owner_token}"}
    ).json
    assert snapshot["workshop"]["title"] == "Victim" and len(snapshot["inputs"]) == 1


def test_owner_and_co_facilitator_get_in(app, scene):
    """The same routes let the owner and the co-facilitator through (bodies may still be refused)."""
    co, co_csrf = logged_in(app, "cleo@example.org")
    owner, owner_csrf = logged_in(app, "anna@example.org")
    for endpoint, method, rule in workshop_routes(app):
        # A theme of its own for each call: deleting or merging one must not spoil the next route.
        scene.theme_id = services.create_theme(scene.workshop.id, f"Theme for {endpoint} {method}").id
        scene.prompt_id = services.add_prompt(scene.workshop.id, f"Question for {endpoint} {method}").id
        path = url(app, rule, scene.values(rule))
        if endpoint in OWNER_ONLY:
            response = call(co, method, path, csrf=co_csrf)
            assert response.status_code == 403, f"co-facilitator {method} {path}: {response.status_code}"
            assert "owner_only" in response.text or response.status_code == 403
            continue
        response = call(co, method, path, csrf=co_csrf)
        assert not denied(response), f"co-facilitator was refused {method} {path}: {response.status_code}"
        assert response.status_code < 500
    # The owner may use the owner-only routes; the delete needs its confirmation, which these lack.
    assert owner.get(f"/workshops/{scene.workshop.id}/delete").status_code == 200
    assert call(owner, "POST", f"/workshops/{scene.workshop.id}/delete", csrf=owner_csrf).status_code == 400
    response = call(owner, "DELETE", f"/api/v1/workshops/{scene.workshop.id}", csrf=owner_csrf)
    assert response.status_code == 204
    assert owner.get(f"/workshops/{scene.workshop.id}").status_code == 404


def test_self_routes_need_a_login(app, scene):
    anonymous = app.test_client()
    csrf = csrf_of(anonymous)
    for endpoint, method, rule in routes(app):
        if endpoint not in SELF | ADMIN:
            continue
        path = url(app, rule, scene.values(rule))
        assert denied(call(anonymous, method, path, csrf=csrf)), f"anonymous {method} {path}"


def test_admin_routes_are_for_admins_only(app, scene):
    facilitator, csrf = logged_in(app, "bo@example.org")
    for endpoint, method, rule in routes(app):
        if endpoint in ADMIN:
            path = url(app, rule, scene.values(rule))
            response = call(facilitator, method, path, csrf=csrf)
            assert response.status_code == 403, f"facilitator {method} {path}: {response.status_code}"
            response = call(app.test_client(), method, path, token=scene.outsider_token)
            assert response.status_code == 403
    admin, admin_csrf = logged_in(app, "root@example.org")
    page = admin.get("/admin/users")
    assert page.status_code == 200 and "anna@example.org" in page.text
    # An admin manages accounts, not content: the victim's workshop is not theirs.
    assert admin.get(f"/workshops/{scene.workshop.id}").status_code == 404
    assert admin.get(f"/api/v1/workshops/{scene.workshop.id}", headers={"X-CSRF-Token": admin_csrf}).status_code == 404


def test_another_users_token_cannot_be_revoked(app, scene):
    outsider, csrf = logged_in(app, "bo@example.org")
    response = outsider.post(f"/account/tokens/{scene.token_id}/revoke", data={"csrf_token": csrf})
    assert response.status_code == 404
    assert services.user_for_token(scene.owner_token) is not None


# --- Socket.IO ------------------------------------------------------------------------


def session_cookie(base: str, email: str) -> str:
    """Log in over HTTP on the live server; the Cookie header of that session."""
    web = requests.Session()
    answer = log_in_over_http(web, base, email, timeout=10)
    assert answer.status_code == 200 and "/login" not in answer.url
    return "; ".join(f"{c.name}={c.value}" for c in web.cookies)


def connect(base: str, auth: dict, headers: dict | None = None, origin: str | None = None) -> socketio.Client:
    """A real Socket.IO client; origin sets the one Origin header a browser would send (default: base)."""
    client = socketio.Client(reconnection=False, websocket_extra_options={"origin": origin or base})
    client.received = []  # type: ignore[attr-defined]
    client.on("*", lambda event, *args: client.received.append((event, args)))  # type: ignore[attr-defined]
    client.connect(base, auth=auth, headers=headers or {}, transports=["websocket"], wait_timeout=10)
    return client


def refused(base: str, auth: dict, headers: dict | None = None, origin: str | None = None) -> bool:
    try:
        client = connect(base, auth, headers, origin)
    except socketio.exceptions.ConnectionError:
        return True
    threading.Thread(target=client.disconnect, daemon=True).start()
    return False


def test_nobody_else_can_open_a_wall_socket(live_server, scene):
    base = live_server.url
    outsider_cookie = session_cookie(base, "bo@example.org")
    victim = {"role": "wall", "workshop": scene.workshop.id}
    assert refused(base, victim)
    assert refused(base, {**victim, "token": scene.outsider_token})
    assert refused(base, victim, {"Cookie": outsider_cookie})
    assert refused(base, {**victim, "token": "fac_" + "x" * 43})
    secret = scene.own.projector_secret
    assert refused(base, {"role": "projector", "secret": secret[:-1] + ("y" if secret.endswith("x") else "x")})
    # Control: the owner's cookie does get in, so the refusals above are about who, not how.
    owner_cookie = session_cookie(base, "anna@example.org")
    assert not refused(base, victim, {"Cookie": owner_cookie})


def test_every_socket_event_from_other_sockets_reveals_nothing(live_server, scene):
    """Each registered event, sent by sockets allowed elsewhere, never carries the victim's inputs."""
    base = live_server.url
    events = sorted(set(server_socketio.server.handlers["/"]) - {"connect", "disconnect"})
    assert "sync" in events
    cookie = session_cookie(base, "bo@example.org")
    others = [
        connect(base, {"role": "wall", "workshop": scene.own.id}, {"Cookie": cookie}),
        connect(base, {"role": "wall", "workshop": scene.own.id, "token": scene.outsider_token}),
        connect(base, {"role": "projector", "secret": scene.own.projector_secret}),
        # A participant of the victim's own workshop: allowed in, but only to its phone's state.
        connect(base, {"role": "participant", "code": scene.workshop.join_code}),
    ]
    try:
        payloads = [None, {}, {"since": 0}, {"workshop": scene.workshop.id, "since": 0}, {"workshop_id": scene.workshop.id}]
        for client in others:
            for event in events:
                for payload in payloads:
                    answer = client.call(event, payload, timeout=10)
                    assert "SECRET-INPUT-TEXT" not in repr(answer), f"{event} {payload} leaked to {client}"
        services.submit_input(scene.workshop.join_code, "SECRET-INPUT-TEXT again", "victim-key-0002")
        with live_server.app.app_context():
            services.set_status(scene.workshop.id, "paused")
        for client in others:
            assert "SECRET-INPUT-TEXT" not in repr(client.received)
    finally:
        for client in others:
            threading.Thread(target=client.disconnect, daemon=True).start()


def test_cross_site_websocket_hijacking_is_refused(live_server, scene):
    """A page on another site cannot ride the facilitator's cookie into a wall socket."""
    base = live_server.url
    cookie = session_cookie(base, "anna@example.org")
    auth = {"role": "wall", "workshop": scene.workshop.id}
    assert refused(base, auth, {"Cookie": cookie}, origin="http://evil.example")
    assert refused(base, auth, {"Cookie": cookie}, origin="null")
    assert refused(base, auth, {"Cookie": cookie}, origin=base.replace("127.0.0.1", "localhost"))
    # Control: the same cookie from the app's own origin is accepted.
    assert not refused(base, auth, {"Cookie": cookie}, origin=base)


def test_an_oversized_socket_message_is_refused(live_server, scene, app):
    client = connect(live_server.url, {"role": "wall", "workshop": scene.workshop.id, "token": scene.owner_token})
    transport = client.eio.ws  # kept to close it: the client drops it when the server hangs up
    gone = threading.Event()
    client.on("disconnect", lambda *args: gone.set())
    limit = app.config["SOCKETIO_MAX_HTTP_BUFFER_SIZE"]
    client.emit("sync", {"since": 0, "padding": "x" * (limit * 4)})
    try:
        assert gone.wait(10), "the server kept a connection that sent an oversized message"
    finally:
        client.disconnect()
        transport.shutdown()  # closes the socket even when the server already hung up


def wait_for(event: threading.Event, what: str) -> None:
    assert event.wait(10), what


def test_wall_sockets_end_with_their_credential(live_server, scene):
    """Log out everywhere, a password change, deactivation, a revoked token: the open wall sockets end."""
    base = live_server.url
    auth = {"role": "wall", "workshop": scene.workshop.id}

    def watched(client):
        gone = threading.Event()
        client.on("disconnect", lambda *args: gone.set())
        return gone

    # Log out everywhere from the account page ends a cookie-authenticated wall.
    web = requests.Session()
    log_in_over_http(web, base, timeout=10)
    cookie = "; ".join(f"{c.name}={c.value}" for c in web.cookies)
    wall = connect(base, auth, {"Cookie": cookie})
    gone = watched(wall)
    csrf = csrf_in(web.get(f"{base}/account", timeout=10).text)
    web.post(f"{base}/logout", data={"everywhere": "1", "csrf_token": csrf}, timeout=10)
    wait_for(gone, "the wall stayed connected after log out everywhere")
    assert refused(base, auth, {"Cookie": cookie})

    # A revoked token: a socket that could not be disconnected (another process) gets nothing more.
    token_wall = connect(base, {**auth, "token": scene.owner_token})
    assert "snapshot" in token_wall.call("sync", {"since": None}, timeout=10)
    hooks = extensions.database(live_server.app).after_revoke
    saved, hooks[:] = hooks[:], []  # as if revoked on another process, whose hooks cannot reach this socket
    try:
        with live_server.app.app_context():
            services.revoke_token(scene.owner.id, scene.token_id)
    finally:
        hooks[:] = saved
    assert token_wall.call("sync", {"since": 0}, timeout=10)["error"]["code"] == "unauthorized"
    threading.Thread(target=token_wall.disconnect, daemon=True).start()

    # Deactivation by an admin ends the co-facilitator's walls at once.
    co_cookie = session_cookie(base, "cleo@example.org")
    co_wall = connect(base, auth, {"Cookie": co_cookie})
    gone = watched(co_wall)
    admin = requests.Session()
    log_in_over_http(admin, base, "root@example.org", timeout=10)
    csrf = csrf_in(admin.get(f"{base}/admin/users", timeout=10).text)
    admin.post(f"{base}/admin/users/{scene.co.id}/active", data={"active": "0", "csrf_token": csrf}, timeout=10)
    wait_for(gone, "a deactivated account's wall stayed connected")
    assert refused(base, auth, {"Cookie": co_cookie})


def test_an_old_projector_gets_nothing_after_a_new_link(live_server, scene, app):
    base = live_server.url
    old = connect(base, {"role": "projector", "secret": scene.workshop.projector_secret})
    assert "snapshot" in old.call("sync", {"since": None}, timeout=10)
    # As with several processes behind a queue, where this process cannot disconnect it:
    app.config["SOCKETIO_MESSAGE_QUEUE"] = "redis://as-if-there-were-several-processes"
    try:
        with live_server.app.app_context():
            services.regenerate_projector_secret(scene.workshop.id)
        assert old.call("sync", {"since": 0}, timeout=10)["error"]["code"] == "unauthorized"
    finally:
        app.config["SOCKETIO_MESSAGE_QUEUE"] = None
        threading.Thread(target=old.disconnect, daemon=True).start()
    # And in one process it is disconnected at once.
    fresh = services.regenerate_projector_secret(scene.workshop.id).projector_secret
    current = connect(base, {"role": "projector", "secret": fresh})
    gone = threading.Event()
    current.on("disconnect", lambda *args: gone.set())
    services.regenerate_projector_secret(scene.workshop.id)
    wait_for(gone, "the old projector stayed connected")


def test_deactivation_from_the_command_line_ends_open_walls(live_server, scene):
    """Revocation belongs to the write path: the CLI's `user deactivate` ends walls as the admin page does."""
    from click.testing import CliRunner

    from facilitator.cli import main

    base = live_server.url
    auth = {"role": "wall", "workshop": scene.workshop.id}
    co_cookie = session_cookie(base, "cleo@example.org")
    co_wall = connect(base, auth, {"Cookie": co_cookie})
    gone = threading.Event()
    co_wall.on("disconnect", lambda *args: gone.set())
    result = CliRunner().invoke(main, ["user", "deactivate", "cleo@example.org"], obj=live_server.app)
    assert result.exit_code == 0, result.output
    wait_for(gone, "a wall stayed connected after `facilitator user deactivate`")
    assert refused(base, auth, {"Cookie": co_cookie})



@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_revocation_in_another_process_ends_walls_without_a_queue(live_server, scene, monkeypatch, tmp_path):
    """The embedded default has no message queue: `facilitator user deactivate` run as its own process
    cannot reach the server's sockets, so the server checks its wall sockets again (socket_expiry)."""
    import os
    import subprocess

    from facilitator import socket_expiry
    from support.servers import BIN

    monkeypatch.setattr(socket_expiry, "WAKE_SECONDS", 0.5)
    base = live_server.url
    auth = {"role": "wall", "workshop": scene.workshop.id}
    co_wall = connect(base, auth, {"Cookie": session_cookie(base, "cleo@example.org")})
    token_wall = connect(base, {**auth, "token": scene.owner_token})
    co_gone, token_gone = threading.Event(), threading.Event()
    co_wall.on("disconnect", lambda *args: co_gone.set())
    token_wall.on("disconnect", lambda *args: token_gone.set())
    env = {
        **os.environ,
        "FACILITATOR_DATABASE_URL": live_server.app.config["DATABASE_URL"],
        "FACILITATOR_INSTANCE_PATH": str(tmp_path / "cli-instance"),
        "FACILITATOR_SECRET_KEY": "another process",
    }
    done = subprocess.run([str(BIN / "facilitator"), "user", "deactivate", "cleo@example.org"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    wait_for(co_gone, "a wall stayed connected after a deactivation in another process")
    # The owner's token wall is still valid, so it stays.
    assert not token_gone.wait(1.5) and token_wall.connected
    threading.Thread(target=token_wall.disconnect, daemon=True).start()