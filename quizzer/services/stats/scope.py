"""What a stats figure covers (one user, all their decks or one, on their study day) and SQL helpers."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import peewee as pw

from quizzer.services.study import get_visible_deck, study_day_for
from quizzer.store.db import database_proxy as db
from quizzer.store.db import is_sqlite
from quizzer.store.models import CardState, User
from quizzer.store.stats_models import ReviewDay


@dataclass(frozen=True)
class StatsScope:
    """One user's figures over all decks (deck_id None) or one deck they can see, as of ``today``."""

    user_id: int
    deck_id: int | None
    today: date

    def review_days(self, *columns) -> pw.ModelSelect:
        """A query over this scope's review log rolled up per (study day, deck)."""
        query = ReviewDay.select(*columns).where(ReviewDay.user == self.user_id)
        return query if self.deck_id is None else query.where(ReviewDay.deck == self.deck_id)

    def states(self, *columns) -> pw.ModelSelect:
        """A query over this scope's card states, retired cards left out."""
        query = CardState.select(*columns).where((CardState.user == self.user_id)
                                                 & (CardState.retired == False))  # noqa: E712 (index equality)
        return query if self.deck_id is None else query.where(CardState.deck == self.deck_id)


def stats_scope(user: User, deck_id: int | None = None, now: datetime | None = None) -> StatsScope:
    """The scope for ``user`` today; NotFound if ``deck_id`` is not a deck they can see."""
    if deck_id is not None:
        get_visible_deck(user, deck_id)
    return StatsScope(user.id, deck_id, study_day_for(user, now).day)


def star_count() -> pw.Expression:
    return pw.fn.COUNT(pw.SQL("*"))


def sum_if(condition, value) -> pw.Expression:
    """SUM(CASE WHEN condition THEN value ELSE 0 END)."""
    return pw.fn.SUM(pw.Case(None, [(condition, value)], 0))


def day_number(value) -> pw.Expression:
    """A date as a whole number of days, so that consecutive days differ by 1."""
    if is_sqlite(db.obj):
        return pw.fn.julianday(value)
    return pw.NodeList((value, pw.SQL("- DATE '2000-01-01'")), parens=True)


def as_date(value) -> date:
    """A date from a query column (SQLite hands back text where peewee cannot convert)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def day_range(start: date, count: int) -> list[date]:
    return [start + timedelta(days=i) for i in range(count)]
