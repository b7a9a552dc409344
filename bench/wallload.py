"""Big boards: a wall of many cards rendered in headless Chromium, and every export of many inputs."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager, nullcontext
from pathlib import Path
from urllib.parse import urlsplit

from . import targets
from .browser import CHROMIUM, launch, log_in
from .slow_link import SlowLink


def _app(workdir: Path, database_url: str):
    from facilitator import create_app

    return create_app(
        {"DATABASE_URL": database_url, "SECRET_KEY": "bench-secret", "RATELIMIT_ENABLED": False},
        instance_path=workdir / "instance",
    )


def _imported_workshop(owner_id: int, count: int):
    """A workshop of `count` inputs in the reference workshop's four themes, made by the JSON importer.

    The texts are the reference workshop's own (Danish letters, curly quotes,
    arrows), cycled with a number so each is unique. Importing is one unit of
    work, where moving thousands of inputs one by one is thousands.
    """
    import json

    from facilitator import services
    from facilitator.export import document_from_seed, render

    seed = json.loads((targets.ROOT / "facilitator" / "data" / "seed-workshop.json").read_text())
    texts = [(t["title"], text) for t in seed["themes"] for text in t["inputs"]]
    columns: dict[str, list[str]] = {t["title"]: [] for t in seed["themes"]}
    for n in range(count):
        title, text = texts[n % len(texts)]
        columns[title].append(f"{text} (#{n + 1})")
    for theme in seed["themes"]:
        theme["inputs"] = columns[theme["title"]]
    data, _mimetype, _name = render(document_from_seed(seed), "json")
    return services.import_workshop(owner_id, json.loads(data))


def _read_back(data: bytes, fmt: str) -> int | None:
    """How many inputs the export lists, read with the library that reads that format (None: HTML, not read back)."""
    import csv
    import io

    from facilitator.export import extract_inputs

    if fmt == "csv":
        return sum(1 for _ in csv.reader(io.StringIO(data.decode("utf-8-sig")))) - 1
    if fmt == "xlsx":
        from openpyxl import load_workbook

        return load_workbook(io.BytesIO(data), read_only=True).worksheets[0].max_row - 1
    if fmt == "html":
        return None
    return len(extract_inputs(data, fmt))


def measure_exports(inputs: int, pdf_inputs: int) -> dict:
    """Seconds to build and render every export format: `inputs` inputs each, the PDF `pdf_inputs`.

    Each is built from the database and rendered as the export route does
    (best of two runs), then read back to count the inputs it lists.
    """
    from facilitator import extensions, migrate, services
    from facilitator.db import database
    from facilitator.export import FORMATS, build_document, render
    from facilitator.models import Workshop

    workdir = Path(tempfile.mkdtemp(prefix="facilitator-bench-exports-"))
    (workdir / "instance").mkdir()
    url = f"sqlite:///{workdir / 'instance' / 'facilitator.sqlite3'}"
    try:
        migrate.upgrade(url)
        app = _app(workdir, url)
        formats = {}
        with app.app_context():
            user = services.create_user(targets.EMAIL, targets.PASSWORD)
            sizes = {inputs: _imported_workshop(user.id, inputs).id, pdf_inputs: _imported_workshop(user.id, pdf_inputs).id}
            for fmt in FORMATS:
                count = pdf_inputs if fmt == "pdf" else inputs
                best = None
                for _ in range(2):
                    started = time.perf_counter()
                    with database().reader() as s:
                        doc = build_document(s, s.get(Workshop, sizes[count]))
                    built = time.perf_counter()
                    data, _mimetype, _name = render(doc, fmt, "appendix")
                    done = time.perf_counter()
                    run = {"seconds": done - started, "build_seconds": built - started, "render_seconds": done - built}
                    if best is None or run["seconds"] < best["seconds"]:
                        best = run
                formats[fmt] = {"inputs": count, **best, "bytes": len(data), "inputs_read_back": _read_back(data, fmt)}
        extensions.database(app).dispose()
        return {"via": "facilitator.export build_document + render, from the database", "formats": formats}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def _served_wall(make_workshop, embedding: bool):
    """A `facilitator serve` on a fresh SQLite file with one workshop, and a logged-in Chromium page: (page, workshop id).

    make_workshop(owner_id) makes the workshop in this process before the server starts.
    """
    from playwright.sync_api import sync_playwright

    from facilitator import extensions, migrate, services

    workdir = Path(tempfile.mkdtemp(prefix="facilitator-bench-wall-"))
    (workdir / "instance").mkdir()
    url = f"sqlite:///{workdir / 'instance' / 'facilitator.sqlite3'}"
    server = None
    try:
        migrate.upgrade(url)
        app = _app(workdir, url)
        with app.app_context():
            user = services.create_user(targets.EMAIL, targets.PASSWORD)
            workshop_id = make_workshop(user.id).id
        extensions.database(app).dispose()
        port = targets.free_port()
        env = {
            **os.environ,
            "FACILITATOR_INSTANCE_PATH": str(workdir / "instance"),
            "DATABASE_URL": url,
            "FACILITATOR_SECRET_KEY": "bench-secret",
            "FACILITATOR_SUGGEST_ENGINE": "embedding" if embedding else "lexical",
        }
        command = [str(Path(sys.executable).parent / "facilitator"), "serve", "--port", str(port), "--threads", "50"]
        server = targets.Process(command, env, f"http://127.0.0.1:{port}", workdir / "server.log")
        server.start()
        server.wait_ready()
        with sync_playwright() as playwright:
            browser = launch(playwright)
            context = browser.new_context(base_url=server.url, viewport={"width": 1600, "height": 1000})
            context.set_default_timeout(60000)
            page = context.new_page()
            log_in(page, targets.EMAIL, targets.PASSWORD)
            yield page, workshop_id
            browser.close()
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def _browser_missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as error:
        return f"playwright missing: {error}"
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM}"
    return None


def measure_wall(cards: int, runs: int = 3, embedding: bool = False, rtt_ms: int = 0) -> dict:
    """Milliseconds from navigation start until a wall of `cards` cards shows its first screen and answers input, and until every card is in it.

    embedding: the server embeds the cards in its worker meanwhile (the [suggest] extra), as after an import.
    rtt_ms: the browser reaches the server through a link with this round-trip time (a venue's wifi).
    """
    missing = _browser_missing()
    if missing:
        return {"cards": cards, "error": missing}
    with _served_wall(lambda owner: _imported_workshop(owner, cards), embedding) as (page, workshop_id):
        page.add_init_script(_NOTE_WALL)
        server = urlsplit(page.url)
        link = SlowLink((server.hostname, server.port), rtt_ms / 2000) if rtt_ms else nullcontext()
        with link:
            base = link.url if rtt_ms else ""
            timings = [_load_wall(page, f"{base}/workshops/{workshop_id}/wall", cards) for _ in range(runs)]
    best = min(timings, key=lambda t: t["interactive"])
    return {
        "cards": cards,
        "rtt_ms": rtt_ms,
        "cards_seen": best["cards"],
        "rendered_ms": best["drawn"],
        "interactive_ms": best["interactive"],
        "interactive_ms_worst": max(t["interactive"] for t in timings),
        "all_cards_ms": best["all_cards"],
        # The page's longest task once it answered input (0: none of 50 ms or more).
        "longest_task_after_ms": max(t["longest_task_after"] for t in timings),
        # The first visit fetches the wall's scripts; later ones take them from the browser's cache.
        "interactive_ms_first": timings[0]["interactive"],
        "runs": runs,
    }


# Before the page's scripts run: note, in the page's own clock, when its first cards are
# in the page, when the main thread is free after the frame that shows them (a task queued
# after that frame runs), how many cards are in the page after each change and whether the
# columns are still being filled; and every task of 50 ms or more (the browser's "long
# tasks"). Timed in the page, not by polling from outside: a page filling itself in short
# tasks answers an outside poll only between them.
_NOTE_WALL = """
window.wallTimes = {drawn: null, interactive: null, changes: []};
window.longTasks = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.longTasks.push([e.startTime, e.duration]);
}).observe({type: "longtask"});
new MutationObserver(() => {
  const now = performance.now();
  const times = window.wallTimes;
  const columns = document.getElementById("columns");
  const drawn = columns ? columns.querySelectorAll(".card[data-id]").length : 0;
  times.changes.push([now, drawn, !!columns && columns.hasAttribute("aria-busy")]);
  if (times.drawn === null && drawn) {
    times.drawn = now;
    requestAnimationFrame(() => setTimeout(() => (times.interactive = performance.now()), 0));
  }
}).observe(document, {childList: true, subtree: true, attributes: true, attributeFilter: ["aria-busy"]});
"""


def _load_wall(page, url: str, cards: int) -> dict:
    """Open the wall, in milliseconds from navigation start: its board drawn, interactive, every card in the page.

    drawn: the board's first drawing is in the page (a large board's first screen of
    each column; the rest follows in short tasks). interactive: the main thread is free
    after the frame that shows it. all_cards: every card is in the page and the
    columns are no longer busy. longest_task_after: the longest task of 50 ms or more
    that began after interactive (0: none).
    """
    page.goto(url)
    # Function forms: the page's CSP forbids evaluating strings.
    page.wait_for_function(
        "(n) => window.wallTimes.interactive !== null && window.wallTimes.changes.some(([, drawn, busy]) => drawn >= n && !busy)",
        arg=cards,
    )
    times = page.evaluate("() => window.wallTimes")
    all_cards = next(t for t, drawn, busy in times["changes"] if drawn >= cards and not busy)
    count = page.evaluate("() => document.querySelectorAll('#columns .card[data-id]').length")
    after = page.evaluate("(t) => window.longTasks.filter(([start]) => start >= t).map(([, d]) => d)", times["interactive"])
    return {
        "drawn": times["drawn"],
        "interactive": times["interactive"],
        "all_cards": all_cards,
        "cards": count,
        "longest_task_after": max(after, default=0),
    }


# Before the wall's scripts run: note when each Socket.IO frame about a move arrives,
# so a move's time on the wall can be counted from its event (not only from the request).
_NOTE_MOVE_EVENTS = """
window.moveEvents = [];
const PlainWebSocket = window.WebSocket;
window.WebSocket = class extends PlainWebSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener("message", (e) => {
      if (typeof e.data === "string" && e.data.includes('"input.moved"')) window.moveEvents.push([performance.now(), e.data]);
    });
  }
};
"""

# In the page: move a card of the big column to its middle through the API (as another
# facilitator would), and time until this wall shows it there (the event's round trip and redraw).
_MOVE_AND_WAIT = """async ([id, theme, index]) => {
  const column = () => document.querySelector(`.column[data-theme-id="${theme}"] .column-cards`);
  const wall = document.getElementById("wall");
  const placed = () => [...column().children].findIndex((c) => Number(c.dataset.id) === id) === index;
  // Watched from before the request: the event often arrives before the request's answer,
  // and the card is in place then, not when the answer comes.
  let placedAt = null;
  let watch;
  const inPlace = new Promise((resolve) => {
    watch = new MutationObserver(() => {
      if (placedAt === null && placed()) {
        placedAt = performance.now();
        resolve();
      }
    });
    watch.observe(wall, {childList: true, subtree: true});
  });
  const started = performance.now();
  const answer = await fetch(`/api/v1/workshops/${wall.dataset.workshop}/inputs/${id}/move`, {
    method: "POST", headers: {"Content-Type": "application/json", "X-CSRF-Token": wall.dataset.csrf},
    body: JSON.stringify({theme_id: theme, index}),
  });
  const answered = performance.now();
  if (placedAt === null && placed()) placedAt = answered;  // already there: nothing to redraw
  else await inPlace;
  watch.disconnect();
  const event = window.moveEvents.filter(([, data]) => data.includes(`"input_id":${id},`)).pop();
  return {status: answer.status, answered: answered - started, shown: placedAt - started,
          after_event: event ? placedAt - event[0] : null};
}"""


def measure_move(cards: int, moves: int = 10) -> dict:
    """Milliseconds from a move's request to its card shown in place on a wall whose column holds `cards` cards."""
    missing = _browser_missing()
    if missing:
        return {"cards": cards, "error": missing}

    def workshop(owner_id):
        from facilitator import services

        data = {"format": "facilitator-export", "version": 1, "workshop": {"title": "Stor kolonne", "language": "da"},
                "themes": [{"title": "Stor", "inputs": [{"text": f"Kort {n}"} for n in range(cards)]}], "unsorted": []}
        return services.import_workshop(owner_id, data)

    with _served_wall(workshop, embedding=False) as (page, workshop_id):
        page.add_init_script(_NOTE_MOVE_EVENTS)
        page.goto(f"/workshops/{workshop_id}/wall")
        page.wait_for_function("(n) => document.querySelectorAll('.card[data-id]').length >= n", arg=cards)
        theme = int(page.get_attribute(".column[data-theme-id]:not([data-theme-id=''])", "data-theme-id"))
        ids = page.evaluate(f"() => [...document.querySelectorAll('.column[data-theme-id=\"{theme}\"] .card[data-id]')].map((c) => Number(c.dataset.id))")
        runs = [page.evaluate(_MOVE_AND_WAIT, [ids[(n * 7919) % len(ids)], theme, cards // 2]) for n in range(moves)]
    assert all(r["status"] == 200 and r["after_event"] is not None for r in runs), runs
    shown = sorted(r["shown"] for r in runs)
    after_event = sorted(r["after_event"] for r in runs)
    return {
        "cards": cards,
        "moves": moves,
        "shown_ms_median": shown[len(shown) // 2],
        "shown_ms_worst": shown[-1],
        "answered_ms_median": sorted(r["answered"] for r in runs)[len(runs) // 2],
        "after_event_ms_median": after_event[len(after_event) // 2],
        "after_event_ms_worst": after_event[-1],
    }
