"""Fixtures: an app per test on SQLite and on PostgreSQL, clients, accounts, a live server."""

from __future__ import annotations

import os
import re
import shutil
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from werkzeug.serving import make_server

from facilitator import create_app, extensions, migrate, services
from bench.browser import launch
from bench.browser import log_in as browser_log_in

PASSWORD = "correct horse battery"
PG_ADMIN = os.environ.get("FACILITATOR_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
BACKENDS = os.environ.get("FACILITATOR_TEST_BACKENDS", "sqlite,postgresql").split(",")
SEED = Path(__file__).resolve().parent.parent / "facilitator" / "data" / "seed-workshop.json"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file that each test copies (migrating once is faster)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@contextmanager
def fresh_pg_database(prefix: str, migrated: bool = True):
    """A new database on the shared PostgreSQL (its URL), migrated unless told not to, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + "/" + name
    try:
        if migrated:
            migrate.upgrade(url)
        yield url
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@contextmanager
def empty_database(backend: str, tmp_path: Path, name: str):
    """An empty database for a migration test (its URL): a SQLite file, or a PostgreSQL database dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / (name + '.sqlite3')}"
        return
    with fresh_pg_database(f"facilitator_{name}", migrated=False) as url:
        yield url


def insert_an_old_workshop(conn, status: str = "open") -> None:
    """A user, a workshop (ABCDEF) and its input 'original', in columns that every schema since 0001 has."""
    conn.execute(text(
        "INSERT INTO users (id, email, password_hash, is_admin, session_version, created_at) "
        "VALUES (1, 'a@b', 'x', false, 1, CURRENT_TIMESTAMP)"
    ))
    conn.execute(text(
        "INSERT INTO workshops (id, title, description, language, join_code, status, max_input_length, named_inputs, "
        "participants_see_wall, participants_choose_theme, projector_secret, projector_view, place, held_on, owner_id, seq, "
        "created_at, updated_at) VALUES (1, 't', '', 'da', 'ABCDEF', :status, 1000, false, false, false, 's', 'collect', "
        "'', '', 1, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
    ), {"status": status})
    conn.execute(text(
        "INSERT INTO inputs (workshop_id, client_key, text, position, hidden, hidden_reason, author_name, received_at) "
        "VALUES (1, 'k', 'original', 0, false, '', '', CURRENT_TIMESTAMP)"
    ))


@pytest.fixture(scope="session")
def pg_url():
    """A fresh PostgreSQL database for this test session, migrated, dropped at the end."""
    with fresh_pg_database("facilitator_test") as url:
        yield url


def _backend_params():
    marks = {"postgresql": [pytest.mark.postgres]}
    return [pytest.param(b, marks=marks.get(b, []), id=b) for b in BACKENDS]


@pytest.fixture(params=_backend_params())
def database_url(request, tmp_path):
    """The database of one test: a copy of the SQLite template, or the emptied PostgreSQL one."""
    if request.param == "sqlite":
        path = tmp_path / "facilitator.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_url")
    return url


def make_app(database_url: str, instance: Path, **overrides):
    """An app for tests: rate limits off unless a test turns them on."""
    config = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "RATELIMIT_ENABLED": False,
        "PUBLIC_URL": "http://phones.example",
        # Phone state goes out at once: a debounce timer that outlives its test would open a
        # connection on the test's disposed engine (a ResourceWarning in some later test).
        "PARTICIPANT_STATE_DEBOUNCE": 0,
    }
    config.update(overrides)
    return create_app(config, instance_path=instance)


@pytest.fixture
def app(database_url, tmp_path):
    """The app with an app context pushed, on a clean database."""
    application = make_app(database_url, tmp_path / "instance")
    with application.app_context():
        if not database_url.startswith("sqlite"):
            _truncate(application)
        yield application
    extensions.database(application).dispose()


def _truncate(application) -> None:
    engine = extensions.database(application).engine
    with engine.begin() as conn:
        conn.execute(
            text(
                "TRUNCATE events, inputs, themes, prompts, co_facilitators, workshops, api_tokens, users "
                "RESTART IDENTITY CASCADE"
            )
        )


@pytest.fixture
def limited(database_url, tmp_path, app):
    """Make apps with rate limits on (limited(RATELIMIT_X="1/minute")); disposed after the test."""
    made = []

    def make(**rules):
        application = make_app(database_url, tmp_path / f"limited{len(made)}", RATELIMIT_ENABLED=True, **rules)
        made.append(application)
        return application

    yield make
    for application in made:
        extensions.database(application).dispose()


@pytest.fixture
def client(app):
    """A Flask test client."""
    return app.test_client()


@pytest.fixture
def user(app):
    """A facilitator account."""
    return services.create_user("anna@example.org", PASSWORD)


@pytest.fixture
def other_user(app):
    """A second facilitator, who must not see the first one's workshops."""
    return services.create_user("bo@example.org", PASSWORD)


@pytest.fixture
def token(user):
    """An API token of `user`."""
    value, _row = services.create_token(user.id, "tests")
    return value


@pytest.fixture
def api(client, token):
    """Call the JSON API as `user` with a bearer token: api.post(path, json) etc."""
    return ApiClient(client, token)


class ApiClient:
    """A thin wrapper that adds the bearer token and the /api/v1 prefix."""

    def __init__(self, client, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **kw):
        return self.client.get("/api/v1" + path, headers=self.headers, **kw)

    def post(self, path: str, json=None, **kw):
        return self.client.post("/api/v1" + path, json=json, headers=self.headers, **kw)

    def patch(self, path: str, json=None, **kw):
        return self.client.patch("/api/v1" + path, json=json, headers=self.headers, **kw)

    def delete(self, path: str, **kw):
        return self.client.delete("/api/v1" + path, headers=self.headers, **kw)


@pytest.fixture
def workshop(api):
    """An open workshop with two themes, created through the API."""
    response = api.post("/workshops", json={"title": "Test workshop", "language": "da", "themes": ["Alpha", "Beta"]})
    assert response.status_code == 201, response.json
    data = response.json
    assert api.post(f"/workshops/{data['id']}/status", json={"status": "open"}).status_code == 200
    return data


# --- Logging in and CSRF: the one copy every test uses -------------------------------------

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_in(page: str) -> str:
    """The CSRF token a page's forms carry (what a browser without JavaScript posts back)."""
    match = CSRF_FIELD.search(page)
    assert match, "the page has no csrf_token field"
    return match.group(1)


def csrf_of(client, **request) -> str:
    """The CSRF token of a test client's session (a page visit gives it one).

    `request` (base_url=...) names the site whose cookie holds the session.
    """
    if "csrf" not in _session(client, **request):
        client.get("/login", **request)
    return _session(client, **request)["csrf"]


def _session(client, **request) -> dict:
    with client.session_transaction(**request) as sess:
        return dict(sess)


def log_in(client, email: str = "anna@example.org", password: str = PASSWORD, *, next: str | None = None, **request):
    """Log a test client in through the real form; return the answer.

    `next` is the form's own field; `request` (base_url=...) goes with every request made.
    """
    form = {"email": email, "password": password, "csrf_token": csrf_of(client, **request)}
    if next is not None:
        form["next"] = next
    return client.post("/login", data=form, **request)


def logged_in(app, email: str = "anna@example.org", password: str = PASSWORD) -> tuple:
    """A fresh test client logged in through the form, and its CSRF token."""
    client = app.test_client()
    answer = log_in(client, email, password)
    assert answer.status_code == 302, answer.text
    return client, csrf_of(client)


def log_in_over_http(web, base: str, email: str = "anna@example.org", password: str = PASSWORD, **options):
    """Log a `requests.Session` in on a running server through the real form; return the answer."""
    page = web.get(f"{base}/login", **options)
    form = {"email": email, "password": password, "csrf_token": csrf_in(page.text)}
    return web.post(f"{base}/login", data=form, **options)


class FreshContexts:
    """A test client whose every request gets its own app context, as on a real server.

    The `app` fixture keeps one app context pushed for the whole test, and Flask reuses it for
    test-client requests: Flask-Babel would then remember the first request's locale (on `g`)
    for all later ones.
    """

    def __init__(self, app) -> None:
        self.app = app
        self.client = app.test_client()

    def get(self, *args, **kw):
        with self.app.app_context():
            return self.client.get(*args, **kw)

    def post(self, *args, **kw):
        with self.app.app_context():
            return self.client.post(*args, **kw)

    def session_transaction(self, *args, **kw):
        return self.client.session_transaction(*args, **kw)

    def page(self, *args, **kw) -> str:
        response = self.get(*args, **kw)
        assert response.status_code == 200, response.status_code
        return response.get_data(as_text=True)


def send(client, code: str, text: str, key: str | None = None):
    """Post an input as a phone would."""
    return client.post(f"/api/v1/join/{code}/inputs", json={"text": text, "client_key": key or str(uuid.uuid4())})


class LiveServer:
    """The app served by a real threaded HTTP server on a free loopback port."""

    def __init__(self, application) -> None:
        self.app = application
        self.server = make_server("127.0.0.1", 0, application, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture
def live_server(app):
    """A running server for Socket.IO clients and browsers."""
    server = LiveServer(app).start()
    yield server
    server.stop()


# --- Browser tests: Playwright driving Debian's Chromium --------------------------------

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"

# Browser tests run on the embedded default only; the database paths are covered above.
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser, live_server):
    """Make browser contexts (separate cookie jars: a laptop, phones) aimed at the live server."""
    contexts = []

    def make(**options):
        options.setdefault("base_url", live_server.url)
        context = browser.new_context(**options)
        context.set_default_timeout(15000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def screenshot(page, name: str) -> Path:
    """Save a screenshot a person can look at (test-artifacts/screenshots/)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# SortableJS marks a card it is sliding into place (`animated`) and ignores a press on it.
CARDS_AT_REST = "() => [...document.querySelectorAll('.card')].every((c) => !c.animated)"


def drag_card(page, source, to, landed: str, arg=None) -> None:
    """Drag a wall card with real pointer events; let go once the wall shows it where it lands.

    `to` is the point to drop at, or a function giving it, called once the
    cards are at rest (a card still sliding after the last drop is not where
    it will be). SortableJS ignores a press on a sliding card, and its pointer
    fallback reads the pointer on a 50 ms timer, so a hand that lets go sooner
    drops the card back where it was. A person waits for both; `landed` is the
    check that the card shows where it will land, in JavaScript.
    """
    page.wait_for_function(CARDS_AT_REST)
    box = source.bounding_box()
    target = to() if callable(to) else to
    page.mouse.move(box["x"] + 30, box["y"] + 12)
    page.mouse.down()
    page.mouse.move(box["x"] + 40, box["y"] + 20, steps=4)
    page.mouse.move(*target, steps=20)
    page.wait_for_function(landed, arg=arg)
    page.mouse.up()


def column_ids(theme) -> str:
    """JavaScript: the ids of the cards in one column's list (theme id, "" for Unsorted) in screen order, on a wall or a projector."""
    cards = f'.column[data-theme-id="{theme}"] .column-cards > .card'
    return f"() => Array.from(document.querySelectorAll('{cards}'), (c) => Number(c.dataset.id))"


def lands(theme, check: str) -> str:
    """For drag_card: a check on `ids`, the column's card ids (column_ids), the dragged card in its landing place."""
    return f"() => {{ const ids = ({column_ids(theme)})(); return {check}; }}"


def browser_login(context, email="anna@example.org", password=PASSWORD):
    """Log a browser context in through the real form; return its page."""
    page = context.new_page()
    browser_log_in(page, email, password)
    return page
