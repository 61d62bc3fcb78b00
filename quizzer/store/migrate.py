"""A small runner over ``playhouse.migrate``: numbered scripts in ``migrations/``.

Each ``NNNN_name.py`` defines ``upgrade(db, migrator)``. Applied names are
recorded in ``schema_migration``; each script runs in its own transaction,
under a lock, so two processes starting at once apply it once.
"""
from __future__ import annotations

import functools
import importlib.util
from pathlib import Path
from types import ModuleType

import peewee
from playhouse.migrate import PostgresqlMigrator, SqliteMigrator

from quizzer.bundled import migrations_dir
from quizzer.store.db import is_sqlite
from quizzer.store.models import SchemaMigration

_PG_LOCK_KEY = 0x5155495A  # "QUIZ": advisory lock id serialising migrations


class MigrationsMissing(RuntimeError):
    """The migration scripts cannot be found: a broken install, never "nothing to do"."""


def migration_names(directory: Path | None = None) -> list[str]:
    """Names of the migration scripts, in the order they apply; raises MigrationsMissing if none."""
    directory = directory or migrations_dir()
    names = sorted(p.stem for p in directory.glob("[0-9][0-9][0-9][0-9]_*.py"))
    if not names:
        raise MigrationsMissing(f"no migration scripts in {directory}: the installation is incomplete")
    return names


@functools.lru_cache(maxsize=16)
def schema_after(names: tuple[str, ...], directory: Path | None = None) -> dict[str, frozenset[str]]:
    """Each table's columns once exactly these migrations ran (applied to an empty in-memory SQLite)."""
    directory = directory or migrations_dir()
    db = peewee.SqliteDatabase(":memory:")
    migrator = SqliteMigrator(db)
    with db.bind_ctx([SchemaMigration]):
        SchemaMigration.create_table()
        for name in names:
            _apply_one(db, migrator, name, directory)
    schema = {table: frozenset(column.name for column in db.get_columns(table)) for table in db.get_tables()}
    db.close()
    return schema


def _load(name: str, directory: Path) -> ModuleType:
    path = directory / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"quizzer_migration_{name}", path)
    if spec is None or spec.loader is None:  # only for a path that is not a Python file
        raise ImportError(f"cannot load the migration script {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def applied_migrations(db: peewee.Database) -> set[str]:
    with db.bind_ctx([SchemaMigration]):
        _create_migration_table(db)
        return {m.name for m in SchemaMigration.select()}


def apply_migrations(db: peewee.Database, target: str | None = None,
                     directory: Path | None = None) -> list[str]:
    """Apply pending migrations up to ``target`` (inclusive; default: all). Returns what ran."""
    directory = directory or migrations_dir()
    names = migration_names(directory)
    if target is not None:
        if target not in names:
            raise ValueError(f"unknown migration {target!r}")
        names = names[: names.index(target) + 1]
    migrator = SqliteMigrator(db) if is_sqlite(db) else PostgresqlMigrator(db)
    applied_now = []
    with db.bind_ctx([SchemaMigration]):
        _create_migration_table(db)
        if is_sqlite(db):
            # SQLite alters a column by rebuilding the table; dropping the old one with foreign
            # keys on would cascade-delete every child row (cards, states, logs). The pragma
            # cannot change inside a transaction, so it is off for the whole run.
            db.pragma("foreign_keys", 0)
        try:
            for name in names:
                if _apply_one(db, migrator, name, directory):
                    applied_now.append(name)
        finally:
            if is_sqlite(db):
                db.pragma("foreign_keys", 1)
    return applied_now


def _create_migration_table(db: peewee.Database) -> None:
    """schema_migration, created under the write lock. Outside it, CREATE TABLE IF NOT EXISTS reads the
    schema and then writes: on a new SQLite file a second process's write between the two fails that
    statement at once ("database is locked", no busy wait in WAL), and PostgreSQL can collide on the
    table's type name."""
    with db.atomic():
        if not is_sqlite(db):
            db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_PG_LOCK_KEY,))
        SchemaMigration.create_table(safe=True)


def _apply_one(db: peewee.Database, migrator, name: str, directory: Path) -> bool:
    """Run one script in its own transaction unless it is recorded already."""
    with db.atomic():
        if not is_sqlite(db):
            db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_PG_LOCK_KEY,))
        if SchemaMigration.get_or_none(SchemaMigration.name == name):
            return False
        _load(name, directory).upgrade(db, migrator)
        if is_sqlite(db) and db.execute_sql("PRAGMA foreign_key_check").fetchone():
            raise peewee.IntegrityError(f"migration {name} left rows with broken foreign keys")
        SchemaMigration.create(name=name)
    return True
