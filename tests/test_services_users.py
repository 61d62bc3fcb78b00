"""Accounts: creation rules, hashed passwords, authentication, password changes, study settings."""
from __future__ import annotations

import pytest

from quizzer.services import users as user_service
from quizzer.services.errors import Conflict, InvalidInput, NotFound
from quizzer.store.models import User
from tests.conftest import at

PASSWORD = "correct horse battery"


def test_a_new_account_gets_the_default_settings(db):
    created = user_service.create_user("  alice  ", PASSWORD)

    stored = User.get_by_id(created.id)
    assert stored.username == "alice"
    assert (stored.timezone, stored.rollover_hour, stored.new_per_day, stored.reviews_per_day) == \
        ("UTC", 4, 20, 200)
    assert (stored.grade_scale, stored.is_admin, stored.session_version) == ("buttons", False, 0)
    assert user_service.create_user("root", PASSWORD, is_admin=True).is_admin


def test_a_taken_username_is_a_conflict(db, user):
    with pytest.raises(Conflict, match="alice"):
        user_service.create_user("alice", "some other password")
    assert User.select().count() == 1
    assert user_service.create_user("alice2", PASSWORD).username == "alice2"  # the connection still works


@pytest.mark.parametrize("name", ["", "a", "-alice", ".alice", "al ice", "x" * 33, "alice!", "ålice", None])
def test_bad_usernames_are_refused(sqlite_db, name):
    with pytest.raises(InvalidInput, match="^username: "):
        user_service.create_user(name, PASSWORD)
    assert User.select().count() == 0


@pytest.mark.parametrize("password", ["", "seven77", "x" * 1025])
def test_bad_passwords_are_refused(sqlite_db, password):
    with pytest.raises(InvalidInput, match="^password: "):
        user_service.create_user("alice", password)
    assert User.select().count() == 0


def test_passwords_are_stored_hashed_with_scrypt(sqlite_db):
    user_service.create_user("alice", PASSWORD)
    user_service.create_user("bob", PASSWORD)

    hashes = [u.password_hash for u in User.select().order_by(User.id)]
    assert all(h.startswith("scrypt:") and PASSWORD not in h for h in hashes)
    assert hashes[0] != hashes[1]  # salted


def test_authenticate(sqlite_db):
    alice = user_service.create_user("alice", PASSWORD)

    assert user_service.authenticate(" alice ", PASSWORD) == alice
    assert user_service.authenticate("alice", PASSWORD + "!") is None
    assert user_service.authenticate("alice", None) is None
    assert user_service.authenticate("nobody", PASSWORD) is None


def test_changing_the_password_ends_other_sessions(sqlite_db):
    user = user_service.create_user("alice", PASSWORD)
    client = {"address": "192.0.2.1", "now": at("2026-01-05 10:00")}
    with pytest.raises(InvalidInput, match="^current password: "):
        user_service.change_password(user, "wrong password", "a brand new one", **client)
    with pytest.raises(InvalidInput, match="^password: "):
        user_service.change_password(user, PASSWORD, "short", **client)
    assert User.get_by_id(user.id).session_version == 0

    user_service.change_password(user, PASSWORD, "a brand new one", **client)

    assert User.get_by_id(user.id).session_version == 1
    assert user_service.authenticate("alice", "a brand new one") == user
    assert user_service.authenticate("alice", PASSWORD) is None


def test_ending_sessions_bumps_the_session_version(sqlite_db):
    user = User.create(username="alice")
    user_service.end_sessions(user)
    user_service.end_sessions(user)
    assert User.get_by_id(user.id).session_version == 2


def test_get_user(sqlite_db):
    alice = user_service.create_user("alice", PASSWORD)
    assert user_service.get_user("alice") == alice
    with pytest.raises(NotFound, match="nobody"):
        user_service.get_user("nobody")


def test_settings_are_validated_and_saved(db, user):
    user_service.update_settings(user, timezone="Asia/Kolkata", rollover_hour="0", new_per_day=0,
                                 reviews_per_day=99999, grade_scale="full")

    stored = User.get_by_id(user.id)
    assert (stored.timezone, stored.rollover_hour, stored.new_per_day, stored.reviews_per_day,
            stored.grade_scale) == ("Asia/Kolkata", 0, 0, 99999, "full")


BAD_SETTINGS = [
    ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
    ({"timezone": "America"}, "timezone"),
    ({"rollover_hour": 24}, "rollover_hour"),
    ({"rollover_hour": -1}, "rollover_hour"),
    ({"rollover_hour": "four"}, "rollover_hour"),
    ({"new_per_day": -1}, "new_per_day"),
    ({"reviews_per_day": -5}, "reviews_per_day"),
    ({"reviews_per_day": None}, "reviews_per_day"),
    ({"grade_scale": "stars"}, "grade_scale"),
    ({"colour": "blue"}, "colour"),
    ({"timezone": "Europe/Paris", "new_per_day": 10_000}, "new_per_day"),  # valid ones not saved either
]


def test_bad_settings_are_refused_naming_the_field(sqlite_db):
    alice = User.create(username="alice")
    for values, field in BAD_SETTINGS:
        with pytest.raises(InvalidInput, match=f"^{field}: "):
            user_service.update_settings(alice, **values)
        stored = User.get_by_id(alice.id)
        assert (stored.timezone, stored.rollover_hour, stored.new_per_day, stored.reviews_per_day,
                stored.grade_scale) == ("UTC", 4, 20, 200, "buttons"), values
