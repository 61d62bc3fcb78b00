"""The stats page's aggregates, each one query over one user's figures, all decks (``deck_id`` None)
or one: ``review_day`` (the review log rolled up per study day and deck by triggers) and the card
states (retired cards left out)."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import peewee as pw

from quizzer.store.db import database_proxy, is_sqlite
from quizzer.store.models import CardState
from quizzer.store.stats_models import ReviewDay


def _review_days(user_id: int, deck_id: int | None, *columns):
    query = ReviewDay.select(*columns).where(ReviewDay.user == user_id)
    return query if deck_id is None else query.where(ReviewDay.deck == deck_id)


def _states(user_id: int, deck_id: int | None, *columns):
    query = CardState.select(*columns).where((CardState.user == user_id)
                                             & (CardState.retired == False))  # noqa: E712 (index equality)
    return query if deck_id is None else query.where(CardState.deck == deck_id)


def star_count() -> pw.Expression:
    return pw.fn.COUNT(pw.SQL("*"))


def sum_if(condition, value) -> pw.Expression:
    """SUM(CASE WHEN condition THEN value ELSE 0 END)."""
    return pw.fn.SUM(pw.Case(None, [(condition, value)], 0))


def _day_number(value) -> pw.Expression:
    """A date as a whole number of days, so that consecutive days differ by 1."""
    if is_sqlite(database_proxy.obj):
        return pw.fn.julianday(value)
    return pw.NodeList((value, pw.SQL("- DATE '2000-01-01'")), parens=True)


def as_date(value) -> date:
    """A date from a query column (SQLite hands back text where peewee cannot convert)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def answers_by_day(user_id: int, deck_id: int | None, start: date, end: date) -> dict[date, int]:
    """Answers per study day from ``start`` to ``end`` (days without any left out)."""
    query = (_review_days(user_id, deck_id, ReviewDay.day, pw.fn.SUM(ReviewDay.answers))
             .where((ReviewDay.day >= start) & (ReviewDay.day <= end)).group_by(ReviewDay.day).tuples())
    return {as_date(day): int(n) for day, n in query}


def study_runs(user_id: int, deck_id: int | None, until: date) -> dict[date, int]:
    """Runs of consecutive study days with answers up to ``until``: last day -> length.

    A review_day row exists only for a day with answers. Days numbered in order differ from their
    day number by a constant within a run, so grouping by that difference yields the runs."""
    days = (_review_days(user_id, deck_id, ReviewDay.day.alias("day"), (
        _day_number(ReviewDay.day) - pw.fn.ROW_NUMBER().over(order_by=[ReviewDay.day])).alias("run"))
        .where(ReviewDay.day <= until).group_by(ReviewDay.day).alias("days"))
    runs = (pw.Select([days], [pw.fn.MAX(days.c.day), pw.fn.COUNT(pw.SQL("*"))])
            .group_by(days.c.run).bind(ReviewDay._meta.database).tuples())
    return {as_date(last): length for last, length in runs}


def answers_by_age(user_id: int, deck_id: int | None, start: date,
                   end: date) -> dict[date, tuple[int, int, int, int]]:
    """Per study day from ``start`` to ``end``: answers to new, young and mature cards, and the
    milliseconds spent answering (days without any left out)."""
    query = (_review_days(user_id, deck_id, ReviewDay.day, pw.fn.SUM(ReviewDay.new_answers),
                          pw.fn.SUM(ReviewDay.young_answers), pw.fn.SUM(ReviewDay.mature_answers),
                          pw.fn.SUM(ReviewDay.time_ms))
             .where((ReviewDay.day >= start) & (ReviewDay.day <= end)).group_by(ReviewDay.day).tuples())
    return {as_date(day): (int(new), int(young), int(mature), int(ms)) for day, new, young, mature, ms in query}


def due_by_day(user_id: int, deck_id: int | None, end: date) -> dict[date, int]:
    """Unsuspended cards per due date up to ``end`` (overdue ones included)."""
    query = (_states(user_id, deck_id, CardState.due, star_count())
             .where((CardState.suspended == False) & (CardState.due <= end))  # noqa: E712
             .group_by(CardState.due).tuples())
    return {as_date(due): n for due, n in query}


def _bucketed(user_id: int, deck_id: int | None, column: pw.Field, bucket) -> dict[int, int]:
    """{bucket: cards} for the cards in review (interval > 0, suspended ones included): COUNT per value
    of ``column`` in index order, then SUM per ``bucket(value)`` over those few rows."""
    per_value = (_states(user_id, deck_id, column.alias("value"), star_count().alias("cards"))
                 .where(CardState.interval > 0).group_by(column).alias("per_value"))
    query = (pw.Select([per_value], [bucket(per_value.c.value), pw.fn.SUM(per_value.c.cards)])
             .group_by(pw.SQL("1")).bind(CardState._meta.database).tuples())
    return {int(b): int(n) for b, n in query}


def cards_by_interval(user_id: int, deck_id: int | None, lows: Sequence[int]) -> dict[int, int]:
    """Cards in review per interval bucket: bucket i holds intervals from ``lows[i]`` below ``lows[i + 1]``."""
    return _bucketed(user_id, deck_id, CardState.interval, lambda v: pw.Case(None, [
        (v < low, i - 1) for i, low in enumerate(lows) if i], len(lows) - 1))


def cards_by_easiness(user_id: int, deck_id: int | None, high: int) -> dict[int, int]:
    """Cards in review per tenth of easiness (easiness x 10, rounded down); ``high`` holds it and above."""
    return _bucketed(user_id, deck_id, CardState.easiness_x100,
                     lambda v: pw.Case(None, [(v >= high * 10, high)], v / 10))


def retention_sums(user_id: int, deck_id: int | None, today: date, periods: Sequence[int]) -> dict[int, list[int]]:
    """Per deck, for each of the last ``periods`` study days: young answers, young passed, mature
    answers, mature passed (applied answers to cards that had an interval)."""
    columns = []
    for days in periods:
        since = ReviewDay.day >= today - timedelta(days=days - 1)
        columns += [sum_if(since, ReviewDay.reviews - ReviewDay.mature_reviews),
                    sum_if(since, ReviewDay.passed - ReviewDay.mature_passed),
                    sum_if(since, ReviewDay.mature_reviews), sum_if(since, ReviewDay.mature_passed)]
    query = (_review_days(user_id, deck_id, ReviewDay.deck, *columns)
             .where((ReviewDay.day > today - timedelta(days=periods[-1])) & (ReviewDay.day <= today))
             .group_by(ReviewDay.deck).tuples())
    return {deck: [int(n) for n in figures] for deck, *figures in query}

