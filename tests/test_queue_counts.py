"""Counts that travel with the answers equal a full recount after every step, on both engines.

Random sequences of answers (every quality, to any card: new, due, relearning, not due, suspended),
undos, suspensions, unsuspensions and burials on three decks, in one deck's scope or all of them,
each step carrying the contents the last one returned.
"""
from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizzer.services import review
from quizzer.services.study import QueueContents, queue_contents, queue_counts, study_day_for
from quizzer.store.models import Card, Deck, User
from tests.conftest import at

DECKS = ("alpha", "bravo", "charlie")
CARDS_PER_DECK = 4
START = at("2026-04-01 09:00")
_users = itertools.count()


def deck_text(slug: str) -> str:
    cards = "".join(f"  - {{id: {slug}{i}, question: '{slug} {i}?', answer: '{i}'}}\n" for i in range(CARDS_PER_DECK))
    return f"id: {slug}\ntitle: {slug.title()}\ncards:\n{cards}"


@pytest.fixture
def collection(db, load_deck):
    for slug in DECKS:
        load_deck(deck_text(slug), name=f"{slug}.yaml")
    return [c.id for c in Card.select().order_by(Card.id)], [d.id for d in Deck.select().order_by(Deck.id)]


operation = st.one_of(
    st.tuples(st.just("answer"), st.integers(0, 3 * CARDS_PER_DECK - 1), st.integers(0, 5)),
    st.tuples(st.just("next"), st.just(0), st.integers(0, 5)),  # answer whatever the queue shows
    st.tuples(st.just("undo"), st.just(0), st.just(0)),
    st.tuples(st.sampled_from(["suspend", "unsuspend", "bury"]), st.integers(0, 3 * CARDS_PER_DECK - 1),
              st.just(0)),
    st.tuples(st.just("wait"), st.integers(1, 24 * 60), st.just(0)),  # minutes: may cross the roll-over
)


def _run(user, op, card_id, quality, now, scope, carried: QueueContents, shown):
    if op == "answer":
        return review.answer_and_next(user, card_id, quality, now, deck_id=scope, counts=carried)
    if op == "next":
        return shown and review.answer_and_next(user, shown, quality, now, deck_id=scope, counts=carried)
    if op == "undo":
        return review.undo_and_show(user, now, deck_id=scope, counts=carried)
    if op == "bury":
        return review.bury_and_next(user, card_id, now, deck_id=scope, counts=carried)
    return review.suspend_and_next(user, card_id, op == "suspend", now, deck_id=scope, counts=carried)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(operation, min_size=1, max_size=25), scope_index=st.sampled_from([None, 0, 2]),
       limits=st.sampled_from([(20, 200), (3, 200), (20, 5)]))
def test_carried_counts_equal_a_full_recount_after_every_step(collection, steps, scope_index, limits):
    cards, decks = collection
    user = User.create(username=f"u{next(_users)}", new_per_day=limits[0], reviews_per_day=limits[1])
    scope = None if scope_index is None else decks[scope_index]
    now = START
    step = review.next_with_counts(user, now, scope)
    for op, target, quality in steps:
        if op == "wait":
            now += timedelta(minutes=target)
            continue
        shown = step.card.view.card.id if step.card else None
        after = _run(user, op, cards[target], quality, now, scope, step.contents, shown)
        now += timedelta(seconds=30)
        if after is None:  # nothing to undo, or nothing shown to answer
            continue
        step = after
        today = study_day_for(user, now - timedelta(seconds=30))
        assert step.contents == queue_contents(user, today.day, scope), (op, target, quality)
        assert step.counts == queue_counts(user, today, scope)
