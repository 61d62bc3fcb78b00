"""What a stats figure covers (one user, all their decks or one, on their study day)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from quizzer.services.study import get_visible_deck, study_day_for
from quizzer.store.models import User


@dataclass(frozen=True)
class StatsScope:
    """One user's figures over all decks (deck_id None) or one deck they can see, as of ``today``."""

    user_id: int
    deck_id: int | None
    today: date


def stats_scope(user: User, deck_id: int | None = None, now: datetime | None = None) -> StatsScope:
    """The scope for ``user`` today; NotFound if ``deck_id`` is not a deck they can see."""
    if deck_id is not None:
        get_visible_deck(user, deck_id)
    return StatsScope(user.id, deck_id, study_day_for(user, now).day)


def day_range(start: date, count: int) -> list[date]:
    return [start + timedelta(days=i) for i in range(count)]
