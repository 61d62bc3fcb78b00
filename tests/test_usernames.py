"""Usernames are one name after NFKC and case folding; accounts that collided before stay usable."""
from __future__ import annotations

import logging
from datetime import datetime

import peewee as pw
import pytest

from quizzer.services import passwords, users
from quizzer.services.errors import Conflict
from quizzer.store import bind
from quizzer.store.db import open_database
from quizzer.store.migrate import apply_migrations, migration_names
from quizzer.store.models import User

PASSWORD = "correct horse battery"
KEY_MIGRATION = next(name for name in migration_names() if name.endswith("_username_key"))


@pytest.mark.parametrize("other", ["alice", "ALICE", "Ａｌｉｃｅ", " aLiCe "])
def test_names_differing_in_case_or_width_are_taken(db, other):
    users.create_user("Alice", PASSWORD)
    with pytest.raises(Conflict, match="is taken"):
        users.create_user(other, PASSWORD)
    assert User.select().count() == 1


def test_a_fullwidth_name_is_stored_as_ascii_and_any_spelling_signs_in(db):
    bob = users.create_user("Ｂｏｂ", PASSWORD)
    assert bob.username == "Bob" and bob.username_key == "bob"
    for spelling in ("Bob", "bob", "BOB", "Ｂｏｂ"):
        assert users.authenticate(spelling, PASSWORD).id == bob.id
    assert users.get_user("bOB").id == bob.id


def test_signup_page_refuses_a_name_taken_in_another_case(logged_in, client):
    logged_in("alice")
    response = client.signup("ALICE")
    assert response.status_code == 400 and "is taken" in response.get_data(as_text=True)


@pytest.fixture
def db_before_the_key(db_url):
    """A database migrated up to the migration before the username key."""
    database = bind(open_database(db_url))
    names = migration_names()
    apply_migrations(database, target=names[names.index(KEY_MIGRATION) - 1])
    yield database
    getattr(database, "close_all", database.close)()


def test_the_migration_lists_colliding_names_and_keeps_each_account_able_to_sign_in(db_before_the_key, caplog):
    database = db_before_the_key
    rows = pw.Table("user").bind(database)
    password_hash = passwords.hash_password(PASSWORD)
    for name in ("Alice", "bob", "alice", "Ａｌｉｃｅ"):
        rows.insert(username=name, password_hash=password_hash, is_admin=False, timezone="UTC", rollover_hour=4,
                    new_per_day=20, reviews_per_day=200, grade_scale="buttons", session_version=0,
                    created_at="2026-01-01 00:00:00", suspend_leeches=False, typed_answers=True).execute()

    with caplog.at_level(logging.WARNING, logger="quizzer.migrations"):
        assert apply_migrations(database)[0] == KEY_MIGRATION

    warnings = [r.getMessage() for r in caplog.records if r.name == "quizzer.migrations"]
    assert len(warnings) == 2 and all("'Alice'" in w for w in warnings)
    assert "'alice'" in warnings[0] and "'Ａｌｉｃｅ'" in warnings[1]
    keys = dict(User.select(User.username, User.username_key).tuples())
    alice, fullwidth = User.get(User.username == "alice").id, User.get(User.username == "Ａｌｉｃｅ").id
    assert keys == {"Alice": "alice", "bob": "bob", "alice": f"alice#{alice}", "Ａｌｉｃｅ": f"alice#{fullwidth}"}
    for name in ("Alice", "alice", "Ａｌｉｃｅ", "bob"):
        assert users.authenticate(name, PASSWORD).username == name  # each by its exact name
    assert users.authenticate("ALICE", PASSWORD).username == "Alice"  # other spellings: the oldest
    with pytest.raises(Conflict):
        users.create_user("ALICE", PASSWORD)


def test_settings_stored_unchecked_by_old_restores_are_reset_with_a_warning(db_url, caplog):
    database = bind(open_database(db_url))
    try:
        names = migration_names()
        repair = next(name for name in names if name.endswith("_account_settings"))
        apply_migrations(database, target=names[names.index(repair) - 1])
        # The accounts as that schema held them: its columns only (the head model has later ones).
        columns = ("username", "username_key", "password_hash", "is_admin", "timezone", "rollover_hour",
                   "new_per_day", "reviews_per_day", "grade_scale", "suspend_leeches", "typed_answers",
                   "session_version", "created_at")
        insert = f'INSERT INTO "user" ({", ".join(columns)}) VALUES ({", ".join([database.param] * len(columns))})'
        for name, timezone, hour, new in (("ok", "Europe/Paris", 5, 7), ("bad", "Nowhere/Nope", 99, -3),
                                          ("local", "localtime", 4, 20)):
            database.execute_sql(insert, (name, name, "", False, timezone, hour, new, 200, "buttons", False, True, 0,
                                          datetime(2026, 1, 1)))

        with caplog.at_level(logging.WARNING, logger="quizzer.migrations"):
            assert apply_migrations(database)[0] == repair

        settings = {u.username: (u.timezone, u.rollover_hour, u.new_per_day) for u in User.select()}
        assert settings == {"ok": ("Europe/Paris", 5, 7), "bad": ("UTC", 4, 20), "local": ("UTC", 4, 20)}
        warnings = [r.getMessage() for r in caplog.records if r.name == "quizzer.migrations"]
        assert warnings == ["account 'bad': timezone 'Nowhere/Nope', rollover_hour 99, new_per_day -3 reset to "
                            "the default", "account 'local': timezone 'localtime' reset to the default"]
    finally:
        getattr(database, "close_all", database.close)()
