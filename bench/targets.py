"""The servers under load: the app on SQLite (one process), on PostgreSQL + Redis (two), the bare relay."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import requests

# Where the servers' Python and `facilitator` command come from (--venv: a wheel installed as
# docs/deploy/ says, without the test extras this environment has).
SERVER_BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("FACILITATOR_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("FACILITATOR_BENCH_REDIS", "redis://127.0.0.1:6379/0")
PASSWORD = "bench password 1234"
EMAIL = "bench@facilitator.local"
# The server runs on these cores, the load generator on the others (when there are others).
SERVER_CPUS = {0}

KINDS = ("ours-sqlite", "ours-pg", "relay")


def serve_from(venv: Path) -> None:
    """Run the app and the relay with this virtual environment's Python and `facilitator` command."""
    global SERVER_BIN
    bin_dir = Path(venv) / "bin"
    if not (bin_dir / "facilitator").exists():
        raise SystemExit(f"{venv}: no bin/facilitator; install the wheel there first (docs/deploy/README.md)")
    SERVER_BIN = bin_dir


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def generator_cpus() -> set[int]:
    """Cores for the load generator: every core but the server's, if the machine has more than one."""
    cpus = os.sched_getaffinity(0)
    rest = cpus - SERVER_CPUS
    return rest or cpus


def _pin_to_server_cpus() -> None:
    os.setsid()
    if len(os.sched_getaffinity(0)) > 1:
        os.sched_setaffinity(0, SERVER_CPUS & os.sched_getaffinity(0) or os.sched_getaffinity(0))


@dataclass
class Process:
    """One server process (a gunicorn master and its worker) we can kill and start again."""

    command: list[str]
    env: dict
    url: str
    log: Path
    popen: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.popen = subprocess.Popen(
                self.command, env=self.env, stdout=out, stderr=subprocess.STDOUT, preexec_fn=_pin_to_server_cpus, cwd=ROOT
            )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                break
            try:
                if requests.get(f"{self.url}/api/v1/join/ZZZZZZ", timeout=2).status_code == 404:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"server {self.url} did not start:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL the whole process group: master and worker die at once, as in a crash."""
        if self.popen and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGKILL)
            # A process with thousands of threads and sockets can take a while to be reaped.
            self.popen.wait(60)

    def stop(self) -> None:
        if self.popen and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class Target:
    """A running system under test with one open workshop to send to."""

    kind: str
    workdir: Path
    processes: list[Process] = field(default_factory=list)
    code: str = "RELAY1"
    workshop_id: int | None = None
    token: str | None = None
    database_url: str | None = None
    pg_name: str | None = None

    @property
    def urls(self) -> list[str]:
        return [p.url for p in self.processes]

    def pids(self) -> list[int]:
        return [p.popen.pid for p in self.processes if p.popen and p.popen.poll() is None]

    def wall_auth(self) -> dict:
        if self.kind == "relay":
            return {"role": "wall"}
        return {"role": "wall", "workshop": self.workshop_id, "token": self.token}

    def stored_texts(self) -> list[str]:
        """Every input text the server stored (the database, or the relay's memory)."""
        if self.kind == "relay":
            answer = requests.get(f"{self.urls[0]}/inputs", timeout=60)
        else:
            answer = requests.get(
                f"{self.urls[0]}/api/v1/workshops/{self.workshop_id}",
                headers={"Authorization": f"Bearer {self.token}"},
                timeout=60,
            )
        answer.raise_for_status()
        return [item["text"] for item in answer.json()["inputs"]]

    def stop(self) -> None:
        for process in self.processes:
            process.stop()
        if self.pg_name:
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
        # Keep the server logs (access log, tracebacks) of the last run of each kind.
        logs = ROOT / "bench" / "results" / "logs" / self.kind
        shutil.rmtree(logs, ignore_errors=True)
        logs.mkdir(parents=True, exist_ok=True)
        for log in self.workdir.glob("*.log"):
            shutil.copy(log, logs / log.name)
        shutil.rmtree(self.workdir, ignore_errors=True)


# With --limits: the rules one address's thousands of posts would exceed; the others stay as served.
WIDENED = ("RATELIMIT_ADDRESS", "RATELIMIT_WORKSHOP")
WIDE = "1000000/minute"


def _server_env(target: Target, extra: dict | None = None) -> dict:
    env = {
        **os.environ,
        "FACILITATOR_INSTANCE_PATH": str(target.workdir / "instance"),
        "FACILITATOR_SECRET_KEY": "bench-secret",
        # Every simulated phone comes from 127.0.0.1; the limits are for real rooms.
        "FACILITATOR_RATELIMIT_ENABLED": "0",
        "FACILITATOR_PUBLIC_URL": "http://phones.example",
    }
    if target.database_url:
        env["DATABASE_URL"] = target.database_url
    env.update(extra or {})
    return env


def _prepare_database(target: Target) -> None:
    """Migrate, create the facilitator, a token and an open workshop, in this process."""
    from facilitator import create_app, extensions, migrate, services

    migrate.upgrade(target.database_url)
    app = create_app(
        {"DATABASE_URL": target.database_url, "SECRET_KEY": "bench-secret", "RATELIMIT_ENABLED": False},
        instance_path=target.workdir / "instance",
    )
    with app.app_context():
        user = services.create_user(EMAIL, PASSWORD)
        target.token, _ = services.create_token(user.id, "bench")
        workshop = services.create_workshop(user.id, "Bench plenary", themes=["A", "B"])
        services.set_status(workshop.id, "open")
        target.workshop_id, target.code = workshop.id, workshop.join_code
    extensions.database(app).dispose()


def start(
    kind: str, threads: int, async_mode: str = "threading", embedding: bool = False, limits: bool = False, pg_processes: int = 2,
) -> Target:
    """Start a target of this kind with `threads` per process (one per open socket, plus HTTP).

    pg_processes: how many app processes share PostgreSQL and Redis (ours-pg).

    embedding: the app embeds each input in its background worker (the wheel's
    `[suggest]` extra); without it the app runs as the plain wheel installs it
    (lexical suggestions, no worker), which is what the write path's numbers mean.
    limits: the app checks its rate limits as in production (in Redis on
    PostgreSQL), with the address and workshop rules widened so one address's
    load passes; without it they are off, as every phone here is 127.0.0.1.
    """
    target = Target(kind=kind, workdir=Path(tempfile.mkdtemp(prefix=f"facilitator-bench-{kind}-")))
    (target.workdir / "instance").mkdir()
    try:
        if kind == "relay":
            port = free_port()
            command = [str(SERVER_BIN / "python"), "-m", "bench.relay", "--port", str(port), "--threads", str(threads)]
            command += ["--async-mode", async_mode]
            target.processes.append(Process(command, dict(os.environ), f"http://127.0.0.1:{port}", target.workdir / "relay.log"))
        else:
            extra = {"FACILITATOR_SOCKETIO_ASYNC_MODE": async_mode, "FACILITATOR_SUGGEST_ENGINE": "embedding" if embedding else "lexical"}
            count = 1
            if kind == "ours-sqlite":
                target.database_url = f"sqlite:///{target.workdir / 'instance' / 'facilitator.sqlite3'}"
            elif kind == "ours-pg":
                import psycopg

                target.pg_name = f"facilitator_bench_{uuid.uuid4().hex[:10]}"
                with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                    conn.execute(f'CREATE DATABASE "{target.pg_name}"')
                base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
                target.database_url = f"{base}/{target.pg_name}"
                extra["FACILITATOR_SOCKETIO_MESSAGE_QUEUE"] = REDIS_URL
                extra["FACILITATOR_SOCKETIO_CHANNEL"] = f"facilitator-bench-{uuid.uuid4().hex}"
                count = pg_processes
            else:
                raise ValueError(f"unknown target {kind}")
            _prepare_database(target)
            if limits:
                extra |= {"FACILITATOR_RATELIMIT_ENABLED": "1", **{f"FACILITATOR_{rule}": WIDE for rule in WIDENED}}
            env = _server_env(target, extra)
            for n in range(count):
                port = free_port()
                command = [str(SERVER_BIN / "facilitator"), "serve", "--host", "127.0.0.1", "--port", str(port)]
                if async_mode == "threading":
                    # Threads are sized to the scenario; gevent runs serve's own default
                    # (phones' cap + reserve), which is what `make run` serves with.
                    command += ["--threads", str(threads)]
                target.processes.append(Process(command, env, f"http://127.0.0.1:{port}", target.workdir / f"server-{n}.log"))
        for process in target.processes:
            process.start()
        for process in target.processes:
            process.wait_ready()
    except BaseException:
        target.stop()
        raise
    return target
