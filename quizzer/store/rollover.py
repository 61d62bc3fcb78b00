"""The daily roll-over's reads and writes (services.rollover decides who and when)."""
from __future__ import annotations

from datetime import date, timedelta

import peewee as pw

from quizzer.store.models import CardState, ReviewLog
from quizzer.store.stats import as_date, star_count, sum_if
from quizzer.store.stats_models import DaySnapshot, ReviewDay

_FIGURES = ("answers", "new_cards", "reviews", "passed", "time_ms",
            "cards_studied", "mature_cards", "due_next_day", "leeches", "suspended")


def last_snapshot_days() -> dict[int, date]:
    """User id -> the day of their latest snapshot, for users with one."""
    rows = DaySnapshot.select(DaySnapshot.user, pw.fn.MAX(DaySnapshot.day)).group_by(DaySnapshot.user).tuples()
    return {user_id: as_date(day) for user_id, day in rows if day is not None}


def day_figures(user_id: int, day: date, mature_days: int) -> dict:
    """A snapshot's figures: the day's answers (from review_day) and the card states now (mature from
    an interval of ``mature_days``)."""
    answers = (ReviewDay.select(pw.fn.SUM(ReviewDay.answers), pw.fn.SUM(ReviewDay.new_answers),
                                pw.fn.SUM(ReviewDay.reviews), pw.fn.SUM(ReviewDay.passed),
                                pw.fn.SUM(ReviewDay.time_ms))
               .where((ReviewDay.user == user_id) & (ReviewDay.day == day)).tuples().get())
    due_next_day = (CardState.due <= day + timedelta(days=1)) & ~CardState.suspended
    cards = (CardState.select(star_count(), sum_if(CardState.interval >= mature_days, 1), sum_if(due_next_day, 1),
                              sum_if(CardState.leech, 1), sum_if(CardState.suspended, 1))
             .where((CardState.user == user_id) & ~CardState.retired).tuples().get())
    return {name: int(value or 0) for name, value in zip(_FIGURES, (*answers, *cards))}


def write_snapshot(user_id: int, day: date, figures: dict) -> None:
    """The user's snapshot of ``day``; IntegrityError if there is one already."""
    DaySnapshot.create(user=user_id, day=day, **figures)


def unbury(user_id: int, today: date) -> int:
    """Clear the user's burials that end by ``today``; how many."""
    mine = CardState.user == user_id
    return CardState.update(buried_until=None).where(mine & (CardState.buried_until <= today)).execute()


def mark_leeches(user_id: int, leech_lapses: int, suspend: bool) -> tuple[int, int]:
    """Tag the user's cards that lapsed ``leech_lapses`` times or more and are not leeches yet, and with
    ``suspend`` suspend them first; (new leeches, suspended)."""
    new_leech = (CardState.user == user_id) & (CardState.lapses >= leech_lapses) & ~CardState.leech
    suspended = 0
    if suspend:
        suspended = CardState.update(suspended=True).where(new_leech & ~CardState.suspended).execute()
    return CardState.update(leech=True).where(new_leech).execute(), suspended


def drop_undo_states(user_id: int, before: date) -> None:
    """Forget the card state before each of the user's answers of days before ``before``."""
    (ReviewLog.update(state_before=None)
     .where((ReviewLog.user == user_id) & (ReviewLog.day < before) & ReviewLog.state_before.is_null(False))
     .execute())
