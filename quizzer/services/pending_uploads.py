"""Uploads waiting between the dry-run preview and the user's "apply": one folder per user."""
from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from pathlib import Path

from quizzer.private_files import DIR_MODE, private_dir, write_private
from quizzer.services.errors import NotFound

_TOKEN = re.compile(r"[0-9a-f]{32}")
MAX_AGE_SECONDS = 24 * 3600


def _folder(root: Path, user_id: int) -> Path:
    return Path(root) / str(user_id)


def save_pending(root: Path, user_id: int, filename: str, data: bytes, options: dict) -> str:
    """Keep an upload for the user; returns its token. Uploads older than a day are dropped."""
    folder = _folder(root, user_id)
    private_dir(folder)
    for old in folder.iterdir():
        if old.stat().st_mtime < time.time() - MAX_AGE_SECONDS:
            shutil.rmtree(old, ignore_errors=True)
    token = secrets.token_hex(16)
    (folder / token).mkdir(mode=DIR_MODE)
    write_private(folder / token / "upload", data)
    write_private(folder / token / "meta.json", json.dumps({"filename": filename, "options": options}).encode())
    return token


def load_pending(root: Path, user_id: int, token: str) -> tuple[str, bytes, dict]:
    """(file name, bytes, options) of the user's upload; NotFound if unknown or someone else's."""
    path = _folder(root, user_id) / token
    if not _TOKEN.fullmatch(token or "") or not path.is_dir():
        raise NotFound("that upload is gone: upload the file again")
    meta = json.loads((path / "meta.json").read_text())
    return meta["filename"], (path / "upload").read_bytes(), meta["options"]


def discard_pending(root: Path, user_id: int, token: str) -> None:
    if _TOKEN.fullmatch(token or ""):
        shutil.rmtree(_folder(root, user_id) / token, ignore_errors=True)
