"""Whole-database backups you can trust: a manifest beside each, every check before it counts or restores.

A backup is written as ``.partial``, inspected (SQLite: size against its
header, ``integrity_check``, ``foreign_key_check``; PostgreSQL: ``pg_restore
--list`` and a trial restore into a scratch database), checked against the
migrations (its schema version known, every table that version has present)
and against the row counts read in the same snapshot. Only then do its
manifest and the file get their names, and only then are old backups rotated
away. A restore runs the same checks against the manifest first (plus the
checksum) and changes nothing when any fails. The copy of the database taken
before a restore goes to ``before-restore/`` and is never rotated.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

from quizzer.private_files import private_dir, private_file
from quizzer.services.backup_manifest import Manifest, ManifestError, app_version, manifest_path, read_manifest
from quizzer.services.errors import ServiceError
from quizzer.store import backup_pg, backup_sqlite
from quizzer.store.backup_files import BackupToolError, Inspection, kind_of, sha256_of
from quizzer.store.migrate import migration_names, schema_after

SQLITE_PREFIX = "sqlite:///"
PREFIX = "quizzer-"
SUFFIXES = {"sqlite": ".sqlite3", "postgresql": ".pgdump"}
SAFETY_DIR = "before-restore"
ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


class BackupError(ServiceError):
    """A backup could not be made, or a file is not a sound Quizzer backup (the message says why)."""


@dataclass(frozen=True)
class Verified:
    """A backup file that passed every check; ``manifest`` is None for a legacy backup (made without one)."""
    path: Path
    kind: str
    sha256: str
    schema_version: str
    tables: dict[str, int]
    manifest: Manifest | None

    def summary(self) -> str:
        checks = "integrity and foreign keys" if self.kind == "sqlite" else "trial restore"
        against = ("checksum and row counts match the manifest" if self.manifest
                   else "legacy backup without a manifest: checksum and row counts not checked")
        return (f"{self.path.name}: {ENGINE_NAMES[self.kind]} {checks} ok, schema {self.schema_version} "
                f"(all {len(self.tables)} tables present), {sum(self.tables.values()):,} rows; {against}")


def _kind(database_url: str) -> str:
    if database_url.startswith(SQLITE_PREFIX):
        return "sqlite"
    if database_url.startswith(("postgresql://", "postgres://")):
        return "postgresql"
    raise BackupError(f"cannot back up {database_url!r}: only SQLite and PostgreSQL")


def backup_database(database_url: str, backup_dir: Path, keep: int | None,
                    now: datetime | None = None) -> Verified:
    """Write a verified backup and its manifest into ``backup_dir``; then keep only the newest ``keep``
    (None: delete nothing). Raises BackupError, leaving no file, when the new backup fails a check."""
    kind = _kind(database_url)
    now = now or datetime.now(UTC)
    private_dir(backup_dir)
    target = backup_dir / f"{PREFIX}{now.strftime('%Y%m%dT%H%M%S%fZ')}{SUFFIXES[kind]}"
    partial = private_file(target.with_name(target.name + ".partial"))  # pg_dump and SQLite keep its 0600
    try:
        try:
            if kind == "sqlite":
                counts = backup_sqlite.copy_with_counts(Path(database_url[len(SQLITE_PREFIX):]), partial)
            else:
                counts = backup_pg.dump_with_counts(database_url, partial)
            inspection = _inspect(partial, kind, database_url)
        except BackupToolError as err:
            raise BackupError(f"backup failed: {err}") from None
        _refuse_if(target.name + " (new backup)", inspection.problems or _schema_problems(inspection, None))
        manifest = Manifest(file=target.name, engine=kind, sha256=sha256_of(partial), size=partial.stat().st_size,
                            schema_version=_schema_version(inspection), tables=counts,
                            app_version=app_version(), created_at=now.strftime("%Y-%m-%dT%H:%M:%SZ"))
        _refuse_if(target.name + " (new backup)", _count_problems(inspection, manifest))
        manifest.write(manifest_path(target))  # first, so a backup under its final name always has one
        partial.rename(target)
    finally:
        partial.unlink(missing_ok=True)
    if keep is not None:
        prune_backups(backup_dir, keep)
    return Verified(target, kind, manifest.sha256, manifest.schema_version, counts, manifest)


def _inspect(path: Path, kind: str, database_url: str) -> Inspection:
    if kind == "sqlite":
        return backup_sqlite.inspect(path)
    if _kind(database_url) != "postgresql":
        raise BackupToolError("a PostgreSQL dump is checked by a trial restore: set QUIZZER_DATABASE_URL "
                              "to a PostgreSQL server")
    return backup_pg.inspect(path, database_url)


def _schema_version(inspection: Inspection) -> str:
    return inspection.migrations[-1] if inspection.migrations else "none"


def _schema_problems(inspection: Inspection, manifest: Manifest | None) -> list[str]:
    """The file's schema against the migrations (and the manifest's schema version, when there is one)."""
    known = migration_names()
    unknown = [name for name in inspection.migrations if name not in known]
    if unknown:
        return [f"schema version {unknown[-1]} is unknown to this Quizzer (its newest is {known[-1]}): "
                "made by another or a newer version"]
    if not inspection.migrations:
        return ["no migration recorded in schema_migration: not a Quizzer database"]
    problems = []
    version = _schema_version(inspection)
    if manifest and manifest.schema_version != version:
        problems.append(f"schema version {version}, but the manifest says {manifest.schema_version}")
    expected = schema_after(inspection.migrations)
    missing = sorted(set(expected) - set(inspection.tables))
    if missing:
        problems.append(f"missing table(s) {', '.join(missing)} (schema version {version} has them)")
    # e.g. a schema_migration behind its tables: a later migration's table is here
    problems += [f"table {table} does not match schema version {version}: that version has no such table"
                 for table in sorted(set(inspection.columns) - set(expected))]
    for table in sorted(set(expected) & set(inspection.columns)):
        lacking, extra = expected[table] - inspection.columns[table], inspection.columns[table] - expected[table]
        if lacking or extra:
            problems.append(f"table {table} does not match schema version {version}: "
                            + "; ".join(f"{label} {', '.join(sorted(names))}" for label, names
                                        in (("lacks", lacking), ("has extra", extra)) if names))
    return problems


def _count_problems(inspection: Inspection, manifest: Manifest) -> list[str]:
    names = sorted(set(inspection.tables) | set(manifest.tables))
    differ = [f"{name} {inspection.tables.get(name, 'missing')} (manifest {manifest.tables.get(name, 'none')})"
              for name in names if inspection.tables.get(name) != manifest.tables.get(name)]
    if not differ:
        return []
    more = f" and {len(differ) - 3} more" if len(differ) > 3 else ""
    return ["row counts differ from the manifest: " + ", ".join(differ[:3]) + more]


def _refuse_if(label: str, problems: Sequence[str]) -> None:
    if problems:
        _refuse(label, problems)


def _refuse(label: str, problems: Sequence[str]) -> NoReturn:
    raise BackupError(f"{label}: refused: " + "; ".join(problems))


def verify_backup(path: Path | str, database_url: str, legacy: bool = False) -> Verified:
    """Run every check on a backup file; BackupError with every reason when one fails.

    The manifest beside the file is required, unless ``legacy`` allows a file
    made before manifests existed (then only the structural and schema checks run).
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    manifest = _manifest_beside(path, legacy)
    sha256, kind = sha256_of(path), kind_of(path)
    problems = _manifest_problems(path, kind, sha256, manifest) if manifest else []
    if kind is None:
        _refuse(str(path), ["not a Quizzer backup (neither a SQLite database nor a PostgreSQL custom-format "
                            "dump)", *problems])
    try:
        inspection = _inspect(path, kind, database_url)
    except BackupToolError as err:
        raise BackupError(f"{path}: cannot be checked: {err}") from None
    problems += inspection.problems or _schema_problems(inspection, manifest)
    if manifest and not inspection.problems:
        problems += _count_problems(inspection, manifest)
    _refuse_if(str(path), problems)
    return Verified(path, kind, sha256, _schema_version(inspection), inspection.tables, manifest)


def _manifest_beside(path: Path, legacy: bool) -> Manifest | None:
    """The backup's manifest; None for a legacy backup (no manifest at all, and ``legacy`` allowed)."""
    try:
        return read_manifest(manifest_path(path))
    except ManifestError as err:
        if legacy and not manifest_path(path).exists():
            return None
        hint = "; a backup made before manifests restores only with --legacy" if "no manifest" in str(err) else ""
        raise BackupError(f"{path}: refused: {err}{hint}") from None


def _manifest_problems(path: Path, kind: str | None, sha256: str, manifest: Manifest) -> list[str]:
    problems = []
    if kind and manifest.engine != kind:
        problems.append(f"a {ENGINE_NAMES[kind]} file, but the manifest describes a {manifest.engine} backup")
    size = path.stat().st_size
    if sha256 != manifest.sha256 or size != manifest.size:
        problems.append(f"checksum mismatch: the file ({size:,} bytes) has sha256 {sha256[:16]}…, the manifest "
                        f"says {manifest.sha256[:16]}… ({manifest.size:,} bytes): it changed after the backup")
    return problems


def prepare_restore(path: Path | str, database_url: str, legacy: bool = False) -> Verified:
    """Verify a backup for restoring into ``database_url`` (every check, and the engines must match)."""
    verified = verify_backup(path, database_url, legacy)
    kind = _kind(database_url)
    if verified.kind != kind:
        raise BackupError(f"{path}: refused: a {ENGINE_NAMES[verified.kind]} backup cannot be restored "
                          f"into {ENGINE_NAMES[kind]}")
    return verified


def safety_copy(database_url: str, backup_dir: Path, now: datetime | None = None) -> Verified:
    """A verified backup of the database as it is, in ``before-restore/``, outside the rotation."""
    return backup_database(database_url, backup_dir / SAFETY_DIR, keep=None, now=now)


def restore_database(verified: Verified, database_url: str) -> None:
    """Replace the database's contents with a verified backup (stop the service first); all or nothing."""
    kind = _kind(database_url)
    if verified.kind != kind:
        raise BackupError(f"{verified.path}: refused: a {ENGINE_NAMES[verified.kind]} backup cannot be "
                          f"restored into {ENGINE_NAMES[kind]}")
    if sha256_of(verified.path) != verified.sha256:
        raise BackupError(f"{verified.path}: refused: the file changed after it was verified")
    try:
        if kind == "sqlite":
            backup_sqlite.restore(verified.path, Path(database_url[len(SQLITE_PREFIX):]))
        else:
            backup_pg.restore(verified.path, database_url)
    except BackupToolError as err:
        raise BackupError(f"{verified.path}: restore failed, the database is unchanged: {err}") from None


def _backup_files(folder: Path) -> list[Path]:
    """The backups in ``folder`` (not its subfolders), oldest first (names sort by time)."""
    return sorted(p for p in folder.glob(f"{PREFIX}*") if p.suffix in SUFFIXES.values())


def prune_backups(backup_dir: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` (at least one) backups and their manifests. Returns what was deleted."""
    doomed = _backup_files(backup_dir)[:-max(keep, 1)]
    for path in doomed:
        path.unlink()
        manifest_path(path).unlink(missing_ok=True)
    return doomed


@dataclass(frozen=True)
class Listed:
    """A backup file as the admin page shows it: its manifest, or why it has none."""
    path: Path
    size: int
    manifest: Manifest | None
    note: str = ""


def list_backups(folder: Path, limit: int = 10) -> list[Listed]:
    """The newest ``limit`` backups in ``folder``, newest first, with their manifests (read, not checked)."""
    listed = []
    for path in reversed(_backup_files(folder) if folder.is_dir() else []):
        try:
            size = path.stat().st_size
        except FileNotFoundError:  # rotated away meanwhile
            continue
        try:
            listed.append(Listed(path, size, read_manifest(manifest_path(path))))
        except ManifestError as err:
            listed.append(Listed(path, size, None, str(err).split(": ", 1)[1]))
        if len(listed) == limit:
            break
    return listed
