"""The user's study day, the decks they can see, and what is due in them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import peewee as pw

from quizzer.services.errors import NotFound
from quizzer.services.users import day_rule_change
from quizzer.srs import study_day_span
from quizzer.store.models import CardState, Deck, ReviewLog, User
from quizzer.store.prepared import DATE, DATETIME, INT, Prepared


@dataclass(frozen=True)
class StudyDay:
    """The user's local study day and the instant (naive UTC) it began."""

    day: date
    now: datetime
    starts_at: datetime


def study_day_for(user: User, now: datetime | None = None) -> StudyDay:
    now = now or datetime.now(UTC)
    day, starts = study_day_span(now, user.timezone, user.rollover_hour, day_rule_change(user))
    # In UTC: callers store ``now`` as a naive UTC timestamp.
    return StudyDay(day, now.astimezone(UTC), starts.astimezone(UTC).replace(tzinfo=None))


def visible_decks(user: User):
    """Shared decks and the user's own, in study order (shared first, then by title)."""
    return _visible(user.id)


def _visible(user, *columns):
    return (Deck.select(*columns).where(Deck.owner.is_null() | (Deck.owner == user))
            .order_by(Deck.owner.is_null(False), Deck.title, Deck.id))


_VISIBLE_DECK_ROWS = Prepared(lambda user: _visible(user), user=INT)
_VISIBLE_DECK_IDS = Prepared(lambda user: _visible(user, Deck.id).tuples(), user=INT)


def visible_deck_ids(user: User) -> list[int]:
    """Ids of the decks the user studies, in study order."""
    return [deck_id for (deck_id,) in _VISIBLE_DECK_IDS.rows(user=user.id)]


def get_visible_deck(user: User, deck_id: int) -> Deck:
    deck = visible_decks(user).where(Deck.id == deck_id).first()
    if deck is None:
        raise NotFound(f"no deck {deck_id}")
    return deck


def visible_deck_by_slug(user: User, slug: str) -> Deck:
    """The user's own deck with that slug, else the shared one."""
    deck = (visible_decks(user).where(Deck.slug == slug)
            .order_by(Deck.owner.is_null()).first())
    if deck is None:
        raise NotFound(f"no deck {slug!r}")
    return deck


@dataclass(frozen=True)
class DailyProgress:
    """What the user did today: answers that set a schedule, and new cards started."""

    reviewed: int
    new_started: int


_PROGRESS = Prepared(lambda user, since, day: (
    ReviewLog.select(
        pw.fn.COUNT(ReviewLog.id),
        CardState.select(pw.fn.COUNT(CardState.id))
        .where((CardState.user == user) & (CardState.first_review_day == day)))
    .where((ReviewLog.user == user) & ReviewLog.applied & (ReviewLog.reviewed_at >= since)).tuples()),
    user=INT, since=DATETIME, day=DATE)


def daily_progress(user: User, today: StudyDay) -> DailyProgress:
    reviewed, new_started = _PROGRESS.first(user=user.id, since=today.starts_at, day=today.day)
    return DailyProgress(reviewed, new_started)


def is_due(day: date):
    """A review due on ``day``. A card never answered is new even with a state row
    (suspending or burying a new card makes one), so it stays under the new-card limit."""
    return ((CardState.due <= day) & (CardState.reviews > 0) & ~CardState.suspended
            & (CardState.buried_until.is_null() | (CardState.buried_until <= day)))


def is_not_new(day: date):
    """States that keep a card out of the new cards on ``day``: answered, suspended or buried."""
    return (CardState.reviews > 0) | CardState.suspended | (CardState.buried_until > day)


# The counts per deck, without evaluating an expression per card state (that cost ~35 ms over
# 60,000 states). The answered, active states are two range counts in card_state_review_counts:
# due <= day, due > day. The few suspended or buried states (card_state_held) correct them:
#   due = answered active with due <= day, less those buried past day;
#   not new = answered active + suspended + unanswered buried past day.
# ``reviews > 0`` is a literal: SQLite uses a partial index only for a WHERE that implies its own.
_ANSWERED = (CardState.reviews > pw.SQL("0")) & ~CardState.suspended & ~CardState.retired


def _answered_in(user, due):
    """How many answered, active states of the outer query's deck match ``due`` (a range)."""
    return (CardState.select(pw.fn.COUNT(pw.SQL("*")))
            .where((CardState.user == user) & (CardState.deck == Deck.id) & _ANSWERED & due))


_ANSWERED_COUNTS = Prepared(lambda user, day: (
    _visible(user, Deck.id,
             _answered_in(user, CardState.due <= day),
             _answered_in(user, CardState.due > day)).tuples()), user=INT, day=DATE)

_HELD_COUNTS = Prepared(lambda user, day: (
    CardState.select(CardState.deck,
                     pw.fn.SUM(pw.Case(None, [((CardState.reviews > 0) & ~CardState.suspended & (CardState.due <= day)
                                               & (CardState.buried_until > day), 1)], 0)),
                     pw.fn.SUM(pw.Case(None, [(CardState.suspended | ((CardState.buried_until > day)
                                                                       & ~(CardState.reviews > 0)), 1)], 0)))
    .where((CardState.user == user) & ~CardState.retired
           & (CardState.suspended | CardState.buried_until.is_null(False)))
    .group_by(CardState.deck).tuples()), user=INT, day=DATE)


def card_counts_by_deck(user: User, day: date) -> tuple[list[Deck], dict[int, tuple[int, int]]]:
    """The visible decks, and per deck (due reviews, cards not new) on ``day`` (see _ANSWERED_COUNTS
    and _HELD_COUNTS); the new cards are the deck's card_count less those not new."""
    counts = {deck_id: [due, due + later] for deck_id, due, later in _ANSWERED_COUNTS.rows(user=user.id, day=day)}
    for deck_id, buried_due, held_seen in _HELD_COUNTS.rows(user=user.id, day=day):
        if deck_id in counts:
            counts[deck_id][0] -= buried_due or 0
            counts[deck_id][1] += held_seen or 0
    return _VISIBLE_DECK_ROWS.rows(user=user.id), {deck_id: (due, seen) for deck_id, (due, seen) in counts.items()}


_RELEARN_COUNT = Prepared(lambda user, deck, day: (
    CardState.select(pw.fn.COUNT(CardState.id))
    .where((CardState.user == user) & CardState.relearn & (CardState.last_review_day == day)
           & ~CardState.suspended & ~CardState.retired & ((pw.Value(deck) == 0) | (CardState.deck == deck)))
    .tuples()), user=INT, deck=INT, day=DATE)


def relearn_count(user: User, day: date, deck_id: int | None = None) -> int:
    """Cards failed today that come back in this session (in one deck, or all)."""
    return _RELEARN_COUNT.scalar(user=user.id, deck=deck_id or 0, day=day)
