"""The database handle: one engine, a read session per request, write units of work."""

from __future__ import annotations

import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import g
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from . import extensions
from .extensions import database  # noqa: F401 (services and jobs read it from here)


class Database:
    """Engine plus the two session factories the app uses."""

    def __init__(self, url: str, **engine_options) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            engine_options.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
        else:
            engine_options.setdefault("pool_pre_ping", True)
            engine_options.setdefault("pool_size", 10)
            engine_options.setdefault("max_overflow", 10)
        self.engine: Engine = create_engine(url, **engine_options)
        # Writes draw from a pool of their own. A request keeps its read session's
        # connection while it writes; with one shared pool, as many concurrent
        # posts as the pool has connections would each hold a reader and wait for
        # a writer that never comes free (found by bench/: a burst of 200 inputs/s
        # stalled until the 30 s pool timeout).
        # Writes to one workshop queue on its row lock anyway, so a few connections
        # serve them; readers + writers of every process must stay under the
        # server's max_connections (PostgreSQL's default is 100).
        write_options = dict(engine_options)
        # Under gevent, sqlite3 waits for SQLite's write lock inside C, where no
        # other greenlet runs: the whole process would stop while it waits. So
        # this process's writers queue for one connection in the pool (a wait
        # that yields), and a lock held by another process is polled (see
        # _begin_cooperatively), never waited for in C.
        cooperative = self.is_sqlite and cooperative_waits()
        if not self.is_sqlite:
            write_options.update(pool_size=5, max_overflow=5)
        elif cooperative:
            write_options.update(pool_size=1, max_overflow=0, pool_timeout=30)
        self.write_engine: Engine = create_engine(url, **write_options)
        if self.is_sqlite:
            _configure_sqlite(self.engine)
            _configure_sqlite(self.write_engine, cooperative=cooperative)
        # Write sessions begin IMMEDIATE on SQLite: a deferred transaction that
        # reads first and writes later cannot wait for the lock in WAL mode.
        # Reads on PostgreSQL see one snapshot per transaction, so a board and its
        # seq always belong together.
        read_engine = self.engine if self.is_sqlite else self.engine.execution_options(isolation_level="REPEATABLE READ")
        self.reader = sessionmaker(read_engine, expire_on_commit=False)
        self.writer = sessionmaker(self.write_engine.execution_options(immediate=True), expire_on_commit=False)
        # Called with the events of each committed unit of work (commit, then emit).
        self.after_commit: list[Callable[[list], None]] = []
        # Called with what an account write revoked: [("user", id) | ("login", id), ...].
        self.after_revoke: list[Callable[[list], None]] = []
        # Writes of this process waiting for the write lock (see yield_to_waiting_writers).
        self._waiting = 0
        self._waiting_lock = threading.Lock()

    @contextmanager
    def waiting_for_write(self) -> Iterator[None]:
        """Count this thread as waiting for the write lock while the block runs."""
        with self._waiting_lock:
            self._waiting += 1
        try:
            yield
        finally:
            with self._waiting_lock:
                self._waiting -= 1

    def yield_to_waiting_writers(self, at_most: float = 2.0) -> None:
        """Between the batches of a long job: let the writes queued meanwhile go first.

        SQLite's busy handler polls (every 100 ms at worst), so a job that begins
        its next transaction at once could take the lock again and again before
        a waiting phone's post ever gets it.
        """
        deadline = time.monotonic() + at_most
        while self._waiting > 0 and time.monotonic() < deadline:
            time.sleep(0.005)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
        self.write_engine.dispose()


def cooperative_waits() -> bool:
    """True in a process that gevent has monkey-patched (its waits must yield to other greenlets)."""
    monkey = sys.modules.get("gevent.monkey")
    return bool(monkey is not None and monkey.is_module_patched("threading"))


# How long a cooperative writer polls for a lock another process holds (as busy_timeout).
BUSY_SECONDS = 30.0


def _configure_sqlite(engine: Engine, cooperative: bool = False) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={0 if cooperative else int(BUSY_SECONDS * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        immediate = conn.get_execution_options().get("immediate")
        if immediate and cooperative:
            _begin_cooperatively(conn.connection.driver_connection)
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _begin_cooperatively(dbapi_connection) -> None:
    """BEGIN IMMEDIATE, sleeping (a patched sleep: other greenlets run) while another process writes."""
    deadline = time.monotonic() + BUSY_SECONDS
    pause = 0.001
    while True:
        try:
            dbapi_connection.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.05)


def init_app(app) -> Database:
    """Create the app's Database from DATABASE_URL and close request sessions on teardown."""
    database = Database(app.config["DATABASE_URL"])
    extensions.register(app, database=database)

    def _close_session(_exc=None):
        session = g.pop("db_session", None)
        if session is not None:
            session.close()

    # A request ends its read transaction even when an outer app context lives on
    # (the CLI, tests), so the next request never reads an old snapshot.
    app.teardown_request(_close_session)
    app.teardown_appcontext(_close_session)

    return database


def session() -> Session:
    """The read session of the current app context (closed at teardown)."""
    if "db_session" not in g:
        g.db_session = database().reader()
    return g.db_session


@contextmanager
def read_session() -> Iterator[Session]:
    """A short read session outside the request's (for socket handlers and threads)."""
    s = database().reader()
    try:
        yield s
    finally:
        s.close()
