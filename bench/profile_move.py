"""What a move costs the server as its column grows (not a timed test).

    python -m bench.profile_move [--sizes 10 1000 5000] [--moves 200]

For each size: a workshop on a fresh SQLite file whose Unsorted column holds
that many inputs (made by the JSON importer), then `moves` moves through
services.move_input, each of a card to the middle of the other theme's or
back, and within the column, as a facilitator sorting would. Prints CPU ms
per move and the bytes of the move events; the ratio to the smallest size
is what matters (a move's cost should not grow with its column).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time


def run(size: int, moves: int) -> dict:
    """CPU ms per move and mean event bytes, in a column of `size` inputs."""
    from sqlalchemy import func, select

    from facilitator import create_app, extensions, migrate, services
    from facilitator.db import database
    from facilitator.models import Event

    folder = tempfile.mkdtemp(prefix="bench-profile-move-")
    try:
        url = f"sqlite:///{folder}/bench.sqlite3"
        migrate.upgrade(url)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "SUGGEST_WORKER": False}, instance_path=folder)
        with app.app_context():
            user = services.create_user("bench@example.org", "bench password 1234")
            data = {
                "format": "facilitator-export", "version": 1,
                "workshop": {"title": "Moves", "language": "da"},
                "themes": [{"title": "A", "inputs": [{"text": f"A {n}"} for n in range(size)]}, {"title": "B", "inputs": [{"text": "B"}]}],
                "unsorted": [],
            }
            workshop = services.import_workshop(user.id, data)
            snap = services_snapshot(workshop.id)
            a, b = snap["themes"][0]["id"], snap["themes"][1]["id"]
            ids = snap["themes"][0]["input_ids"]
            with database().reader() as s:
                first_seq = s.execute(select(func.max(Event.seq)).where(Event.workshop_id == workshop.id)).scalar()
            started = time.process_time()
            for n in range(moves):
                item = ids[(n * 7919) % len(ids)]
                # Into the middle of the big column, or out to the small one and back.
                if n % 2:
                    services.move_input(workshop.id, item, b, 0)
                services.move_input(workshop.id, item, a, size // 2)
            cpu = time.process_time() - started
            count = moves + moves // 2
            with database().reader() as s:
                sizes = [len(json.dumps(d)) for d in s.execute(
                    select(Event.data).where(Event.workshop_id == workshop.id, Event.seq > first_seq, Event.type == "input.moved")
                ).scalars()]
        extensions.database(app).dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {"size": size, "moves": count, "cpu_ms_per_move": cpu * 1000 / count, "event_bytes": sum(sizes) / max(len(sizes), 1)}


def services_snapshot(workshop_id: int) -> dict:
    from facilitator.db import database
    from facilitator.models import Workshop
    from facilitator.queries import snapshot

    with database().reader() as s:
        return snapshot(s, s.get(Workshop, workshop_id))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 1000, 5000])
    parser.add_argument("--moves", type=int, default=200)
    args = parser.parse_args()
    rows = [run(size, args.moves) for size in args.sizes]
    print("| inputs in the column | moves | CPU ms per move | vs the smallest | bytes per move event |\n|---:|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row['size']} | {row['moves']} | {row['cpu_ms_per_move']:.2f} | {row['cpu_ms_per_move'] / rows[0]['cpu_ms_per_move']:.1f}× "
              f"| {row['event_bytes']:.0f} |")


if __name__ == "__main__":
    main()
