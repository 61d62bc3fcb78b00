"""Media files (images of imported cards) on disk, content-addressed, per owner.

Files live in ``<instance>/media/<user id>/`` for a user's decks and
``<instance>/media/shared/`` for shared decks, named by the sha256 of their content
plus the extension, so storing is idempotent and names cannot collide or escape.
``names/<user id or shared>.json`` maps the names files had in the packages they came in
to their stored names, so a later text import that names ``pic.png`` can point at it.
"""
from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

from quizzer.importers import MediaFile
from quizzer.importers.model import STORED_NAME
from quizzer.private_files import private_dir


def media_folder(root: Path, owner_id: int | None) -> Path:
    return Path(root) / (str(owner_id) if owner_id is not None else "shared")


def _names_file(root: Path, owner_id: int | None) -> Path:
    return Path(root) / "names" / f"{owner_id if owner_id is not None else 'shared'}.json"


def _write_atomically(folder: Path, target: Path, data: bytes) -> None:
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".incoming-")
    with os.fdopen(fd, "wb") as file:
        file.write(data)
    os.replace(temporary, target)


def store_media(root: Path, owner_id: int | None, files: Iterable[MediaFile]) -> int:
    """Write the files that are not stored yet (atomically) and record the names they came with;
    returns how many were written."""
    folder = media_folder(root, owner_id)
    written, names = 0, {}
    for media in files:
        target = folder / media.stored_name
        if not STORED_NAME.fullmatch(media.stored_name):
            continue
        if media.name != media.stored_name:
            names[media.name] = media.stored_name
        if target.exists():
            continue
        private_dir(folder)
        _write_atomically(folder, target, media.data)  # mkstemp makes it 0600
        written += 1
    known = media_names(root, owner_id)
    if names and any(known.get(name) != stored for name, stored in names.items()):
        target = _names_file(root, owner_id)  # a later package's file of the same name wins
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(target.parent, target, json.dumps({**known, **names}, ensure_ascii=False).encode())
    return written


def media_names(root: Path, owner_id: int | None) -> dict[str, str]:
    """The names stored files came with (``pic.png``) -> their stored names, for the owner's folder."""
    try:
        names = json.loads(_names_file(root, owner_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(names, dict):
        return {}
    return {k: v for k, v in names.items() if isinstance(k, str) and isinstance(v, str) and STORED_NAME.fullmatch(v)}


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
