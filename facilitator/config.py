"""Settings: one table, read from defaults, then instance/config.py, then the environment.

Every setting the app has is declared once in SETTINGS below: its name, default,
kind and one line of meaning. The README's configuration table is printed from
it (`facilitator config --markdown`) and a test holds the two together.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import resources

# The languages the app has catalogues and export phrases for.
LANGUAGES = ("da", "en")

_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class SettingError(ValueError):
    """A setting has a value the app cannot use; the message names it and where it came from."""


def parse_rate(rule: str) -> tuple[int, int]:
    """'20/minute' -> (20, 60); raises ValueError for anything else."""
    count, slash, unit = str(rule).partition("/")
    unit = unit.strip().lower()
    unit = unit[:-1] if unit.endswith("s") else unit
    if not slash or unit not in _UNITS or not count.strip().isdigit():
        raise ValueError("not a rate such as 20/minute")
    return int(count), _UNITS[unit]


def _text(value):
    if not isinstance(value, str):
        raise ValueError("not text")
    return value


def _optional_text(value):
    return None if value in (None, "") else _text(value)


def _integer(value):
    if isinstance(value, bool):
        raise ValueError("not a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise ValueError("not a whole number")


def _number(value):
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError("not a number") from None


def _flag(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError("not one of true/false, yes/no, on/off, 1/0")


def _rate(value):
    parse_rate(value)
    return str(value).strip()


def _origins(value):
    if value in (None, ""):
        return None
    if isinstance(value, (list, tuple)):
        origins = [str(o).strip() for o in value]
    else:
        origins = [o.strip() for o in _text(value).split(",")]
    if not all(o.startswith(("http://", "https://")) and o.count("/") == 2 for o in origins):
        raise ValueError("not a comma-separated list of origins such as https://workshop.example.dk")
    return origins


def _choice(*options: str, optional: bool = False) -> Callable:
    def check(value):
        if optional and value in (None, ""):
            return None
        if value not in options:
            raise ValueError("not one of " + ", ".join(options))
        return value

    check.__doc__ = " | ".join(options)
    return check


def _at_least(minimum: int | float, kind: Callable) -> Callable:
    def check(value):
        value = kind(value)
        if value < minimum:
            raise ValueError(f"less than {minimum}")
        return value

    return check


@dataclass(frozen=True)
class Setting:
    """One setting: its name, default, how to read a value, and what it means."""

    name: str
    default: object
    kind: Callable[[object], object]
    meaning: str
    secret: bool = False
    # Read only from the environment (it decides where instance/config.py is).
    env_only: bool = False
    # Also read from the bare name, as other tools in a deployment know it.
    bare_env: bool = False
    shown_default: str | None = None

    @property
    def env(self) -> str:
        """The environment variable that sets it."""
        return f"FACILITATOR_{self.name}"

    def documented_default(self) -> str:
        """The default as the README states it."""
        if self.shown_default is not None:
            return self.shown_default
        if self.default is None:
            return "none"
        if isinstance(self.default, bool):
            return "true" if self.default else "false"
        return f"`{self.default}`"


S = Setting
SETTINGS: tuple[Setting, ...] = (
    S("INSTANCE_PATH", None, _optional_text, "folder for the SQLite file, the generated secret key and `config.py`",
      env_only=True, shown_default="`instance/` in a checkout, `<venv>/var/facilitator-instance` installed"),
    S("DATABASE_URL", None, _optional_text, "`postgresql+psycopg://user@host/db` for PostgreSQL",
      bare_env=True, shown_default="`sqlite:///<instance>/facilitator.sqlite3`"),
    S("SOCKETIO_MESSAGE_QUEUE", None, _optional_text, "`redis://127.0.0.1:6379/0` when several processes serve one workshop",
      bare_env=True),
    S("SOCKETIO_CHANNEL", "flask-socketio", _text, "Redis pub/sub channel; deployments sharing one Redis keep apart by it"),
    S("SOCKETIO_CORS_ALLOWED_ORIGINS", None, _origins,
      "other origins (comma-separated) whose pages may open Socket.IO connections; none: this site's own only"),
    S("SOCKETIO_ASYNC_MODE", None, _choice("gevent", "threading", optional=True),
      "`gevent` or `threading`; none: `facilitator serve` uses gevent (a plenary's sockets fit in one process), "
      "any other process threading (see `docs/deploy/`)"),
    S("RATELIMIT_STORAGE_URL", None, _optional_text,
      "Redis for the rate-limit counters (default: the message queue's Redis, else this process's memory)"),
    S("PARTICIPANT_STATE_DEBOUNCE", 0.2, _at_least(0, _number), "seconds within which status and question changes reach phones as one message"),
    S("PUBLIC_URL", None, _optional_text, "the address phones use (see above)"),
    S("SECRET_KEY", None, _optional_text, "signs sessions", secret=True,
      shown_default="generated into `<instance>/secret_key`"),
    S("DEFAULT_LANGUAGE", "da", _choice(*LANGUAGES), "language of pages when neither workshop nor browser decides"),
    S("MAX_INPUT_LENGTH", 1000, _at_least(1, _integer), "default longest input (per workshop setting, 1–5000 characters)"),
    S("IMPORT_MAX_INPUTS", 20000, _at_least(1, _integer),
      "most inputs one import may add (a JSON workshop, pasted lines, a CSV or XLSX file); a bigger one is refused whole"),
    S("IMPORT_BATCH_SIZE", 200, _at_least(1, _integer),
      "inputs a JSON import writes per transaction (other writes wait at most one batch)"),
    S("MAX_CONTENT_LENGTH", 64 * 1024, _at_least(1024, _integer), "largest request body in bytes (imports have their own cap)"),
    S("RATELIMIT_ENABLED", True, _flag, "false turns every rate limit off (tests only)"),
    S("RATELIMIT_PHONE", "20/minute", _rate, "posts per phone (its server-issued, signed key; every phone without one shares one bucket)"),
    S("RATELIMIT_ADDRESS", "6000/minute", _rate, "posts per address: a whole room behind one NAT must pass"),
    S("RATELIMIT_VOTE_PHONE", "120/minute", _rate,
      "dot allocations one phone may send (each settled change sends the latest allocation)"),
    S("RATELIMIT_JOIN_ADDRESS", "3000/minute", _rate, "join-page loads per address"),
    S("RATELIMIT_JOIN_MISS_ADDRESS", "100/minute", _rate, "wrong join codes per address (see \"Guessing join codes\")"),
    S("RATELIMIT_WORKSHOP", "9000/minute", _rate,
      "posts to one workshop from all its phones together (3,000 phones × 3 a minute; see \"Limits and faults\")"),
    S("RATELIMIT_LOGIN_ACCOUNT", "10/minute", _rate, "login attempts per account"),
    S("RATELIMIT_LOGIN_ADDRESS", "60/minute", _rate, "login attempts per address"),
    S("SYNC_MAX_EVENTS", 500, _at_least(1, _integer), "a wall further behind than this gets a snapshot instead of events"),
    S("SOCKETIO_MAX_HTTP_BUFFER_SIZE", 16 * 1024, _at_least(1024, _integer), "largest Socket.IO message in bytes"),
    S("SOCKETIO_MAX_PARTICIPANTS", 4000, _at_least(0, _integer),
      "phone sockets one process follows live (0: no cap); past it a phone posts over HTTP and says live updates are paused"),
    S("SERVE_RESERVED_CONNECTIONS", 1000, _at_least(0, _integer),
      "connections `facilitator serve` accepts beyond the phones' share: walls, projectors, HTTP requests"),
    S("SERVE_CONCURRENT_WRITES", 4, _at_least(0, _integer),
      "write requests one process handles at once; more wait their turn, so reconnects and pages stay quick in a burst (0: no limit)"),
    S("SOCKETIO_MAX_CONNECTIONS_PER_ADDRESS", 4500, _at_least(0, _integer),
      "open Socket.IO connections per address and process (0: no limit); must exceed a full room behind one NAT"),
    S("SESSION_COOKIE_NAME", "facilitator_session", _text, "name of the login cookie"),
    S("SESSION_COOKIE_SECURE", False, _flag, "set true behind HTTPS"),
    S("SESSION_COOKIE_HTTPONLY", True, _flag, "the login cookie is out of reach of scripts"),
    S("SESSION_COOKIE_SAMESITE", "Lax", _choice("Lax", "Strict"), "the login cookie's SameSite attribute"),
    S("PERMANENT_SESSION_LIFETIME", 8 * 3600, _at_least(60, _integer), "seconds a login lasts without a request"),
    S("SESSION_MAX_AGE", 12 * 3600, _at_least(1, _integer), "seconds a login lasts at most, however active"),
    S("PROXY_FIX", False, _flag, "trust one proxy's `X-Forwarded-*` headers"),
    S("RETENTION_DAYS", 90, _at_least(0, _integer), "days after closing when a workshop's inputs are deleted (each workshop can change it)"),
    S("RETENTION_PURGE_HOURS", 24.0, _at_least(0, _number), "how often the server purges expired workshops (0: never; run `facilitator purge` from cron)"),
    S("SUGGEST_ENGINE", "auto", _choice("auto", "embedding", "lexical", "off"),
      "grouping help: `auto` (the embedding model if the `suggest` extra is installed, else lexical), `embedding`, `lexical`, or `off`"),
    S("SUGGEST_WORKER", True, _flag, "run the background thread that embeds each new input once (embedding engine only)"),
    S("PRIVACY_CONTROLLER", "", _text, "who is responsible for the data (name and contact), shown on the privacy page"),
)
del S

BY_NAME = {setting.name: setting for setting in SETTINGS}


def _check(setting: Setting, value, origin: str):
    try:
        return setting.kind(value)
    except ValueError as error:
        raise SettingError(f"setting {setting.name} = {value!r} (from {origin}): {error}") from None


def instance_path(given: str | os.PathLike | None = None) -> tuple[Path, str]:
    """The instance folder and where it came from: the argument, FACILITATOR_INSTANCE_PATH, or the default."""
    if given:
        return Path(given), "argument"
    env = BY_NAME["INSTANCE_PATH"].env
    if os.environ.get(env):
        return Path(os.environ[env]), f"environment {env}"
    return resources.default_instance_path(), "default"


def load(app, overrides: dict | None = None, instance_source: str = "default") -> dict[str, str]:
    """Fill app.config from the table; return where each setting's value came from."""
    sources: dict[str, str] = {}
    for setting in SETTINGS:
        app.config[setting.name] = setting.default
        sources[setting.name] = "default"
    sources["INSTANCE_PATH"] = instance_source
    _load_file(app, sources)
    for setting in SETTINGS:
        names = [setting.env] + ([setting.name] if setting.bare_env else [])
        for key in names:
            if os.environ.get(key, "") != "":
                app.config[setting.name] = _check(setting, os.environ[key], f"environment variable {key}")
                sources[setting.name] = f"environment {key}"
                break
    for key, value in (overrides or {}).items():
        if key in BY_NAME:
            app.config[key] = _check(BY_NAME[key], value, "create_app(config=...)")
            sources[key] = "argument"
        else:
            app.config[key] = value  # Flask's own keys, such as TESTING
    app.config["INSTANCE_PATH"] = app.instance_path
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = "sqlite:///" + str(Path(app.instance_path) / "facilitator.sqlite3")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))
        sources["SECRET_KEY"] = "instance secret_key file"
    return sources


def _load_file(app, sources: dict[str, str]) -> None:
    path = Path(app.instance_path) / "config.py"
    if not path.is_file():
        return
    values: dict = {}
    exec(compile(path.read_bytes(), str(path), "exec"), values)  # the operator's own settings file
    for key, value in values.items():
        if not key.isupper():
            continue
        setting = BY_NAME.get(key)
        if setting is None or setting.env_only:
            raise SettingError(f"{path}: {key} is not a setting (see `facilitator config`)")
        app.config[key] = _check(setting, value, str(path))
        sources[key] = str(path)


def _instance_secret(instance: Path) -> str:
    """Read the secret key from instance/, creating it on first use (mode 0600 from the start)."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    # Written to a private temporary file (never readable by others, whatever the umask),
    # then linked into place: a second process starting at the same moment reads the
    # winner's key instead of half a file or one of its own.
    temporary = instance / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
    finally:
        temporary.unlink()
    return path.read_text().strip()


def effective(app, sources: dict[str, str]) -> list[tuple[str, str, str]]:
    """Every setting's effective value (secrets masked) and where it came from."""
    # Here, not at the top: `facilitator serve` reads the settings before it imports SQLAlchemy.
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    rows = []
    for setting in SETTINGS:
        value = app.config.get(setting.name)
        shown = "********" if setting.secret and value else repr(value)
        if setting.name in ("DATABASE_URL", "SOCKETIO_MESSAGE_QUEUE", "RATELIMIT_STORAGE_URL") and value:
            try:
                shown = repr(make_url(value).render_as_string(hide_password=True))
            except ArgumentError:
                shown = "(not a URL)"
        rows.append((setting.name, shown, sources.get(setting.name, "default")))
    return rows


def markdown_table() -> str:
    """The README's configuration table, printed from SETTINGS."""
    lines = ["| setting | default | meaning |", "|---|---|---|"]
    for setting in SETTINGS:
        lines.append(f"| `{setting.name}` | {setting.documented_default()} | {setting.meaning} |")
    return "\n".join(lines)
