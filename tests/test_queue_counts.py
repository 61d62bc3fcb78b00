"""Counts that travel with the answers equal a full recount after every step, on both engines.

Random sequences of answers (every quality, to any card: new, due, relearning, not due, suspended),
undos, suspensions, unsuspensions and burials on three decks and one whose notes have siblings (a
three-part cloze, a reversible card: answering one buries the others), in one deck's scope or all of
them, under random deck options (a deck's own new and review limits, burying off) and new-card
orders, each step carrying the contents the last one returned. An answer to a card with siblings
undone at once leaves every card state as it was (the siblings it buried unburied).
"""
from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizzer.services import deck_options, review
from quizzer.services.day_plan import queue_counts
from quizzer.services.study import QueueContents, queue_contents, study_day_for
from quizzer.srs.queue import NEW_ORDERS
from quizzer.store.card_states import snapshot
from quizzer.store.models import Card, CardState, Deck, User
from tests.conftest import at

DECKS = ("alpha", "bravo", "charlie")
CARDS_PER_DECK = 4
START = at("2026-04-01 09:00")
_users = itertools.count()


def deck_text(slug: str) -> str:
    cards = "".join(f"  - {{id: {slug}{i}, question: '{slug} {i}?', answer: '{i}'}}\n" for i in range(CARDS_PER_DECK))
    return f"id: {slug}\ntitle: {slug.title()}\ncards:\n{cards}"


SIBLINGS = """id: delta
title: Delta
cards:
  - {id: rome, cloze: "{{c1::Rome}} is the capital of {{c2::Italy}}, on the {{c3::Tiber}}."}
  - {id: paris, question: Capital of France?, answer: Paris, reverse: true}
"""
CARDS = 3 * CARDS_PER_DECK + 5


@pytest.fixture
def collection(db, load_deck):
    for slug in DECKS:
        load_deck(deck_text(slug), name=f"{slug}.yaml")
    load_deck(SIBLINGS, name="delta.yaml")
    return [c.id for c in Card.select().order_by(Card.id)], [d.id for d in Deck.select().order_by(Deck.id)]


operation = st.one_of(
    st.tuples(st.just("answer"), st.integers(0, CARDS - 1), st.integers(0, 5)),
    st.tuples(st.just("next"), st.just(0), st.integers(0, 5)),  # answer whatever the queue shows
    st.tuples(st.just("undo"), st.just(0), st.just(0)),
    st.tuples(st.just("answer and undo"), st.integers(CARDS - 5, CARDS - 1), st.integers(0, 5)),  # delta's
    st.tuples(st.sampled_from(["suspend", "unsuspend", "bury"]), st.integers(0, CARDS - 1),
              st.just(0)),
    st.tuples(st.just("wait"), st.integers(1, 24 * 60), st.just(0)),  # minutes: may cross the roll-over
)


def _states(user) -> dict:
    return {state.card_id: snapshot(state) for state in CardState.select().where(CardState.user == user)}


def _answer_and_undo(user, card_id, quality, now, scope, carried: QueueContents):
    """Answer, check the carried counts, undo: the states are back as they were."""
    states = _states(user)
    answered = review.answer_and_next(user, card_id, quality, now, deck_id=scope, counts=carried)
    assert answered.contents == queue_contents(user, study_day_for(user, now).day, scope)
    undone = review.undo_and_show(user, now, deck_id=scope, counts=answered.contents)
    assert _states(user) == states
    return undone


def _run(user, op, card_id, quality, now, scope, carried: QueueContents, shown):
    if op == "answer and undo":
        return _answer_and_undo(user, card_id, quality, now, scope, carried)
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
@given(steps=st.lists(operation, min_size=1, max_size=25), scope_index=st.sampled_from([None, 0, 2, 3]),
       limits=st.sampled_from([(20, 200), (3, 200), (20, 5)]), order=st.sampled_from(NEW_ORDERS),
       own=st.sampled_from([{}, {"new_per_day": 1}, {"reviews_per_day": 2}, {"new_per_day": 0, "new_order": "random"},
                            {"bury_siblings": "off"}]), own_deck=st.sampled_from([0, 3]))
def test_carried_counts_equal_a_full_recount_after_every_step(collection, steps, scope_index, limits, order, own,
                                                               own_deck):
    cards, decks = collection
    user = User.create(username=f"u{next(_users)}", new_per_day=limits[0], reviews_per_day=limits[1],
                       new_order=order)
    deck_options.update_deck_options(user, decks[own_deck], **own)
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
