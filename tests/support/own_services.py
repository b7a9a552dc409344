"""A Redis server and a PostgreSQL cluster of a test's own, on free ports, to stop and start at will.

Fault tests stop these; they never touch the machine's shared servers.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from .servers import free_port


def _wait_for_port(port: int, up: bool, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if (s.connect_ex(("127.0.0.1", port)) == 0) == up:
                return
        time.sleep(0.05)
    raise AssertionError(f"port {port} did not go {'up' if up else 'down'}")


class RedisServer:
    """redis-server on its own port, without persistence."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    def start(self) -> RedisServer:
        """Start it (again, on the same port) and wait until it accepts connections."""
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port, up=True)
        return self

    def kill(self) -> None:
        """SIGKILL it, as a crash would, and wait until the port is closed."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
        _wait_for_port(self.port, up=False)


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise FileNotFoundError(name)
    return found[-1]


def _as_postgres(*args: str) -> subprocess.CompletedProcess:
    command = list(args)
    if os.geteuid() == 0:  # initdb and postgres refuse to run as root
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


class PostgresCluster:
    """A PostgreSQL cluster initdb'd into a temporary folder, trust auth, on its own port."""

    def __init__(self) -> None:
        self.port = free_port()
        # Not under pytest's tmp_path: its root folder is private to root, and postgres must reach this one.
        self.workdir = Path(tempfile.mkdtemp(prefix="facilitator-pg-"))
        self.data = self.workdir / "pgdata"
        self.log = self.workdir / "postgres.log"
        if os.geteuid() == 0:
            shutil.chown(self.workdir, "postgres", "postgres")
        done = _as_postgres(_pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        assert done.returncode == 0, done.stderr
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> PostgresCluster:
        """Start the server (again) and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.workdir} -c listen_addresses=127.0.0.1 -c fsync=off"
        done = _as_postgres(_pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")
        assert done.returncode == 0, done.stderr + self.log.read_text(errors="replace")[-2000:]
        return self

    def stop(self, mode: str = "fast") -> None:
        """Stop it (fast: disconnect every client at once, as a restart does)."""
        done = _as_postgres(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")
        assert done.returncode == 0, done.stderr
        _wait_for_port(self.port, up=False)

    def destroy(self) -> None:
        """Stop it if it runs and remove its folder."""
        if (self.data / "postmaster.pid").exists():
            _as_postgres(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.workdir, ignore_errors=True)
