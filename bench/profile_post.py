"""Where a phone's post spends its CPU: the post path profiled layer by layer (not a timed test).

    python -m bench.profile_post [--posts 1000] [--postgresql]

An app on a fresh SQLite file (or, with --postgresql, a fresh PostgreSQL
database and the Redis message queue, as the bench's ours-pg target), one
open workshop, rate limits on (as served);
posts go through Flask's test client (no network, no Socket.IO clients), so
what is measured is the server's own work per post. Prints CPU ms per post
without the profiler, then each layer's share of the profiled time (cumulative,
so the nested rows overlap their parents; the rest is the test client itself).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

# (label, file suffix, function name): the layers of the post path, outermost first.
LAYERS = [
    ("Flask's request handling (wsgi_app: routing, hooks, the view)", "flask/app.py", "wsgi_app"),
    ("the view: parse, limits, service, answer", "facilitator/views/api.py", "submit_input"),
    ("rate limits (address, phone, and the workshop once known here)", "facilitator/ratelimit.py", "check_each"),
    ("the phone's checks, in the unit (guessing limit, language, workshop limit, admission)", "facilitator/views/phone.py", "admitted"),
    ("services.submit_input (the unit of work)", "facilitator/services/inputs.py", "submit_input"),
    ("  event append (seq UPDATE … RETURNING, the event's INSERT)", "facilitator/services/unit.py", "record"),
    ("  SQLite COMMIT", "~", "<method 'commit' of 'sqlite3.Connection' objects>"),
    ("  PostgreSQL COMMIT (psycopg)", "psycopg/connection.py", "commit"),
    ("ORM Session.execute, anywhere (the lock in the unit)", "sqlalchemy/orm/session.py", "execute"),
    ("after commit: publish to Socket.IO rooms", "facilitator/realtime.py", "publish"),
    ("the answer: input_dict + JSON", "flask/json/provider.py", "response"),
]


@contextmanager
def _database(folder: str, postgresql: bool) -> Iterator[tuple[str, dict]]:
    """A fresh database's URL and the settings that go with it; a PostgreSQL one is dropped afterwards."""
    if not postgresql:
        yield f"sqlite:///{folder}/bench.sqlite3", {}
        return
    import psycopg

    from .targets import PG_ADMIN, REDIS_URL

    name = f"facilitator_profile_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
        yield f"{base}/{name}", {"SOCKETIO_MESSAGE_QUEUE": REDIS_URL, "SOCKETIO_CHANNEL": f"facilitator-profile-{name}"}
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(posts: int, postgresql: bool = False) -> dict:
    """Post `posts` inputs (after a warm-up) and return CPU ms per post and each layer's share."""
    from facilitator import create_app, migrate

    folder = tempfile.mkdtemp(prefix="bench-profile-post-")
    try:
        with _database(folder, postgresql) as (url, settings):
            migrate.upgrade(url)
            generous = "1000000/minute"
            app = create_app(
                {"DATABASE_URL": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": True, "RATELIMIT_PHONE": generous,
                 "RATELIMIT_ADDRESS": generous, "RATELIMIT_WORKSHOP": generous, "SUGGEST_WORKER": False, **settings},
                instance_path=folder,
            )
            profile, cpu_ms, dialect = _post_and_profile(app, posts)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    total = sum(tt for _cc, _nc, tt, _ct, _callers in stats.values())
    layers = []
    for label, suffix, name in LAYERS:
        cumulative = sum(
            ct for (filename, _line, function), (_cc, _nc, _tt, ct, _callers) in stats.items()
            if function == name and filename.endswith(suffix)
        )
        layers.append({"layer": label, "share": cumulative / total if total else 0.0})
    return {"posts": posts, "database": dialect, "cpu_ms_per_post": cpu_ms, "layers": layers}


def _post_and_profile(app, posts: int) -> tuple[cProfile.Profile, float, str]:
    """Open a workshop, post a warm-up, time `posts` posts, then profile as many more."""
    from facilitator import extensions, services

    with app.app_context():
        user = services.create_user("bench@example.org", "bench password 1234")
        workshop = services.create_workshop(user.id, "Bench", themes=["A"], prompt="Hvad virker?")
        services.set_status(workshop.id, "open")
        code = workshop.join_code
    client = app.test_client()
    key = client.get(f"/api/v1/join/{code}").json["phone_key"]

    def post(n: int) -> None:
        for i in range(n):
            answer = client.post(
                f"/api/v1/join/{code}/inputs",
                json={"text": f"Input {i}: mere tid til samtaler", "client_key": uuid.uuid4().hex},
                headers={"X-Phone-Key": key},
            )
            assert answer.status_code == 201, answer.get_json()

    post(200)  # warm-up: caches, pools, the first pages of the file
    started = time.process_time()
    post(posts)
    cpu_ms = (time.process_time() - started) * 1000 / posts
    profile = cProfile.Profile()
    profile.enable()
    post(posts)
    profile.disable()
    database = extensions.database(app)
    database.dispose()
    return profile, cpu_ms, database.write_engine.dialect.name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--postgresql", action="store_true", help="PostgreSQL and the Redis queue instead of SQLite")
    args = parser.parse_args()
    result = run(args.posts, args.postgresql)
    print(f"CPU per post, without the profiler: {result['cpu_ms_per_post']:.2f} ms ({result['posts']} posts, {result['database']})\n")
    print("| layer | share of the profiled time |\n|---|---:|")
    for row in result["layers"]:
        print(f"| {row['layer']} | {row['share'] * 100:.0f} % |")


if __name__ == "__main__":
    main()
