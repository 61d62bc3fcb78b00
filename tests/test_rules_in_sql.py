"""The thresholds written into SQL and pages are the core's: migration 0003's review_day triggers hold
``interval_before >= 21`` and ``quality >= 3`` as text (migrations are history, not rewritten),
so these tests fail if srs.MATURE_DAYS or srs.PASSING_QUALITY ever moves without a new migration."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from quizzer.services import stats
from quizzer.services.stats.cards import INTERVAL_BUCKETS
from quizzer.srs import MATURE_DAYS, PASSING_QUALITY
from quizzer.store.db import is_sqlite
from quizzer.store.models import Card, Deck, ReviewLog
from quizzer.store.stats_models import ReviewDay
from tests.conftest import at

DECK = "id: d\ntitle: D\ncards:\n" + "".join(f"  - id: c{i}\n    question: Q{i}?\n    answer: A{i}\n" for i in range(4))


def _trigger_sql(db) -> str:
    if is_sqlite(db):
        rows = db.execute_sql("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'review_log'")
    else:
        rows = db.execute_sql("SELECT prosrc FROM pg_proc WHERE proname = 'review_day_count'")
    return " ".join(text for (text,) in rows.fetchall())


def test_the_installed_triggers_use_the_core_thresholds(db):
    sql = _trigger_sql(db)
    assert f"interval_before >= {MATURE_DAYS}" in sql and f"interval_before < {MATURE_DAYS}" in sql
    assert f"quality >= {PASSING_QUALITY}" in sql
    assert {int(n) for n in re.findall(r"interval_before [<>]=? (\d+)", sql)} == {0, MATURE_DAYS}


@pytest.fixture
def cards(db, load_deck):
    deck = load_deck(DECK)
    return deck, [c.id for c in Card.select(Card.id).where(Card.deck == deck.id).order_by(Card.position)]


def _log(user, card_id: int, deck: Deck, day: date, *, before: int, quality: int) -> None:
    ReviewLog.create(user=user.id, card=card_id, deck=deck.id, reviewed_at=f"{day} 12:00:00", day=day,
                     quality=quality, applied=True, time_ms=1000, interval_before=before, interval_after=before + 1,
                     easiness_x100_after=250, repetitions_after=1, due_after=day + timedelta(days=1))


def test_the_rollup_and_the_figures_split_young_and_mature_at_the_core_threshold(user, cards):
    deck, ids = cards
    day = date(2026, 3, 2)
    _log(user, ids[0], deck, day, before=MATURE_DAYS - 1, quality=PASSING_QUALITY)
    _log(user, ids[1], deck, day, before=MATURE_DAYS, quality=PASSING_QUALITY - 1)
    _log(user, ids[2], deck, day, before=MATURE_DAYS, quality=PASSING_QUALITY)
    row = ReviewDay.get((ReviewDay.user == user.id) & (ReviewDay.day == day))
    assert (row.young_answers, row.mature_answers, row.passed, row.mature_reviews, row.mature_passed) == (1, 2, 2, 2, 1)
    recent = stats.figure(stats.stats_scope(user, now=at("2026-03-02 18:00")), "reviews")
    assert (sum(recent.young), sum(recent.mature)) == (1, 2)


def test_the_interval_chart_has_a_bucket_starting_at_the_mature_threshold():
    """Its mature count sums the buckets from MATURE_DAYS on: one must start exactly there."""
    assert MATURE_DAYS in [low for _, low in INTERVAL_BUCKETS]


def test_the_pages_state_the_core_thresholds(app, logged_in, load_deck):
    load_deck(DECK)
    alice = logged_in("alice")
    stats_page = alice.get("/stats").get_data(as_text=True)
    assert f"graded {PASSING_QUALITY} or better (young: interval under {MATURE_DAYS} days" in stats_page
    assert f"cards at {MATURE_DAYS}+ day" in alice.get("/").get_data(as_text=True)
