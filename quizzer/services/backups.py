"""Whole-database backups: verified copies in a folder, the newest N kept, and restore.

SQLite: SQLite's online backup API (``sqlite3.Connection.backup``) takes a
consistent copy of the live database, never a file copy; the copy is checked
with ``PRAGMA integrity_check`` before it counts. PostgreSQL: ``pg_dump
--format=custom`` of the whole database, checked by reading its table of
contents back with ``pg_restore --list``. Restore refuses a file that fails
the same check.
"""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from quizzer.private_files import private_dir, private_file
from quizzer.services.errors import ServiceError

SQLITE_PREFIX = "sqlite:///"
PREFIX = "quizzer-"
SUFFIXES = {"sqlite": ".sqlite3", "postgresql": ".pgdump"}


class BackupError(ServiceError):
    """A backup could not be made, or a file is not a sound Quizzer backup."""


def _kind(database_url: str) -> str:
    if database_url.startswith(SQLITE_PREFIX):
        return "sqlite"
    if database_url.startswith(("postgresql://", "postgres://")):
        return "postgresql"
    raise BackupError(f"cannot back up {database_url!r}: only SQLite and PostgreSQL")


def backup_database(database_url: str, backup_dir: Path, keep: int, now: datetime | None = None) -> Path:
    """Write a verified backup into ``backup_dir``, then delete all but the newest ``keep``. Returns its path."""
    kind = _kind(database_url)
    private_dir(backup_dir)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")
    target = backup_dir / f"{PREFIX}{stamp}{SUFFIXES[kind]}"
    partial = private_file(target.with_name(target.name + ".partial"))  # pg_dump and SQLite keep its 0600
    try:
        if kind == "sqlite":
            _sqlite_copy(Path(database_url[len(SQLITE_PREFIX):]), partial)
        else:
            _pg_tool("pg_dump", "--format=custom", f"--file={partial}", f"--dbname={database_url}")
        verify_backup(partial, kind)
        partial.rename(target)
    finally:
        partial.unlink(missing_ok=True)
    prune_backups(backup_dir, keep)
    return target


def _sqlite_copy(source: Path, target: Path) -> None:
    if not source.exists():
        raise BackupError(f"{source}: no such database")
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)  # one step: a consistent snapshot, readers and writers carry on (WAL)
        dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
    finally:
        dst.close()
        src.close()


def verify_backup(path: Path | str, kind: str | None = None) -> None:
    """Raise BackupError unless ``path`` is a sound Quizzer backup (integrity check, migrations table)."""
    path = Path(path)
    kind = kind or ("postgresql" if path.name.endswith(SUFFIXES["postgresql"]) else "sqlite")
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    if kind == "postgresql":
        listing = _pg_tool("pg_restore", "--list", str(path))
        if "TABLE DATA public schema_migration" not in listing:
            raise BackupError(f"{path}: not a Quizzer database dump")
        return
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            verdict = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            quizzer = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'schema_migration'").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as err:
        raise BackupError(f"{path}: integrity check failed ({err})") from None
    if verdict != ["ok"]:
        raise BackupError(f"{path}: integrity check failed: {'; '.join(verdict[:3])}")
    if not quizzer:
        raise BackupError(f"{path}: not a Quizzer database (no schema_migration table)")


def prune_backups(backup_dir: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups (names sort by time). Returns what was deleted."""
    found = sorted(p for p in backup_dir.glob(f"{PREFIX}*") if p.suffix in SUFFIXES.values())
    doomed = found[:-keep] if keep > 0 else found
    for path in doomed:
        path.unlink()
    return doomed


def restore_database(path: Path | str, database_url: str) -> None:
    """Replace the database's contents with a verified backup (stop the service first)."""
    path = Path(path)
    kind = _kind(database_url)
    verify_backup(path, "postgresql" if path.name.endswith(SUFFIXES["postgresql"]) else "sqlite")
    if kind == "postgresql":
        if not path.name.endswith(SUFFIXES["postgresql"]):
            raise BackupError(f"{path}: a SQLite backup cannot be restored into PostgreSQL")
        _pg_tool("pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                 f"--dbname={database_url}", str(path))
        return
    if path.name.endswith(SUFFIXES["postgresql"]):
        raise BackupError(f"{path}: a PostgreSQL dump cannot be restored into SQLite")
    target = Path(database_url[len(SQLITE_PREFIX):])
    private_file(target)
    src, dst = sqlite3.connect(f"file:{path}?mode=ro", uri=True), sqlite3.connect(target)
    try:
        src.backup(dst)  # the backup API in reverse: page by page under the target's write lock
        dst.execute("PRAGMA journal_mode=WAL")
    finally:
        dst.close()
        src.close()


def _pg_tool(name: str, *args: str) -> str:
    if shutil.which(name) is None:
        raise BackupError(f"{name} is not installed: PostgreSQL backups need the PostgreSQL client tools")
    done = subprocess.run([name, *args], capture_output=True, text=True)
    if done.returncode != 0:
        last_line = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        raise BackupError(f"{name} failed: {last_line}")
    return done.stdout
