"""Card-state figures: cards due each of the next 30 days, interval and easiness distributions."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from quizzer.services.stats.scope import StatsScope, day_range
from quizzer.srs import MATURE_DAYS
from quizzer.store import stats as store

FORECAST_DAYS = 30
# (label, lowest interval in days); each bucket runs up to the next one's lowest.
INTERVAL_BUCKETS = (("1 d", 1), ("2–3 d", 2), ("4–7 d", 4), ("1–2 wk", 8), ("15–20 d", 15), ("3–4 wk", 21),
                    ("1–3 mo", 31), ("3–6 mo", 91), ("6–12 mo", 181), ("1 y+", 366))
EASE_LOW, EASE_HIGH = 13, 30  # easiness buckets of 0.1 from 1.3; the last one holds 3.0 and above


@dataclass(frozen=True)
class Forecast:
    """Cards falling due on each of the next 30 study days; the first day includes the overdue ones."""

    start: date
    counts: tuple[int, ...]
    overdue: int

    @property
    def days(self) -> list[date]:
        return day_range(self.start, len(self.counts))

    def as_json(self) -> dict:
        return {"start": self.start.isoformat(), "overdue": self.overdue,
                "days": [{"day": d.isoformat(), "due": n} for d, n in zip(self.days, self.counts)]}


def forecast(scope: StatsScope) -> Forecast:
    """One aggregate over the card states (suspended and retired cards left out), grouped by due date."""
    end = scope.today + timedelta(days=FORECAST_DAYS - 1)
    by_day = store.due_by_day(scope.user_id, scope.deck_id, end)
    overdue = sum(n for day, n in by_day.items() if day < scope.today)
    counts = [by_day.get(d, 0) for d in day_range(scope.today, FORECAST_DAYS)]
    counts[0] += overdue
    return Forecast(scope.today, tuple(counts), overdue)


@dataclass(frozen=True)
class Distribution:
    """How many cards fall in each bucket."""

    title: str
    labels: tuple[str, ...]
    counts: tuple[int, ...]

    def as_json(self) -> dict:
        return {"title": self.title, "total": sum(self.counts),
                "buckets": [{"label": label, "cards": n} for label, n in zip(self.labels, self.counts)]}


@dataclass(frozen=True)
class CardDistributions:
    intervals: Distribution
    easiness: Distribution

    @property
    def mature(self) -> int:
        return sum(n for (_, low), n in zip(INTERVAL_BUCKETS, self.intervals.counts) if low >= MATURE_DAYS)


def card_distributions(scope: StatsScope) -> CardDistributions:
    """Intervals and easiness of the cards in review (suspended ones included): one aggregate each."""
    intervals = store.cards_by_interval(scope.user_id, scope.deck_id, [low for _, low in INTERVAL_BUCKETS])
    easiness = store.cards_by_easiness(scope.user_id, scope.deck_id, EASE_HIGH)
    ease_labels = tuple(f"{b / 10:.1f}" for b in range(EASE_LOW, EASE_HIGH)) + (f"{EASE_HIGH / 10:.1f}+",)
    return CardDistributions(
        Distribution("Intervals", tuple(label for label, _ in INTERVAL_BUCKETS),
                     tuple(intervals.get(b, 0) for b in range(len(INTERVAL_BUCKETS)))),
        Distribution("Easiness", ease_labels, tuple(easiness.get(b, 0) for b in range(EASE_LOW, EASE_HIGH + 1))))

