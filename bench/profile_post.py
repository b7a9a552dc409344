"""Where a phone's post spends its CPU: the post path profiled layer by layer (not a timed test).

    python -m bench.profile_post [--posts 1000]

An app on a fresh SQLite file, one open workshop, rate limits on (as served);
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

# (label, file suffix, function name): the layers of the post path, outermost first.
LAYERS = [
    ("Flask's request handling (wsgi_app: routing, hooks, the view)", "flask/app.py", "wsgi_app"),
    ("the view: parse, limits, service, answer", "facilitator/views/api.py", "submit_input"),
    ("rate limits (address, phone, workshop)", "facilitator/ratelimit.py", "check"),
    ("the phone's checks, in the unit (guessing limit, language, workshop limit, admission)", "facilitator/views/phone.py", "admitted"),
    ("services.submit_input (the unit of work)", "facilitator/services/inputs.py", "submit_input"),
    ("  event append (seq UPDATE … RETURNING, the event's INSERT)", "facilitator/services/unit.py", "record"),
    ("  SQLite COMMIT", "~", "<method 'commit' of 'sqlite3.Connection' objects>"),
    ("ORM Session.execute, anywhere (the lock in the unit)", "sqlalchemy/orm/session.py", "execute"),
    ("after commit: publish to Socket.IO rooms", "facilitator/realtime.py", "publish"),
    ("the answer: input_dict + JSON", "flask/json/provider.py", "response"),
]


def run(posts: int) -> dict:
    """Post `posts` inputs (after a warm-up) and return CPU ms per post and each layer's share."""
    from facilitator import create_app, extensions, migrate, services

    folder = tempfile.mkdtemp(prefix="bench-profile-post-")
    try:
        url = f"sqlite:///{folder}/bench.sqlite3"
        migrate.upgrade(url)
        generous = "1000000/minute"
        app = create_app(
            {"DATABASE_URL": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": True, "RATELIMIT_PHONE": generous,
             "RATELIMIT_ADDRESS": generous, "RATELIMIT_WORKSHOP": generous, "SUGGEST_WORKER": False},
            instance_path=folder,
        )
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
        extensions.database(app).dispose()
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
    return {"posts": posts, "cpu_ms_per_post": cpu_ms, "layers": layers}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    result = run(parser.parse_args().posts)
    print(f"CPU per post, without the profiler: {result['cpu_ms_per_post']:.2f} ms ({result['posts']} posts)\n")
    print("| layer | share of the profiled time |\n|---|---:|")
    for row in result["layers"]:
        print(f"| {row['layer']} | {row['share'] * 100:.0f} % |")


if __name__ == "__main__":
    main()
