"""Files that hold accounts' data (the database, backups, uploads, media) are the server user's alone:
created 0600, in folders created 0700. Folders and files that already exist keep their modes."""
from __future__ import annotations

import contextlib
import os
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: Path | str) -> Path:
    """``mkdir -p`` whose new folders are 0700 (the process's umask cannot widen that)."""
    path = Path(path)
    if not path.is_dir():
        private_dir(path.parent)
        with contextlib.suppress(FileExistsError):  # another process made it first
            path.mkdir(mode=DIR_MODE)
    return path


def private_file(path: Path | str) -> Path:
    """Create ``path`` empty and 0600 unless it exists, so whatever writes it next keeps that mode
    (SQLite also gives a database's WAL, shared-memory and journal files the database's mode)."""
    path = Path(path)
    private_dir(path.parent)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    return path


def write_private(path: Path | str, data: bytes) -> None:
    """Write ``data`` to ``path``, a new file being 0600."""
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE), "wb") as file:
        file.write(data)
