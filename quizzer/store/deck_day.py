"""Per-deck figures of a study day (what each deck gave today) and burying a card's siblings."""
from __future__ import annotations

from datetime import date, datetime

import peewee as pw

from quizzer.store.models import Card, CardState, ReviewLog


def new_started_by_deck(user_id: int, day: date) -> dict[int, int]:
    """Cards first answered on ``day`` (in a review or a quiz), per deck."""
    rows = (CardState.select(CardState.deck, pw.fn.COUNT(CardState.id))
            .where((CardState.user == user_id) & (CardState.first_review_day == day))
            .group_by(CardState.deck).tuples())
    return dict(rows)


def applied_by_deck(user_id: int, since: datetime) -> dict[int, int]:
    """Answers that set a schedule since ``since`` (naive UTC), per deck."""
    rows = (ReviewLog.select(ReviewLog.deck, pw.fn.COUNT(ReviewLog.id))
            .where((ReviewLog.user == user_id) & ReviewLog.applied & (ReviewLog.reviewed_at >= since))
            .group_by(ReviewLog.deck).tuples())
    return dict(rows)


def siblings_of(user_id: int, card_id: int) -> list[tuple[int, int, CardState | None]]:
    """The other active cards of the card's note: (card id, deck id, the user's state or None)."""
    note = Card.select(Card.note).where(Card.id == card_id)
    join_state = (CardState.card == Card.id) & (CardState.user == user_id)
    rows = (Card.select(Card.id, Card.deck, CardState)
            .join(CardState, pw.JOIN.LEFT_OUTER, on=join_state, attr="state")
            .where((Card.note == note) & (Card.id != card_id) & ~Card.retired))
    return [(card.id, card.deck_id, _state(card)) for card in rows]


def _state(card: Card) -> CardState | None:
    state = getattr(card, "state", None)
    return state if state is not None and state.id is not None else None


def bury_cards(user_id: int, cards: list[tuple[int, int]], until: date, today: date) -> None:
    """Hide ``cards`` ((card id, deck id)) until ``until``; a new card gets a state row that keeps
    it new (no answers)."""
    if not cards:
        return
    ids = [card_id for card_id, _ in cards]
    (CardState.update(buried_until=until)
     .where((CardState.user == user_id) & CardState.card.in_(ids)).execute())
    stated = {card_id for (card_id,) in CardState.select(CardState.card)
              .where((CardState.user == user_id) & CardState.card.in_(ids)).tuples()}
    rows = [{"user": user_id, "card": card_id, "deck": deck_id, "due": today, "buried_until": until}
            for card_id, deck_id in cards if card_id not in stated]
    if rows:
        CardState.insert_many(rows).execute()
