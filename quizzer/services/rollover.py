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

import peewee as pw

from quizzer.services.stats.scope import as_date, star_count, sum_if
from quizzer.services.study import study_day_for
from quizzer.srs import MATURE_DAYS
from quizzer.store.db import database_proxy as db
from quizzer.store.models import CardState, ReviewLog, User
from quizzer.store.stats_models import DaySnapshot, ReviewDay


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
    last = dict(DaySnapshot.select(DaySnapshot.user, pw.fn.MAX(DaySnapshot.day)).group_by(DaySnapshot.user).tuples())
    for user in User.select():
        today = study_day_for(user, now).day
        ended = today - timedelta(days=1)
        if last.get(user.id) is not None and as_date(last[user.id]) >= ended:
            continue
        try:
            unburied, leeches, suspended = roll_over_user(user, ended, leech_lapses)
        except pw.IntegrityError:  # another process wrote this day's snapshot first
            continue
        report.users += 1
        report.unburied += unburied
        report.leeches += leeches
        report.suspended += suspended
    return report


def roll_over_user(user: User, ended: date, leech_lapses: int) -> tuple[int, int, int]:
    """Snapshot ``ended`` and start the next day for one user: (un-buried, new leeches, suspended)."""
    today = ended + timedelta(days=1)
    with db.atomic():
        DaySnapshot.create(user=user.id, day=ended, **day_figures(user.id, ended))
        mine = CardState.user == user.id
        unburied = CardState.update(buried_until=None).where(mine & (CardState.buried_until <= today)).execute()
        new_leech = mine & (CardState.lapses >= leech_lapses) & ~CardState.leech
        suspended = 0
        if user.suspend_leeches:
            suspended = CardState.update(suspended=True).where(new_leech & ~CardState.suspended).execute()
        leeches = CardState.update(leech=True).where(new_leech).execute()
        # Undo takes back today's answers only: earlier ones need not keep the card's state before them.
        (ReviewLog.update(state_before=None)
         .where((ReviewLog.user == user.id) & (ReviewLog.day < today) & ReviewLog.state_before.is_null(False))
         .execute())
    return unburied, leeches, suspended


def day_figures(user_id: int, day: date) -> dict:
    """The snapshot's figures: the day's answers (from review_day) and the card states now."""
    answers = (ReviewDay.select(pw.fn.SUM(ReviewDay.answers), pw.fn.SUM(ReviewDay.new_answers),
                                pw.fn.SUM(ReviewDay.reviews), pw.fn.SUM(ReviewDay.passed),
                                pw.fn.SUM(ReviewDay.time_ms))
               .where((ReviewDay.user == user_id) & (ReviewDay.day == day)).tuples().get())
    due_next_day = (CardState.due <= day + timedelta(days=1)) & ~CardState.suspended
    cards = (CardState.select(star_count(), sum_if(CardState.interval >= MATURE_DAYS, 1), sum_if(due_next_day, 1),
                              sum_if(CardState.leech, 1), sum_if(CardState.suspended, 1))
             .where((CardState.user == user_id) & ~CardState.retired).tuples().get())
    names = ("answers", "new_cards", "reviews", "passed", "time_ms",
             "cards_studied", "mature_cards", "due_next_day", "leeches", "suspended")
    return {name: int(value or 0) for name, value in zip(names, (*answers, *cards))}
