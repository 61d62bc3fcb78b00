"""Queries of custom study: cards the day's queue does not offer, and answers that leave the schedule.

Every session shows cards already studied (``reviews > 0``), active, not buried, in a visible deck,
not answered in the study queue today (``last_review_day``) nor in a custom session today. ``deck``
0 means every visible deck.
"""
from __future__ import annotations

from datetime import date, datetime

import peewee as pw

from quizzer.store.models import Card, CardState, Deck, Note, ReviewLog

CUSTOM_KINDS = ("ahead", "custom")  # review_log.kind of answers that did not reschedule


def _studied(user_id: int, deck_id: int, day: date):
    answered_today = (ReviewLog.select(ReviewLog.id)
                      .where((ReviewLog.user == user_id) & (ReviewLog.card == CardState.card)
                             & (ReviewLog.day == day) & ReviewLog.kind.in_(CUSTOM_KINDS)))
    return (CardState.select(CardState.card)
            .join(Deck, on=(CardState.deck == Deck.id))
            .where((CardState.user == user_id) & (CardState.reviews > 0) & ~CardState.suspended
                   & ~CardState.retired & (CardState.buried_until.is_null() | (CardState.buried_until <= day))
                   & (CardState.last_review_day.is_null() | (CardState.last_review_day != day))
                   & (Deck.owner.is_null() | (Deck.owner == user_id))
                   & ((pw.Value(deck_id) == 0) | (CardState.deck == deck_id))
                   & ~pw.fn.EXISTS(answered_today)))


def _first(query) -> tuple[int | None, int]:
    """The first card id in the session's order, and how many the session holds."""
    first = query.order_by(CardState.due, CardState.card).limit(1).scalar()
    return first, query.count()


def next_ahead(user_id: int, deck_id: int, day: date, until: date) -> tuple[int | None, int]:
    """Reviews due after ``day`` up to ``until``, the soonest first."""
    return _first(_studied(user_id, deck_id, day).where((CardState.due > day) & (CardState.due <= until)))


def next_forgotten(user_id: int, deck_id: int, day: date, since: date) -> tuple[int | None, int]:
    """Cards graded below 3 on a day from ``since`` on, not due today."""
    lapsed = (ReviewLog.select(ReviewLog.id)
              .where((ReviewLog.user == user_id) & (ReviewLog.card == CardState.card) & (ReviewLog.day >= since)
                     & (ReviewLog.quality < 3)))
    return _first(_studied(user_id, deck_id, day).where((CardState.due > day) & pw.fn.EXISTS(lapsed)))


def next_tagged(user_id: int, deck_id: int, day: date, tag: str) -> tuple[int | None, int]:
    """Cards of notes tagged ``tag``: those due today first (most overdue first), then the others."""
    return _first(_studied(user_id, deck_id, day).join(Card, on=(CardState.card == Card.id))
                  .join(Note, on=(Card.note == Note.id)).where(Note.tags.contains(f" {tag} ") & ~Card.retired))


def card_state(user_id: int, card_id: int) -> CardState | None:
    return CardState.get_or_none((CardState.user == user_id) & (CardState.card == card_id))


def logged_answer(user_id: int, answer_id: str) -> ReviewLog | None:
    return ReviewLog.get_or_none((ReviewLog.user == user_id) & (ReviewLog.answer_id == answer_id))


def log_unscheduled_answer(state: CardState, day: date, at: datetime, quality: int, kind: str,
                           answer_id: str | None, time_ms: int) -> ReviewLog:
    """Record an answer that leaves the card's schedule as it is (not applied, no state to undo)."""
    return ReviewLog.create(user=state.user_id, card=state.card_id, deck=state.deck_id, reviewed_at=at, day=day,
                            quality=quality, applied=False, kind=kind, time_ms=time_ms, answer_id=answer_id,
                            state_before=None, interval_before=state.interval, interval_after=state.interval,
                            easiness_x100_after=state.easiness_x100, repetitions_after=state.repetitions,
                            due_after=state.due)
