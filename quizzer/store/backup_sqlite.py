"""SQLite backups: a consistent copy with its row counts, the structural checks, and restore.

The copy uses SQLite's online backup API inside the read transaction that
counted the rows, so the counts describe exactly the copied snapshot.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from quizzer.private_files import private_file
from quizzer.store.backup_files import NOT_QUIZZER, BackupToolError, Inspection


def copy_with_counts(source: Path, target: Path) -> dict[str, int]:
    """Copy the live database at ``source`` into ``target`` (one self-contained file); rows per table."""
    if not source.exists():
        raise BackupToolError(f"{source}: no such database")
    src, dst = sqlite3.connect(source, isolation_level=None), sqlite3.connect(target)
    try:
        src.execute("BEGIN")  # one read snapshot (WAL) for the counts and the copy
        counts = _row_counts(src)
        src.backup(dst)  # readers and writers carry on meanwhile
        src.execute("COMMIT")
        dst.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as err:
        raise BackupToolError(f"copying {source} failed: {err}") from None
    finally:
        dst.close()
        src.close()
    return counts


def _row_counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite!_%' ESCAPE '!' ORDER BY name")]
    return {name: conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in names}


def _size_problem(path: Path) -> str | None:
    """A file cut short or padded: its size is not the page count its header records."""
    size = path.stat().st_size
    with open(path, "rb") as file:
        header = file.read(100)
    if len(header) < 100:
        return f"{size:,} bytes: shorter than a SQLite header (cut short)"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    header_count_valid = header[24:28] == header[92:96]  # SQLite's own rule for trusting that count
    if size % page_size or (header_count_valid and pages * page_size != size):
        return f"{size:,} bytes where its header records {pages} pages of {page_size:,} bytes (cut short or padded)"
    return None


def inspect(path: Path) -> Inspection:
    """Size against the header, ``PRAGMA integrity_check``, ``PRAGMA foreign_key_check``, rows and migrations."""
    problem = _size_problem(path)
    if problem:
        return Inspection({}, (), (problem,))
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return _inspect_open(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as err:
        return Inspection({}, (), (f"integrity check failed ({err})",))


def _inspect_open(conn: sqlite3.Connection) -> Inspection:
    verdict = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    if verdict != ["ok"]:
        return Inspection({}, (), (f"integrity check failed: {'; '.join(verdict[:3])}",))
    dangling = conn.execute("PRAGMA foreign_key_check").fetchall()
    if dangling:
        table, rowid, parent, _ = dangling[0]
        return Inspection({}, (), (f"foreign key check failed: {len(dangling)} row(s) point to missing rows "
                                   f"(first: {table} row {rowid} -> {parent})",))
    counts = _row_counts(conn)
    if "schema_migration" not in counts:
        return Inspection(counts, (), (NOT_QUIZZER,))
    migrations = tuple(row[0] for row in conn.execute("SELECT name FROM schema_migration ORDER BY name"))
    columns = {name: frozenset(row[1] for row in conn.execute(f'PRAGMA table_info("{name}")')) for name in counts}
    return Inspection(counts, migrations, columns=columns)


def restore(path: Path, target: Path) -> None:
    """Replace the database at ``target`` with the backup at ``path`` (the backup API, in one step)."""
    private_file(target)  # a database restored where none was is readable by this user only (0600, 0700)
    src, dst = sqlite3.connect(f"file:{path}?mode=ro", uri=True), sqlite3.connect(target)
    try:
        src.backup(dst)  # page by page under the target's write lock, in one step: all or nothing
        dst.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error as err:
        raise BackupToolError(f"writing {target} failed: {err}") from None
    finally:
        dst.close()
        src.close()
