"""Browsing a deck: its cards with the user's state, searchable by text and tag."""
from __future__ import annotations

from dataclasses import dataclass

from quizzer.services.study import get_visible_deck
from quizzer.store.cards import active_note_tags, deck_card_page
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
    rows, total = deck_card_page(user.id, deck.id, text=text.strip(), tag=tag.strip(), page=max(1, page),
                                 page_size=PAGE_SIZE)
    return deck, [CardRow(*row) for row in rows], total


def deck_tags(deck: Deck) -> list[str]:
    """Every tag used by the deck's active notes, sorted."""
    tags = set()
    for tag_text in active_note_tags(deck.id):
        tags.update(tag_text.split())
    return sorted(tags)
