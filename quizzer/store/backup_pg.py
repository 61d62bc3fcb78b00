"""PostgreSQL backups: ``pg_dump`` with its row counts, the checks (a trial restore), and restore.

The counts are read in the REPEATABLE READ transaction whose snapshot
``pg_dump --snapshot`` dumps, so they describe exactly the dumped data. A
dump is checked by listing its contents (``pg_restore --list``) and then
restoring it into a scratch database (created beside the configured one,
dropped afterwards): truncated or damaged data, missing rows for a foreign
key, anything ``pg_restore`` rejects, fails there and not in the real one.
"""
from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql

from quizzer.store.backup_files import NOT_QUIZZER, BackupToolError, Inspection


def dump_with_counts(url: str, target: Path) -> dict[str, int]:
    """``pg_dump --format=custom`` of the database into ``target``; rows per table in the dumped snapshot."""
    conn = _connect(url)
    try:
        conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with conn.cursor() as cur:
            cur.execute("SELECT pg_export_snapshot()")
            snapshot = cur.fetchone()[0]
            counts = _row_counts(cur)
            run_tool("pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target}", f"--dbname={url}")
        conn.rollback()
    finally:
        conn.close()
    return counts


def _connect(url: str):
    try:
        return psycopg2.connect(url)
    except psycopg2.Error as err:
        raise BackupToolError(f"cannot connect to PostgreSQL: {' '.join(str(err).split())}") from None


def _row_counts(cur) -> dict[str, int]:
    cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    counts = {}
    for (name,) in cur.fetchall():
        cur.execute(sql.SQL("SELECT COUNT(*) FROM {}").format(sql.Identifier(name)))
        counts[name] = cur.fetchone()[0]
    return counts


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def inspect(path: Path, server_url: str) -> Inspection:
    """List the dump, restore it into a scratch database on ``server_url``'s server, read rows and migrations."""
    try:
        listing = run_tool("pg_restore", "--list", str(path))
    except BackupToolError as err:
        return Inspection({}, (), (f"reading its table of contents failed: {err}",))
    if "TABLE DATA public schema_migration" not in listing:
        return Inspection({}, (), (NOT_QUIZZER,))
    scratch = f"quizzer_verify_{os.getpid()}_{secrets.token_hex(4)}"
    admin = _connect(server_url)
    admin.autocommit = True  # CREATE / DROP DATABASE cannot run in a transaction
    try:
        with admin.cursor() as cur:
            cur.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(scratch)))
        try:
            return _restore_and_read(path, _with_database(server_url, scratch))
        finally:
            with admin.cursor() as cur:
                cur.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(scratch)))
    except psycopg2.Error as err:
        raise BackupToolError(f"scratch database for the check: {' '.join(str(err).split())}") from None
    finally:
        admin.close()


def _restore_and_read(path: Path, scratch_url: str) -> Inspection:
    try:
        run_tool("pg_restore", "--no-owner", "--exit-on-error", "--single-transaction",
                 f"--dbname={scratch_url}", str(path))
    except BackupToolError as err:
        return Inspection({}, (), (f"trial restore into a scratch database failed: {err}",))
    conn = _connect(scratch_url)
    try:
        with conn.cursor() as cur:
            counts = _row_counts(cur)
            cur.execute("SELECT name FROM schema_migration ORDER BY name")
            migrations = tuple(row[0] for row in cur.fetchall())
            cur.execute("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'")
            columns: dict[str, set[str]] = {}
            for table, column in cur.fetchall():
                columns.setdefault(table, set()).add(column)
    finally:
        conn.close()
    return Inspection(counts, migrations, columns={t: frozenset(c) for t, c in columns.items()})


def restore(path: Path, url: str) -> None:
    """Replace the database's contents with the dump, in one transaction (all or nothing)."""
    run_tool("pg_restore", "--clean", "--if-exists", "--no-owner", "--exit-on-error", "--single-transaction",
             f"--dbname={url}", str(path))


def run_tool(name: str, *args: str) -> str:
    """Run a PostgreSQL client tool; its output, or BackupToolError with its first error line."""
    if shutil.which(name) is None:
        raise BackupToolError(f"{name} is not installed: PostgreSQL backups need the PostgreSQL client tools")
    done = subprocess.run([name, *args], capture_output=True, text=True)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        errors = [line for line in lines if "error" in line.lower()]
        raise BackupToolError(f"{name} failed: {(errors or lines or [f'exit status {done.returncode}'])[0]}")
    return done.stdout
