"""Per-deck figures of a study day (what each deck gave today) and burying a card's siblings."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import peewee as pw

from quizzer.store.deck_options import DeckOption
from quizzer.store.decks import visible_decks_query
from quizzer.store.models import Card, CardState, Deck, ReviewLog
from quizzer.store.prepared import DATE, DATETIME, INT, Prepared


@dataclass(frozen=True)
class DeckDayRow:
    """One visible deck's day: what it gave today, and the user's own options for it (None: inherited)."""

    deck_id: int
    applied: int  # answers that set a schedule since the day began
    new_started: int  # cards first answered today (in a review or a quiz)
    new_per_day: int | None
    reviews_per_day: int | None
    new_order: str | None
    bury_siblings: bool | None
    extra_new: int
    extra_new_day: date | None


_DECK_DAYS = Prepared(lambda user, deck, since, day: visible_decks_query(
    user, Deck.id,
    ReviewLog.select(pw.fn.COUNT(pw.SQL("*"))).where(
        (ReviewLog.user == user) & (ReviewLog.reviewed_at >= since) & (ReviewLog.deck == Deck.id)
        & ReviewLog.applied),
    CardState.select(pw.fn.COUNT(pw.SQL("*"))).where(
        (CardState.user == user) & (CardState.first_review_day == day) & (CardState.deck == Deck.id)),
    DeckOption.new_per_day, DeckOption.reviews_per_day, DeckOption.new_order, DeckOption.bury_siblings,
    DeckOption.extra_new, DeckOption.extra_new_day)
    .join(DeckOption, pw.JOIN.LEFT_OUTER, on=(DeckOption.deck == Deck.id) & (DeckOption.user == user))
    .where((pw.Value(deck) == 0) | (Deck.id == deck)).tuples(), user=INT, deck=INT, since=DATETIME, day=DATE)


def deck_days(user_id: int, deck_id: int | None, since: datetime, day: date) -> list[DeckDayRow]:
    """Every visible deck (or the one given) in study order, with today's figures (``since``: the day's
    start, naive UTC) and the user's options: one statement."""
    return [DeckDayRow(d, applied, new, per_day, reviews, order, bury, extra or 0, extra_day)
            for d, applied, new, per_day, reviews, order, bury, extra, extra_day
            in _DECK_DAYS.rows(user=user_id, deck=deck_id or 0, since=since, day=day)]


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


def bury_cards(user_id: int, cards: list[tuple[int, int, CardState | None]], until: date, today: date) -> None:
    """Hide ``cards`` ((card id, deck id, the user's state or None)) until ``until``; a card without a
    state gets one that keeps it new (no answers)."""
    stated = [state.id for _, _, state in cards if state is not None]
    if stated:
        CardState.update(buried_until=until).where(CardState.id.in_(stated)).execute()
    rows = [{"user": user_id, "card": card_id, "deck": deck_id, "due": today, "buried_until": until}
            for card_id, deck_id, state in cards if state is None]
    if rows:
        CardState.insert_many(rows).execute()
