"""The floor: a bare python-socketio relay with the app's wire protocol and no database.

It answers the same phone POST (/api/v1/join/<code>/inputs, idempotent on
client_key), pushes the same `event` messages to walls and accepts the same
`sync {since}`, but keeps everything in memory. Served by the same gunicorn
gthread worker as the app, so the difference to the app is the app's own work
(Flask, SQLAlchemy, the database, the event log), not the server stack.

    python -m bench.relay --port 5999 --threads 1200
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time

import socketio

POST_PATH = re.compile(r"^/api/v1/join/([A-Za-z0-9]+)/inputs$")


class Relay:
    """In-memory inputs and event log of one workshop-less room."""

    def __init__(self, async_mode: str = "threading") -> None:
        self.sio = socketio.Server(async_mode=async_mode, cors_allowed_origins=None, ping_interval=20, ping_timeout=20)
        self.lock = threading.Lock()
        self.events: list[dict] = []
        self.by_key: dict[str, dict] = {}
        self.sio.on("connect", self.on_connect)
        self.sio.on("sync", self.on_sync)
        self.app = socketio.WSGIApp(self.sio, self.http)

    def on_connect(self, sid, environ, auth=None):
        role = (auth or {}).get("role")
        self.sio.enter_room(sid, "walls" if role == "wall" else "participants")
        if role == "participant":
            self.sio.emit("state", {"status": "open", "prompt": None}, to=sid)

    def on_sync(self, sid, data=None):
        since = data.get("since") if isinstance(data, dict) else None
        with self.lock:
            if isinstance(since, int) and 0 <= since <= len(self.events):
                return {"events": self.events[since:]}
            return {"snapshot": {"seq": len(self.events), "inputs": [e["data"] for e in self.events]}}

    def http(self, environ, start_response):
        """POST an input (as the app's phone endpoint does); GET /inputs lists what is stored."""
        path = environ.get("PATH_INFO", "")
        if environ["REQUEST_METHOD"] == "GET" and path == "/inputs":
            with self.lock:
                stored = [e["data"] for e in self.events]
            return _answer(start_response, "200 OK", {"inputs": stored})
        if environ["REQUEST_METHOD"] == "GET" and path.startswith("/api/v1/join/"):
            return _answer(start_response, "404 Not Found", {"error": {"code": "unknown_code"}})
        if environ["REQUEST_METHOD"] != "POST" or not POST_PATH.match(path):
            return _answer(start_response, "404 Not Found", {"error": {"code": "not_found"}})
        length = int(environ.get("CONTENT_LENGTH") or 0)
        data = json.loads(environ["wsgi.input"].read(length) or b"{}")
        key, text = data.get("client_key"), data.get("text")
        with self.lock:
            if key in self.by_key:
                return _answer(start_response, "200 OK", self.by_key[key])
            item = {"id": len(self.events) + 1, "client_key": key, "text": text, "received_at": time.time()}
            event = {"seq": len(self.events) + 1, "type": "input.created", "data": item}
            self.events.append(event)
            self.by_key[key] = item
        # Emit after "commit", outside the lock, as the app does.
        self.sio.emit("event", event, to="walls")
        return _answer(start_response, "201 Created", item)


def _answer(start_response, status: str, body: dict):
    raw = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(raw)))])
    return [raw]


def main() -> None:
    """Serve the relay with the app's gunicorn settings."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=200)
    parser.add_argument("--async-mode", default="threading", choices=["threading", "gevent"])
    args = parser.parse_args()

    from facilitator.server import _Server, worker_options

    _Server(
        lambda: Relay(args.async_mode).app,
        {
            "bind": f"{args.host}:{args.port}",
            "workers": 1,
            **worker_options(args.async_mode, args.threads),
            "timeout": 120,
            "graceful_timeout": 10,
            "accesslog": "-",
        },
    ).run()


if __name__ == "__main__":
    main()
