"""Repair account settings that restored backups stored unchecked.

Before backups were checked field by field, a restore could store a time zone that does not exist
(``Nowhere/Nope``), a roll-over hour of 99 or a negative daily limit, and that account's pages then
answered 500. Each such value is set back to the default, with a warning naming the account and
the value (logger ``quizzer.migrations``, on stderr). Valid values are not touched.
"""
import logging
from zoneinfo import available_timezones

import peewee as pw

log = logging.getLogger("quizzer.migrations")
# Frozen copies, at this revision, of the rules in services/users.py and the columns' defaults.
_NOT_TIMEZONES = {"localtime", "Factory", "posixrules"}
_RANGES = {"rollover_hour": (0, 23, 4), "new_per_day": (0, 9999, 20), "reviews_per_day": (0, 99999, 200)}


def _repairs(row: dict, timezones: set[str]) -> dict:
    fixed = {}
    if row["timezone"] not in timezones:
        fixed["timezone"] = "UTC"
    for name, (low, high, default) in _RANGES.items():
        if not low <= row[name] <= high:
            fixed[name] = default
    if row["grade_scale"] not in ("buttons", "full"):
        fixed["grade_scale"] = "buttons"
    return fixed


def upgrade(db, migrator):
    users = pw.Table("user", ("id", "username", "timezone", "grade_scale", *_RANGES)).bind(db)
    timezones = available_timezones() - _NOT_TIMEZONES
    for row in users.select().order_by(users.id).dicts():
        fixed = _repairs(row, timezones)
        if fixed:
            log.warning("account %r: %s reset to the default", row["username"],
                        ", ".join(f"{name} {row[name]!r}" for name in fixed))
            users.update(**fixed).where(users.id == row["id"]).execute()
