"""The quiz service on SQLite and PostgreSQL: starting, answering through the review engine, results."""
from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from quizzer.services import quiz as quizzes
from quizzer.services import quiz_results as results
from quizzer.services import users as user_service
from quizzer.services.errors import Conflict, InvalidInput, NotFound
from quizzer.store.models import CardState, ReviewLog
from quizzer.store.quiz_models import QuizQuestion
from tests.conftest import at
from tests.quiz_fixtures import OTHER_DECK, card_of, load

NOW = at("2026-03-02 12:00")
TODAY = date(2026, 3, 2)


@pytest.fixture
def deck(user, write_deck):
    return load(write_deck)


def questions(quiz):
    return list(QuizQuestion.select().where(QuizQuestion.quiz == quiz.id).order_by(QuizQuestion.position))


def position_of(quiz, note_slug: str) -> QuizQuestion:
    card_id = card_of(note_slug).id
    return next(q for q in questions(quiz) if q.card_id == card_id)


def logs(user):
    return list(ReviewLog.select().where(ReviewLog.user == user.id).order_by(ReviewLog.id))


def test_choice_quiz_is_seeded_and_every_option_list_holds_the_answer_once(user, deck):
    quiz = quizzes.start_quiz(user, "choice", deck_ids=[deck.id], count=5, seed=99, now=NOW)
    again = quizzes.start_quiz(user, "choice", deck_ids=[deck.id], count=5, seed=99, now=NOW)

    asked = questions(quiz)
    assert len(asked) == 5 == quiz.question_count
    assert [(q.card_id, q.options) for q in asked] == [(q.card_id, q.options) for q in questions(again)]
    for question in asked:
        assert 2 <= len(question.options) <= 4 and len(set(question.options)) == len(question.options)
        assert all(option.strip() for option in question.options)
    france = next((q for q in asked if q.card_id == card_of("capital-france").id), None)
    if france:
        assert france.options[france.correct_option] == "Paris"
        assert set(france.options) <= {"Paris", "Rome", "Madrid", "Berlin"}


def test_one_card_per_note_and_the_default_of_ten(user, write_deck):
    deck = load(write_deck)
    quiz = quizzes.start_quiz(user, "interview", deck_ids=[deck.id], now=NOW)

    notes = [q.card.note_id for q in questions(quiz)]
    assert len(notes) == len(set(notes)) == 8  # 8 notes, fewer than the default 10


def test_a_right_choice_goes_to_the_review_log_as_a_quiz_answer_and_moves_the_due_date(user, deck):
    quiz = quizzes.start_quiz(user, "choice", card_ids=[card_of("react").id], now=NOW)
    question = questions(quiz)[0]

    done = quizzes.answer(user, quiz.id, 1, answer_id="a-1", choice=question.correct_option + 1,
                          time_ms=4_000, now=NOW)

    log, = logs(user)
    assert (done.outcome, done.correct, done.quality) == ("right", True, 5)
    assert (log.kind, log.quality, log.applied, log.time_ms) == ("quiz", 5, True, 4000)
    assert log.card_id == question.card_id
    state = CardState.get(CardState.card == question.card_id)
    assert state.due == date(2026, 3, 3) and state.repetitions == 1


def test_an_answer_posted_twice_is_applied_once_and_a_second_answer_conflicts(user, deck):
    quiz = quizzes.start_quiz(user, "choice", card_ids=[card_of("react").id], now=NOW)
    wrong = next(i + 1 for i, o in enumerate(questions(quiz)[0].options) if o != "ReAct")

    first = quizzes.answer(user, quiz.id, 1, answer_id="same", choice=wrong, now=NOW)
    replay = quizzes.answer(user, quiz.id, 1, answer_id="same", choice=wrong, now=NOW)

    assert (first.outcome, first.quality) == (replay.outcome, replay.quality) == ("wrong", 1)
    assert len(logs(user)) == 1
    with pytest.raises(Conflict):
        quizzes.answer(user, quiz.id, 1, answer_id="another", choice=1, now=NOW)
    assert len(logs(user)) == 1


def test_sm2_applies_once_per_card_per_day_across_quizzes(user, deck):
    react = card_of("react").id
    first = quizzes.start_quiz(user, "choice", card_ids=[react], now=NOW)
    second = quizzes.start_quiz(user, "choice", card_ids=[react], now=NOW)
    for quiz in (first, second):
        quizzes.answer(user, quiz.id, 1, answer_id=f"q{quiz.id}",
                       choice=questions(quiz)[0].correct_option + 1, time_ms=1000, now=NOW)

    assert [(log.kind, log.applied) for log in logs(user)] == [("quiz", True), ("quiz", False)]
    assert CardState.get(CardState.card == react).due == date(2026, 3, 3)


def test_typed_answers_right_wrong_and_a_near_miss_overruled(user, deck):
    quiz = quizzes.start_quiz(user, "typed", deck_ids=[deck.id], count=10, seed=3, now=NOW)
    split, france = position_of(quiz, "group-split"), position_of(quiz, "capital-france")
    italy = position_of(quiz, "capital-italy")

    right = quizzes.answer(user, quiz.id, split.position, answer_id="s", given="group shuffle split", now=NOW)
    near = quizzes.answer(user, quiz.id, france.position, answer_id="f", given="Pari", now=NOW)
    wrong = quizzes.answer(user, quiz.id, italy.position, answer_id="i", given="Milan", now=NOW)

    assert (right.outcome, near.outcome, wrong.outcome) == ("right", "near", "wrong")
    assert near.quality is None and near.correct is None  # waits for the user's call
    assert {log.card_id for log in logs(user)} == {split.card_id, italy.card_id}

    overruled = quizzes.overrule(user, quiz.id, france.position, True, now=NOW)
    assert (overruled.correct, overruled.overruled, overruled.quality) == (True, True, 3)
    assert logs(user)[-1].card_id == france.card_id and logs(user)[-1].quality == 3
    assert quizzes.overrule(user, quiz.id, france.position, True, now=NOW).quality == 3  # again: no change
    with pytest.raises(Conflict):
        quizzes.overrule(user, quiz.id, france.position, False, now=NOW)
    with pytest.raises(InvalidInput):
        quizzes.overrule(user, quiz.id, italy.position, True, now=NOW)
    assert len(logs(user)) == 3


def test_typed_quizzes_skip_long_answers_and_finish_settles_near_misses_as_wrong(user, deck):
    quiz = quizzes.start_quiz(user, "typed", deck_ids=[deck.id], count=10, now=NOW)
    asked = {q.card_id for q in questions(quiz)}
    assert card_of("bias-variance").id not in asked and card_of("bagging", "c1").id in asked

    spain = position_of(quiz, "capital-spain")
    quizzes.answer(user, quiz.id, spain.position, answer_id="m", given="Madird", now=NOW)
    quizzes.finish(user, quiz.id, now=NOW)

    log, = logs(user)
    assert (log.card_id, log.quality) == (spain.card_id, 2)
    with pytest.raises(Conflict):
        quizzes.answer(user, quiz.id, 1 if spain.position != 1 else 2, answer_id="late", given="x", now=NOW)


def test_interview_reveal_then_self_grade_feeds_the_scheduler(user, deck):
    quiz = quizzes.start_quiz(user, "interview", card_ids=[card_of("bias-variance").id],
                              time_limit_s=60, now=NOW)

    shown = quizzes.answer(user, quiz.id, 1, answer_id="r", given="bias vs variance...", time_ms=70_000, now=NOW)
    assert (shown.outcome, shown.quality, logs(user)) == ("shown", None, [])
    graded = quizzes.self_grade(user, quiz.id, 1, 3, now=NOW)

    assert (graded.correct, graded.quality) == (True, 4)  # "Nailed it", but over the 60 s limit
    log, = logs(user)
    assert (log.kind, log.quality, log.time_ms) == ("quiz", 4, 70_000)
    with pytest.raises(Conflict):
        quizzes.self_grade(user, quiz.id, 1, 0, now=NOW)
    with pytest.raises(InvalidInput):
        quizzes.self_grade(user, quiz.id, 1, 7, now=NOW)


def test_interviews_lean_toward_weak_cards(user, deck):
    weak = {card_of(slug).id for slug in ("capital-france", "capital-italy")}
    for card_id in weak:
        CardState.create(user=user.id, card=card_id, deck=deck.id, repetitions=0, interval=1, easiness_x100=130,
                         due=date(2026, 2, 1), lapses=6, reviews=12)
    picks = Counter(q.card_id for seed in range(40)
                    for q in questions(quizzes.start_quiz(user, "interview", deck_ids=[deck.id], count=2,
                                                          seed=seed, now=NOW)))

    assert sum(picks[c] for c in weak) > 0.6 * 80  # 2 of 8 notes: 25 % if uniform


def test_decks_or_tags_choose_the_cards(user, deck, write_deck):
    other = load(write_deck, OTHER_DECK, name="other.yaml")
    geo = quizzes.start_quiz(user, "typed", tags=["GEO"], count=10, now=NOW)
    union = quizzes.start_quiz(user, "typed", deck_ids=[other.id], tags=["geo"], count=10, now=NOW)

    capitals = {card_of(s).id for s in ("capital-france", "capital-italy", "capital-spain", "capital-germany")}
    assert {q.card_id for q in questions(geo)} == capitals
    assert {q.card_id for q in questions(union)} == capitals | {card_of("two-plus-two").id,
                                                                  card_of("three-plus-three").id}
    assert geo.tags == ["geo"]


@pytest.mark.parametrize("kwargs", [dict(mode="essay"), dict(count=0), dict(count=51), dict(time_limit_s=5),
                                    dict(tags=["no such tag"]), dict(tags=["nothing-tagged-so"])])
def test_bad_settings_are_invalid_input(user, deck, kwargs):
    args = {"mode": "choice", **kwargs}
    with pytest.raises(InvalidInput):
        quizzes.start_quiz(user, args.pop("mode"), now=NOW, **args)


def test_another_users_quiz_and_private_deck_are_not_found(user, deck, write_deck):
    mallory = user_service.create_user("mallory", "correct horse battery")
    private = load(write_deck, OTHER_DECK, owner=mallory, name="mallory.yaml")
    quiz = quizzes.start_quiz(user, "typed", tags=["geo"], now=NOW)

    with pytest.raises(NotFound):
        quizzes.start_quiz(user, "choice", deck_ids=[private.id], now=NOW)
    for call in (lambda: quizzes.get_quiz(mallory, quiz.id),
                 lambda: quizzes.answer(mallory, quiz.id, 1, answer_id="x", given="Paris", now=NOW),
                 lambda: quizzes.overrule(mallory, quiz.id, 1, True, now=NOW),
                 lambda: quizzes.self_grade(mallory, quiz.id, 1, 2, now=NOW),
                 lambda: quizzes.finish(mallory, quiz.id, now=NOW),
                 lambda: results.result(mallory, quiz.id),
                 lambda: results.retry_missed(mallory, quiz.id, now=NOW)):
        with pytest.raises(NotFound):
            call()
    assert results.history(mallory) == [] and logs(mallory) == []


def test_result_history_and_retrying_the_missed_cards(user, deck):
    quiz = quizzes.start_quiz(user, "typed", tags=["geo"], count=4, now=NOW)
    typed = {"capital-france": "Paris", "capital-italy": "Rome", "capital-spain": "Lisbon"}
    for slug, text in typed.items():
        quizzes.answer(user, quiz.id, position_of(quiz, slug).position, answer_id=slug, given=text,
                       time_ms=2_500, now=NOW)
    quizzes.finish(user, quiz.id, now=NOW)

    done = results.result(user, quiz.id)
    assert (done.right, done.answered, done.total, done.percent, done.seconds) == (2, 3, 4, 50, 8)
    assert {q.card_id for q in done.missed} == {card_of("capital-spain").id, card_of("capital-germany").id}
    row, = results.history(user)
    assert (row.quiz.id, row.answered, row.right) == (quiz.id, 3, 2)

    retry = results.retry_missed(user, quiz.id, now=NOW)
    assert (retry.mode, retry.retry_of_id) == ("typed", quiz.id)
    assert {q.card_id for q in questions(retry)} == {q.card_id for q in done.missed}
    assert [r.quiz.id for r in results.history(user)] == [retry.id, quiz.id]
    assert results.topic_label(user, quiz) == "#geo"


def test_retry_needs_something_missed(user, deck):
    quiz = quizzes.start_quiz(user, "typed", card_ids=[card_of("capital-france").id], now=NOW)
    quizzes.answer(user, quiz.id, 1, answer_id="p", given="paris", now=NOW)

    with pytest.raises(InvalidInput):
        results.retry_missed(user, quiz.id, now=NOW)
