"""`facilitator serve` as a real OS process on a fixed port: start, SIGKILL, start again."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

BIN = Path(sys.executable).parent


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """One `facilitator serve` (gunicorn: an arbiter and one worker) in its own process group."""

    def __init__(
        self, database_url: str, instance: Path, logs: Path, port: int | None = None, threads: int | None = 64,
        cwd: Path | None = None, **settings: str,
    ) -> None:
        self.port = port or free_port()
        # None: serve's own default (the connections its settings size it for).
        self.threads = threads
        self.cwd = cwd
        self.url = f"http://127.0.0.1:{self.port}"
        self.logs = logs
        self.env = {
            **os.environ,
            "FACILITATOR_DATABASE_URL": database_url,
            "FACILITATOR_INSTANCE_PATH": str(instance),
            "FACILITATOR_SECRET_KEY": "restart-test-secret",
            "FACILITATOR_RATELIMIT_ENABLED": "0",
            "FACILITATOR_PUBLIC_URL": "http://phones.example",
            **{f"FACILITATOR_{name}": value for name, value in settings.items()},
        }
        self.process: subprocess.Popen | None = None
        self.runs = 0

    def start(self, timeout: float = 60) -> ServerProcess:
        """Start the server and wait until it answers."""
        self.runs += 1
        log = open(self.logs / f"server-{self.port}-run{self.runs}.log", "wb")
        self.process = subprocess.Popen(
            [str(BIN / "facilitator"), "serve", "--host", "127.0.0.1", "--port", str(self.port)]
            + ([] if self.threads is None else ["--threads", str(self.threads)]),
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.cwd,
            start_new_session=True,  # its own process group: a kill reaches the arbiter and the worker
        )
        log.close()
        deadline = time.monotonic() + timeout
        while True:
            try:
                if requests.get(f"{self.url}/api/v1/join/ZZZZZZ", timeout=2).status_code == 404:
                    return self
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise AssertionError(self.log_tail())
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL the arbiter and its worker at once, as a crash or the OOM killer would, and wait until the port is free."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) != 0:
                    return
            time.sleep(0.05)
        raise AssertionError("the killed server still accepts connections")

    def stop(self) -> None:
        """End the server (politely, then by force)."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)

    def log_tail(self, chars: int = 3000) -> str:
        """The end of the current run's log."""
        return (self.logs / f"server-{self.port}-run{self.runs}.log").read_text(errors="replace")[-chars:]
