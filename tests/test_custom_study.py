"""Custom study on both engines: study ahead, forgotten cards and a tag leave the schedule intact."""
from __future__ import annotations

from datetime import date

import pytest

from quizzer.services import custom_study, review
from quizzer.services.errors import InvalidInput, NotFound
from quizzer.store.models import CardState, ReviewLog, User
from tests.conftest import at, card_id

DECK = """id: cs
title: Custom
cards:
  - {id: a, question: 'a?', answer: 'A', tags: [net]}
  - {id: b, question: 'b?', answer: 'B', tags: [net]}
  - {id: c, question: 'c?', answer: 'C'}
  - {id: d, question: 'd?', answer: 'D', tags: [net]}
"""


@pytest.fixture
def user(db):
    return User.create(username="alice")


@pytest.fixture
def studied(user, load_deck):
    """By Jan 9: a and b due Jan 12 (interval 6), c forgotten on Jan 6 and due Jan 14; d new."""
    deck = load_deck(DECK)
    plan = {"2026-01-05": "a4 b4 c4", "2026-01-06": "a4 b4 c2 c4", "2026-01-07": "c4", "2026-01-08": "c4"}
    for day, answers in plan.items():
        for answer in answers.split():
            review.answer(user, card_id("cs", answer[0]), int(answer[1]), now=at(f"{day} 10:00"))
    return deck


def states() -> dict[int, tuple]:
    return {s.card_id: (s.due, s.interval, s.repetitions, s.easiness_x100, s.reviews, s.last_review_day)
            for s in CardState.select()}


JAN9 = at("2026-01-09 12:00")


def test_study_ahead_shows_reviews_due_soon_and_leaves_them_due(user, studied):
    before = states()
    session = custom_study.check_session("ahead", studied.id, days="5")
    seen = []
    while (nxt := custom_study.next_custom_card(user, session, JAN9)).card_id is not None:
        seen.append(nxt.card_id)
        outcome = custom_study.answer_custom(user, session, nxt.card_id, 5, answer_id=f"ahead-{len(seen)}", now=JAN9)
        assert not outcome.applied
    assert seen == [card_id("cs", s) for s in "abc"]  # the soonest due first
    assert states() == before  # nothing rescheduled
    assert [log.kind for log in ReviewLog.select().where(ReviewLog.day == date(2026, 1, 9))] == ["ahead"] * 3
    assert CardState.get(CardState.card == seen[0]).due == date(2026, 1, 12)
    # When due, the card is scheduled as if never studied ahead: 6 days x 2.5 = 15.
    assert review.answer(user, seen[0], 4, now=at("2026-01-12 12:00")).interval == 15
    assert custom_study.next_custom_card(user, custom_study.check_session("ahead", None, days=2), JAN9).left == 0


def test_an_ahead_answer_sent_twice_is_logged_once(user, studied):
    session = custom_study.check_session("ahead", None, days=5)
    card = custom_study.next_custom_card(user, session, JAN9).card_id
    for _ in range(2):
        custom_study.answer_custom(user, session, card, 4, answer_id="same", now=JAN9)
    assert ReviewLog.select().where(ReviewLog.kind == "ahead").count() == 1


def test_forgotten_cards_are_those_failed_in_the_last_days(user, studied):
    week = custom_study.check_session("forgotten", None, days=7)
    assert custom_study.next_custom_card(user, week, JAN9) == custom_study.CustomNext(card_id("cs", "c"), 1)
    custom_study.answer_custom(user, week, card_id("cs", "c"), 4, now=JAN9)
    assert custom_study.next_custom_card(user, week, JAN9).card_id is None  # once a day
    two_days = custom_study.check_session("forgotten", None, days=2)
    assert custom_study.next_custom_card(user, two_days, at("2026-01-10 12:00")).card_id is None


def test_a_tag_session_reschedules_due_cards_only(user, studied):
    session = custom_study.check_session("tag", None, tag="NET")  # a and b; c has no tag, d is new
    first = custom_study.next_custom_card(user, session, JAN9)
    assert first.left == 2
    assert not custom_study.answer_custom(user, session, first.card_id, 4, now=JAN9).applied
    jan12 = at("2026-01-12 12:00")  # both due now
    due = custom_study.next_custom_card(user, session, jan12)
    outcome = custom_study.answer_custom(user, session, due.card_id, 4, now=jan12)
    assert outcome.applied and outcome.interval == 15


def test_custom_study_refuses_new_cards_and_bad_sessions(user, studied):
    with pytest.raises(NotFound, match="not been studied"):
        custom_study.answer_custom(user, custom_study.check_session("tag", None, tag="net"), card_id("cs", "d"), 4,
                                   now=JAN9)
    with pytest.raises(InvalidInput, match="custom: one of"):
        custom_study.check_session("cram", None, days=1)
    with pytest.raises(InvalidInput, match="days: between 1 and 365"):
        custom_study.check_session("ahead", None, days="0")
    for bad in ("two tags", "c++", "x" * 65):  # the deck format's tag rule (deck_format/tags.py)
        with pytest.raises(InvalidInput, match="is not a tag: use lowercase letters"):
            custom_study.check_session("tag", None, tag=bad)
    with pytest.raises(InvalidInput, match="tag: required"):
        custom_study.check_session("tag", None, tag="  ")
    assert custom_study.check_session("tag", None, tag="ML::LoRA").tag == "ml::lora"  # as decks and Anki tag


def test_an_answer_outside_the_sessions_deck_is_refused_and_writes_nothing(user, studied, load_deck):
    bob = User.create(username="bob")
    hidden = load_deck("id: bobs\ntitle: Bob's\ncards:\n  - {id: x, question: 'x?', answer: 'X'}\n", owner=bob,
                       name="bobs.yaml")
    other = load_deck("id: other\ntitle: Other\ncards:\n  - {id: y, question: 'y?', answer: 'Y'}\n", name="other.yaml")
    logged = ReviewLog.select().count()
    with pytest.raises(NotFound, match=f"no deck {hidden.id}"):  # a deck the user cannot see: nothing logged
        custom_study.answer_custom(user, custom_study.check_session("ahead", hidden.id, days=5), card_id("cs", "a"),
                                   4, now=JAN9)
    with pytest.raises(InvalidInput, match=f"card_id: card {card_id('cs', 'a')} is not in deck {other.id}"):
        custom_study.answer_custom(user, custom_study.check_session("ahead", other.id, days=5), card_id("cs", "a"),
                                   4, now=JAN9)
    assert ReviewLog.select().count() == logged
