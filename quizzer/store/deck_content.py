"""The deck loader's reads and writes: a deck's notes and cards as plain rows, written in bulk.

Rows are tuples in ``NOTE_COLUMNS`` / ``CARD_COLUMNS`` order, as the driver takes them (JSON as
text): building model objects or peewee queries per note costs more than the writes (see bulk.py).
"""
from __future__ import annotations

from quizzer.store.bulk import insert_rows, take_ids, update_rows
from quizzer.store.db import database_proxy as db
from quizzer.store.models import Card, CardState, Note

# A note's content (what it shows, compared with the file's on every load to find edited notes) is
# the run from question to reverse_answer.
NOTE_COLUMNS = ("deck", "slug", "position", "kind", "question", "answer", "cloze", "explanation", "tags",
                "source", "reverse", "choices", "accept", "shuffle", "tolerance", "reverse_answer",
                "explanation_html", "choices_html", "retired")
CONTENT_COLUMNS = NOTE_COLUMNS[4:16]
CARD_COLUMNS = ("note", "deck", "key", "position", "prompt", "answer", "prompt_html", "answer_html", "retired")
_CHUNK = 10_000  # ids in one IN (...), short enough for either engine


def stored_notes(deck_id: int) -> dict[str, tuple]:
    """Slug -> (slug, retired, *CONTENT_COLUMNS) of every note of the deck, retired ones included."""
    columns = [Note.slug, Note.retired] + [Note._meta.fields[name] for name in CONTENT_COLUMNS]
    return {row[0]: row for row in db.execute(Note.select(*columns).where(Note.deck == deck_id)).fetchall()}


def new_note_ids(count: int):
    """Ids for ``count`` new notes; call inside the transaction that inserts them (bulk.take_ids)."""
    return take_ids(Note, count)


def insert_notes(rows: list[tuple]) -> None:
    """New notes: each row is the id, then NOTE_COLUMNS."""
    insert_rows(Note, ("id", *NOTE_COLUMNS), rows)


def insert_cards(rows: list[tuple]) -> None:
    """New cards, rows in CARD_COLUMNS order."""
    insert_rows(Card, CARD_COLUMNS, rows)


def update_notes(rows: list[tuple]) -> None:
    """Rewrite notes picked by (deck, slug): each row in NOTE_COLUMNS order."""
    update_rows(Note, NOTE_COLUMNS[2:], NOTE_COLUMNS[:2], [row[2:] + row[:2] for row in rows])


def note_places(deck_id: int) -> list[tuple[str, int, int]]:
    """(slug, id, position) of every note of the deck."""
    return db.execute(Note.select(Note.slug, Note.id, Note.position).where(Note.deck == deck_id)).fetchall()


def move_notes(deck_id: int, moves: dict[int, tuple[int, int]]) -> None:
    """Notes that moved (note id -> (old position, new position)) and their cards take their new places
    in the deck's order, in one statement per table."""
    if not moves:
        return
    update_rows(Note, ("position",), ("id",), [(new, note_id) for note_id, (_, new) in moves.items()])
    cards = db.execute(Card.select(Card.id, Card.note, Card.position).where(Card.deck == deck_id)).fetchall()
    update_rows(Card, ("position",), ("id",), [(position + 100 * (moves[note_id][1] - moves[note_id][0]), card_id)
                                               for card_id, note_id, position in cards if note_id in moves])


def card_ids_by_face(deck_id: int, note_ids: set[int]) -> dict[tuple[int, str], int]:
    """(note id, card key) -> card id of the deck's cards of these notes."""
    rows = db.execute(Card.select(Card.id, Card.note, Card.key).where(Card.deck == deck_id)).fetchall()
    return {(note_id, key): card_id for card_id, note_id, key in rows if note_id in note_ids}


def update_cards(rows: list[tuple]) -> None:
    """Rewrite cards: each row in CARD_COLUMNS order, then the card id."""
    update_rows(Card, CARD_COLUMNS, ("id",), rows)


def _chunks(ids: list[int]):
    return (ids[start:start + _CHUNK] for start in range(0, len(ids), _CHUNK))


def reset_card_states(card_ids: list[int]) -> None:
    """Every user's progress on these cards is dropped (they start as new)."""
    for chunk in _chunks(card_ids):
        CardState.delete().where(CardState.card.in_(chunk)).execute()


def unretire_card_states(card_ids: list[int]) -> None:
    for chunk in _chunks(card_ids):
        CardState.update(retired=False).where(CardState.card.in_(chunk) & CardState.retired).execute()


def retire_cards(card_ids: list[int]) -> None:
    """Retire the cards and every user's state of them (their history stays)."""
    for chunk in _chunks(card_ids):
        Card.update(retired=True).where(Card.id.in_(chunk)).execute()
        CardState.update(retired=True).where(CardState.card.in_(chunk)).execute()


def retire_notes(deck_id: int, slugs: list[str]) -> None:
    """Retire the deck's notes with these slugs, their cards and every user's state of those."""
    note_ids = Note.select(Note.id).where((Note.deck == deck_id) & Note.slug.in_(slugs))
    Note.update(retired=True).where(Note.id.in_(note_ids)).execute()
    card_ids = Card.select(Card.id).where(Card.note.in_(note_ids))
    Card.update(retired=True).where(Card.id.in_(card_ids)).execute()
    CardState.update(retired=True).where(CardState.card.in_(card_ids)).execute()
