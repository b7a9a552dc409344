"""SQLite housekeeping after deletions: zero the deleted content, vacuum the file, empty the write-ahead log.

On PostgreSQL every function here does nothing: the rows are gone at commit
and autovacuum reuses their space.
"""

from __future__ import annotations

import logging
import sqlite3

from sqlalchemy import text

from .db import database

log = logging.getLogger("facilitator.retention")


def secure_delete(session) -> None:
    """On SQLite, overwrite deleted content with zeros instead of leaving it in free pages."""
    if database().is_sqlite:
        session.execute(text("PRAGMA secure_delete = ON"))


def free_pages() -> int:
    """Pages of the SQLite file that deletions left free (0 on PostgreSQL)."""
    db = database()
    if not db.is_sqlite:
        return 0
    with db.engine.connect() as conn:
        return int(conn.exec_driver_sql("PRAGMA freelist_count").scalar() or 0)


def reclaim_space(busy_seconds: float = 3) -> bool:
    """VACUUM the SQLite file and empty its write-ahead log; True if done (PostgreSQL: nothing to do).

    Waits at most busy_seconds for other connections (a deletion from a web
    request should not hang on a busy server); if they do not let go, the
    deleted content is already zeroed and the next scheduled purge finishes.
    """
    db = database()
    if not db.is_sqlite:
        return False
    raw = db.engine.raw_connection()
    cursor = raw.cursor()
    try:
        # The connection runs in autocommit (db.py), which VACUUM needs.
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_seconds * 1000)}")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.execute("VACUUM")
        busy, _log_pages, _done = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            log.warning("vacuumed, but readers kept the write-ahead log; the next purge empties it")
        return not busy
    except sqlite3.OperationalError:
        log.warning("could not vacuum the database now; the next purge will", exc_info=True)
        return False
    finally:
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.close()
        raw.close()
