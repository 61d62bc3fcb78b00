"""Database set-up: one peewee proxy, bound late to SQLite or PostgreSQL."""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import peewee
from playhouse.db_url import connect

from quizzer.private_files import private_file

database_proxy = peewee.DatabaseProxy()

# Booleans are bound as the 0 and 1 SQLite stores. sqlite3 binds exact ints directly but sends a
# bool (an int subclass) through its adapter protocol, which without a registered adapter fails two
# attribute lookups first: 0.7 µs per value, a tenth of a large import's inserts. Same stored values.
sqlite3.register_adapter(bool, int)

# How long a writer waits for another's transaction: a shared-deck import on a loaded 2-core
# machine holds the write lock for several seconds, and a failed write is worse than a slow one.
BUSY_TIMEOUT_SECONDS = 30
# synchronous=FULL: NORMAL can lose a committed grade on power loss in WAL mode. The busy timeout
# is also given to sqlite3.connect, so it covers these pragmas (journal_mode on a new file writes).
SQLITE_PRAGMAS = (
    ("busy_timeout", BUSY_TIMEOUT_SECONDS * 1000),
    ("foreign_keys", 1),
    ("synchronous", "full"),
    ("cache_size", -32_000),
)


class _SqliteDatabase(peewee.SqliteDatabase):
    """SQLite in WAL mode. Switching a new file to WAL can fail at once with "database is locked"
    while another process switches it (no busy wait there), so each connection retries until it
    sees WAL or the busy timeout has passed."""

    def _add_conn_hooks(self, conn: sqlite3.Connection) -> None:
        deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
        while True:
            try:
                conn.execute("PRAGMA journal_mode = wal")
                break
            except sqlite3.OperationalError as err:
                if "locked" not in str(err) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        super()._add_conn_hooks(conn)


class DatabaseUrlError(ValueError):
    """The configured database URL cannot be used."""


def open_database(url: str) -> peewee.Database:
    """Open the database named by a URL (``sqlite:///path`` or ``postgresql://...``).

    SQLite gets WAL, foreign keys, a busy timeout and BEGIN IMMEDIATE write
    transactions (deferred ones fail with "database is locked" under several
    writer processes). Raises DatabaseUrlError for an unsupported scheme.
    """
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
        if path != ":memory:":
            private_file(Path(path))  # 0600 in a 0700 folder when new; the WAL inherits the mode
        return _SqliteDatabase(path, pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE",
                                     timeout=BUSY_TIMEOUT_SECONDS)
    if url.startswith(("postgresql://", "postgres://")):
        pooled = "postgresql+pool://" + url.split("://", 1)[1]
        return connect(pooled, max_connections=32, stale_timeout=300)
    raise DatabaseUrlError(
        f"unsupported database URL {url!r}: use sqlite:///PATH or postgresql://USER@HOST/DB"
    )


def bind(db: peewee.Database) -> peewee.Database:
    """Point every model at ``db``."""
    database_proxy.initialize(db)
    return db


def is_sqlite(db: peewee.Database) -> bool:
    return isinstance(db, peewee.SqliteDatabase)


# Errors callers decide on without importing peewee: a write that breaks a unique or foreign key (a
# name taken, a concurrent answer first); a database that cannot be used (down, missing); any of these.
IntegrityError = peewee.IntegrityError
OperationalError = peewee.OperationalError
DatabaseError = peewee.DatabaseError


def transaction():
    """One operation's transaction (a savepoint when nested): a context manager that commits on
    success and rolls back on any exception."""
    return database_proxy.atomic()


def connection():
    """A connection for the work inside the ``with`` block (threads outside a request: jobs, workers)."""
    return database_proxy.connection_context()


def open_connection() -> None:
    """This thread's connection, opened unless it is open already (one per request)."""
    database_proxy.connect(reuse_if_open=True)


def end_request_connection() -> None:
    """After a request: PostgreSQL connections go back to the pool. SQLite keeps one connection per
    server thread: closing the last one checkpoints the WAL, ~10 ms per request."""
    if not is_sqlite(database_proxy.obj) and not database_proxy.is_closed():
        database_proxy.close()


def close_connection() -> None:
    """Close this thread's connection (before the database file is replaced)."""
    database_proxy.close()
