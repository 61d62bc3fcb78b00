"""Account data on disk is the server user's alone (files 0600, new folders 0700), private media is
never kept by shared caches, and remember-me lasts QUIZZER_REMEMBER_DAYS (30 by default)."""
from __future__ import annotations

import hashlib
import os
import stat
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from quizzer.config import ConfigError
from quizzer.importers import MediaFile
from quizzer.services import backups
from quizzer.services.media import store_media
from quizzer.services.pending_uploads import save_pending
from quizzer.store.models import User
from tests.conftest import PASSWORD, csrf_from, web_settings


@pytest.fixture(autouse=True)
def usual_umask():
    """The common umask 022, which would leave new files readable by every user."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_sqlite_database_its_wal_and_the_secret_key_are_private(make_app, tmp_path):
    database = tmp_path / "data" / "db" / "quizzer.db"
    app = make_app(f"sqlite:///{database}")
    assert app.test_client().signup("alice").status_code == 302

    wal, shm = (database.with_name(database.name + suffix) for suffix in ("-wal", "-shm"))
    assert wal.exists() and shm.exists(), "the app writes through the WAL"
    assert {path.name: mode(path) for path in (database, wal, shm)} == \
        {"quizzer.db": 0o600, "quizzer.db-wal": 0o600, "quizzer.db-shm": 0o600}
    assert mode(database.parent) == mode(database.parent.parent) == 0o700
    instance = Path(app.instance_path)
    assert mode(instance) == 0o700 and mode(instance / "secret_key") == 0o600


def test_backups_and_a_restored_database_are_private(db, db_url, user, tmp_path):
    folder = tmp_path / "new" / "backups"
    made = backups.backup_database(db_url, folder, keep=2)
    assert mode(folder) == mode(folder.parent) == 0o700
    assert mode(made.path) == 0o600
    if made.kind == "sqlite":
        restored = tmp_path / "restored" / "quizzer.db"
        backups.restore_database(made, f"sqlite:///{restored}")
        assert mode(restored) == 0o600 and mode(restored.parent) == 0o700


def test_uploads_and_media_are_private(tmp_path):
    token = save_pending(tmp_path / "pending", 7, "deck.apkg", b"PK...", {})
    upload = tmp_path / "pending" / "7" / token
    assert [mode(p) for p in (tmp_path / "pending", upload.parent, upload)] == [0o700] * 3
    assert mode(upload / "upload") == mode(upload / "meta.json") == 0o600

    png = b"\x89PNG\r\n\x1a\n" + bytes(16)
    stored = hashlib.sha256(png).hexdigest() + ".png"
    assert store_media(tmp_path / "media", 7, [MediaFile("a.png", stored, png)]) == 1
    assert mode(tmp_path / "media") == mode(tmp_path / "media" / "7") == 0o700
    assert mode(tmp_path / "media" / "7" / stored) == 0o600


def test_private_media_is_served_for_private_caches_only(app, logged_in):
    alice = logged_in("alice")
    png = b"\x89PNG\r\n\x1a\n" + bytes(16)
    stored = hashlib.sha256(png).hexdigest() + ".png"
    user_id = User.get(User.username == "alice").id
    store_media(Path(app.instance_path) / "media", user_id, [MediaFile("a.png", stored, png)])

    response = alice.get(f"/media/{stored}")
    assert response.status_code == 200 and response.data == png
    assert response.cache_control.private and not response.cache_control.public
    assert "public" not in response.headers["Cache-Control"]


def remembered_login(app, base_url: str = "http://localhost", headers: dict | None = None):
    client = app.test_client()
    assert client.signup("alice").status_code == 302
    client.form("/logout")
    page = client.get("/login", base_url=base_url, headers=headers)
    response = client.post("/login", base_url=base_url, headers=headers,
                           data={"csrf_token": csrf_from(page.get_data(as_text=True)), "username": "alice",
                                 "password": PASSWORD, "remember": "1"})
    assert response.status_code == 302
    cookie = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token=")][-1]
    parts = dict(part.strip().partition("=")[::2] for part in cookie.split(";"))
    return parsedate_to_datetime(parts["Expires"]), {name.lower() for name in parts}


@pytest.mark.parametrize("env, days", [({}, 30), ({"QUIZZER_REMEMBER_DAYS": "7"}, 7)])
def test_remember_me_lasts_thirty_days_or_as_configured(make_app, env, days):
    expires, _ = remembered_login(make_app(env=env))
    assert abs(expires - (datetime.now(UTC) + timedelta(days=days))) < timedelta(minutes=5)


def test_remember_me_is_secure_behind_a_trusted_proxy(make_app):
    app = make_app(env={"QUIZZER_TRUSTED_PROXIES": "1"})
    _, flags = remembered_login(app, headers={"X-Forwarded-Proto": "https"})
    assert {"secure", "httponly", "samesite"} <= flags


def test_remember_days_must_be_at_least_one(tmp_path):
    with pytest.raises(ConfigError, match="QUIZZER_REMEMBER_DAYS='0': must be at least 1"):
        web_settings(tmp_path, "sqlite:///x.db", QUIZZER_REMEMBER_DAYS="0")
