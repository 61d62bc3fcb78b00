"""The review engine on SQLite and PostgreSQL: queue order, limits, SM-2 once a day, step 7, undo, caps."""
from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from quizzer.services import review
from quizzer.services import users as user_service
from quizzer.services.day_plan import queue_counts
from quizzer.services.errors import InvalidInput, NotFound
from quizzer.services.study import study_day_for
from quizzer.srs import MAX_INTERVAL_DAYS, format_interval
from quizzer.store.db import database_proxy
from quizzer.store.models import CardState, Deck, ReviewLog, User
from tests.conftest import at, card_id

FIVE = """
id: rev
title: Review deck
cards:
""" + "".join(f"  - id: n{i}\n    question: Question {i}?\n    answer: Answer {i}\n" for i in range(1, 6))


@pytest.fixture
def user(db):
    """An account row; these tests never log in, so they skip the scrypt hash (~0.1 s each)."""
    return User.create(username="alice")


@pytest.fixture
def five(db, import_deck):
    import_deck(FIVE)


def cid(note: str, deck: str = "rev", key: str = "front", owner=None) -> int:
    return card_id(deck, note, key, owner)


def slug_of(view) -> str:
    return view.note.slug if view.card.key == "front" else f"{view.note.slug}:{view.card.key}"


def drain(user, start, quality=4, limit=50, deck_id=None) -> list[str]:
    """Study until the queue is empty, a minute per answer; the cards in the order served."""
    served, now = [], start
    for _ in range(limit):
        view = review.next_card(user, deck_id, now=now)
        if view is None:
            return served
        served.append(slug_of(view))
        review.answer(user, view.card.id, quality, now=now)
        now += timedelta(minutes=1)
    raise AssertionError(f"queue never emptied: {served}")


def state_of(user, note: str, deck: str = "rev") -> CardState | None:
    return CardState.get_or_none((CardState.user == user.id) & (CardState.card == cid(note, deck)))


def test_most_overdue_reviews_come_first_then_new_cards_in_deck_order(five, user):
    review.answer(user, cid("n4"), 4, now=at("2026-01-01 10:00"))  # due Jan 2
    review.answer(user, cid("n2"), 4, now=at("2026-01-03 10:00"))  # due Jan 4
    review.answer(user, cid("n5"), 4, now=at("2026-01-09 10:00"))  # due Jan 10

    assert drain(user, at("2026-01-10 10:00")) == ["n4", "n2", "n5", "n1", "n3"]


def test_new_cards_follow_deck_order_shared_decks_first(db, import_deck, user):
    import_deck(FIVE.replace("id: rev", "id: zeta").replace("Review deck", "Zeta"), name="z.yaml")
    import_deck(FIVE.replace("id: rev", "id: alpha").replace("Review deck", "Alpha"), name="a.yaml")
    import_deck(FIVE.replace("id: rev", "id: mine").replace("Review deck", "Aardvark"), owner=user,
                name="m.yaml")
    decks = []
    now = at("2026-01-05 10:00")
    for _ in range(15):
        view = review.next_card(user, now=now)
        decks.append(view.deck.title)
        review.answer(user, view.card.id, 4, now=now)
    assert decks == ["Alpha"] * 5 + ["Zeta"] * 5 + ["Aardvark"] * 5
    # A queue for one deck stays in that deck.
    zeta = Deck.get(Deck.slug == "zeta")
    assert drain(user, at("2026-01-06 10:00"), deck_id=zeta.id) == ["n1", "n2", "n3", "n4", "n5"]
    assert review.next_card(user, zeta.id, now=at("2026-01-06 12:00")) is None
    assert review.next_card(user, now=at("2026-01-06 12:00")).deck.title == "Alpha"


def test_new_cards_per_day_limit(five, user):
    user_service.update_settings(user, new_per_day=2)

    assert drain(user, at("2026-01-05 10:00")) == ["n1", "n2"]
    assert queue_counts(user, study_day_for(user, at("2026-01-05 12:00"))).total == 0
    # The next study day: yesterday's cards are due, and two more new ones.
    assert drain(user, at("2026-01-06 10:00")) == ["n1", "n2", "n3", "n4"]


def test_reviews_per_day_caps_the_whole_queue(five, user):
    drain(user, at("2026-01-05 10:00"))
    user_service.update_settings(user, reviews_per_day=3)

    assert drain(user, at("2026-01-06 10:00")) == ["n1", "n2", "n3"]
    assert review.next_card(user, now=at("2026-01-06 23:00")) is None


def test_suspended_and_buried_cards_are_left_out(five, user):
    review.answer(user, cid("n1"), 4, now=at("2026-01-04 10:00"))
    review.answer(user, cid("n2"), 4, now=at("2026-01-04 10:00"))
    today = at("2026-01-05 10:00")
    review.set_suspended(user, cid("n1"))  # a due review
    review.set_suspended(user, cid("n3"))  # a new card
    review.bury(user, cid("n2"), now=today)  # a due review
    review.bury(user, cid("n4"), now=today)  # a new card

    assert drain(user, today) == ["n5"]
    # Buried until the next study day, which starts at 04:00.
    assert review.next_card(user, now=at("2026-01-06 03:59")) is None
    assert drain(user, at("2026-01-06 04:00")) == ["n2", "n5", "n4"]
    review.set_suspended(user, cid("n1"), False)
    review.set_suspended(user, cid("n3"), False)
    assert drain(user, at("2026-01-06 12:00")) == ["n1", "n3"]


def test_a_buried_new_card_comes_back_as_a_new_card(five, user):
    user_service.update_settings(user, new_per_day=1)
    review.bury(user, cid("n1"), now=at("2026-01-05 10:00"))

    counts = queue_counts(user, study_day_for(user, at("2026-01-06 10:00")))

    assert (counts.new, counts.due) == (1, 0)
    assert drain(user, at("2026-01-06 10:00")) == ["n1"]  # still within the new-card limit of 1


def test_sm2_is_applied_once_per_card_per_study_day(five, user):
    first = review.answer(user, cid("n1"), 4, now=at("2026-01-05 10:00"))
    after_first = state_of(user, "n1").__data__

    second = review.answer(user, cid("n1"), 5, now=at("2026-01-06 03:30"))  # same study day

    assert (first.applied, first.interval, first.due) == (True, 1, date(2026, 1, 6))
    assert (second.applied, second.interval, second.due) == (False, 1, date(2026, 1, 6))
    state = state_of(user, "n1")
    for name in ("repetitions", "interval", "easiness_x100", "due", "lapses", "last_review_day"):
        assert getattr(state, name) == after_first[name], name
    assert state.reviews == 2
    assert [log.applied for log in ReviewLog.select().order_by(ReviewLog.id)] == [True, False]
    # The next study day applies SM-2 again: repetitions 1 -> interval 6.
    third = review.answer(user, cid("n1"), 4, now=at("2026-01-06 10:00"))
    assert (third.applied, third.interval, third.due) == (True, 6, date(2026, 1, 12))


STEP7 = """
id: step7
title: Step seven
cards:
  - {id: a, question: A?, answer: a}
  - {id: b, question: B?, answer: b}
  - {id: c, question: C?, answer: c}
"""


def test_a_card_graded_below_4_comes_back_in_the_same_session(db, import_deck, user):
    import_deck(STEP7)
    a = card_id("step7", "a")
    t0 = at("2026-01-05 10:00")

    failed = review.answer(user, a, 3, now=t0)
    assert (failed.applied, failed.interval, failed.relearn) == (True, 1, True)
    scheduled = state_of(user, "a", "step7").__data__

    # Before RELEARN_DELAY other cards go first; after it the failed card is next again.
    assert slug_of(review.next_card(user, now=t0 + timedelta(seconds=10))) == "b"
    review.answer(user, card_id("step7", "b"), 4, now=t0 + timedelta(seconds=10))
    ready = t0 + review.RELEARN_DELAY
    assert slug_of(review.next_card(user, now=ready)) == "a"
    assert queue_counts(user, study_day_for(user, ready)).relearn == 1

    again = review.answer(user, a, 2, now=ready)
    assert (again.applied, again.relearn) == (False, True)
    # Nothing else is left once c is done: the failed card comes back at once.
    c_at = ready + timedelta(seconds=5)
    assert slug_of(review.next_card(user, now=c_at)) == "c"
    review.answer(user, card_id("step7", "c"), 5, now=c_at)
    assert slug_of(review.next_card(user, now=c_at + timedelta(seconds=1))) == "a"

    passed = review.answer(user, a, 4, now=c_at + timedelta(seconds=2))
    assert (passed.applied, passed.relearn) == (False, False)
    assert review.next_card(user, now=c_at + timedelta(minutes=5)) is None
    assert queue_counts(user, study_day_for(user, c_at)).total == 0
    state = state_of(user, "a", "step7")
    for name in ("repetitions", "interval", "easiness_x100", "due", "lapses"):
        assert getattr(state, name) == scheduled[name], name  # step 7 never reschedules
    assert state.reviews == 3


def test_the_same_answer_id_is_applied_once(five, user):
    now = at("2026-01-05 10:00")
    first = review.answer(user, cid("n1"), 4, answer_id="tab-1:42", now=now)
    replay = review.answer(user, cid("n1"), 4, answer_id="tab-1:42", now=now + timedelta(seconds=3))

    assert (first.replayed, replay.replayed) == (False, True)
    assert (replay.card_id, replay.quality, replay.interval, replay.due) == \
        (first.card_id, first.quality, first.interval, first.due)
    assert ReviewLog.select().count() == 1
    assert state_of(user, "n1").reviews == 1
    # Another user may use the same id.
    bob = User.create(username="bob")
    assert not review.answer(bob, cid("n1"), 4, answer_id="tab-1:42", now=now).replayed
    # Ids are 1 to 64 characters.
    for bad in ("", "x" * 65):
        with pytest.raises(InvalidInput, match="answer_id"):
            review.answer(user, cid("n2"), 4, answer_id=bad, now=now)
    assert review.answer(user, cid("n2"), 4, answer_id="x" * 64, now=now).interval == 1
    assert ReviewLog.select().count() == 3


def answer_at_once(user, card, answer_ids, now) -> list:
    """Grade one card from several threads (own connections) released together; outcomes or errors."""
    barrier, results = threading.Barrier(len(answer_ids)), {}

    def grade(index, answer_id):
        barrier.wait(10)
        try:
            results[index] = review.answer(user, card, 4, answer_id=answer_id, now=now)
        except Exception as err:  # noqa: BLE001 - reported below
            results[index] = err
        finally:
            database_proxy.close()

    threads = [threading.Thread(target=grade, args=pair) for pair in enumerate(answer_ids)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return [results[i] for i in range(len(answer_ids))]


def test_the_same_answer_posted_twice_at_once_is_applied_once(five, user):
    outcomes = answer_at_once(user, cid("n1"), ["dup", "dup", "dup"], at("2026-01-05 10:00"))

    assert all(isinstance(o, review.AnswerOutcome) for o in outcomes), outcomes
    assert sorted(o.replayed for o in outcomes) == [False, True, True]
    assert ReviewLog.select().count() == 1
    assert state_of(user, "n1").reviews == 1


def test_two_answers_to_a_new_card_at_once_both_count_once_scheduled(five, user):
    outcomes = answer_at_once(user, cid("n1"), ["tab-a", "tab-b"], at("2026-01-05 10:00"))

    assert all(isinstance(o, review.AnswerOutcome) for o in outcomes), outcomes
    assert sorted(o.applied for o in outcomes) == [False, True]
    assert state_of(user, "n1").reviews == 2
    assert CardState.select().count() == 1


def test_undo_restores_the_card_state_exactly(five, user):
    review.answer(user, cid("n1"), 4, now=at("2026-01-05 10:00") + timedelta(microseconds=123456))
    review.bury(user, cid("n1"), now=at("2026-01-05 11:00"))
    before = state_of(user, "n1").__data__
    logs_before = ReviewLog.select().count()

    lapse = at("2026-01-06 10:00")
    review.answer(user, cid("n1"), 2, now=lapse)
    assert state_of(user, "n1").__data__ != before

    assert review.undo_last(user, now=lapse) == cid("n1")
    assert state_of(user, "n1").__data__ == before
    assert ReviewLog.select().count() == logs_before


def test_undo_of_a_new_cards_first_answer_removes_its_state(five, user):
    now = at("2026-01-05 10:00")
    review.answer(user, cid("n2"), 5, now=now)

    assert review.undo_last(user, now=now) == cid("n2")

    assert state_of(user, "n2") is None
    assert ReviewLog.select().count() == 0
    assert slug_of(review.next_card(user, now=now)) == "n1"  # n2 is new again, in its place
    assert queue_counts(user, study_day_for(user, now)).new == 5


def test_undo_takes_back_only_todays_answers_last_first(five, user):
    review.answer(user, cid("n1"), 4, now=at("2026-01-05 10:00"))
    review.answer(user, cid("n2"), 4, now=at("2026-01-06 10:00"))
    review.answer(user, cid("n3"), 4, now=at("2026-01-06 10:01"))
    today = at("2026-01-06 12:00")

    assert review.undo_last(user, now=today) == cid("n3")
    assert review.undo_last(user, now=today) == cid("n2")
    assert review.undo_last(user, now=today) is None
    assert state_of(user, "n1") is not None and ReviewLog.select().count() == 1


def test_due_dates_are_capped_at_100_years(five, user):
    """Literal SM-2 intervals grow without bound: the due date (and the stored interval) stop at the cap."""
    today = date(2026, 1, 5)
    huge = {"n1": 20_000, "n2": 1_000_000_000}
    for note, interval in huge.items():
        CardState.create(user=user, card=cid(note), deck=review.card_view(user, cid(note)).deck.id,
                         repetitions=12, interval=interval, easiness_x100=250, due=today, reviews=12,
                         last_review_day=today - timedelta(days=300), first_review_day=date(2020, 1, 1))

    for note in huge:
        outcome = review.answer(user, cid(note), 5, now=at("2026-01-05 10:00"))
        capped = today + timedelta(days=MAX_INTERVAL_DAYS)
        assert (outcome.applied, outcome.due) == (True, capped)
        state = state_of(user, note)
        assert (state.due, state.interval, state.easiness_x100) == (capped, MAX_INTERVAL_DAYS, 260)
    assert [log.due_after for log in ReviewLog.select()] == [capped, capped]
    # The next review, a century later, stays capped too.
    assert review.answer(user, cid("n1"), 5, now=at("2126-01-01 10:00")).interval == MAX_INTERVAL_DAYS


def test_invalid_qualities_are_refused(five, user):
    for quality in (6, -1, True, False, "4", 4.0, None):
        with pytest.raises(InvalidInput, match="quality"):
            review.answer(user, cid("n1"), quality, now=at("2026-01-05 10:00"))
    assert ReviewLog.select().count() == CardState.select().count() == 0


def test_unknown_cards_and_other_users_private_cards_are_not_found(db, import_deck, user):
    bob = User.create(username="bob")
    import_deck(FIVE, owner=bob)
    private, missing = cid("n1", owner=bob), cid("n5", owner=bob) + 1000
    now = at("2026-01-05 10:00")

    for card in (missing, private):
        for action in (lambda card=card: review.answer(user, card, 4, now=now),
                       lambda card=card: review.card_view(user, card),
                       lambda card=card: review.set_suspended(user, card),
                       lambda card=card: review.bury(user, card, now=now)):
            with pytest.raises(NotFound):
                action()
    assert review.next_card(user, now=now) is None
    assert ReviewLog.select().count() == CardState.select().count() == 0
    assert slug_of(review.next_card(bob, now=now)) == "n1"


def test_an_answer_at_a_non_utc_instant_is_stored_as_utc(five, user):
    berlin = datetime(2026, 1, 5, 11, 0, tzinfo=ZoneInfo("Europe/Berlin"))  # = 10:00 UTC

    review.answer(user, cid("n1"), 4, now=berlin)

    assert ReviewLog.get().reviewed_at == datetime(2026, 1, 5, 10, 0)
    assert state_of(user, "n1").last_review == datetime(2026, 1, 5, 10, 0)


def labels(choices) -> list[tuple[str, str]]:
    return [(c.label, format_interval(c.interval)) for c in choices]


def test_grade_buttons_preview_the_interval_of_each_grade(five, user):
    new = review.card_view(user, cid("n1"))
    assert review.grade_choices(user, new, now=at("2026-01-05 10:00")) == [
        ("Again", 2, 1, True, -0.32), ("Hard", 3, 1, True, -0.14), ("Good", 4, 1, False, 0.0),
        ("Easy", 5, 1, False, 0.1)]

    review.answer(user, cid("n1"), 4, now=at("2026-01-05 10:00"))
    seen = review.card_view(user, cid("n1"))
    assert seen.state.repetitions == 1
    assert labels(review.grade_choices(user, seen, now=at("2026-01-06 10:00"))) == [
        ("Again", "1d"), ("Hard", "6d"), ("Good", "6d"), ("Easy", "6d")]
    # Already scheduled today: every button keeps the interval SM-2 gave.
    assert labels(review.grade_choices(user, seen, now=at("2026-01-05 11:00"))) == [
        ("Again", "1d"), ("Hard", "1d"), ("Good", "1d"), ("Easy", "1d")]


def test_the_full_scale_previews_all_six_grades(five, user):
    user_service.update_settings(user, grade_scale="full")
    review.answer(user, cid("n1"), 4, now=at("2026-01-01 10:00"))
    review.answer(user, cid("n1"), 4, now=at("2026-01-02 10:00"))  # repetitions 2, interval 6

    choices = review.grade_choices(user, review.card_view(user, cid("n1")), now=at("2026-01-08 10:00"))

    assert [(c.quality, c.interval) for c in choices] == [(0, 1), (1, 1), (2, 1), (3, 15), (4, 15), (5, 15)]


SIXTY = """
id: many
title: Sixty
cards:
""" + "".join(f"  - id: m{i}\n    question: Many {i}?\n    answer: Answer {i}\n" for i in range(1, 61))


def test_a_long_day_keeps_exact_undo_for_its_last_answers_and_stops_before_the_trimmed_ones(db, import_deck, user):
    """The answer path trims before-states (store/review_log_retention.py): at least UNDO_DEPTH answers
    stay undoable, each exactly; undo then stops instead of taking a trimmed answer for a first one."""
    import_deck(SIXTY)
    user.new_per_day, user.reviews_per_day = 100, 100
    user.save()
    now, first = at("2026-01-05 10:00"), {}
    for i in range(1, 61):  # each card twice: the second answer's before-state is the first's result
        card = card_id("many", f"m{i}")
        review.answer(user, card, 4, now=now)
        first[card] = CardState.get((CardState.user == user.id) & (CardState.card == card)).__data__
        now += timedelta(minutes=1)
    for card in first:
        review.answer(user, card, 3, now=now)
        now += timedelta(minutes=1)
    assert ReviewLog.select().where(ReviewLog.state_before.is_null(False)).count() <= review.UNDO_DEPTH + 16

    undone = []
    while (card := review.undo_last(user, now=now)) is not None:
        undone.append(card)
        assert CardState.get((CardState.user == user.id) & (CardState.card == card)).__data__ == first[card]
    assert review.UNDO_DEPTH <= len(undone) < 60  # the last answers, newest first, then a stop
    assert undone == list(first)[::-1][:len(undone)]
    assert CardState.select().where(CardState.user == user.id).count() == 60  # no state taken for a new one
