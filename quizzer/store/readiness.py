"""What the readiness dashboard counts: a user's cards and recent answers per (deck, tag string)."""
from __future__ import annotations

from datetime import date

import peewee as pw

from quizzer.store.decks import visible_decks_query
from quizzer.store.models import Card, CardState, Deck, Note, ReviewLog


def _active_cards(user_id: int, query):
    """Restrict a query joined to Card, Note and the user's CardState to cards the user studies."""
    return query.where(Card.deck.in_(visible_decks_query(user_id, Deck.id).order_by()) & ~Card.retired
                       & (CardState.suspended.is_null() | ~CardState.suspended))


def _grouped(user_id: int, *columns):
    """Card, Note and the user's CardState joined, selecting deck and tag string first."""
    join_state = (CardState.card == Card.id) & (CardState.user == user_id)
    return (Card.select(Card.deck, Note.tags, *columns)
            .join(Note, on=(Card.note == Note.id)).switch(Card)
            .join(CardState, pw.JOIN.LEFT_OUTER, on=join_state))


def group_counts(user_id: int, since: date, mature_days: int,
                 passing_quality: int) -> dict[tuple[int, str], list[int]]:
    """Per (deck id, tag string) of the cards the user studies (visible, active, not suspended):
    [cards, mature (interval >= mature_days), seen, review answers >= passing_quality, review answers,
    quiz answers >= passing_quality, quiz answers], answers counted from study day ``since``.

    Two aggregate queries; every card of a group shares its deck and tags, so topics are sums of groups."""
    cards = _active_cards(user_id, _grouped(
        user_id, pw.fn.COUNT(Card.id),
        pw.fn.SUM(pw.Case(None, [(CardState.interval >= mature_days, 1)], 0)),
        pw.fn.SUM(pw.Case(None, [(CardState.reviews > 0, 1)], 0)))).group_by(Card.deck, Note.tags)
    counts = {(deck, tags): [total, mature or 0, seen or 0, 0, 0, 0, 0]
              for deck, tags, total, mature, seen in cards.tuples()}
    passed = pw.fn.SUM(pw.Case(None, [(ReviewLog.quality >= passing_quality, 1)], 0))
    answers = _active_cards(user_id, _grouped(user_id, ReviewLog.kind, pw.fn.COUNT(ReviewLog.id), passed)
                            .join(ReviewLog, on=(ReviewLog.card == Card.id))
                            .where((ReviewLog.user == user_id) & (ReviewLog.day >= since))
                            ).group_by(Card.deck, Note.tags, ReviewLog.kind)
    for deck, tags, kind, total, right in answers.tuples():
        offset = 5 if kind == "quiz" else 3
        counts[(deck, tags)][offset] += int(right or 0)
        counts[(deck, tags)][offset + 1] += total
    return counts
