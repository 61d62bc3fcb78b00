"""Retention: the share of applied review answers graded q >= 3, young and mature, per deck."""
from __future__ import annotations

from dataclasses import dataclass

from quizzer.services.stats.scope import StatsScope
from quizzer.srs import MATURE_DAYS
from quizzer.store.decks import deck_titles
from quizzer.store.stats import retention_sums

PERIODS = (7, 30, 365)


@dataclass(frozen=True)
class Rate:
    passed: int
    total: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.passed / self.total, 1) if self.total else None

    def as_json(self) -> dict:
        return {"passed": self.passed, "total": self.total, "percent": self.percent}


@dataclass(frozen=True)
class RetentionRow:
    """One deck (or all of them: deck_id None): a Rate per period, young and mature."""

    deck_id: int | None
    title: str
    young: tuple[Rate, ...]
    mature: tuple[Rate, ...]

    def as_json(self) -> dict:
        return {"deck_id": self.deck_id, "title": self.title,
                "young": {str(p): r.as_json() for p, r in zip(PERIODS, self.young)},
                "mature": {str(p): r.as_json() for p, r in zip(PERIODS, self.mature)}}


@dataclass(frozen=True)
class Retention:
    total: RetentionRow
    decks: tuple[RetentionRow, ...]

    def as_json(self) -> dict:
        return {"periods": list(PERIODS), "mature_days": MATURE_DAYS, "total": self.total.as_json(),
                "decks": [row.as_json() for row in self.decks]}


def retention(scope: StatsScope) -> Retention:
    """Retention over the last 7, 30 and 365 study days: one aggregate per deck, and the deck titles.

    An answer counts when it set the card's schedule (applied) and the card had
    an interval before it (not new): young below MATURE_DAYS, mature from MATURE_DAYS on.
    """
    sums = retention_sums(scope.user_id, scope.deck_id, scope.today, PERIODS)
    titles = deck_titles(sums)
    decks = sorted((_row(deck_id, titles[deck_id], figures) for deck_id, figures in sums.items()),
                   key=lambda row: row.title)
    total = [sum(column) for column in zip(*sums.values())] or [0] * (4 * len(PERIODS))
    return Retention(_row(None, "All decks", total), tuple(decks))


def _row(deck_id: int | None, title: str, figures: list[int]) -> RetentionRow:
    """figures: per period, young answers, young passed, mature answers, mature passed."""
    quads = [figures[i:i + 4] for i in range(0, len(figures), 4)]
    return RetentionRow(deck_id, title, tuple(Rate(q[1], q[0]) for q in quads),
                        tuple(Rate(q[3], q[2]) for q in quads))
