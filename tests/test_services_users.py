"""Accounts: creation rules, hashed passwords, authentication, password changes, study settings."""
from __future__ import annotations

import re

import pytest
from werkzeug.security import generate_password_hash

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


@pytest.mark.parametrize("password, why", [
    ("", "at least 8 characters"),
    ("seven77", "at least 8 characters"),
    ("x" * 1025, "at most 1024 characters"),
    ("password", "too easy to guess. This is a top-10 common password. Add another word or two."),
    ("12345678", "too easy to guess. This is a top-10 common password."),
    (" " * 8, "too easy to guess. Repeats like"),
    ("qwertyuiop", "too easy to guess. This is a top-100 common password."),
    ("alice2026", "too easy to guess."),  # the username is among what an attacker tries first
    ("P@ssw0rd1", "too easy to guess."),  # l33t spellings of common words are tried too
])
def test_weak_passwords_are_refused_saying_why(sqlite_db, password, why):
    with pytest.raises(InvalidInput, match="^password: " + re.escape(why)):
        user_service.create_user("alice", password)
    assert User.select().count() == 0


@pytest.mark.parametrize("password", [PASSWORD, "x7#Lq9!vR2", "Zebra quartz umbrella", "ñandú-kiwi-pēkā",
                                      "seventeen purple giraffes argued politely about tax law " * 18])  # 1008 chars
def test_strong_passwords_are_accepted(sqlite_db, password):
    user_service.create_user("alice", password)
    assert user_service.authenticate("alice", password) is not None


def test_passwords_are_stored_as_salted_argon2id_hashes(sqlite_db):
    user_service.create_user("alice", PASSWORD)
    user_service.create_user("bob", PASSWORD)

    hashes = [u.password_hash for u in User.select().order_by(User.id)]
    assert all(h.startswith("$argon2id$v=19$m=19456,t=2,p=1$") and PASSWORD not in h for h in hashes)
    assert hashes[0] != hashes[1]  # salted


def test_an_old_scrypt_hash_is_replaced_by_argon2id_at_the_next_successful_login(sqlite_db):
    old = generate_password_hash(PASSWORD, method="scrypt")
    alice = User.create(username="alice", password_hash=old)
    assert user_service.authenticate("alice", "wrong guess!") is None
    assert User.get_by_id(alice.id).password_hash == old

    assert user_service.authenticate("alice", PASSWORD) == alice
    upgraded = User.get_by_id(alice.id).password_hash
    assert upgraded.startswith("$argon2id$")
    assert user_service.authenticate("alice", PASSWORD) == alice
    assert User.get_by_id(alice.id).password_hash == upgraded  # once only
    assert user_service.authenticate("alice", "wrong guess!") is None


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
    ({"rollover_hour": "1_0"}, "rollover_hour"),  # int() reads "1_0" as 10: a typo, not a number
    ({"new_per_day": "1e3"}, "new_per_day"),
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
