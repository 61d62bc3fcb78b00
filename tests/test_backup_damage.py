"""Damaged backups are refused with the reason, on both engines: the database and every backup stay as they were.

Each damaged file is offered to ``quizzer restore`` and ``quizzer backup --verify`` twice: beside the
manifest of the good backup it came from (the checksum gives it away), and as a legacy backup without
a manifest under ``--legacy`` (the structural and schema checks alone must catch it).
"""
from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import zlib
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest
from click.testing import CliRunner
from psycopg2 import sql

from quizzer.cli import main as cli
from quizzer.services import backups, review
from quizzer.services.backup_manifest import manifest_path
from quizzer.store.backup_pg import run_tool
from tests.conftest import PG_ADMIN_DSN, PG_URL, SHARED_DECK, at, card_id

NOTE_TEXT = b"What is the capital of France?"
EDIT_DB = PG_URL.rsplit("/", 1)[1] + "_edit"


@dataclass
class Instance:
    url: str
    kind: str
    db: object
    folder: Path
    good: Path
    work: Path

    def state(self) -> tuple[dict, dict]:
        """Every table's rows, and every file under the backup folder with its sha256."""
        rows = {name: sorted(map(repr, self.db.execute_sql(f'SELECT * FROM "{name}"').fetchall()))
                for name in sorted(self.db.get_tables())}
        files = {str(p.relative_to(self.folder)): hashlib.sha256(p.read_bytes()).hexdigest()
                 for p in sorted(self.folder.rglob("*")) if p.is_file()}
        return rows, files


@pytest.fixture
def instance(db, db_url, user, load_deck, tmp_path, monkeypatch) -> Instance:
    """A database with decks and answers, and its nightly backup (with manifest) in the backup folder."""
    load_deck(SHARED_DECK)
    for day, (note, grade) in enumerate((("capital-france", 4), ("two-plus-two", 5)), start=1):
        review.answer(user, card_id("shared-basics", note), grade, now=at(f"2024-05-0{day} 09:00"))
    folder = tmp_path / "backups"
    good = backups.backup_database(db_url, folder, keep=7).path
    for name, value in (("DATABASE_URL", db_url), ("INSTANCE_DIR", str(tmp_path / "instance")),
                        ("BACKUP_DIR", str(folder)), ("BACKUP_KEEP", "1")):
        monkeypatch.setenv(f"QUIZZER_{name}", value)
    work = tmp_path / "incoming"
    work.mkdir()
    return Instance(db_url, "sqlite" if db_url.startswith("sqlite") else "postgresql", db, folder, good, work)


def _sqlite_edit(good: Path, work: Path, *statements: str) -> bytes:
    copy = work / "edit.sqlite3"
    shutil.copyfile(good, copy)
    conn = sqlite3.connect(copy)
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()
    data = copy.read_bytes()
    copy.unlink()
    return data


def _pg_edit(good: Path, work: Path, *statements: str) -> bytes:
    """The dump restored into a scratch database, edited there, and dumped again."""
    admin = psycopg2.connect(PG_ADMIN_DSN)
    admin.autocommit = True
    target, out = PG_URL.rsplit("/", 1)[0] + "/" + EDIT_DB, work / "edit.pgdump"
    with admin.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(EDIT_DB)))
        cur.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(EDIT_DB)))
    try:
        run_tool("pg_restore", "--no-owner", f"--dbname={target}", str(good))
        conn = psycopg2.connect(target)
        with conn, conn.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
        conn.close()
        run_tool("pg_dump", "--format=custom", f"--file={out}", f"--dbname={target}")
    finally:
        with admin.cursor() as cur:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(EDIT_DB)))
        admin.close()
    data = out.read_bytes()
    out.unlink()
    return data


def _edit(inst: Instance, *statements: str) -> bytes:
    return (_sqlite_edit if inst.kind == "sqlite" else _pg_edit)(inst.good, inst.work, *statements)


def _flip_in_note_text(inst: Instance) -> bytes:
    """One bit changed inside the note's question: in the text itself (SQLite), or inside the compressed
    block that holds it (a pg_dump custom archive compresses each table's data with zlib)."""
    data = bytearray(inst.good.read_bytes())
    at_text = data.find(NOTE_TEXT)
    if at_text < 0:
        at_text = next(i for i in range(len(data))
                       if data.startswith(b"\x78\x9c", i) and _inflates_to_note(data[i:]))
    data[at_text + 8] ^= 0x01
    return bytes(data)


def _inflates_to_note(data: bytes) -> bool:
    try:
        return NOTE_TEXT in zlib.decompressobj().decompress(bytes(data))
    except zlib.error:
        return False


def _other_application(inst: Instance) -> bytes:
    if inst.kind == "postgresql":
        return _edit(inst, "DROP SCHEMA public CASCADE", "CREATE SCHEMA public",
                     "CREATE TABLE photo (id serial PRIMARY KEY, path text)",
                     "INSERT INTO photo (path) VALUES ('a.jpg')")
    conn = sqlite3.connect(inst.work / "photos.db")
    conn.execute("CREATE TABLE photo (id INTEGER PRIMARY KEY, path TEXT)")
    conn.execute("INSERT INTO photo (path) VALUES ('a.jpg')")
    conn.commit()
    conn.close()
    return (inst.work / "photos.db").read_bytes()


LATEST = "(SELECT MAX(name) FROM schema_migration)"
DAMAGE = {
    "cut by 1 byte": lambda inst: inst.good.read_bytes()[:-1],
    "cut to half": lambda inst: inst.good.read_bytes()[: inst.good.stat().st_size // 2],
    "flipped byte in a note's text": _flip_in_note_text,
    "missing table": lambda inst: _edit(inst, "DROP TABLE review_log"),
    "unknown schema version": lambda inst: _edit(
        inst, "INSERT INTO schema_migration (name, applied_at) VALUES ('9999_newer', '2030-01-01')"),
    "schema version behind its tables": lambda inst: _edit(
        inst, f"DELETE FROM schema_migration WHERE name = {LATEST}"),
    "another application's database": _other_application,
    "another application's file": lambda inst: b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,
}
# What the checks without a manifest say (SQLite, PostgreSQL).
LEGACY_REASON = {
    "cut by 1 byte": ("(cut short or padded)", "trial restore into a scratch database failed"),
    "cut to half": ("(cut short or padded)", "could not read from input file: end of file"),
    "flipped byte in a note's text": (None, "trial restore into a scratch database failed"),
    "missing table": ("missing table(s) review_log",) * 2,
    "unknown schema version": ("schema version 9999_newer is unknown to this Quizzer",) * 2,
    "schema version behind its tables": ("does not match schema version",) * 2,
    "another application's database": ("not a Quizzer database (no schema_migration table)",) * 2,
    "another application's file": ("not a Quizzer backup (neither a SQLite database nor",) * 2,
}


def _refused(inst: Instance, path: Path, reason: str, *flags: str, command=("restore", "--yes")) -> None:
    """``quizzer restore`` (or ``command``) refuses the file with ``reason`` in one line; nothing changed."""
    before = inst.state()
    result = CliRunner().invoke(cli, [*command, str(path), *flags])
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"error: {path}: refused: ") and reason in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1
    assert inst.state() == before
    assert not (inst.folder / backups.SAFETY_DIR).exists()  # refused before any safety copy


@pytest.mark.parametrize("damage", DAMAGE)
@pytest.mark.parametrize("mode", ["with its manifest", "legacy"])
def test_a_damaged_backup_is_refused_and_nothing_changes(instance, damage, mode):
    reason = LEGACY_REASON[damage][instance.kind == "postgresql"]
    if mode == "legacy" and reason is None:
        pytest.skip("without a manifest there is no checksum, and SQLite keeps none for a text value")
    damaged = instance.work / instance.good.name
    damaged.write_bytes(DAMAGE[damage](instance))
    assert damaged.read_bytes() != instance.good.read_bytes()
    if mode == "legacy":
        _refused(instance, damaged, "no manifest; a backup made before manifests restores only with --legacy")
        _refused(instance, damaged, reason, "--legacy")
    else:
        shutil.copyfile(manifest_path(instance.good), manifest_path(damaged))
        _refused(instance, damaged, "checksum mismatch")


def _with_manifest(inst: Instance, edit) -> Path:
    """A copy of the good backup beside an edited copy of its manifest."""
    copy = inst.work / inst.good.name
    shutil.copyfile(inst.good, copy)
    document = json.loads(manifest_path(inst.good).read_text())
    manifest_path(copy).write_text(edit(document) if callable(edit) else edit)
    return copy


def _counts_off(document: dict) -> str:
    document["tables"]["review_log"] += 1
    return json.dumps(document)


MANIFEST_DAMAGE = {
    "wrong schema version": (lambda d: json.dumps({**d, "schema_version": "0001_initial"}),
                             "but the manifest says 0001_initial"),
    "wrong row counts": (_counts_off, "row counts differ from the manifest: review_log 2 (manifest 3)"),
    "wrong engine": (lambda d: json.dumps({**d, "engine": "mysql"}), "but the manifest describes a mysql backup"),
    "unreadable": ("{", "unreadable manifest"),
    "another application's": (json.dumps({"format": "photo-album", "version": 1}), "not a Quizzer backup manifest"),
    "missing a field": (lambda d: json.dumps({k: v for k, v in d.items() if k != "sha256"}), "incomplete manifest"),
}


@pytest.mark.parametrize("damage", MANIFEST_DAMAGE)
def test_a_sound_file_with_a_wrong_manifest_is_refused(instance, damage):
    edit, reason = MANIFEST_DAMAGE[damage]
    copy = _with_manifest(instance, edit)
    _refused(instance, copy, reason)
    _refused(instance, copy, reason, "--legacy")  # --legacy is for files without a manifest, not broken ones


def test_another_backups_manifest_is_refused(instance, user):
    later = backups.backup_database(instance.url, instance.work / "later", keep=7).path
    review.answer(user, card_id("shared-basics", "largest-ocean"), 3, now=at("2024-05-03 09:00"))
    other = backups.backup_database(instance.url, instance.work / "later", keep=7).path
    shutil.copyfile(manifest_path(other), manifest_path(later))
    _refused(instance, later, "checksum mismatch")
    _refused(instance, later, "review_log 2 (manifest 3)")


def test_six_failed_restores_in_a_row_lose_no_backup(instance):
    """QUIZZER_BACKUP_KEEP=1: each failed restore used to back up first and rotate the nightly backup away."""
    damaged = instance.work / instance.good.name
    damaged.write_bytes(instance.good.read_bytes()[: instance.good.stat().st_size // 2])
    shutil.copyfile(manifest_path(instance.good), manifest_path(damaged))
    before = instance.state()
    for _ in range(6):
        _refused(instance, damaged, "checksum mismatch")
    assert instance.state() == before
    _refused(instance, damaged, "checksum mismatch", command=("backup", "--verify"))
    verified = CliRunner().invoke(cli, ["backup", "--verify", str(instance.good)])
    assert verified.exit_code == 0 and "checksum and row counts match the manifest" in verified.output
