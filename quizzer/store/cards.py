"""Notes and cards as decks show and export them, and card states made outside a review."""
from __future__ import annotations

import peewee as pw

from quizzer.store.bulk import bulk_insert
from quizzer.store.models import Card, CardState, Deck, Note


def _owned(owner_id: int | None):
    return Deck.owner.is_null() if owner_id is None else (Deck.owner == owner_id)


def _joined_state(card: Card) -> CardState | None:
    state = getattr(card, "cardstate", None)  # a LEFT JOIN miss gives None or an empty row
    return state if state is not None and state.id is not None else None


def deck_card_page(user_id: int, deck_id: int, *, text: str, tag: str, page: int,
                   page_size: int) -> tuple[list[tuple[Card, Note, CardState | None]], int]:
    """One page (1-based) of the deck's active cards in deck order, each with its note and the user's
    state (None if never studied), and how many cards match in all. ``text`` matches prompt or answer
    (any case), ``tag`` one tag of the note; either may be ""."""
    join_state = (CardState.card == Card.id) & (CardState.user == user_id)
    query = (Card.select(Card, Note, CardState)
             .join(Note, on=(Card.note == Note.id)).switch(Card)
             .join(CardState, pw.JOIN.LEFT_OUTER, on=join_state, attr="cardstate")
             .where((Card.deck == deck_id) & ~Card.retired))
    if text:
        query = query.where(pw.fn.LOWER(Card.prompt).contains(text.lower())
                            | pw.fn.LOWER(Card.answer).contains(text.lower()))
    if tag:
        query = query.where(Note.tags.contains(f" {tag.lower()} "))
    total = query.count()
    rows = query.order_by(Card.position).paginate(page, page_size)
    return [(card, card.note, _joined_state(card)) for card in rows], total


def active_note_tags(deck_id: int) -> list[str]:
    """The tag strings (space-padded) of the deck's active notes, one per note."""
    return [tags for (tags,) in Note.select(Note.tags).where((Note.deck == deck_id) & ~Note.retired).tuples()]


def active_notes(deck_id: int) -> list[Note]:
    """The deck's active notes in file order."""
    return list(Note.select().where((Note.deck == deck_id) & ~Note.retired).order_by(Note.position))


def active_note_texts(deck_id: int) -> list[tuple]:
    """(question, answer, cloze, explanation, choices) of the deck's active notes."""
    notes = Note.select(Note.question, Note.answer, Note.cloze, Note.explanation, Note.choices).where(
        (Note.deck == deck_id) & ~Note.retired)
    return [(n.question, n.answer, n.cloze, n.explanation, n.choices) for n in notes]


def note_first_fields(owner_id: int | None, deck_slug: str) -> list[tuple]:
    """(slug, question, cloze) of every note of the deck with that slug among the shared decks
    (``owner_id`` None) or one user's own."""
    return list(Note.select(Note.slug, Note.question, Note.cloze).join(Deck, on=(Note.deck == Deck.id))
                .where(_owned(owner_id) & (Deck.slug == deck_slug)).tuples())


def card_ids_by_address(owner_id: int, deck_slugs) -> dict[tuple[str, str, str], tuple[int, int]]:
    """(deck slug, note slug, card key) -> (card id, deck id) of the cards of the user's own decks
    with these slugs."""
    rows = (Card.select(Card.id, Card.deck, Deck.slug, Note.slug, Card.key)
            .join(Note, on=(Card.note == Note.id)).switch(Card).join(Deck, on=(Card.deck == Deck.id))
            .where((Deck.owner == owner_id) & Deck.slug.in_(list(deck_slugs))).tuples())
    return {(deck_slug, note_slug, key): (card_id, deck_id) for card_id, deck_id, deck_slug, note_slug, key in rows}


def studied_card_ids(user_id: int, deck_ids) -> set[int]:
    """Cards of these decks the user has a state for."""
    return {card_id for (card_id,) in CardState.select(CardState.card)
            .where((CardState.user == user_id) & CardState.deck.in_(list(deck_ids))).tuples()}


def insert_card_states(rows: list[dict]) -> None:
    """New card states, dicts by field name (missing fields take their defaults)."""
    bulk_insert(CardState, rows)
