"""Accounts: creation, authentication, settings. Password rules and hashes: services.passwords."""
from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime

from quizzer.services import passwords, rate_limits
from quizzer.services.errors import Conflict, InvalidInput, NotFound
from quizzer.services.numbers import parse_whole
from quizzer.srs import NEW_ORDERS, OPTION_LIMITS, rule_change, user_timezones
from quizzer.srs.day import DayRuleChange
from quizzer.store import users as store
from quizzer.store.db import IntegrityError, transaction
from quizzer.store.models import User, username_key

USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,31}$")
USERNAME_RULE = "2-32 letters, digits, '.', '_' or '-', starting with a letter or digit"


def check_username(username) -> str:
    """The name, stripped and NFKC-normalised (fullwidth letters become ASCII); InvalidInput
    unless it follows the username rule."""
    name = unicodedata.normalize("NFKC", username).strip() if isinstance(username, str) else ""
    if not USERNAME_RE.fullmatch(name):
        raise InvalidInput(f"username: {USERNAME_RULE}")
    return name


def create_user(username: str, password: str, *, is_admin: bool = False) -> User:
    """Create an account; InvalidInput for a bad name or password, Conflict when taken."""
    username = check_username(username)
    passwords.check_strength(password, username)
    password_hash = passwords.hash_password(password)
    try:
        with transaction():
            return store.create_user({"username": username, "password_hash": password_hash, "is_admin": is_admin})
    except IntegrityError:  # this name, or one that differs only in case or width
        raise Conflict(f"username {username!r} is taken") from None


def sign_up(username: str, password: str, address: str, now: datetime) -> User:
    """create_user for a visitor: every attempt counts against the client address (RateLimited)."""
    rate_limits.attempt(rate_limits.signup_counters(address), address, now)
    return create_user(username, password)


def log_in(username: str, password: str, address: str, now: datetime) -> User | None:
    """authenticate, counted per account named and per address; RateLimited while either must wait.

    The attempt is counted before the password is checked and in its own transaction, so
    guesses sent in parallel are limited too; a success undoes it (services.rate_limits)."""
    # One counter per account however its name is spelt ("ALICE", fullwidth): the name's key.
    counters = rate_limits.password_guess_counters(username_key((username or "").strip()), address)
    rate_limits.attempt(counters, address, now)
    user = authenticate(username, password)
    if user is not None:
        rate_limits.succeeded(counters, address, now)
    return user


def signed_in_user(user_id: int) -> User | None:
    """The account a session cookie names, if it still exists (every signed-in request asks)."""
    return store.find_user_by_id(user_id)


def find_user(username: str) -> User | None:
    """The account of this exact name, else the one whose name is the same after NFKC and case
    folding ("ALICE" finds "alice"). Two accounts that collided before names were compared so
    are each found by their exact name."""
    return store.find_user_by_name((username or "").strip())


def authenticate(username: str, password: str) -> User | None:
    """The account if the password matches; an older (scrypt) hash is replaced by argon2id then."""
    user = find_user(username)
    if user is None:
        passwords.verify(passwords.dummy_hash(), password)
        return None
    if not passwords.verify(user.password_hash, password):
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
        store.set_password_hash(user.id, user.password_hash)
    return user


def get_user(username: str) -> User:
    user = find_user(username)
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user


def change_password(user: User, old: str, new: str, *, address: str, now: datetime) -> None:
    """Replace the password; the current one is a password guess, limited like a login."""
    passwords.check_strength(new, user.username)
    counters = rate_limits.password_guess_counters(username_key(user.username), address)
    rate_limits.attempt(counters, address, now)
    if not passwords.verify(user.password_hash, old):
        raise InvalidInput("current password: does not match")
    rate_limits.succeeded(counters, address, now)
    user.password_hash = passwords.hash_password(new)
    user.session_version += 1
    store.save_user(user)


def end_sessions(user: User) -> None:
    """Invalidate every session cookie issued to the user so far."""
    store.bump_session_version(user.id)


SETTINGS_LIMITS = {"rollover_hour": (0, 23), **OPTION_LIMITS}
_CHECKBOXES = ("suspend_leeches", "typed_answers", "bury_siblings")


def update_settings(user: User, now: datetime | None = None, **values) -> User:
    """Validate and save study settings; InvalidInput names the field.

    A new time zone or roll-over hour changed at ``now`` takes effect at the end of the current
    study day (the day would otherwise jump mid-session: answers counted twice, or not at all);
    without ``now`` (a new account) it applies at once."""
    values = check_settings(values)
    if now is not None:
        _schedule_day_rule(user, values.get("timezone", user.timezone),
                           values.get("rollover_hour", user.rollover_hour), now)
    for name, value in values.items():
        setattr(user, name, value)
    store.save_user(user)
    return user


def day_rule_change(user: User) -> DayRuleChange | None:
    """The user's last time zone or roll-over change, if one was made (see srs.study_day_span)."""
    if user.day_rule_at is None:
        return None
    return DayRuleChange(user.day_rule_at.replace(tzinfo=UTC), user.day_rule_first_day,
                         user.previous_timezone, user.previous_rollover_hour)


def pending_day_rule(user: User, now: datetime) -> DayRuleChange | None:
    """The user's time zone or roll-over change if it has yet to take effect at ``now``."""
    change = day_rule_change(user)
    return change if change is not None and now < change.at else None


def _schedule_day_rule(user: User, tz: str, hour: int, now: datetime) -> None:
    """Keep the rule in force until the current study day ends; a change back before then is none."""
    if (tz, hour) == (user.timezone, user.rollover_hour):
        return
    pending = pending_day_rule(user, now)
    if pending is not None:  # an earlier change still waits: it keeps its hour
        if (tz, hour) == (pending.old_tz, pending.old_rollover_hour):
            user.day_rule_at = user.day_rule_first_day = user.previous_timezone = user.previous_rollover_hour = None
        return
    change = rule_change(now, user.timezone, user.rollover_hour)
    user.previous_timezone, user.previous_rollover_hour = change.old_tz, change.old_rollover_hour
    user.day_rule_at, user.day_rule_first_day = change.at.astimezone(UTC).replace(tzinfo=None), change.first_day


def check_settings(values: dict) -> dict:
    """Study settings as stored, from form text or JSON values; InvalidInput names the first bad one."""
    values = dict(values)
    unknown = set(values) - {"timezone", "grade_scale", "new_order", *_CHECKBOXES, *SETTINGS_LIMITS}
    if unknown:
        raise InvalidInput(f"{sorted(unknown)[0]}: not a setting")
    if "timezone" in values and (not isinstance(values["timezone"], str)
                                 or values["timezone"] not in user_timezones()):
        raise InvalidInput(f"timezone: unknown time zone {str(values['timezone'])[:70]!r}")
    if "grade_scale" in values and values["grade_scale"] not in ("buttons", "full"):
        raise InvalidInput("grade_scale: 'buttons' (Again/Hard/Good/Easy) or 'full' (0-5)")
    if "new_order" in values:
        values["new_order"] = check_new_order(values["new_order"])
    for name, (low, high) in SETTINGS_LIMITS.items():
        if name in values:
            values[name] = whole_number(name, values[name], low, high)
    for checkbox in _CHECKBOXES:  # "on" when ticked, absent or "" when not
        if checkbox in values:
            values[checkbox] = is_ticked(values[checkbox])
    return values


def whole_number(name: str, raw, low: int, high: int) -> int:
    """A whole number from form text or JSON in low..high; InvalidInput names the field."""
    value = parse_whole(raw, signed=True)
    if value is None:
        raise InvalidInput(f"{name}: a whole number")
    if not low <= value <= high:
        raise InvalidInput(f"{name}: between {low} and {high}")
    return value


def check_new_order(raw) -> str:
    if raw not in NEW_ORDERS:
        raise InvalidInput(f"new_order: one of {', '.join(NEW_ORDERS)}")
    return raw


def is_ticked(raw) -> bool:
    return raw in (True, "on", "1", "true")
