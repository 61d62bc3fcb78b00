"""Readiness per deck and tag from stored card states and answers, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from quizzer.services import users as user_service
from quizzer.services.readiness import overview
from quizzer.store.models import CardState, ReviewLog
from tests.conftest import at
from tests.quiz_fixtures import OTHER_DECK, card_of, load

NOW = at("2026-03-02 12:00")
TODAY = date(2026, 3, 2)
CAPITALS = ("capital-france", "capital-italy", "capital-spain", "capital-germany")


def state(user, slug: str, interval: int, reviews: int, **extra) -> None:
    card = card_of(slug, "c1" if slug == "bagging" else "front")
    CardState.create(user=user.id, card=card.id, deck=card.deck_id, interval=interval, reviews=reviews,
                     repetitions=reviews, due=TODAY + timedelta(days=interval), **extra)


def answered(user, slug: str, quality: int, days_ago: int, kind: str = "review") -> None:
    card = card_of(slug)
    day = TODAY - timedelta(days=days_ago)
    ReviewLog.create(user=user.id, card=card.id, deck=card.deck_id, day=day, quality=quality, applied=True,
                     kind=kind, reviewed_at=datetime(day.year, day.month, day.day, 9), interval_after=1,
                     easiness_x100_after=250, repetitions_after=1, due_after=day + timedelta(days=1))


@pytest.fixture
def deck(user, write_deck):
    return load(write_deck)


def test_readiness_per_deck_and_tag_from_constructed_states(user, deck):
    for slug in CAPITALS:
        state(user, slug, interval=30, reviews=3)
        answered(user, slug, 4, days_ago=3)
    state(user, "group-split", interval=2, reviews=1)
    answered(user, "group-split", 1, days_ago=0, kind="quiz")
    answered(user, "group-split", 5, days_ago=45, kind="quiz")  # too old to count
    state(user, "react", interval=40, reviews=4, suspended=True)  # left out

    found = overview(user, NOW)

    quiz_basics, = found.decks
    # 7 active cards, 4 mature, 5 seen; reviews 4/4, quizzes 0/1: accuracy 0.5
    # 100 * (0.6 * 4/7 + 0.4 * 5/7 * 0.5) = 48.6
    assert (quiz_basics.label, quiz_basics.cards, quiz_basics.seen, quiz_basics.score) == ("Quiz basics", 7, 5, 49)
    tags = {t.tag: t for t in found.tags}
    assert tags["geo"].score == 100 and tags["geo"].cards == 4
    assert "basics" not in tags  # deck-wide tag: the same cards as the deck
    assert "leakage" not in tags  # fewer than 3 cards
    assert [t.label for t in found.weakest] == ["Quiz basics", "geo"]


def test_only_the_users_own_answers_and_visible_decks_count(user, deck, write_deck):
    mallory = user_service.create_user("mallory", "correct horse battery")
    load(write_deck, OTHER_DECK, owner=mallory, name="private.yaml")
    for slug in CAPITALS:
        state(mallory, slug, interval=30, reviews=3)
        answered(mallory, slug, 5, days_ago=1)

    mine, theirs = overview(user, NOW), overview(mallory, NOW)

    assert [d.label for d in mine.decks] == ["Quiz basics"] and mine.decks[0].score == 0
    assert mine.weakest == []  # nothing studied yet
    assert [d.label for d in theirs.decks] == ["Quiz basics", "Other topic"]
    assert theirs.decks[0].score == round(100 * (0.6 * 4 / 8 + 0.4 * 4 / 8 * 1.0))


def test_weakest_skips_near_copies_and_ranks_the_most_studied_first_on_ties(user, deck, write_deck):
    # Both decks now carry the deck-level tag "basics": it spans them, but names no topic of its own.
    load(write_deck, OTHER_DECK.replace("title: Other topic", "title: Other topic\ntags: [basics]"),
         name="other.yaml")
    for slug in ("two-plus-two", "three-plus-three", "capital-france"):
        state(user, slug, interval=1, reviews=1)
    for slug in ("two-plus-two", "three-plus-three"):
        answered(user, slug, 1, days_ago=0)

    found = overview(user, NOW)

    assert [t.tag for t in found.tags] == ["geo"]
    # #math holds exactly the cards of "Other topic", so it is left out; all score 0: most studied first.
    assert [(t.label, t.score) for t in found.weakest] == [("Other topic", 0), ("geo", 0), ("Quiz basics", 0)]
