"""Settings: defaults here, overridden by instance/config.py, then by the environment."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

DEFAULTS: dict[str, object] = {
    # Embedded default: a SQLite file in instance/ (filled in by load()).
    "DATABASE_URL": None,
    # Redis URL shared by every server process; None means one process.
    "SOCKETIO_MESSAGE_QUEUE": None,
    # The Redis pub/sub channel; deployments (or test runs) sharing one Redis keep apart by it.
    "SOCKETIO_CHANNEL": "flask-socketio",
    # "threading" (default) or "gevent" (needs the gevent package; see docs/deploy/).
    "SOCKETIO_ASYNC_MODE": "threading",
    # Changes that every phone must see (prompt, status) within this window reach phones as one message.
    "PARTICIPANT_STATE_DEBOUNCE": 0.2,
    # Where phones must go; None derives it from the request or the LAN address.
    "PUBLIC_URL": None,
    "DEFAULT_LANGUAGE": "da",
    "LANGUAGES": ("da", "en"),
    "MAX_INPUT_LENGTH": 1000,
    "MAX_CONTENT_LENGTH": 64 * 1024,
    # Per-phone limits do the real work; per-address limits must let a whole
    # room behind one NAT through (see DESIGN.md, "Limits that fit a real room").
    "RATELIMIT_PHONE": "20/minute",
    "RATELIMIT_ADDRESS": "6000/minute",
    "RATELIMIT_JOIN_ADDRESS": "3000/minute",
    # Wrong join codes per address: what bounds guessing (README, "Guessing join codes").
    # Over it, an address gets no answer about any code until the window ends,
    # except from phones already admitted to the workshop they ask about.
    "RATELIMIT_JOIN_MISS_ADDRESS": "100/minute",
    "RATELIMIT_LOGIN_ACCOUNT": "10/minute",
    "RATELIMIT_LOGIN_ADDRESS": "60/minute",
    "RATELIMIT_ENABLED": True,
    # A wall that is further behind than this gets a snapshot instead of events.
    "SYNC_MAX_EVENTS": 500,
    "SOCKETIO_MAX_HTTP_BUFFER_SIZE": 16 * 1024,
    # Open Socket.IO connections one address may hold (per process; 0: no limit).
    # A venue's phones share one NAT address, so this must exceed a full room.
    "SOCKETIO_MAX_CONNECTIONS_PER_ADDRESS": 2000,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "SESSION_COOKIE_NAME": "facilitator_session",
    # A facilitator's login lasts this long without a request (the cookie is
    # renewed on each one), and never longer than SESSION_MAX_AGE in total.
    "PERMANENT_SESSION_LIFETIME": 8 * 3600,
    "SESSION_MAX_AGE": 12 * 3600,
    # Days after closing when a workshop's inputs are deleted (each workshop can change it).
    "RETENTION_DAYS": 90,
    # Who is responsible for the data (name and contact), shown on the privacy page.
    "PRIVACY_CONTROLLER": "",
    # The server purges expired workshops this often (0: never; run `facilitator purge` from cron).
    "RETENTION_PURGE_HOURS": 24,
    "JSON_SORT_KEYS": False,
}

# Settings read from the environment, with the type to parse them as.
ENVIRONMENT: dict[str, type] = {
    "DATABASE_URL": str,
    "SOCKETIO_MESSAGE_QUEUE": str,
    "SOCKETIO_CHANNEL": str,
    "SOCKETIO_ASYNC_MODE": str,
    "PARTICIPANT_STATE_DEBOUNCE": float,
    "PUBLIC_URL": str,
    "DEFAULT_LANGUAGE": str,
    "MAX_INPUT_LENGTH": int,
    "RATELIMIT_PHONE": str,
    "RATELIMIT_ADDRESS": str,
    "RATELIMIT_JOIN_ADDRESS": str,
    "RATELIMIT_JOIN_MISS_ADDRESS": str,
    "RATELIMIT_ENABLED": bool,
    "SOCKETIO_MAX_CONNECTIONS_PER_ADDRESS": int,
    "RETENTION_DAYS": int,
    "RETENTION_PURGE_HOURS": float,
    "PRIVACY_CONTROLLER": str,
    "SESSION_MAX_AGE": int,
    "SESSION_COOKIE_SECURE": bool,
    "PROXY_FIX": bool,
    "SECRET_KEY": str,
}


def _parse(kind: type, raw: str) -> object:
    if kind is bool:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    return kind(raw)


def load(app, overrides: dict | None = None) -> None:
    """Fill app.config from defaults, instance/config.py, FACILITATOR_* env vars and overrides."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    for name, kind in ENVIRONMENT.items():
        for key in (f"FACILITATOR_{name}", name):
            if key in os.environ and os.environ[key] != "":
                app.config[name] = _parse(kind, os.environ[key])
                break
    if overrides:
        app.config.update(overrides)
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = "sqlite:///" + str(Path(app.instance_path) / "facilitator.sqlite3")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))


def _instance_secret(instance: Path) -> str:
    """Read the secret key from instance/, creating it on first use."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.write_text(secrets.token_urlsafe(48))
    path.chmod(0o600)
    return path.read_text().strip()
