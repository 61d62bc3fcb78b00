"""The review log's compact encodings (store/fields.py, migration 0015) on both engines."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import peewee as pw
import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizzer.services import review
from quizzer.store.fields import EpochDayField, EpochMicrosField, compact_id, id_text
from quizzer.store.migrate import apply_migrations, migration_names
from quizzer.store.models import CardState, ReviewLog, User
from quizzer.store.prepared import DATE, DATETIME, INT, STR, Prepared
from quizzer.store.review_log_retention import UNDO_DEPTH, UNDO_PRUNE_EVERY, before_state_dropped, drop_old_undo_states
from quizzer.store.stats_models import ReviewDay
from tests.conftest import SHARED_DECK, at, card_id
from tests.test_store_migrations import FIRST, fill_at_first_migration, insert, raw_db, table  # noqa: F401

BEFORE = "0014_deck_origin"
UUID = "0f8fad5b-d9cb-469f-a165-70867728950e"
# (reviewed_at as the old schema stored it, answer_id): microseconds or not, every kind of id.
OLD_ROWS = [(datetime(2026, 1, 5, 10, 0, 0, 123456), "9f86d081884c7d659a2feaa0"),
            (datetime(2026, 1, 5, 10, 1, 7), UUID),
            (datetime(2026, 1, 6, 3, 59, 59, 999999), "Retry #1 ü"),
            (datetime(1999, 12, 31, 23, 59, 59, 1), None),
            (datetime(2026, 1, 6, 9, 0, 0, 5), "ABCDEF")]  # upper-case hex stays text


def _review_days(database) -> list[tuple]:
    rows = table(database, "review_day")
    return sorted((str(r["day"]), r["answers"], r["time_ms"]) for r in rows.select().dicts())


def test_0015_keeps_every_value_and_the_review_day_rollup(raw_db):  # noqa: F811
    apply_migrations(raw_db, target=FIRST)
    fill_at_first_migration(raw_db)
    apply_migrations(raw_db, target=BEFORE)
    user_id, card_id, deck_id = (table(raw_db, "review_log").select().dicts().get()[k]
                                 for k in ("user_id", "card_id", "deck_id"))
    for i, (when, answer_id) in enumerate(OLD_ROWS):
        insert(raw_db, "review_log", user_id=user_id, card_id=card_id, deck_id=deck_id, reviewed_at=when,
               day=when.date(), quality=i % 6, applied=i % 2 == 0, kind="quiz" if i == 3 else "review",
               time_ms=100 * i,
               answer_id=answer_id, state_before='{"interval": 1}' if i == 2 else None, interval_before=i,
               interval_after=i + 1, easiness_x100_after=250, repetitions_after=1,
               due_after=when.date() + timedelta(days=i + 1))
    rollup = _review_days(raw_db)

    assert apply_migrations(raw_db) == migration_names()[migration_names().index(BEFORE) + 1:]

    logs = list(ReviewLog.select().order_by(ReviewLog.id))[1:]  # the first is fill_at_first_migration's
    assert [(log.reviewed_at, log.answer_id) for log in logs] == OLD_ROWS
    assert [(log.day, log.due_after) for log in logs] == [
        (when.date(), when.date() + timedelta(days=i + 1)) for i, (when, _) in enumerate(OLD_ROWS)]
    assert logs[2].state_before == {"interval": 1}
    assert [log.kind for log in logs] == ["review", "review", "review", "quiz", "review"]
    assert _review_days(raw_db) == rollup
    # Idempotency finds the converted ids: the same id for the same card replays, nothing is added.
    user = User.get_by_id(user_id)
    assert review.answer(user, card_id, 4, answer_id=UUID, now=at("2026-01-07 10:00")).replayed
    assert ReviewLog.select().count() == len(OLD_ROWS) + 1


def test_answers_and_undo_keep_the_review_day_rollup_on_integer_days(user, load_deck):
    """The triggers rewritten by 0015 turn the integer day back into review_day's date."""
    load_deck(SHARED_DECK)
    card = card_id("shared-basics", "capital-france")
    assert review.answer(user, card, 4, answer_id="a1", now=at("2026-03-01 12:00")).applied
    assert [(r.day, r.answers, r.new_answers) for r in ReviewDay.select()] == [(ReviewLog.get().day, 1, 1)]
    assert ReviewLog.get().day == date(2026, 3, 1)
    assert review.undo_last(user, now=at("2026-03-01 12:01")) == card
    assert ReviewDay.select().count() == 0 and CardState.select().count() == 0


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(9999, 1, 1)))
def test_a_datetime_comes_back_exactly(value):
    field = EpochMicrosField()
    assert field.python_value(field.db_value(value)) == value
    assert field.db_value(value.replace(tzinfo=UTC)) == field.db_value(value)


@given(st.dates())
def test_a_date_comes_back_exactly(value):
    field = EpochDayField()
    assert field.python_value(field.db_value(value)) == value


@given(st.text(max_size=64), st.text(max_size=64))
def test_an_answer_id_comes_back_exactly_and_distinct_ids_stay_distinct(first, second):
    assert id_text(compact_id(first)) == first
    assert (compact_id(first) == compact_id(second)) == (first == second)


@given(st.binary(min_size=1, max_size=32))
def test_hex_ids_take_half_their_length_plus_one(raw):
    assert len(compact_id(raw.hex())) == len(raw) + 1


def test_a_kind_outside_the_codes_is_refused():
    with pytest.raises(ValueError, match="kind: 'other' is none of review, quiz"):
        ReviewLog.kind.db_value("other")
    assert [ReviewLog.kind.python_value(ReviewLog.kind.db_value(k)) for k in ("review", "quiz")] == ["review", "quiz"]


def test_dates_order_as_integers_do():
    days = [date(1969, 12, 31), date(1970, 1, 1), date(2026, 1, 1)]
    assert sorted(days, key=EpochDayField().db_value) == days
    assert isinstance(EpochMicrosField(), pw.DateTimeField)  # backup checks and exports see a date field


def test_only_the_last_answers_keep_their_before_state(user, load_deck):
    """drop_old_undo_states keeps the newest 30 before-states of this user, another user's untouched
    (the answer path has already trimmed some on its own, one answer in UNDO_PRUNE_EVERY)."""
    load_deck(SHARED_DECK)
    other = User.create(username="other")
    cards = [card_id("shared-basics", slug) for slug in ("capital-france", "two-plus-two", "largest-ocean")]
    for n in range(40):
        for who in (user, other):
            review.answer(who, cards[n % 3], 4, answer_id=f"{who.id}-{n}", now=at("2026-03-01 12:00"))
    others_held = ReviewLog.select().where((ReviewLog.user == other.id) & ReviewLog.state_before.is_null(False)).count()
    assert UNDO_DEPTH <= others_held <= UNDO_DEPTH + UNDO_PRUNE_EVERY
    assert drop_old_undo_states(user.id) <= 40 - 3 - UNDO_DEPTH  # each card's first answer holds none
    mine = list(ReviewLog.select().where(ReviewLog.user == user.id).order_by(ReviewLog.id))
    assert [log.state_before is not None for log in mine] == [False] * 10 + [True] * UNDO_DEPTH
    assert [before_state_dropped(log) for log in mine] == [False] * 3 + [True] * 7 + [False] * UNDO_DEPTH
    assert ReviewLog.select().where((ReviewLog.user == other.id) & ReviewLog.state_before.is_null(False)).count() \
        == others_held
    assert drop_old_undo_states(user.id) == 0


def test_prepared_queries_bind_values_as_the_compact_fields_store_them(user, load_deck):
    """A prepared query's DATETIME, DATE and STR parameters are encoded like the columns they meet."""
    load_deck(SHARED_DECK)
    first, second = card_id("shared-basics", "capital-france"), card_id("shared-basics", "two-plus-two")
    review.answer(user, first, 4, answer_id="9f86d081884c7d659a2feaa0", now=at("2026-03-01 12:00"))
    review.answer(user, second, 4, answer_id=UUID, now=at("2026-03-02 12:00"))
    query = Prepared(lambda user, since, day, answer_id: ReviewLog.select().where(
        (ReviewLog.user == user) & (ReviewLog.reviewed_at >= since) & (ReviewLog.day <= day)
        & (ReviewLog.answer_id == answer_id)), user=INT, since=DATETIME, day=DATE, answer_id=STR)
    found = query.first(user=user.id, since=datetime(2026, 3, 2), day=date(2026, 3, 2), answer_id=UUID)
    assert (found.card_id, found.answer_id, found.reviewed_at) == (second, UUID, datetime(2026, 3, 2, 12))
    assert query.first(user=user.id, since=datetime(2026, 3, 2, 12, 0, 0, 1), day=date(2026, 3, 2),
                       answer_id=UUID) is None
    assert query.first(user=user.id, since=datetime(2026, 3, 1), day=date(2026, 3, 1), answer_id=UUID) is None
