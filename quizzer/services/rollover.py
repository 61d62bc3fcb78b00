"""The daily roll-over, per user at the start of their study day: snapshot, un-bury, leeches.

For each user whose study day has moved on since their last snapshot: record
the figures of the day that just ended (``DaySnapshot``), clear burials that
have run out, tag cards that lapsed ``leech_lapses`` times or more as leeches
and, if the user chose so, suspend the newly tagged ones; and drop the
before-states of answers undo can no longer reach. One transaction per user;
the unique (user, day) snapshot makes a repeat a no-op.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from quizzer.services.study import study_day_for
from quizzer.srs import MATURE_DAYS
from quizzer.store import rollover as store
from quizzer.store.db import IntegrityError, transaction
from quizzer.store.models import User
from quizzer.store.users import all_users


@dataclass
class RolloverReport:
    users: int = 0
    unburied: int = 0
    leeches: int = 0
    suspended: int = 0

    def summary(self) -> str:
        return (f"{self.users} user(s) rolled over: {self.unburied} card(s) un-buried, "
                f"{self.leeches} new leech(es), {self.suspended} suspended")


def roll_over(leech_lapses: int, now: datetime | None = None) -> RolloverReport:
    """Roll over every user whose study day ended since their last snapshot."""
    report = RolloverReport()
    last = store.last_snapshot_days()
    for user in all_users():
        today = study_day_for(user, now).day
        ended = today - timedelta(days=1)
        if last.get(user.id) is not None and last[user.id] >= ended:
            continue
        try:
            unburied, leeches, suspended = roll_over_user(user, ended, leech_lapses)
        except IntegrityError:  # another process wrote this day's snapshot first
            continue
        report.users += 1
        report.unburied += unburied
        report.leeches += leeches
        report.suspended += suspended
    return report


def roll_over_user(user: User, ended: date, leech_lapses: int) -> tuple[int, int, int]:
    """Snapshot ``ended`` and start the next day for one user: (un-buried, new leeches, suspended)."""
    today = ended + timedelta(days=1)
    with transaction():
        store.write_snapshot(user.id, ended, day_figures(user.id, ended))
        unburied = store.unbury(user.id, today)
        leeches, suspended = store.mark_leeches(user.id, leech_lapses, user.suspend_leeches)
        # Undo takes back today's answers only: earlier ones need not keep the card's state before them.
        store.drop_undo_states(user.id, today)
    return unburied, leeches, suspended


def day_figures(user_id: int, day: date) -> dict:
    """The snapshot's figures: the day's answers (from review_day) and the card states now."""
    return store.day_figures(user_id, day, MATURE_DAYS)
