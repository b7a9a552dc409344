"""Facilitator accounts: sessions, cookies, the account page's tokens and password, admins, deactivation."""

from __future__ import annotations

import re
import time
from datetime import timedelta

from sqlalchemy import select

from conftest import PASSWORD, csrf_of, log_in, make_app
from facilitator import extensions, services
from facilitator.db import database
from facilitator.models import ApiToken, User, utcnow


def set_cookie_header(response, name="facilitator_session") -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "="))


def test_session_cookie_is_httponly_lax_and_lasts_a_working_day(client, user, app):
    header = set_cookie_header(log_in(client))
    assert "HttpOnly" in header and "SameSite=Lax" in header
    assert "Secure" not in header  # plain HTTP on a LAN is the embedded default
    expires = re.search(r"Expires=([^;]+)", header).group(1)
    from email.utils import parsedate_to_datetime

    lifetime = parsedate_to_datetime(expires) - utcnow()
    assert timedelta(hours=7) < lifetime <= timedelta(seconds=app.config["PERMANENT_SESSION_LIFETIME"])


def test_cookies_are_secure_when_served_over_https(database_url, tmp_path, user):
    secure = make_app(database_url, tmp_path / "secure", SESSION_COOKIE_SECURE=True)
    try:
        with secure.app_context():
            client = secure.test_client()
            header = set_cookie_header(log_in(client))
            assert "Secure" in header and "HttpOnly" in header
            w = services.create_workshop(user.id, "HTTPS")
            phone = secure.test_client().get(f"/j/{w.join_code}", base_url="https://localhost")
            assert "Secure" in set_cookie_header(phone, "phone")
            assert phone.headers["Strict-Transport-Security"].startswith("max-age=")
            # Plain HTTP (a LAN without TLS) is never pinned to HTTPS.
            assert "Strict-Transport-Security" not in secure.test_client().get("/login").headers
    finally:
        extensions.database(secure).dispose()


def test_a_login_expires_after_the_absolute_maximum(client, user, app):
    log_in(client)
    assert client.get("/account").status_code == 200
    with client.session_transaction() as sess:
        sess["logged_in_at"] = int(time.time()) - app.config["SESSION_MAX_AGE"] - 1
    answer = client.get("/account")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_login_rotates_the_whole_session(client, user):
    client.get("/login")
    before = csrf_of(client)
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    log_in(client)
    with client.session_transaction() as sess:
        assert "planted" not in sess and sess["csrf"] != before


def test_account_page_creates_lists_and_revokes_tokens(client, user, app):
    log_in(client)
    created = client.post("/account/tokens", data={"label": "Sync script", "csrf_token": csrf_of(client)})
    assert created.status_code == 201
    token = re.search(r'id="new-token"[^>]*value="(fac_[^"]+)"', created.text).group(1)
    assert len(token) >= 4 + 43  # 256 random bits, base64url
    # Stored only as its SHA-256: the token itself is nowhere in the database.
    with database().reader() as s:
        row = s.execute(select(ApiToken).where(ApiToken.label == "Sync script")).scalar_one()
        assert token not in (row.token_hash, row.label) and len(row.token_hash) == 64
    page = client.get("/account").text
    assert "Sync script" in page and token not in page  # shown once only
    assert 'data-used="no"' in page

    api = app.test_client()
    assert api.get("/api/v1/workshops/999", headers={"Authorization": f"Bearer {token}"}).status_code == 404
    with database().reader() as s:
        used = s.get(ApiToken, row.id).last_used_at
    assert used is not None
    assert 'data-used="yes"' in client.get("/account").text

    revoked = client.post(f"/account/tokens/{row.id}/revoke", data={"csrf_token": csrf_of(client)})
    assert revoked.status_code == 302
    assert api.get("/api/v1/workshops/999", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert "Sync script" not in client.get("/account").text


def test_last_used_is_written_at_most_once_per_interval(app, user):
    token, row = services.create_token(user.id, "busy")
    services.user_for_token(token)
    with database().reader() as s:
        first = s.get(ApiToken, row.id).last_used_at
    for _ in range(5):
        services.user_for_token(token)
    with database().reader() as s:
        assert s.get(ApiToken, row.id).last_used_at == first
    # Once the stored time is older than the resolution, the next use records it again.
    with database().writer() as s, s.begin():
        s.get(ApiToken, row.id).last_used_at = utcnow() - timedelta(hours=1)
    services.user_for_token(token)
    with database().reader() as s:
        again = s.get(ApiToken, row.id).last_used_at
    assert again is not None and again.replace(tzinfo=None) > (utcnow() - timedelta(minutes=1)).replace(tzinfo=None)


def test_token_labels_and_counts_are_bounded(client, user):
    log_in(client)
    too_long = client.post("/account/tokens", data={"label": "x" * 101, "csrf_token": csrf_of(client)})
    assert too_long.status_code == 413 and 'role="alert"' in too_long.text
    for n in range(services.users.MAX_LIVE_TOKENS):
        services.create_token(user.id, f"t{n}")
    refused = client.post("/account/tokens", data={"label": "one more", "csrf_token": csrf_of(client)})
    assert refused.status_code == 409


def test_change_password_needs_the_current_one_and_ends_other_sessions(app, user):
    laptop, phone = app.test_client(), app.test_client()
    log_in(laptop)
    log_in(phone)
    wrong = laptop.post(
        "/account/password",
        data={"current": "not it at all", "new": "a brand new secret", "repeat": "a brand new secret", "csrf_token": csrf_of(laptop)},
    )
    assert wrong.status_code == 401
    differ = laptop.post(
        "/account/password",
        data={"current": PASSWORD, "new": "a brand new secret", "repeat": "a brand new secreT", "csrf_token": csrf_of(laptop)},
    )
    assert differ.status_code == 400
    short = laptop.post(
        "/account/password", data={"current": PASSWORD, "new": "short", "repeat": "short", "csrf_token": csrf_of(laptop)}
    )
    assert short.status_code == 400
    changed = laptop.post(
        "/account/password",
        data={"current": PASSWORD, "new": "a brand new secret", "repeat": "a brand new secret", "csrf_token": csrf_of(laptop)},
    )
    assert changed.status_code == 302
    assert laptop.get("/account").status_code == 200  # this session carries on
    assert phone.get("/account").status_code == 302  # the other one is over
    assert log_in(app.test_client(), password=PASSWORD).status_code == 401
    assert log_in(app.test_client(), password="a brand new secret").status_code == 302


def test_log_out_everywhere_from_the_account_page(app, user):
    laptop, tablet = app.test_client(), app.test_client()
    log_in(laptop)
    log_in(tablet)
    page = laptop.get("/account").text
    assert 'id="logout-everywhere"' in page
    laptop.post("/logout", data={"everywhere": "1", "csrf_token": csrf_of(laptop)})
    assert tablet.get("/workshops").status_code == 302
    assert laptop.get("/workshops").status_code == 302
    assert log_in(tablet).status_code == 302 and tablet.get("/workshops").status_code == 200


def test_admin_creates_deactivates_and_reactivates_accounts(app, user):
    services.create_user("root@example.org", PASSWORD, is_admin=True)
    admin, victim = app.test_client(), app.test_client()
    log_in(admin, "root@example.org")
    token, _ = services.create_token(user.id, "script")
    log_in(victim)

    created = admin.post(
        "/admin/users", data={"email": "new@example.org", "password": "first password", "csrf_token": csrf_of(admin)}
    )
    assert created.status_code == 302
    listing = admin.get(created.headers["Location"]).text
    assert "new@example.org" in listing and 'class="highlight"' in listing
    duplicate = admin.post(
        "/admin/users", data={"email": "new@example.org", "password": "first password", "csrf_token": csrf_of(admin)}
    )
    assert duplicate.status_code == 409 and "new@example.org" in duplicate.text

    admin.post(f"/admin/users/{user.id}/active", data={"active": "0", "csrf_token": csrf_of(admin)})
    # At once: the open session, the API token and a fresh login all stop working.
    assert victim.get("/workshops").status_code == 302
    assert app.test_client().get("/api/v1/workshops/1", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    refused = log_in(app.test_client())
    assert refused.status_code == 403 and 'id="login-error"' in refused.text
    assert log_in(app.test_client(), password="wrong password").status_code == 401  # says nothing more
    assert f'data-user-id="{user.id}" data-active="no"' in admin.get("/admin/users").text

    admin.post(f"/admin/users/{user.id}/active", data={"active": "1", "csrf_token": csrf_of(admin)})
    assert log_in(app.test_client()).status_code == 302
    with database().reader() as s:
        assert s.get(User, user.id).is_active is True


def test_an_admin_cannot_deactivate_themselves(app):
    root = services.create_user("root@example.org", PASSWORD, is_admin=True)
    admin = app.test_client()
    log_in(admin, "root@example.org")
    answer = admin.post(f"/admin/users/{root.id}/active", data={"active": "0", "csrf_token": csrf_of(admin)})
    assert answer.status_code == 409
    assert admin.get("/admin/users").status_code == 200


def test_login_is_rate_limited_per_account_and_per_address(database_url, tmp_path, user):
    limited = make_app(
        database_url, tmp_path / "limited", RATELIMIT_ENABLED=True,
        RATELIMIT_LOGIN_ACCOUNT="3/minute", RATELIMIT_LOGIN_ADDRESS="5/minute",
    )
    try:
        with limited.app_context():
            attacker = limited.test_client()
            statuses = [log_in(attacker, password=f"guess {n}").status_code for n in range(4)]
            assert statuses == [401, 401, 401, 429]
            # Even the right password is refused while the account's window lasts.
            assert log_in(attacker).status_code == 429
            other = [log_in(attacker, email=f"nobody{n}@example.org", password="guess").status_code for n in range(2)]
            assert other[-1] == 429  # the address's own limit
    finally:
        extensions.database(limited).dispose()


def test_cli_deactivates_and_activates(app, user):
    from click.testing import CliRunner

    from facilitator.cli import main

    assert CliRunner().invoke(main, ["user", "deactivate", "anna@example.org"], obj=app).exit_code == 0
    assert log_in(app.test_client()).status_code == 403
    assert CliRunner().invoke(main, ["user", "activate", "anna@example.org"], obj=app).exit_code == 0
    assert log_in(app.test_client()).status_code == 302
