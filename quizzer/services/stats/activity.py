"""Review activity: the year heatmap with streaks, and the last 30 days by card maturity.

Both read ``review_day`` (the review log rolled up per study day and deck by
database triggers), so a year of activity is a few thousand rows, not a year
of answers.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import peewee as pw

from quizzer.services.stats.scope import StatsScope, as_date, day_number, day_range
from quizzer.store.stats_models import ReviewDay

HEATMAP_WEEKS = 53
RECENT_DAYS = 30


@dataclass(frozen=True)
class Heatmap:
    """Answers per study day from ``start`` (a Monday) to today, and the study streaks."""

    start: date
    counts: tuple[int, ...]
    current_streak: int
    longest_streak: int

    @property
    def days(self) -> list[date]:
        return day_range(self.start, len(self.counts))

    def as_json(self) -> dict:
        return {"start": self.start.isoformat(), "end": self.days[-1].isoformat(), "total": sum(self.counts),
                "current_streak": self.current_streak, "longest_streak": self.longest_streak,
                "days": [{"day": d.isoformat(), "answers": n} for d, n in zip(self.days, self.counts)]}


def heatmap_start(today: date) -> date:
    """The Monday that starts the first of the heatmap's 53 week columns."""
    return today - timedelta(days=today.weekday() + 7 * (HEATMAP_WEEKS - 1))


def heatmap(scope: StatsScope) -> Heatmap:
    """Answers per study day over the last 53 weeks (one query) and the streaks (one more)."""
    start = heatmap_start(scope.today)
    query = (scope.review_days(ReviewDay.day, pw.fn.SUM(ReviewDay.answers))
             .where((ReviewDay.day >= start) & (ReviewDay.day <= scope.today))
             .group_by(ReviewDay.day).tuples())
    by_day = {as_date(day): int(n) for day, n in query}
    counts = tuple(by_day.get(d, 0) for d in day_range(start, (scope.today - start).days + 1))
    current, longest = streaks(scope)
    return Heatmap(start, counts, current, longest)


def streaks(scope: StatsScope) -> tuple[int, int]:
    """(current, longest) runs of consecutive study days with at least one answer, over all history.

    A review_day row exists only for a day with answers. Days numbered in order
    differ from their day number by a constant within a run, so grouping by
    that difference yields the runs. The current run ends
    today, or yesterday while today has no answer yet.
    """
    days = (scope.review_days(ReviewDay.day.alias("day"), (day_number(ReviewDay.day) - pw.fn.ROW_NUMBER().over(
        order_by=[ReviewDay.day])).alias("run"))
        .where(ReviewDay.day <= scope.today).group_by(ReviewDay.day).alias("days"))
    runs = (pw.Select([days], [pw.fn.MAX(days.c.day), pw.fn.COUNT(pw.SQL("*"))])
            .group_by(days.c.run).bind(ReviewDay._meta.database).tuples())
    lengths = {as_date(last): length for last, length in runs}
    current = lengths.get(scope.today) or lengths.get(scope.today - timedelta(days=1), 0)
    return current, max(lengths.values(), default=0)


@dataclass(frozen=True)
class RecentDays:
    """Answers per study day over the last 30 days by what the card was before (new, young,
    mature), and the time spent answering."""

    start: date
    new: tuple[int, ...]
    young: tuple[int, ...]
    mature: tuple[int, ...]
    seconds: tuple[int, ...]

    @property
    def days(self) -> list[date]:
        return day_range(self.start, len(self.new))

    @property
    def minutes(self) -> tuple[float, ...]:
        return tuple(round(s / 60, 2) for s in self.seconds)  # two places: a quarter minute is 0.25

    def as_json(self) -> dict:
        return {"start": self.start.isoformat(), "end": self.days[-1].isoformat(),
                "days": [{"day": d.isoformat(), "new": n, "young": y, "mature": m, "minutes": minutes}
                         for d, n, y, m, minutes in zip(self.days, self.new, self.young, self.mature,
                                                        self.minutes)]}


def recent_days(scope: StatsScope) -> RecentDays:
    """One aggregate over the last 30 study days.

    A card is new when it had no interval before the answer, young below
    MATURE_DAYS, mature from MATURE_DAYS on (a same-day repeat of a failed card counts as
    young: its interval is then 1 day).
    """
    start = scope.today - timedelta(days=RECENT_DAYS - 1)
    query = (scope.review_days(ReviewDay.day, pw.fn.SUM(ReviewDay.new_answers), pw.fn.SUM(ReviewDay.young_answers),
                               pw.fn.SUM(ReviewDay.mature_answers), pw.fn.SUM(ReviewDay.time_ms))
             .where((ReviewDay.day >= start) & (ReviewDay.day <= scope.today))
             .group_by(ReviewDay.day).tuples())
    by_day = {as_date(day): (int(new), int(young), int(mature), round(int(ms) / 1000))
              for day, new, young, mature, ms in query}
    columns = zip(*(by_day.get(d, (0, 0, 0, 0)) for d in day_range(start, RECENT_DAYS)))
    return RecentDays(start, *(tuple(c) for c in columns))
