"""Whole-database backup files, engine-neutral parts: their kind, their checksum, what inspecting one found."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"  # pg_dump --format=custom
NOT_QUIZZER = "not a Quizzer database (no schema_migration table)"


class BackupToolError(RuntimeError):
    """Copying, dumping or restoring failed (the message names the tool and its error)."""


@dataclass(frozen=True)
class Inspection:
    """What a backup file holds: rows and columns per table, applied migrations, the structural problems found."""
    tables: dict[str, int]
    migrations: tuple[str, ...]
    problems: tuple[str, ...] = ()
    columns: dict[str, frozenset[str]] = field(default_factory=dict)


def kind_of(path: Path) -> str | None:
    """'sqlite' or 'postgresql' by the file's first bytes; None for anything else."""
    with open(path, "rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    if head == SQLITE_MAGIC:
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    return None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
