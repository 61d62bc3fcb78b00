"""The manifest written beside every whole-database backup: what the file must be to be trusted.

``quizzer-<time>.sqlite3`` gets ``quizzer-<time>.sqlite3.manifest.json``: the
file's sha256 and size, the engine, the schema version (last migration
applied), the rows per table, the app version and the time of the backup.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

FORMAT = "quizzer-database-backup-manifest"
VERSION = 1
SUFFIX = ".manifest.json"


class ManifestError(ValueError):
    """A manifest is missing, unreadable, or not a Quizzer backup manifest."""


@dataclass(frozen=True)
class Manifest:
    file: str
    engine: str
    sha256: str
    size: int
    schema_version: str
    tables: dict[str, int]
    app_version: str
    created_at: str  # ISO 8601, UTC

    @property
    def rows(self) -> int:
        return sum(self.tables.values())

    def write(self, path: Path) -> None:
        """Write the manifest at ``path`` atomically (a complete file or none)."""
        partial = path.with_name(path.name + ".partial")
        document = {"format": FORMAT, "version": VERSION, **asdict(self)}
        partial.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(partial, path)


TEXT_FIELDS = ("file", "engine", "sha256", "schema_version", "app_version", "created_at")


def manifest_path(backup: Path) -> Path:
    return backup.with_name(backup.name + SUFFIX)


def read_manifest(path: Path) -> Manifest:
    """The manifest at ``path``; ManifestError naming the file and what is wrong."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(f"{path.name}: no manifest") from None
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise ManifestError(f"{path.name}: unreadable manifest ({err})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ManifestError(f"{path.name}: not a Quizzer backup manifest")
    if document.get("version") != VERSION:
        raise ManifestError(f"{path.name}: manifest version {document.get('version')!r} is not supported")
    texts = [document.get(name) for name in TEXT_FIELDS]
    size, tables = document.get("size"), document.get("tables")
    if (not all(isinstance(value, str) for value in texts) or not isinstance(size, int)
            or not isinstance(tables, dict) or not all(isinstance(n, int) for n in tables.values())):
        raise ManifestError(f"{path.name}: incomplete manifest (a field is missing or has the wrong type)")
    file, engine, sha256, schema_version, app_version_, created_at = (str(value) for value in texts)
    return Manifest(file, engine, sha256, size, schema_version, tables, app_version_, created_at)


def app_version() -> str:
    try:
        return metadata.version("quizzer")
    except metadata.PackageNotFoundError:
        return "unknown"
