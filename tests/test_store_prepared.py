"""Prepared writes store exactly what peewee's own save and create store, on both engines."""
from __future__ import annotations

from datetime import date, datetime

import peewee as pw
import pytest

from quizzer.store.models import Card, CardState, ReviewLog
from quizzer.store.prepared import PreparedWrite
from tests.conftest import card_id

DECK = "id: p\ntitle: P\ncards:\n  - {id: a, question: A?, answer: A.}\n  - {id: b, question: B?, answer: B.}\n"
LOG = ("user", "card", "deck", "reviewed_at", "day", "quality", "applied", "kind", "time_ms", "answer_id",
       "state_before", "interval_before", "interval_after", "easiness_x100_after", "repetitions_after", "due_after")
STATE = tuple(f.name for f in CardState._meta.sorted_fields if f.name != "id")


def _row(model, row_id: int) -> dict:
    return {k: v for k, v in model.get_by_id(row_id).__data__.items() if k != "id"}


@pytest.fixture
def cards(user, load_deck) -> tuple[int, int, int]:
    load_deck(DECK)
    one, two = card_id("p", "a"), card_id("p", "b")
    return one, two, Card.get_by_id(one).deck_id


def test_an_insert_and_an_update_store_what_peewee_stores(db, user, cards):
    one, two, deck = cards
    values = dict(user=user.id, card=one, deck=deck, reviewed_at=datetime(2026, 3, 1, 9, 5, 7, 120),
                  day=date(2026, 3, 1), quality=4, applied=True, kind="review", time_ms=900,
                  state_before={"due": "2026-03-01", "relearn": False, "é": None}, interval_before=1,
                  interval_after=6, easiness_x100_after=250, repetitions_after=2, due_after=date(2026, 3, 7))
    by_peewee = ReviewLog.create(answer_id="x1", **values)
    PreparedWrite(ReviewLog, LOG).run([{**values, "answer_id": "x2"}[name] for name in LOG])
    prepared = ReviewLog.get(ReviewLog.answer_id == "x2")
    assert {**_row(ReviewLog, prepared.id), "answer_id": "x1"} == _row(ReviewLog, by_peewee.id)

    state = CardState.create(user=user.id, card=two, deck=deck, due=date(2026, 3, 1))
    columns = ("interval", "due", "last_review", "relearn", "buried_until")
    new = (15, date(2026, 3, 16), datetime(2026, 3, 1, 9, 5, 7), True, None)
    PreparedWrite(CardState, columns, keys=("id",)).run([*new, state.id])
    assert tuple(getattr(CardState.get_by_id(state.id), c) for c in columns) == new


def test_a_broken_constraint_is_peewees_integrity_error(db, user, cards):
    one, _, deck = cards
    write = PreparedWrite(CardState, STATE)
    state = CardState(user=user.id, card=one, deck=deck, due=date(2026, 3, 1))
    write.run([state.__data__.get(name) for name in STATE])
    assert CardState.get(CardState.card == one).easiness_x100 == 250  # the model's defaults went in
    with pytest.raises(pw.IntegrityError):
        write.run([state.__data__.get(name) for name in STATE])  # one state per user and card
