"""A user's state of one card: read for grading (locked), written by an answer, snapshot for undo."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import peewee as pw

from quizzer.store.db import database_proxy, is_sqlite
from quizzer.store.deck_options import DeckOption
from quizzer.store.models import Card, CardState, Deck
from quizzer.store.prepared import INT, Prepared, PreparedWrite

# What undo puts back: every column an answer, a suspension or a burial can change.
SNAPSHOT_COLUMNS = ("repetitions", "interval", "easiness_x100", "due", "last_review", "last_review_day",
                    "first_review_day", "relearn", "lapses", "reviews", "suspended", "buried_until")
# The before-state's key for the siblings the answer buried (services/siblings.py); alone when the card
# itself had no state.
BURIED_SIBLINGS = "buried_siblings"
# The card state's columns an answer sets (a new state also takes the rest, defaults included).
_ANSWERED_COLUMNS = ("repetitions", "interval", "easiness_x100", "due", "last_review", "last_review_day",
                     "first_review_day", "relearn", "lapses", "reviews", "buried_until")
_NEW_STATE_COLUMNS = tuple(f.name for f in CardState._meta.sorted_fields if f.name != "id")
_INSERT_STATE = PreparedWrite(CardState, _NEW_STATE_COLUMNS)
_UPDATE_STATE = PreparedWrite(CardState, _ANSWERED_COLUMNS, keys=("id",))


class StateRace(Exception):
    """Another transaction made this user's state of the card first (retry: it is there now)."""


@dataclass(frozen=True)
class CardToChange:
    """A card the user can see, as an answer, a suspension or a burial needs it: with how many other
    active cards its note has, and whether its deck's own options bury them (None: the user's default)."""

    card_id: int
    deck_id: int
    retired: bool
    state: CardState | None
    siblings: int = 0
    deck_buries_siblings: bool | None = None


_SIBLING = Card.alias("sibling")
_FOR_CHANGE = Prepared(lambda user, card: (
    Card.select(Card.id, Card.deck, Card.retired, CardState, DeckOption.bury_siblings,
                _SIBLING.select(pw.fn.COUNT(_SIBLING.id))
                .where((_SIBLING.note == Card.note) & (_SIBLING.id != Card.id) & ~_SIBLING.retired).alias("siblings"))
    .join(Deck, on=(Card.deck == Deck.id)).switch(Card)
    .join(CardState, pw.JOIN.LEFT_OUTER, on=(CardState.card == Card.id) & (CardState.user == user),
          attr="cardstate").switch(Card)
    .join(DeckOption, pw.JOIN.LEFT_OUTER, on=(DeckOption.deck == Card.deck) & (DeckOption.user == user),
          attr="options")
    .where((Card.id == card) & (Deck.owner.is_null() | (Deck.owner == user)))), user=INT, card=INT)
_LOCKED = Prepared(lambda state: CardState.select().where(CardState.id == state).for_update(), state=INT)


def card_to_change(user_id: int, card_id: int) -> CardToChange | None:
    """The card with the user's state, locked until the transaction ends (PostgreSQL: FOR UPDATE;
    SQLite's BEGIN IMMEDIATE already serialises writers); None if the user cannot see the card."""
    card = _FOR_CHANGE.first(user=user_id, card=card_id)
    if card is None:
        return None
    state = getattr(card, "cardstate", None)
    state = state if state is not None and state.id is not None else None
    if state is not None and not is_sqlite(database_proxy.obj):
        state = _LOCKED.first(state=state.id)
    options = getattr(card, "options", None)
    return CardToChange(card.id, card.deck_id, card.retired, state, card.siblings,
                        options.bury_siblings if options is not None else None)


def new_state(user_id: int, card: CardToChange, day: date) -> CardState:
    """A state for a card the user has none of yet (not stored until written)."""
    return CardState(user=user_id, card=card.card_id, deck=card.deck_id, due=day, retired=card.retired)


def write_answered(state: CardState) -> None:
    """Store what an answer changed: a new state whole, an existing one's answered columns."""
    if state.id is None:
        try:
            _INSERT_STATE.run([state.__data__.get(name) for name in _NEW_STATE_COLUMNS])
        except pw.IntegrityError as err:
            raise StateRace(str(err)) from err
    else:
        _UPDATE_STATE.run([state.__data__.get(name) for name in _ANSWERED_COLUMNS] + [state.id])


def insert_state(state: CardState) -> None:
    """Store a new state whole (defaults included)."""
    _INSERT_STATE.run([state.__data__.get(name) for name in _NEW_STATE_COLUMNS])


def write_state(state: CardState) -> None:
    """Store a suspension, a burial or a restored snapshot."""
    state.save()


def delete_state(state: CardState) -> None:
    state.delete_instance()


def state_of(user_id: int, card_id: int) -> CardState:
    """The user's state of a card they answered (DoesNotExist otherwise)."""
    return CardState.get((CardState.user == user_id) & (CardState.card == card_id))


def snapshot(state: CardState | None) -> dict | None:
    """The state as undo keeps it (JSON-ready), or None for a card that had no state."""
    if state is None:
        return None
    out = {}
    for name in SNAPSHOT_COLUMNS:
        value = getattr(state, name)
        out[name] = value.isoformat() if isinstance(value, (date, datetime)) else value
    return out


def restore(state: CardState, snap: dict) -> None:
    """Put a snapshot's values back on ``state`` (not stored until saved)."""
    for name in SNAPSHOT_COLUMNS:
        field = CardState._meta.fields[name]
        value = snap[name]
        if value is not None and isinstance(field, pw.DateTimeField):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(field, pw.DateField):
            value = date.fromisoformat(value)
        setattr(state, name, value)
