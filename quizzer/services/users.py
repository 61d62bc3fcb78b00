"""Accounts: creation, authentication, settings. Password rules and hashes: services.passwords."""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import available_timezones

import peewee as pw

from quizzer.services import passwords, rate_limits
from quizzer.services.errors import Conflict, InvalidInput, NotFound
from quizzer.store.db import database_proxy as db
from quizzer.store.models import User

USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,31}$")


def create_user(username: str, password: str, *, is_admin: bool = False) -> User:
    """Create an account; InvalidInput for a bad name or password, Conflict when taken."""
    username = (username or "").strip()
    if not USERNAME_RE.match(username):
        raise InvalidInput("username: 2-32 letters, digits, '.', '_' or '-', starting with a letter or digit")
    passwords.check_strength(password, username)
    password_hash = passwords.hash_password(password)
    try:
        with db.atomic():
            return User.create(username=username, password_hash=password_hash, is_admin=is_admin)
    except pw.IntegrityError:
        raise Conflict(f"username {username!r} is taken") from None


def sign_up(username: str, password: str, address: str, now: datetime) -> User:
    """create_user for a visitor: every attempt counts against the client address (RateLimited)."""
    rate_limits.attempt(rate_limits.signup_counters(address), address, now)
    return create_user(username, password)


def log_in(username: str, password: str, address: str, now: datetime) -> User | None:
    """authenticate, counted per account named and per address; RateLimited while either must wait.

    The attempt is counted before the password is checked and in its own transaction, so
    guesses sent in parallel are limited too; a success undoes it (services.rate_limits)."""
    counters = rate_limits.password_guess_counters(username, address)
    rate_limits.attempt(counters, address, now)
    user = authenticate(username, password)
    if user is not None:
        rate_limits.succeeded(counters, address, now)
    return user


def authenticate(username: str, password: str) -> User | None:
    """The account if the password matches; an older (scrypt) hash is replaced by argon2id then."""
    user = User.get_or_none(User.username == (username or "").strip())
    if user is None:
        passwords.verify(passwords.dummy_hash(), password)
        return None
    if not passwords.verify(user.password_hash, password):
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
        User.update(password_hash=user.password_hash).where(User.id == user.id).execute()
    return user


def get_user(username: str) -> User:
    user = User.get_or_none(User.username == username)
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user


def change_password(user: User, old: str, new: str, *, address: str, now: datetime) -> None:
    """Replace the password; the current one is a password guess, limited like a login."""
    passwords.check_strength(new, user.username)
    counters = rate_limits.password_guess_counters(user.username, address)
    rate_limits.attempt(counters, address, now)
    if not passwords.verify(user.password_hash, old):
        raise InvalidInput("current password: does not match")
    rate_limits.succeeded(counters, address, now)
    user.password_hash = passwords.hash_password(new)
    user.session_version += 1
    user.save()


def end_sessions(user: User) -> None:
    """Invalidate every session cookie issued to the user so far."""
    User.update(session_version=User.session_version + 1).where(User.id == user.id).execute()


SETTINGS_LIMITS = {"rollover_hour": (0, 23), "new_per_day": (0, 9999), "reviews_per_day": (0, 99999)}


def update_settings(user: User, **values) -> User:
    """Validate and save study settings; InvalidInput names the field."""
    unknown = set(values) - {"timezone", "grade_scale", "suspend_leeches", *SETTINGS_LIMITS}
    if unknown:
        raise InvalidInput(f"{sorted(unknown)[0]}: not a setting")
    if "timezone" in values and values["timezone"] not in available_timezones():
        raise InvalidInput(f"timezone: unknown time zone {values['timezone']!r}")
    if "grade_scale" in values and values["grade_scale"] not in ("buttons", "full"):
        raise InvalidInput("grade_scale: 'buttons' (Again/Hard/Good/Easy) or 'full' (0-5)")
    for name, (low, high) in SETTINGS_LIMITS.items():
        if name in values:
            try:
                values[name] = int(values[name])
            except (TypeError, ValueError):
                raise InvalidInput(f"{name}: a whole number") from None
            if not low <= values[name] <= high:
                raise InvalidInput(f"{name}: between {low} and {high}")
    if "suspend_leeches" in values:  # a checkbox: "on" when ticked, absent or "" when not
        values["suspend_leeches"] = values["suspend_leeches"] in (True, "on", "1", "true")
    for name, value in values.items():
        setattr(user, name, value)
    user.save()
    return user
