"""The review queue's reads: a card as the review screen shows it, and the next card to study.

The next card is one statement: a COALESCE of the queue's parts in priority order (relearning cards
whose delay has passed, due reviews, new cards in deck order, relearning cards still waiting).
Both engines evaluate COALESCE's arguments lazily, so a part runs only when those before it found
nothing, and each is a short walk on its own index (0004_queue_indexes).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import peewee as pw

from quizzer.store.decks import visible_decks_query
from quizzer.store.models import Card, CardState, Deck, Note
from quizzer.store.prepared import DATE, DATETIME, INT, Prepared

# Decks one user studies, at most: bounds the ordered deck list below, which must keep its own LIMIT
# so SQLite walks it lazily instead of merging it into the outer query.
_MAX_DECKS = 1_000_000_000


@dataclass(frozen=True)
class CardView:
    """Everything the review screen shows for one card: its rows, and the user's state (None: new)."""

    card: Card
    note: Note
    deck: Deck
    state: CardState | None


def joined_state(card: Card) -> CardState | None:
    state = getattr(card, "cardstate", None)  # a LEFT JOIN miss gives None or an empty row
    return state if state is not None and state.id is not None else None


def _view(card: Card) -> CardView:
    return CardView(card, card.note, card.deck, joined_state(card))


# The columns a card on screen needs (fewer columns: less SQL to build and rows to decode).
_VIEW_COLUMNS = (
    Card.id, Card.note, Card.deck, Card.key, Card.prompt_html, Card.answer_html, Card.retired,
    Note.id, Note.slug, Note.kind, Note.question, Note.answer, Note.cloze, Note.explanation_html,
    Note.tags, Note.source, Note.choices, Note.choices_html, Note.accept, Note.shuffle, Note.tolerance,
    Deck.id, Deck.owner, Deck.slug, Deck.title,
)


def _card_query(user):
    join_state = (CardState.card == Card.id) & (CardState.user == user)
    return (Card.select(*_VIEW_COLUMNS, CardState)
            .join(Note, on=(Card.note == Note.id)).switch(Card)
            .join(Deck, on=(Card.deck == Deck.id)).switch(Card)
            .join(CardState, pw.JOIN.LEFT_OUTER, on=join_state, attr="cardstate")
            .where(Deck.owner.is_null() | (Deck.owner == user)))


# ``reviews > 0`` with a literal 0: against a bound parameter SQLite could use the partial indexes
# only by preparing the statement again on every run (0.2 ms for the next-card statement).
_ANSWERED = CardState.reviews > pw.SQL("0")


def is_due(day: date):
    """A review due on ``day``. A card never answered is new even with a state row (suspending or
    burying a new card makes one), so it stays under the new-card limit. Twin of ``bucket``."""
    return ((CardState.due <= day) & _ANSWERED & ~CardState.suspended
            & (CardState.buried_until.is_null() | (CardState.buried_until <= day)))


def is_not_new(day: date):
    """States that keep a card out of the new cards on ``day``: answered, suspended or buried."""
    return _ANSWERED | CardState.suspended | (CardState.buried_until > day)


def is_relearning(day: date):
    """Graded below 4 on ``day`` (SM-2 step 7) and still in the session."""
    return CardState.relearn & (CardState.last_review_day == day) & ~CardState.suspended & ~CardState.retired


def bucket(state: CardState | None, card_retired: bool, day: date) -> str | None:
    """Which part of ``day``'s queue a card is in: "new", "due", "relearn", or None (held, retired,
    scheduled later). The Python twin of is_due / is_not_new / is_relearning, for counts carried
    from answer to answer (tests/test_queue_counts.py checks the two agree)."""
    if card_retired or (state is not None and state.retired):
        return None
    if state is None:
        return "new"
    if state.relearn and state.last_review_day == day and not state.suspended:
        return "relearn"
    buried = state.buried_until is not None and state.buried_until > day
    if state.reviews > 0:
        return "due" if state.due <= day and not state.suspended and not buried else None
    return None if state.suspended or buried else "new"


def _in_deck(deck, column):
    """Scope to one deck, or to all when ``deck`` is 0 (one prepared query serves both)."""
    return (pw.Value(deck) == 0) | (column == deck)


def _relearning(user, deck, day):
    """Cards graded below 4 today, oldest answer first (partial index card_state_relearn)."""
    return (CardState.select(CardState.card)
            .where((CardState.user == user) & is_relearning(day) & _in_deck(deck, CardState.deck))
            .order_by(CardState.last_review).limit(1))


def _next_due(user, deck, day, allowed):
    """The most overdue review (partial index card_state_due_queue), when ``allowed`` is 1."""
    return (CardState.select(CardState.card)
            .where((pw.Value(allowed) == 1) & (CardState.user == user) & is_due(day) & ~CardState.retired
                   & _in_deck(deck, CardState.deck))
            .order_by(CardState.due, CardState.card).limit(1))


def _first_unseen(user, deck_id, day):
    """The first card of a deck in deck order that is new to the user: a short walk on
    card(deck, retired, position), no sort."""
    seen = CardState.select(CardState.id).where((CardState.user == user) & (CardState.card == Card.id)
                                                & is_not_new(day))
    # ``retired = false`` as an equality, so the index gives the cards in position order.
    return (Card.select(Card.id).where((Card.deck == deck_id) & (Card.retired == False)  # noqa: E712
                                       & ~pw.fn.EXISTS(seen))
            .order_by(Card.position).limit(1))


def _first_new(user, deck, day, allowed):
    """The first new card of the first deck in study order that has one, when ``allowed`` is 1.
    The decks are walked in order and each one's walk stops at its first new card."""
    decks = (visible_decks_query(user, Deck.id).where((pw.Value(allowed) == 1) & _in_deck(deck, Deck.id))
             .limit(_MAX_DECKS).alias("study_decks"))
    first = _first_unseen(user, decks.c.id, day)
    return Card.select(first).from_(decks).where(pw.Expression(first, pw.OP.IS_NOT, None)).limit(1)


_NEXT = Prepared(lambda user, deck, day, before, due_ok, new_ok: _card_query(user).where(
    Card.id == pw.fn.COALESCE(
        _relearning(user, deck, day).where(CardState.last_review <= before),
        _next_due(user, deck, day, due_ok),
        _first_new(user, deck, day, new_ok),
        _relearning(user, deck, day))),
    user=INT, deck=INT, day=DATE, before=DATETIME, due_ok=INT, new_ok=INT)
_CARD_VIEW = Prepared(lambda user, card: _card_query(user).where(Card.id == card), user=INT, card=INT)


def next_card_view(user_id: int, deck_id: int | None, day: date, ready_before: datetime, *,
                   due_allowed: bool, new_allowed: bool) -> CardView | None:
    """The card to show next on ``day`` (in one deck, or all the user's), or None when nothing is left.
    ``ready_before`` (naive UTC): relearning cards answered later wait; the limits allow due reviews
    and new cards or not."""
    rows = _NEXT.rows(user=user_id, deck=deck_id or 0, day=day, before=ready_before,
                      due_ok=int(due_allowed), new_ok=int(new_allowed))
    return _view(rows[0]) if rows else None


def card_view_row(user_id: int, card_id: int) -> CardView | None:
    """One card the user can see, with their state; None for a card they cannot see."""
    rows = _CARD_VIEW.rows(user=user_id, card=card_id)
    return _view(rows[0]) if rows else None
