"""A user's review log and card states, joined to their deck, note and card for the progress exports."""
from __future__ import annotations

from quizzer.store.models import Card, CardState, Deck, Note, ReviewLog


def review_log_rows(user_id: int) -> list[tuple]:
    """Every answer of the user, oldest first: (reviewed_at, day, deck slug, note slug, card key, prompt,
    quality, applied, kind, time_ms, interval_before, interval_after, easiness_x100_after,
    repetitions_after, due_after)."""
    query = (ReviewLog.select(ReviewLog, Card.key, Card.prompt, Note.slug, Deck.slug)
             .join(Card, on=(ReviewLog.card == Card.id)).join(Note, on=(Card.note == Note.id))
             .switch(ReviewLog).join(Deck, on=(ReviewLog.deck == Deck.id))
             .where(ReviewLog.user == user_id).order_by(ReviewLog.reviewed_at, ReviewLog.id))
    return [(log.reviewed_at, log.day, log.deck.slug, log.card.note.slug, log.card.key, log.card.prompt,
             log.quality, log.applied, log.kind, log.time_ms, log.interval_before, log.interval_after,
             log.easiness_x100_after, log.repetitions_after, log.due_after) for log in query]


def card_state_rows(user_id: int) -> list[tuple]:
    """The user's state of every card they have one for, by deck slug and card order: (deck slug,
    note slug, card key, prompt, repetitions, interval, easiness_x100, due, last_review, lapses,
    reviews, suspended, buried_until, retired)."""
    query = (CardState.select(CardState, Card.key, Card.prompt, Note.slug, Deck.slug)
             .join(Card, on=(CardState.card == Card.id)).join(Note, on=(Card.note == Note.id))
             .switch(CardState).join(Deck, on=(CardState.deck == Deck.id))
             .where(CardState.user == user_id).order_by(Deck.slug, Card.position))
    return [(s.deck.slug, s.card.note.slug, s.card.key, s.card.prompt, s.repetitions, s.interval, s.easiness_x100,
             s.due, s.last_review, s.lapses, s.reviews, s.suspended, s.buried_until, s.retired) for s in query]
