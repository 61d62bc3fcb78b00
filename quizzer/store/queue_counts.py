"""What is left in a user's queue per deck, counted in full (the deck list, a session's first page).

Counts of the answered, active states are range counts on the partial index card_state_review_counts
(due <= day, due > day), without evaluating an expression per state (that cost ~35 ms over 60,000
states). The few suspended or buried states (card_state_held) correct them:
  due = answered active with due <= day, less those buried past day;
  not new = answered active + suspended + unanswered buried past day.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import peewee as pw

from quizzer.store.decks import visible_decks_query
from quizzer.store.models import CardState, Deck
from quizzer.store.prepared import DATE, INT, Prepared
from quizzer.store.queue import is_due, is_relearning


@dataclass(frozen=True)
class DeckQueue:
    """One deck's part of the queue on a day, before the daily limits."""

    deck: Deck
    new: int
    due: int
    relearn: int
    total: int


# ``reviews > 0`` is a literal: SQLite uses a partial index only for a WHERE that implies its own.
_ANSWERED = (CardState.reviews > pw.SQL("0")) & ~CardState.suspended & ~CardState.retired


def _in_deck(user, condition):
    """How many states of the outer query's deck match ``condition``."""
    return (CardState.select(pw.fn.COUNT(pw.SQL("*")))
            .where((CardState.user == user) & (CardState.deck == Deck.id) & condition))


_PER_DECK = Prepared(lambda user, day: visible_decks_query(
    user, Deck, _in_deck(user, _ANSWERED & (CardState.due <= day)).alias("answered_due"),
    _in_deck(user, _ANSWERED & (CardState.due > day)).alias("answered_later"),
    _in_deck(user, is_relearning(day)).alias("relearning")), user=INT, day=DATE)

_HELD = Prepared(lambda user, day: (
    CardState.select(CardState.deck,
                     pw.fn.SUM(pw.Case(None, [((CardState.reviews > 0) & ~CardState.suspended & (CardState.due <= day)
                                               & (CardState.buried_until > day), 1)], 0)),
                     pw.fn.SUM(pw.Case(None, [(CardState.suspended | ((CardState.buried_until > day)
                                                                       & ~(CardState.reviews > 0)), 1)], 0)))
    .where((CardState.user == user) & ~CardState.retired
           & (CardState.suspended | CardState.buried_until.is_null(False)))
    .group_by(CardState.deck).tuples()), user=INT, day=DATE)


def due_counts_by_deck(user_id: int, day: date) -> list[DeckQueue]:
    """New, due and relearning cards per visible deck on ``day``, in study order (two statements)."""
    held = {deck_id: (buried_due or 0, held_seen or 0)
            for deck_id, buried_due, held_seen in _HELD.rows(user=user_id, day=day)}
    result = []
    for deck in _PER_DECK.rows(user=user_id, day=day):
        buried_due, held_seen = held.get(deck.id, (0, 0))
        seen = deck.answered_due + deck.answered_later + held_seen
        result.append(DeckQueue(deck, deck.card_count - seen, deck.answered_due - buried_due, deck.relearning,
                                deck.card_count))
    return result


_DUE_ON = Prepared(lambda user, day: CardState.select(pw.fn.COUNT(CardState.id)).where(
    (CardState.user == user) & ~CardState.retired & is_due(day)).tuples(), user=INT, day=DATE)


def due_count(user_id: int, day: date) -> int:
    """Reviews due on ``day`` in all the user's cards."""
    return _DUE_ON.scalar(user=user_id, day=day)
