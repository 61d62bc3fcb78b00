"""Reads and writes of the whole-account backup (services.account_backup): an account's decks with
every note and card, its progress, and the bulk inserts of a restore."""
from __future__ import annotations

from quizzer.store.bulk import bulk_insert
from quizzer.store.deck_options import DeckOption
from quizzer.store.models import Card, CardState, Deck, Note, ReviewLog


def decks_in_backup(user_id: int) -> list[Deck]:
    """The user's own decks and the shared decks they have progress or options on: own first, then by slug."""
    progress = {d for (d,) in CardState.select(CardState.deck).distinct().where(CardState.user == user_id).tuples()}
    progress |= {d for (d,) in ReviewLog.select(ReviewLog.deck).distinct().where(ReviewLog.user == user_id).tuples()}
    progress |= {d for (d,) in DeckOption.select(DeckOption.deck).where(DeckOption.user == user_id).tuples()}
    return list(Deck.select().where((Deck.owner == user_id) | (Deck.owner.is_null() & Deck.id.in_(
        list(progress) or [0]))).order_by(Deck.owner.is_null(), Deck.slug))


def notes_with_cards(deck_id: int) -> list[tuple[Note, list[Card]]]:
    """Every note of the deck (retired ones too) in order, each with its cards in order."""
    cards_by_note: dict[int, list[Card]] = {}
    for card in Card.select().where(Card.deck == deck_id).order_by(Card.position, Card.id):
        cards_by_note.setdefault(card.note_id, []).append(card)
    notes = Note.select().where(Note.deck == deck_id).order_by(Note.position, Note.id)
    return [(note, cards_by_note.get(note.id, [])) for note in notes]


def card_addresses(deck_ids: list[int]) -> dict[int, tuple[Deck, str, str]]:
    """Card id -> (deck, note slug, card key) of every card of these decks."""
    rows = (Card.select(Card.id, Card.key, Note.slug, Deck)
            .join(Note, on=(Card.note == Note.id)).switch(Card).join(Deck, on=(Card.deck == Deck.id))
            .where(Card.deck.in_(deck_ids or [0])))
    return {card.id: (card.deck, card.note.slug, card.key) for card in rows}


def card_states_of(user_id: int) -> list[CardState]:
    return list(CardState.select().where(CardState.user == user_id).order_by(CardState.id))


def review_log_of(user_id: int) -> list[ReviewLog]:
    return list(ReviewLog.select().where(ReviewLog.user == user_id).order_by(ReviewLog.id))


def deck_options_of(user_id: int) -> list[DeckOption]:
    """The user's options rows, each with its deck."""
    return list(DeckOption.select(DeckOption, Deck).join(Deck).where(DeckOption.user == user_id)
                .order_by(DeckOption.id))


def insert_deck_content(deck_id: int, notes: list[tuple[dict, list[dict]]]) -> None:
    """A new deck's notes and their cards: (note values, [card values]) each, by field name."""
    bulk_insert(Note, [{**values, "deck": deck_id} for values, _ in notes])
    note_ids = dict(Note.select(Note.slug, Note.id).where(Note.deck == deck_id).tuples())
    bulk_insert(Card, [{**card, "note": note_ids[values["slug"]], "deck": deck_id}
                       for values, cards in notes for card in cards])


def card_ids_by_face(deck_id: int) -> list[tuple[int, str, str]]:
    """(card id, card key, note slug) of every card of the deck."""
    return list(Card.select(Card.id, Card.key, Note.slug).join(Note, on=(Card.note == Note.id))
                .where(Card.deck == deck_id).tuples())


def insert_progress(states: list[dict], log: list[dict], options: list[dict]) -> None:
    """Card states, review log rows and deck options rows by field name."""
    bulk_insert(CardState, states)
    bulk_insert(ReviewLog, log)
    bulk_insert(DeckOption, options)
