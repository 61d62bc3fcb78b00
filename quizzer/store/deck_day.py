"""Per-deck figures of a study day (what each deck gave today, which decks the user sees) and burying a
card's siblings."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import peewee as pw

from quizzer.store import card_states
from quizzer.store.deck_options import DeckOption
from quizzer.store.decks import is_visible_to
from quizzer.store.models import Card, CardState, Deck
from quizzer.store.prepared import DATE, INT, Prepared, PreparedWrite
from quizzer.store.stats_models import ReviewDay


@dataclass(frozen=True)
class DeckDayRow:
    """One deck's day: what it gave today, and the user's own options for it (None: inherited)."""

    deck_id: int
    # Answers that set a schedule today, from the review_day rollup (its triggers keep it exact, undo
    # included): applied reviews of cards with an interval, plus the answers to cards without one,
    # which are all applied (SM-2 leaves every answered card an interval of at least a day, so a same-day
    # repeat always has one). Walking today's log instead cost 1 ms after 4,000 answers.
    applied: int = 0
    new_started: int = 0  # cards first answered today (in a review or a quiz)
    new_per_day: int | None = None
    reviews_per_day: int | None = None
    new_order: str | None = None
    bury_siblings: bool | None = None
    extra_new: int = 0
    extra_new_day: date | None = None
    visible: bool = False  # the user sees the deck (a row of a deck they do not see has only options)


_OPTIONS, _APPLIED, _STARTED, _VISIBLE = 1, 2, 3, 4
_NO_OPTIONS = [pw.SQL("NULL")] * 6


def _in(deck, column):
    return (pw.Value(deck) == 0) | (column == deck)


# Four reads in one statement: the options rows (first, so PostgreSQL types the NULL columns of the
# others from them), today's applied answers per deck, the cards
# first answered today per deck (index card_state(user, first_review_day)) and the decks the user sees
# (a few rows: what carried queue contents must list, services.day_plan).
_DECK_DAYS = Prepared(lambda user, deck, day: (
    DeckOption.select(DeckOption.deck, pw.SQL(str(_OPTIONS)), pw.SQL("0"), DeckOption.new_per_day,
                      DeckOption.reviews_per_day, DeckOption.new_order, DeckOption.bury_siblings,
                      DeckOption.extra_new, DeckOption.extra_new_day)
    .where((DeckOption.user == user) & _in(deck, DeckOption.deck))
    + ReviewDay.select(ReviewDay.deck, pw.SQL(str(_APPLIED)), ReviewDay.reviews + ReviewDay.new_answers,
                       *_NO_OPTIONS)
    .where((ReviewDay.user == user) & (ReviewDay.day == day) & _in(deck, ReviewDay.deck))
    + CardState.select(CardState.deck, pw.SQL(str(_STARTED)), pw.fn.COUNT(pw.SQL("*")), *_NO_OPTIONS)
    .where((CardState.user == user) & (CardState.first_review_day == day) & _in(deck, CardState.deck))
    .group_by(CardState.deck)
    + Deck.select(Deck.id, pw.SQL(str(_VISIBLE)), pw.SQL("0"), *_NO_OPTIONS)
    .where(is_visible_to(user) & _in(deck, Deck.id))).tuples(), user=INT, deck=INT, day=DATE)


def deck_days(user_id: int, deck_id: int | None, day: date) -> dict[int, DeckDayRow]:
    """Study day ``day``'s figures and the user's options of the decks that have any, and which decks the
    user sees (each has a row), in all decks or the one given: one statement."""
    found: dict[int, dict] = {}
    for deck, kind, count, per_day, reviews, order, bury, extra, extra_day in _DECK_DAYS.rows(
            user=user_id, deck=deck_id or 0, day=day):
        values = found.setdefault(deck, {})
        if kind == _APPLIED:
            values["applied"] = count
        elif kind == _STARTED:
            values["new_started"] = count
        elif kind == _VISIBLE:
            values["visible"] = True
        else:
            values.update(new_per_day=per_day, reviews_per_day=reviews, new_order=order,
                          bury_siblings=None if bury is None else bool(bury), extra_new=extra or 0,
                          extra_new_day=_as_date(extra_day))
    return {deck: DeckDayRow(deck, **values) for deck, values in found.items()}


def _as_date(value) -> date | None:
    """A date column read through a compound query (SQLite gives its text)."""
    return date.fromisoformat(str(value)[:10]) if value is not None and not isinstance(value, date) else value


# Answering a card of a note with siblings asks this (a reverse, a cloze's other deletions).
_SIBLINGS = Prepared(lambda user, card: (
    Card.select(Card.id, Card.deck, CardState)
    .join(CardState, pw.JOIN.LEFT_OUTER, on=(CardState.card == Card.id) & (CardState.user == user), attr="state")
    .where((Card.note == Card.select(Card.note).where(Card.id == card)) & (Card.id != card) & ~Card.retired)),
    user=INT, card=INT)


_BURY_STATE = PreparedWrite(CardState, ("buried_until",), keys=("id",))


def siblings_of(user_id: int, card_id: int) -> list[tuple[int, int, CardState | None]]:
    """The other active cards of the card's note: (card id, deck id, the user's state or None)."""
    return [(card.id, card.deck_id, _state(card)) for card in _SIBLINGS.rows(user=user_id, card=card_id)]


def _state(card: Card) -> CardState | None:
    state = getattr(card, "state", None)
    return state if state is not None and state.id is not None else None


def bury_cards(user_id: int, cards: list[tuple[int, int, CardState | None]], until: date, today: date) -> None:
    """Hide ``cards`` ((card id, deck id, the user's state or None)) until ``until``; a card without a
    state gets one that keeps it new (no answers). A note has a few cards: one prepared write each
    (peewee composing one write for them all cost more than running several)."""
    for card_id, deck_id, state in cards:
        if state is not None:
            _BURY_STATE.run([until, state.id])
        else:
            card_states.insert_state(CardState(user=user_id, card=card_id, deck=deck_id, due=today,
                                               buried_until=until))
