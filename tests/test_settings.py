"""One settings table: every setting is read from its environment variable, used, and documented."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from facilitator import config, create_app, extensions
from conftest import log_in

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "facilitator"

# A valid value, other than the default, for every setting.
SAMPLES = {
    "INSTANCE_PATH": None,  # filled in per test: the tmp folder
    "DATABASE_URL": None,  # filled in per test: a SQLite file of the test
    "SOCKETIO_MESSAGE_QUEUE": "redis://127.0.0.1:6379/9",
    "SOCKETIO_CHANNEL": "facilitator-settings-test",
    "SOCKETIO_ASYNC_MODE": "threading",
    "SOCKETIO_CORS_ALLOWED_ORIGINS": "https://a.example, https://b.example",
    "RATELIMIT_STORAGE_URL": "redis://127.0.0.1:6379/8",
    "PARTICIPANT_STATE_DEBOUNCE": "0.5",
    "PUBLIC_URL": "https://workshop.kommune.example",
    "SECRET_KEY": "a-secret-from-the-environment",
    "DEFAULT_LANGUAGE": "en",
    "MAX_INPUT_LENGTH": "777",
    "MAX_CONTENT_LENGTH": "32768",
    "RATELIMIT_ENABLED": "false",
    "RATELIMIT_PHONE": "7/minute",
    "RATELIMIT_ADDRESS": "70/minute",
    "RATELIMIT_JOIN_ADDRESS": "71/minute",
    "RATELIMIT_VOTE_PHONE": "30/minute",
    "RATELIMIT_JOIN_MISS_ADDRESS": "9/minute",
    "RATELIMIT_LOGIN_ACCOUNT": "3/minute",
    "RATELIMIT_WORKSHOP": "600/minute",
    "IMPORT_MAX_INPUTS": "500",
    "IMPORT_BATCH_SIZE": "50",
    "RATELIMIT_LOGIN_ADDRESS": "30/minute",
    "SYNC_MAX_EVENTS": "50",
    "SOCKETIO_MAX_HTTP_BUFFER_SIZE": "8192",
    "SOCKETIO_MAX_CONNECTIONS_PER_ADDRESS": "300",
    "SOCKETIO_MAX_PARTICIPANTS": "250",
    "SERVE_RESERVED_CONNECTIONS": "50",
    "SERVE_CONCURRENT_WRITES": "2",
    "SESSION_COOKIE_NAME": "kommune_session",
    "SESSION_COOKIE_SECURE": "true",
    "SESSION_COOKIE_HTTPONLY": "false",
    "SESSION_COOKIE_SAMESITE": "Strict",
    "PERMANENT_SESSION_LIFETIME": "600",
    "SESSION_MAX_AGE": "900",
    "PROXY_FIX": "true",
    "RETENTION_DAYS": "30",
    "RETENTION_PURGE_HOURS": "6",
    "SUGGEST_ENGINE": "lexical",
    "SUGGEST_WORKER": "false",
    "PRIVACY_CONTROLLER": "Kommunen, dpo@kommune.example",
}

# Settings that Flask or Werkzeug itself reads from app.config.
READ_BY_FLASK = {
    "SECRET_KEY",
    "MAX_CONTENT_LENGTH",
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "PERMANENT_SESSION_LIFETIME",
}


def test_every_setting_has_a_sample_here():
    assert set(SAMPLES) == set(config.BY_NAME)


def test_every_setting_is_read_from_its_environment_variable(monkeypatch, tmp_path):
    values = dict(SAMPLES, INSTANCE_PATH=str(tmp_path / "inst"), DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite3")
    for name, value in values.items():
        monkeypatch.setenv(f"FACILITATOR_{name}", value)
    app = create_app()
    sources = extensions.settings_sources(app)
    for setting in config.SETTINGS:
        expected = setting.kind(values[setting.name])
        assert app.config[setting.name] == expected, setting.name
        assert app.config[setting.name] != setting.default, setting.name
        assert sources[setting.name] == f"environment FACILITATOR_{setting.name}"
    assert app.instance_path == str((tmp_path / "inst").resolve())
    extensions.database(app).dispose()


def test_an_app_without_a_queue_does_not_inherit_the_last_apps_queue(tmp_path):
    """Socket.IO is one object per process: an app built after one with a message queue must not publish there."""
    from facilitator.realtime import socketio

    base = {"DATABASE_URL": f"sqlite:///{tmp_path}/q.sqlite3", "SECRET_KEY": "s", "TESTING": True}
    queued = create_app({**base, "SOCKETIO_MESSAGE_QUEUE": "redis://127.0.0.1:6379/9"}, instance_path=tmp_path / "a")
    assert type(socketio.server.manager).__name__ == "RedisManager"
    plain = create_app(base, instance_path=tmp_path / "b")
    assert type(socketio.server.manager).__name__ == "Manager"
    for application in (queued, plain):
        extensions.database(application).dispose()


def test_every_setting_is_read_by_the_code():
    """No setting that does nothing: each name is read outside the table (or by Flask itself)."""
    code = "\n".join(
        path.read_text(encoding="utf-8") for path in PACKAGE.rglob("*.py") if path.name != "config.py"
    )
    for setting in config.SETTINGS:
        if setting.name in READ_BY_FLASK or setting.name == "INSTANCE_PATH":
            continue
        assert f'"{setting.name}"' in code, f"{setting.name} is declared but never read"


def test_the_readme_table_is_the_settings_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- settings-table -->\n(.*?)\n<!-- /settings-table -->", readme, re.S)
    assert block, "README lacks the settings table markers"
    assert block.group(1).strip() == config.markdown_table()


def test_a_login_limit_from_the_environment_is_applied(monkeypatch, tmp_path, user, database_url):
    """The README's example: FACILITATOR_RATELIMIT_LOGIN_ACCOUNT=3/minute gives a fourth attempt 429."""
    monkeypatch.setenv("FACILITATOR_RATELIMIT_LOGIN_ACCOUNT", "3/minute")
    monkeypatch.setenv("FACILITATOR_RATELIMIT_ENABLED", "true")
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "s", "TESTING": True}, instance_path=tmp_path / "i")
    client = app.test_client()
    codes = [log_in(client, password="wrong password!").status_code for _ in range(4)]
    assert codes[:3] == [401, 401, 401] and codes[3] == 429
    assert log_in(client).status_code == 429
    extensions.database(app).dispose()


def test_session_cookie_settings_reach_the_cookie(monkeypatch, tmp_path, user, database_url):
    monkeypatch.setenv("FACILITATOR_SESSION_COOKIE_NAME", "kommune_session")
    monkeypatch.setenv("FACILITATOR_SESSION_COOKIE_SAMESITE", "Strict")
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "s", "TESTING": True, "RATELIMIT_ENABLED": False},
                     instance_path=tmp_path / "i")
    response = log_in(app.test_client())
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("kommune_session=") and "SameSite=Strict" in cookie
    extensions.database(app).dispose()


def test_default_language_decides_a_page_without_a_browser_preference(monkeypatch, tmp_path, database_url):
    monkeypatch.setenv("FACILITATOR_DEFAULT_LANGUAGE", "en")
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "s", "TESTING": True}, instance_path=tmp_path / "i")
    page = app.test_client().get("/login").get_data(as_text=True)
    assert 'lang="en"' in page
    extensions.database(app).dispose()


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("RATELIMIT_PHONE", "lots", "not a rate"),
        ("MAX_INPUT_LENGTH", "many", "not a whole number"),
        ("SESSION_COOKIE_SECURE", "perhaps", "not one of true/false"),
        ("SOCKETIO_ASYNC_MODE", "eventlet", "not one of gevent, threading"),
        ("SYNC_MAX_EVENTS", "0", "less than 1"),
    ],
)
def test_a_malformed_value_stops_start_up_with_a_message_naming_it(tmp_path, name, value, says):
    env = {"PATH": "/usr/bin:/bin", "FACILITATOR_INSTANCE_PATH": str(tmp_path), f"FACILITATOR_{name}": value}
    script = str(Path(sys.executable).with_name("facilitator"))
    result = subprocess.run([script, "config"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert f"setting {name} = '{value}'" in result.stderr and says in result.stderr
    assert f"FACILITATOR_{name}" in result.stderr
    assert "Traceback" not in result.stderr


def test_instance_config_file_is_read_and_checked(tmp_path, database_url):
    instance = tmp_path / "inst"
    instance.mkdir()
    (instance / "config.py").write_text('RATELIMIT_PHONE = "5/minute"\nPUBLIC_URL = "https://x.example"\n')
    app = create_app({"DATABASE_URL": database_url}, instance_path=instance)
    assert app.config["RATELIMIT_PHONE"] == "5/minute"
    assert extensions.settings_sources(app)["PUBLIC_URL"] == str(instance / "config.py")
    extensions.database(app).dispose()
    (instance / "config.py").write_text('RATELIMT_PHONE = "5/minute"\n')
    with pytest.raises(config.SettingError, match="RATELIMT_PHONE is not a setting"):
        create_app({"DATABASE_URL": database_url}, instance_path=instance)


def test_config_command_prints_sources_and_masks_secrets(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "FACILITATOR_INSTANCE_PATH": str(tmp_path),
        "FACILITATOR_SECRET_KEY": "do-not-print-me",
        "DATABASE_URL": "postgresql+psycopg://app:hunter2@db.example/facilitator",
    }
    script = str(Path(sys.executable).with_name("facilitator"))
    result = subprocess.run([script, "config"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "do-not-print-me" not in result.stdout and "hunter2" not in result.stdout
    assert re.search(r"^SECRET_KEY\s+\*+\s+\(environment FACILITATOR_SECRET_KEY\)$", result.stdout, re.M)
    assert re.search(r"^DATABASE_URL\s+'postgresql\+psycopg://app:\*\*\*@db.example/facilitator'\s+\(environment DATABASE_URL\)$",
                     result.stdout, re.M)
    assert re.search(r"^RATELIMIT_PHONE\s+'20/minute'\s+\(default\)$", result.stdout, re.M)


def test_the_secret_key_file_is_owner_only(tmp_path, database_url):
    app = create_app({"DATABASE_URL": database_url}, instance_path=tmp_path / "fresh")
    mode = (tmp_path / "fresh" / "secret_key").stat().st_mode & 0o777
    assert mode == 0o600
    assert app.config["SECRET_KEY"] == (tmp_path / "fresh" / "secret_key").read_text().strip()
    extensions.database(app).dispose()
