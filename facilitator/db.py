"""The database handle: one engine, a read session per request, write units of work."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import current_app, g
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker


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
        if not self.is_sqlite:
            write_options.update(pool_size=5, max_overflow=5)
        self.write_engine: Engine = create_engine(url, **write_options)
        if self.is_sqlite:
            _configure_sqlite(self.engine)
            _configure_sqlite(self.write_engine)
        # Write sessions begin IMMEDIATE on SQLite: a deferred transaction that
        # reads first and writes later cannot wait for the lock in WAL mode.
        # Reads on PostgreSQL see one snapshot per transaction, so a board and its
        # seq always belong together.
        read_engine = self.engine if self.is_sqlite else self.engine.execution_options(isolation_level="REPEATABLE READ")
        self.reader = sessionmaker(read_engine, expire_on_commit=False)
        self.writer = sessionmaker(self.write_engine.execution_options(immediate=True), expire_on_commit=False)
        # Called with the events of each committed unit of work (commit, then emit).
        self.after_commit: list[Callable[[list], None]] = []

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
        self.write_engine.dispose()


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        immediate = conn.get_execution_options().get("immediate")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def init_app(app) -> Database:
    """Create the app's Database from DATABASE_URL and close request sessions on teardown."""
    database = Database(app.config["DATABASE_URL"])
    app.extensions["facilitator.db"] = database

    def _close_session(_exc=None):
        session = g.pop("db_session", None)
        if session is not None:
            session.close()

    # A request ends its read transaction even when an outer app context lives on
    # (the CLI, tests), so the next request never reads an old snapshot.
    app.teardown_request(_close_session)
    app.teardown_appcontext(_close_session)

    return database


def database() -> Database:
    """The current app's Database."""
    return current_app.extensions["facilitator.db"]


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
