"""Stats tables: the review log rolled up per (user, study day, deck), and daily snapshots.

``ReviewDay`` is kept exact by database triggers on ``review_log`` (insert and
delete; the log is append-only and undo deletes), so every writer — the review
engine, imports, restores — keeps it right. The stats page reads a year from it
instead of a year of log rows (see docs/stats.md for the measurements).
"""
from __future__ import annotations

import peewee as pw

from quizzer.store.models import BaseModel, Deck, User, utcnow


class ReviewDay(BaseModel):
    """Answers of one user on one study day in one deck; new/young/mature by the interval before."""

    user = pw.ForeignKeyField(User, on_delete="CASCADE", index=False)
    deck = pw.ForeignKeyField(Deck, on_delete="CASCADE")
    day = pw.DateField()
    answers = pw.IntegerField()
    new_answers = pw.IntegerField()  # interval before the answer: 0
    young_answers = pw.IntegerField()  # 1 day up to below srs.MATURE_DAYS
    mature_answers = pw.IntegerField()  # srs.MATURE_DAYS or more (the 0003 triggers hold the value)
    reviews = pw.IntegerField()  # applied answers to cards with an interval (not new)
    passed = pw.IntegerField()  # ... graded q >= srs.PASSING_QUALITY
    mature_reviews = pw.IntegerField()  # applied answers to mature cards
    mature_passed = pw.IntegerField()
    time_ms = pw.BigIntegerField()

    class Meta:
        indexes = ((("user", "day", "deck"), True),)


class DaySnapshot(BaseModel):
    """A user's figures for one finished study day, written by the daily roll-over."""

    user = pw.ForeignKeyField(User, on_delete="CASCADE", index=False)
    day = pw.DateField()
    answers = pw.IntegerField()
    new_cards = pw.IntegerField()
    reviews = pw.IntegerField()
    passed = pw.IntegerField()
    time_ms = pw.BigIntegerField()
    cards_studied = pw.IntegerField()
    mature_cards = pw.IntegerField()
    due_next_day = pw.IntegerField()
    leeches = pw.IntegerField()
    suspended = pw.IntegerField()
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("user", "day"), True),)
