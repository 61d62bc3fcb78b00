"""Browsing a deck: its cards with the user's state, searchable by text and tag."""
from __future__ import annotations

from dataclasses import dataclass

import peewee as pw

from quizzer.services.review import joined_state
from quizzer.services.study import get_visible_deck
from quizzer.store.models import Card, CardState, Deck, Note, User

PAGE_SIZE = 100


@dataclass(frozen=True)
class CardRow:
    card: Card
    note: Note
    state: CardState | None


def deck_cards(user: User, deck_id: int, *, text: str = "", tag: str = "",
               page: int = 1) -> tuple[Deck, list[CardRow], int]:
    """One page of a visible deck's active cards, with the total matching count."""
    deck = get_visible_deck(user, deck_id)
    join_state = (CardState.card == Card.id) & (CardState.user == user.id)
    query = (Card.select(Card, Note, CardState)
             .join(Note, on=(Card.note == Note.id)).switch(Card)
             .join(CardState, pw.JOIN.LEFT_OUTER, on=join_state, attr="cardstate")
             .where((Card.deck == deck.id) & ~Card.retired))
    if text.strip():
        query = query.where(pw.fn.LOWER(Card.prompt).contains(text.strip().lower())
                            | pw.fn.LOWER(Card.answer).contains(text.strip().lower()))
    if tag.strip():
        query = query.where(Note.tags.contains(f" {tag.strip().lower()} "))
    total = query.count()
    page = max(1, page)
    rows = query.order_by(Card.position).paginate(page, PAGE_SIZE)
    return deck, [CardRow(c, c.note, joined_state(c)) for c in rows], total


def deck_tags(deck: Deck) -> list[str]:
    """Every tag used by the deck's active notes, sorted."""
    tags = set()
    for (tag_text,) in Note.select(Note.tags).where((Note.deck == deck.id) & ~Note.retired).tuples():
        tags.update(tag_text.split())
    return sorted(tags)
