"""Media files (images of imported cards) on disk, content-addressed, per owner.

Files live in ``<instance>/media/<user id>/`` for a user's decks and
``<instance>/media/shared/`` for shared decks, named by the sha256 of their content
plus the extension, so storing is idempotent and names cannot collide or escape.
"""
from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

from quizzer.importers import MediaFile
from quizzer.importers.model import STORED_NAME


def media_folder(root: Path, owner_id: int | None) -> Path:
    return Path(root) / (str(owner_id) if owner_id is not None else "shared")


def store_media(root: Path, owner_id: int | None, files: Iterable[MediaFile]) -> int:
    """Write the files that are not stored yet (atomically); returns how many were written."""
    folder = media_folder(root, owner_id)
    written = 0
    for media in files:
        target = folder / media.stored_name
        if not STORED_NAME.fullmatch(media.stored_name) or target.exists():
            continue
        folder.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=".incoming-")
        with os.fdopen(fd, "wb") as file:
            file.write(media.data)
        os.replace(temporary, target)
        written += 1
    return written


def find_media(root: Path, user_id: int, name: str) -> Path | None:
    """The stored file ``name`` the user may see: in their own folder, else the shared one."""
    if not STORED_NAME.fullmatch(name):
        return None
    for folder in (media_folder(root, user_id), media_folder(root, None)):
        if (folder / name).is_file():
            return folder / name
    return None


def referenced_media(texts: Iterable[str]) -> set[str]:
    """Stored media names that card texts point to."""
    found: set[str] = set()
    for text in texts:
        found.update(re.findall(r"/media/([0-9a-f]{64}\.[a-z0-9]{1,8})", text or ""))
    return found
