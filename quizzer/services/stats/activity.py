"""Review activity: the year heatmap with streaks, and the last 30 days by card maturity.

Both read ``review_day`` (the review log rolled up per study day and deck by
database triggers), so a year of activity is a few thousand rows, not a year
of answers.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from quizzer.services.stats.scope import StatsScope, day_range
from quizzer.store import stats as store

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
    by_day = store.answers_by_day(scope.user_id, scope.deck_id, start, scope.today)
    counts = tuple(by_day.get(d, 0) for d in day_range(start, (scope.today - start).days + 1))
    current, longest = streaks(scope)
    return Heatmap(start, counts, current, longest)


def streaks(scope: StatsScope) -> tuple[int, int]:
    """(current, longest) runs of consecutive study days with at least one answer, over all history.
    The current run ends today, or yesterday while today has no answer yet."""
    lengths = store.study_runs(scope.user_id, scope.deck_id, scope.today)
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
    by_day = {day: (new, young, mature, round(ms / 1000)) for day, (new, young, mature, ms)
              in store.answers_by_age(scope.user_id, scope.deck_id, start, scope.today).items()}
    columns = zip(*(by_day.get(d, (0, 0, 0, 0)) for d in day_range(start, RECENT_DAYS)))
    return RecentDays(start, *(tuple(c) for c in columns))
