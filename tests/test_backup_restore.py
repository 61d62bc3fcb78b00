"""Backups: a verified copy restored into a fresh instance holds every table as it was; bad files are refused."""
from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime, timedelta

import psycopg2
import pytest
from click.testing import CliRunner
from psycopg2 import sql

from quizzer.cli import main as cli
from quizzer.services import backups, review
from quizzer.services import users as user_service
from quizzer.services.backup_manifest import manifest_path, read_manifest
from quizzer.services.backups import BackupError
from quizzer.services.job_runs import Outcome, run_once
from quizzer.store.db import open_database
from quizzer.store.migrate import migration_names
from tests.conftest import PG_ADMIN_DSN, PG_URL, SHARED_DECK, at, card_id

RESTORE_DB = PG_URL.rsplit("/", 1)[1] + "_restore"
RESTORE_URL = PG_URL.rsplit("/", 1)[0] + "/" + RESTORE_DB


@pytest.fixture
def filled(db, user, load_deck):
    """Decks, answers (and so review_day rows), a job run: something in most tables."""
    load_deck(SHARED_DECK)
    for i, note in enumerate(("capital-france", "two-plus-two", "largest-ocean")):
        review.answer(user, card_id("shared-basics", note), [2, 4, 5][i], time_ms=1200,
                      now=at(f"2024-05-0{i + 1} 09:00"))
    run_once("backup", datetime(2024, 5, 1), timedelta(hours=1), lambda: Outcome("seeded"))
    return db


@pytest.fixture
def fresh_url(db_url, tmp_path):
    """An empty database of the same kind, for the restore (a PostgreSQL one is dropped afterwards)."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'fresh' / 'quizzer.db'}"
        return
    admin = psycopg2.connect(PG_ADMIN_DSN)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(RESTORE_DB)))
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(RESTORE_DB)))
    yield RESTORE_URL
    with admin.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(RESTORE_DB)))
    admin.close()


def _tables(database) -> dict[str, list[tuple]]:
    """Every table's rows, in a stable order."""
    quote = '"{}"'.format
    return {name: sorted(map(repr, database.execute_sql(f"SELECT * FROM {quote(name)}").fetchall()))
            for name in sorted(database.get_tables())}


def test_backup_restored_into_a_fresh_instance_has_every_table(filled, db_url, fresh_url, tmp_path):
    kind = "sqlite" if db_url.startswith("sqlite") else "postgresql"
    path = backups.backup_database(db_url, tmp_path / "backups", keep=7).path
    assert path.suffix == backups.SUFFIXES[kind] and not list((tmp_path / "backups").glob("*.partial"))
    before = _tables(filled)
    assert before["review_log"] and before["review_day"] and before["job_run"]
    manifest = read_manifest(manifest_path(path))
    assert (manifest.file, manifest.engine, manifest.size) == (path.name, kind, path.stat().st_size)
    assert manifest.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert manifest.tables == {name: len(rows) for name, rows in before.items()}
    assert manifest.schema_version == migration_names()[-1] and manifest.app_version == "0.1.0"
    assert datetime.fromisoformat(manifest.created_at.replace("Z", "+00:00")) <= datetime.now(UTC)
    backups.restore_database(backups.prepare_restore(path, fresh_url), fresh_url)
    restored = open_database(fresh_url)
    try:
        assert _tables(restored) == before
    finally:
        restored.close()


def test_only_the_newest_backups_are_kept(filled, db_url, tmp_path):
    folder = tmp_path / "backups"
    made = [backups.backup_database(db_url, folder, keep=2, now=datetime(2024, 5, d, 3)).path for d in (1, 2, 3)]
    assert sorted(folder.iterdir()) == sorted(made[1:] + [manifest_path(p) for p in made[1:]])


def _corrupt_copy(sqlite_backup, tmp_path):
    """A copy whose index no longer matches its table: it opens, but PRAGMA integrity_check lists errors."""
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(sqlite_backup.read_bytes())
    conn = sqlite3.connect(broken)
    conn.execute("PRAGMA writable_schema=ON")
    conn.execute("""UPDATE sqlite_master SET sql = replace(sql, '"slug"', '"kind"') WHERE name = 'note_deck_id_slug'""")
    conn.commit()
    conn.close()
    return broken


def test_restore_refuses_files_that_fail_the_check(sqlite_db, load_deck, tmp_path, monkeypatch):
    url = f"sqlite:///{sqlite_db.database}"
    load_deck(SHARED_DECK)
    good = backups.backup_database(url, tmp_path / "backups", keep=7).path
    broken = _corrupt_copy(good, tmp_path)
    with pytest.raises(BackupError, match="integrity check failed"):
        backups.verify_backup(broken, url, legacy=True)
    not_db = tmp_path / "notes.sqlite3"
    not_db.write_text("hello")
    with pytest.raises(BackupError, match="not a Quizzer backup .neither a SQLite database nor"):
        backups.prepare_restore(not_db, url, legacy=True)
    other = sqlite3.connect(tmp_path / "other.sqlite3")
    other.execute("CREATE TABLE t (x)")
    other.close()
    with pytest.raises(BackupError, match="not a Quizzer database"):
        backups.verify_backup(tmp_path / "other.sqlite3", url, legacy=True)

    monkeypatch.setenv("QUIZZER_DATABASE_URL", url)
    monkeypatch.setenv("QUIZZER_INSTANCE_DIR", str(tmp_path / "instance"))
    result = CliRunner().invoke(cli, ["restore", str(broken), "--yes", "--legacy"])
    assert result.exit_code == 1 and "integrity check failed" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_cli_backup_and_restore(sqlite_db, load_deck, tmp_path, monkeypatch):
    url = f"sqlite:///{sqlite_db.database}"
    monkeypatch.setenv("QUIZZER_DATABASE_URL", url)
    monkeypatch.setenv("QUIZZER_INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.setenv("QUIZZER_BACKUP_DIR", str(tmp_path / "backups"))
    load_deck(SHARED_DECK)
    made = CliRunner().invoke(cli, ["backup"])
    assert made.exit_code == 0, made.output
    path = made.output.splitlines()[0].rsplit(" ", 1)[1]
    assert "checksum and row counts match the manifest" in made.output
    user = user_service.create_user("alice", "correct horse battery")  # after the backup
    review.answer(user, card_id("shared-basics", "capital-france"), 4)
    sqlite_db.close()
    done = CliRunner().invoke(cli, ["restore", path, "--yes"])
    assert done.exit_code == 0, done.output
    conn = sqlite3.connect(sqlite_db.database)
    assert conn.execute('SELECT COUNT(*) FROM "user"').fetchone() == (0,)
    assert conn.execute("SELECT COUNT(*) FROM review_log").fetchone() == (0,)
    assert conn.execute("SELECT COUNT(*) FROM card").fetchone() == (3,)
    conn.close()
    assert [p.name for p in (tmp_path / "backups").glob("quizzer-*.sqlite3")] == [path.rsplit("/", 1)[1]]
    safety = list((tmp_path / "backups" / "before-restore").glob("quizzer-*.sqlite3"))
    assert len(safety) == 1 and "the database as it was is backed up in " + str(safety[0]) in done.output


def test_a_new_backup_that_fails_its_check_rotates_nothing_away(filled, db_url, tmp_path):
    folder = tmp_path / "backups"
    kept = [backups.backup_database(db_url, folder, keep=2, now=datetime(2024, 5, d, 3)).path for d in (1, 2)]
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    filled.execute_sql("DROP TABLE review_log" + ("" if db_url.startswith("sqlite") else " CASCADE"))
    with pytest.raises(BackupError, match=r"\(new backup\): refused: missing table\(s\) review_log"):
        backups.backup_database(db_url, folder, keep=2, now=datetime(2024, 5, 3, 3))
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert sorted(before) == sorted([p.name for p in kept] + [manifest_path(p).name for p in kept])


def test_safety_copies_before_restores_are_kept_apart_and_never_rotated(filled, db_url, tmp_path, monkeypatch):
    folder = tmp_path / "backups"
    for name, value in (("DATABASE_URL", db_url), ("INSTANCE_DIR", str(tmp_path / "instance")),
                        ("BACKUP_DIR", str(folder)), ("BACKUP_KEEP", "1")):
        monkeypatch.setenv(f"QUIZZER_{name}", value)
    nightly = backups.backup_database(db_url, folder, keep=1).path
    for _ in range(3):
        filled.close()
        done = CliRunner().invoke(cli, ["restore", str(nightly), "--yes"])
        assert done.exit_code == 0, done.output
    assert CliRunner().invoke(cli, ["backup"]).exit_code == 0  # the rotation (keep 1) runs again
    newest = backups.list_backups(folder)
    assert len(newest) == 1 and newest[0].path != nightly and newest[0].manifest  # nightly rotated, as it should
    safety = backups.list_backups(folder / backups.SAFETY_DIR)
    assert len(safety) == 3 and all(entry.manifest for entry in safety)
    for entry in safety:
        assert backups.verify_backup(entry.path, db_url).manifest == entry.manifest
