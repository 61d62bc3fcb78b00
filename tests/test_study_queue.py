"""The study queue on both engines: Study now across decks within every limit, each deck's own
Study button, buried siblings, extra new cards, quiz-introduced cards, counts equal to what is served."""
from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import timedelta

import pytest

from quizzer.services import deck_options, review
from quizzer.services import users as user_service
from quizzer.services.day_plan import due_counts_by_deck, queue_counts
from quizzer.services.study import DeckPart, queue_contents, study_day_for
from quizzer.store import deck_day
from quizzer.store.models import CardState, Deck, ReviewLog, User
from tests.conftest import at, card_id

NOON = at("2026-02-02 12:00")


@pytest.fixture
def user(db):
    return User.create(username="alice")


def deck_text(slug: str, count: int, title: str | None = None) -> str:
    cards = "".join(f"  - {{id: {slug}{i}, question: '{slug} {i}?', answer: '{i}'}}\n" for i in range(1, count + 1))
    return f"id: {slug}\ntitle: {title or slug.upper()}\ncards:\n{cards}"


@pytest.fixture
def three(load_deck):
    """Decks A, B, C (in that study order), 10 new cards each."""
    return [load_deck(deck_text(slug, 10)) for slug in ("a", "b", "c")]


def drain(user, now=NOON, deck_id=None, limit=100) -> list[str]:
    """Answer Good to everything the queue serves; the deck slug of each card served."""
    served = []
    while (view := review.next_card(user, deck_id, now=now)) is not None:
        served.append(view.deck.slug)
        review.answer(user, view.card.id, 4, now=now)
        now += timedelta(seconds=1)
        assert len(served) <= limit, served
    return served


def test_study_now_draws_new_cards_from_every_deck_within_their_limits(user, three):
    a, b, c = three
    user_service.update_settings(user, new_per_day=7, new_order="round_robin")
    deck_options.update_deck_options(user, a.id, new_per_day="1")
    today = study_day_for(user, NOON)
    assert queue_counts(user, today).new == 7
    assert [(row.deck.slug, row.new) for row in due_counts_by_deck(user, today)] == [("a", 1), ("b", 7), ("c", 7)]

    served = drain(user)

    assert len(served) == 7 and Counter(served) == {"a": 1, "b": 3, "c": 3}
    assert served[:3] == ["a", "b", "c"]  # one from each in turn
    # Study now is done (the user's 7), but each deck still offers its own allowance alone.
    assert queue_counts(user, study_day_for(user, NOON)).total == 0
    assert [(row.deck.slug, row.new) for row in due_counts_by_deck(user, study_day_for(user, NOON))] == \
        [("a", 0), ("b", 4), ("c", 4)]
    assert drain(user, deck_id=b.id) == ["b"] * 4
    assert review.next_card(user, a.id, now=NOON) is None


@pytest.mark.parametrize("order", ["deck", "round_robin", "random"])
def test_the_counts_are_what_the_queue_serves(user, three, order):
    a, b, c = three
    review.answer(user, card_id("a", "a1"), 4, now=NOON - timedelta(days=1))  # one review due today
    user_service.update_settings(user, new_per_day=9, reviews_per_day=8, new_order=order)
    deck_options.update_deck_options(user, b.id, new_per_day="2")
    deck_options.update_deck_options(user, c.id, reviews_per_day="3")
    counts = queue_counts(user, study_day_for(user, NOON))

    served = drain(user)

    assert (counts.due, counts.new, len(served)) == (1, 7, 8)  # 8 reviews at most, the due one first
    taken = Counter(served)
    assert taken["b"] <= 2 and taken["c"] <= 3
    left = queue_counts(user, study_day_for(user, NOON))
    assert (left.new, left.due, left.relearn) == (0, 0, 0)


def test_a_deck_imported_after_study_now_can_be_studied_that_day(user, three, load_deck):
    user_service.update_settings(user, new_per_day=5)
    assert drain(user) == ["a"] * 5
    fresh = load_deck(deck_text("new", 4, title="Zz fresh"))
    counts = {row.deck.slug: row.new for row in due_counts_by_deck(user, study_day_for(user, NOON))}
    assert counts == {"a": 0, "b": 5, "c": 5, "new": 4}
    assert drain(user, deck_id=fresh.id) == ["new"] * 4


def test_carried_contents_without_a_deck_made_since_are_counted_again(user, three, load_deck):
    """Both engines: a deck imported mid-session joins Study now at the next answer; one carried but
    gone (here: another user's, which this one cannot see) leaves it."""
    user_service.update_settings(user, new_per_day=100)
    step = review.next_with_counts(user, NOON)
    step = review.answer_and_next(user, step.card.view.card.id, 4, NOON, counts=step.contents)
    assert step.counts.new == 29
    fresh = load_deck(deck_text("new", 4), owner=user)
    step = review.answer_and_next(user, step.card.view.card.id, 4, NOON, counts=step.contents)
    assert step.counts.new == 28 + 4 and step.contents == queue_contents(user, NOON.date())
    assert fresh.id in [part.deck_id for part in step.contents.decks]

    bob = User.create(username="bob")
    hidden = load_deck(deck_text("bobs", 2), owner=bob)
    carried = replace(step.contents, decks=(*step.contents.decks, DeckPart(hidden.id, 2, 0, 0)))
    step = review.answer_and_next(user, step.card.view.card.id, 4, NOON, counts=carried)
    assert step.counts.new == 31 and step.contents == queue_contents(user, NOON.date())


CLOZE_DECK = """id: sib
title: Siblings
cards:
  - id: rome
    cloze: "{{c1::Rome}} is the capital of {{c2::Italy}}, on the {{c3::Tiber}}."
  - id: paris
    question: Capital of France?
    answer: Paris
    reverse: true
  - id: plain
    question: Two plus two?
    answer: Four
"""


def test_answering_a_card_buries_its_siblings_until_the_next_day(user, load_deck):
    deck = load_deck(CLOZE_DECK)
    today = study_day_for(user, NOON)
    assert queue_counts(user, today).new == 6

    assert [slug for slug in drain_slugs(user, NOON)] == ["rome:c1", "paris:front", "plain:front"]
    assert queue_counts(user, study_day_for(user, NOON)).total == 0  # the counts know it too
    # The next day the reviews are due, and answering c1 buries c2 and c3 again (reviews bury new
    # siblings too, as in Anki); the day after, nothing is due and the siblings come, one per note.
    assert drain_slugs(user, NOON + timedelta(days=1)) == ["rome:c1", "paris:front", "plain:front"]
    assert drain_slugs(user, NOON + timedelta(days=2)) == ["rome:c2", "paris:reverse"]
    # With burying off for the deck, siblings follow each other: c3 right after c2.
    deck_options.update_deck_options(user, deck.id, bury_siblings="off")
    assert drain_slugs(user, NOON + timedelta(days=3)) == ["rome:c2", "paris:reverse", "rome:c3"]


def drain_slugs(user, now) -> list[str]:
    served = []
    while (view := review.next_card(user, now=now)) is not None:
        served.append(f"{view.note.slug}:{view.card.key}")
        review.answer(user, view.card.id, 4, now=now)
        now += timedelta(seconds=1)
        assert len(served) < 20
    return served


def test_a_sibling_being_relearnt_is_not_buried(user, load_deck):
    load_deck(CLOZE_DECK)
    c1, c2 = card_id("sib", "rome", "c1"), card_id("sib", "rome", "c2")
    review.answer(user, c2, 2, now=NOON)  # c2 failed: it comes back today
    review.answer(user, c1, 4, now=NOON)
    state = CardState.get(CardState.card == c2)
    assert state.buried_until is None and state.relearn


def test_undo_puts_back_the_siblings_its_answer_buried_and_only_those(user, load_deck):
    load_deck(CLOZE_DECK)
    c1, c2, c3 = (card_id("sib", "rome", key) for key in ("c1", "c2", "c3"))
    review.bury(user, c3, now=NOON)  # hidden by hand before the answer: stays hidden
    first = review.next_with_counts(user, NOON)
    assert first.counts.new == 5
    step = review.answer_and_next(user, c1, 4, NOON, counts=first.contents)
    assert step.counts.new == 3  # paris's two faces and plain; c2 buried
    assert CardState.get(CardState.card == c2).buried_until == NOON.date() + timedelta(days=1)

    undone = review.undo_and_show(user, NOON, counts=step.contents)
    assert undone is not None and undone.card.view.card.id == c1
    assert not CardState.select().where(CardState.card.in_([c1, c2])).exists()  # new again, as before
    assert CardState.get(CardState.card == c3).buried_until == NOON.date() + timedelta(days=1)
    assert undone.counts == first.counts == queue_counts(user, study_day_for(user, NOON))


def test_undo_twice_after_a_burying_answer_then_the_same_answer_again(user, load_deck):
    """The second undo finds nothing (the answer before the first was none); the answer sent again
    with its answer_id is applied afresh (undo removed its log row) and buries the siblings again."""
    load_deck(CLOZE_DECK)
    c1, c2 = card_id("sib", "rome", "c1"), card_id("sib", "rome", "c2")
    first = review.next_with_counts(user, NOON)
    step = review.answer_and_next(user, c1, 4, NOON, answer_id="a1", counts=first.contents)
    undone = review.undo_and_show(user, NOON, counts=step.contents)
    assert undone is not None and review.undo_and_show(user, NOON, counts=undone.contents) is None
    again = review.answer_and_next(user, c1, 4, NOON, answer_id="a1", counts=undone.contents)
    assert again.outcome is not None and not again.outcome.replayed
    assert again.counts == step.counts == queue_counts(user, study_day_for(user, NOON))
    assert CardState.get(CardState.card == c2).buried_until == NOON.date() + timedelta(days=1)
    assert ReviewLog.select().count() == 1


def test_undo_restores_a_stated_siblings_old_burial_exactly(user, load_deck):
    load_deck(CLOZE_DECK)
    front, reverse = card_id("sib", "paris", "front"), card_id("sib", "paris", "reverse")
    long_ago = NOON - timedelta(days=5)
    review.bury(user, reverse, now=long_ago)  # a burial long over: the reverse is new today
    review.answer(user, front, 4, now=NOON)
    review.undo_last(user, now=NOON)
    state = CardState.get(CardState.card == reverse)
    assert state.buried_until == long_ago.date() + timedelta(days=1) and state.reviews == 0


def test_extra_new_cards_today_raise_one_decks_limit(user, three):
    a = three[0]
    deck_options.update_deck_options(user, a.id, new_per_day="2")
    deck_options.add_extra_new_cards(user, a.id, 3, NOON)
    assert {r.deck.slug: r.new for r in due_counts_by_deck(user, study_day_for(user, NOON))}["a"] == 5
    assert drain(user, deck_id=a.id) == ["a"] * 5
    tomorrow = NOON + timedelta(days=1)
    assert {r.deck.slug: r.new for r in due_counts_by_deck(user, study_day_for(user, tomorrow))}["a"] == 2


def test_a_card_first_answered_in_a_quiz_counts_as_new_that_day_once(user, three):
    a = three[0]
    deck_options.update_deck_options(user, a.id, new_per_day="3")
    review.answer(user, card_id("a", "a5"), 4, kind="quiz", answer_id="quiz-1-1", now=NOON)
    today = study_day_for(user, NOON)
    assert {r.deck.slug: r.new for r in due_counts_by_deck(user, today)}["a"] == 2
    tomorrow = NOON + timedelta(days=1)
    counts = {r.deck.slug: (r.new, r.due) for r in due_counts_by_deck(user, study_day_for(user, tomorrow))}
    assert counts["a"] == (3, 1)  # new again in full; the quiz's card is a review now


def test_a_deck_in_random_order_serves_the_same_card_until_it_is_answered(user, load_deck):
    deck = load_deck(deck_text("r", 30))
    deck_options.update_deck_options(user, deck.id, new_order="random", new_per_day="10")
    first = review.next_card(user, deck.id, now=NOON)
    assert review.next_card(user, deck.id, now=NOON + timedelta(minutes=5)).card.id == first.card.id
    served = [int(s) for s in drain_numbers(user, deck.id)]
    assert len(served) == 10 and served != sorted(served)
    assert Deck.get_by_id(deck.id).card_count == 30


def drain_numbers(user, deck_id):
    now, numbers = NOON, []
    while (view := review.next_card(user, deck_id, now=now)) is not None:
        numbers.append(view.note.slug[1:])
        review.answer(user, view.card.id, 4, now=now)
        now += timedelta(seconds=1)
    return numbers


def test_todays_answers_per_deck_come_from_the_rollup_and_equal_the_logs_count(user, three):
    """deck_day reads today's schedule-setting answers per deck from review_day (reviews plus answers
    to cards without an interval): after first answers, lapses, same-day repeats, a quiz answer, an
    answer of the day before and an undo, it equals counting the log's applied answers of the day."""
    yesterday = NOON - timedelta(days=1)
    review.answer(user, card_id("a", "a1"), 4, now=yesterday)
    review.answer(user, card_id("a", "a1"), 1, now=NOON)  # a lapse of yesterday's card: applied
    review.answer(user, card_id("a", "a1"), 4, now=NOON + timedelta(minutes=2))  # same-day repeat: not applied
    for n, quality in enumerate((5, 2, 0)):  # new cards, one forgotten at once
        review.answer(user, card_id("b", f"b{n + 1}"), quality, now=NOON + timedelta(minutes=3 + n))
    review.answer(user, card_id("b", "b2"), 4, now=NOON + timedelta(minutes=9))  # repeat: not applied
    review.answer(user, card_id("c", "c1"), 4, kind="quiz", answer_id="quiz-1-1", now=NOON)
    review.answer(user, card_id("c", "c2"), 4, now=NOON + timedelta(minutes=10))
    review.undo_last(user, now=NOON + timedelta(minutes=11))  # takes c2's answer back

    today = study_day_for(user, NOON)
    logged = Counter(log.deck_id for log in ReviewLog.select().where(
        (ReviewLog.user == user.id) & (ReviewLog.day == today.day) & ReviewLog.applied))
    rows = deck_day.deck_days(user.id, None, today.day)
    assert {deck: row.applied for deck, row in rows.items() if row.applied} == dict(logged)
    assert dict(logged) == {three[0].id: 1, three[1].id: 3, three[2].id: 1}
