"""Quizzes: start one over decks and tags, answer its questions, settle near misses and
self-grades, finish it. Every decided answer goes through the review engine (kind "quiz"),
so SM-2 applies once per card per study day, as in reviews. One transaction per operation.
"""
from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime

from quizzer.quiz.picking import uniform_sample, weakness_weight, weighted_sample
from quizzer.quiz.quality import SELF_GRADES, interview_quality, objective_quality
from quizzer.quiz.questions import answers_by_kind, choice_options, is_typeable, judge_typed, offers_choices
from quizzer.services import review
from quizzer.services.errors import Conflict, InvalidInput, NotFound
from quizzer.services.quiz_pool import PoolCard, check_decks, clean_tags, deck_mates, pool, to_quiz_card
from quizzer.services.study import study_day_for
from quizzer.store import quizzes
from quizzer.store.db import IntegrityError, transaction
from quizzer.store.models import User
from quizzer.store.quiz_models import MODES, Quiz, QuizQuestion

DEFAULT_QUESTIONS = 10
MAX_QUESTIONS = 50
DEFAULT_TIME_LIMITS = {"choice": 30, "typed": 45, "interview": 90}  # seconds per question
TIME_LIMIT_RANGE = (10, 900)
MAX_TYPED_CHARS = 2000
MAX_TIME_MS = 3_600_000


def _naive_utc(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)


def _check_settings(mode: str, count: int, time_limit_s: int | None) -> int:
    if mode not in MODES:
        raise InvalidInput(f"mode: one of {', '.join(MODES)}, got {mode!r}")
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_QUESTIONS:
        raise InvalidInput(f"count: a whole number from 1 to {MAX_QUESTIONS}, got {count!r}")
    limit = DEFAULT_TIME_LIMITS[mode] if time_limit_s is None else time_limit_s
    low, high = TIME_LIMIT_RANGE
    if isinstance(limit, bool) or not isinstance(limit, int) or not low <= limit <= high:
        raise InvalidInput(f"time_limit: seconds from {low} to {high}, got {limit!r}")
    return limit


def _pick(mode: str, candidates: list[PoolCard], count: int, seed: int) -> list[PoolCard]:
    """A seeded sample (weighted toward weak cards in interviews), one card per note:
    sibling cards (cloze deletions, reverse faces) would give each other away."""
    if mode == "interview":
        ordered = weighted_sample(candidates, [weakness_weight(c.standing) for c in candidates],
                                  len(candidates), seed)
    else:
        ordered = uniform_sample(candidates, len(candidates), seed)
    picked: list[PoolCard] = []
    notes: set[int] = set()
    for entry in ordered:
        if entry.card.note_id not in notes and len(picked) < count:
            notes.add(entry.card.note_id)
            picked.append(entry)
    return picked


def _questions(mode: str, picked: list[PoolCard], mates, seed: int) -> list[dict]:
    rows = []
    for position, entry in enumerate(picked, start=1):
        row: dict[str, int | list[str]] = {"position": position, "card": entry.card.card_id}
        if mode == "choice":
            row["options"], row["correct_option"] = choice_options(entry.card, mates, seed + entry.card.card_id)
        rows.append(row)
    return rows


def _eligible(mode: str, candidates: list[PoolCard], mates) -> list[PoolCard]:
    if mode == "typed":
        return [c for c in candidates if is_typeable(c.card)]
    if mode == "choice":
        answers = answers_by_kind(mates)
        return [c for c in candidates if offers_choices(c.card, answers)]
    return candidates


def start_quiz(user: User, mode: str, *, deck_ids: Sequence[int] = (), tags: Sequence[str] = (),
               count: int = DEFAULT_QUESTIONS, time_limit_s: int | None = None, seed: int | None = None,
               card_ids: Sequence[int] | None = None, retry_of: Quiz | None = None,
               now: datetime | None = None) -> Quiz:
    """A new quiz of up to ``count`` questions from the chosen decks or tags (all decks if none).

    InvalidInput for a bad mode, count or limit, or when no card fits the mode; NotFound for
    a deck the user cannot see.
    """
    limit = _check_settings(mode, count, time_limit_s)
    deck_ids, tags = check_decks(user, deck_ids), clean_tags(tags)
    seed = secrets.randbits(31) if seed is None else seed
    today = study_day_for(user, now).day
    candidates = pool(user, today, deck_ids=deck_ids, tags=tags, card_ids=card_ids)
    mates = deck_mates(user, today, {c.card.deck_id for c in candidates}) if mode == "choice" else []
    picked = _pick(mode, _eligible(mode, candidates, mates), count, seed)
    if not picked:
        raise InvalidInput(f"no cards to quiz on in {mode} mode here: choose other decks or tags"
                           + (" (typed quizzes need short answers)" if mode == "typed" else ""))
    values = {"user": user.id, "mode": mode, "seed": seed, "deck_ids": deck_ids, "tags": tags,
              "question_count": len(picked), "time_limit_s": limit, "retry_of": retry_of,
              "created_at": _naive_utc(now)}
    with transaction():
        return quizzes.create_quiz(values, _questions(mode, picked, mates, seed))


def get_quiz(user: User, quiz_id: int) -> Quiz:
    """The user's own quiz; NotFound for anyone else's or a missing one."""
    quiz = quizzes.find_quiz(user.id, quiz_id)
    if quiz is None:
        raise NotFound(f"no quiz {quiz_id}")
    return quiz


def get_question(user: User, quiz_id: int, position: int, *, lock: bool = False) -> QuizQuestion:
    """One question of the user's quiz, with its card and note; NotFound otherwise."""
    quiz = get_quiz(user, quiz_id)
    question = quizzes.find_question(quiz.id, position, lock=lock)
    if question is None:
        raise NotFound(f"quiz {quiz_id} has no question {position}")
    question.quiz = quiz
    return question


def _check_answer_args(answer_id: object, time_ms: object) -> tuple[str, int]:
    if not isinstance(answer_id, str) or not 0 < len(answer_id) <= 64:
        raise InvalidInput("answer_id: 1 to 64 characters")
    if isinstance(time_ms, bool) or not isinstance(time_ms, int) or time_ms < 0:
        raise InvalidInput(f"time_ms: a whole number >= 0, got {time_ms!r}")
    return answer_id, min(time_ms, MAX_TIME_MS)


def _judge_choice(question: QuizQuestion, choice) -> None:
    if isinstance(choice, bool) or not isinstance(choice, int) or not 1 <= choice <= len(question.options):
        raise InvalidInput(f"choice: a number from 1 to {len(question.options)}, got {choice!r}")
    question.chosen_option = choice
    question.given_answer = question.options[choice - 1]
    question.outcome = "right" if choice - 1 == question.correct_option else "wrong"


def _judge_text(question: QuizQuestion, given) -> None:
    if given is not None and (not isinstance(given, str) or len(given) > MAX_TYPED_CHARS):
        raise InvalidInput(f"answer: text of at most {MAX_TYPED_CHARS} characters")
    question.given_answer = (given or "").strip()
    if question.quiz.mode == "interview":
        question.outcome = "shown"  # the model answer is shown; the user grades themselves next
    elif not question.given_answer:
        question.outcome = "blank"
    else:
        card = to_quiz_card(question.card, question.card.note)
        question.outcome = judge_typed(card, question.given_answer).outcome


def _feed(user: User, question: QuizQuestion, quality: int, now: datetime | None) -> None:
    """Store the decided quality and give it to the review engine, once (its answer id is fixed)."""
    question.quality = quality
    quizzes.save_question(question)
    review.answer(user, question.card_id, quality, answer_id=f"quiz-{question.quiz.id}-{question.position}",
                  time_ms=question.time_ms or 0, kind="quiz", now=now)


def _limit_ms(question: QuizQuestion) -> int:
    return question.quiz.time_limit_s * 1000


def answer(user: User, quiz_id: int, position: int, *, answer_id: str | None, given: str | None = None,
           choice: int | None = None, time_ms: int = 0, now: datetime | None = None) -> QuizQuestion:
    """Answer a question: ``choice`` (1-based) in multiple choice, ``given`` text otherwise.

    Right, wrong and blank answers go to the scheduler at once; a near miss waits for
    ``overrule`` and an interview answer for ``self_grade``. The same ``answer_id`` again
    returns the stored answer; another answer to an answered question, or an ``answer_id`` used
    for another question, is a Conflict. InvalidInput for a missing (None) or bad ``answer_id``
    or ``time_ms``.
    """
    answer_id, time_ms = _check_answer_args(answer_id, time_ms)
    try:
        return _answer(user, quiz_id, position, answer_id, given, choice, time_ms, now)
    except IntegrityError:  # a concurrent answer to another question took this answer_id first
        raise Conflict(f"answer_id: {answer_id!r} was already used for another question of quiz {quiz_id}") \
            from None


def _answer(user: User, quiz_id: int, position: int, answer_id: str, given, choice, time_ms: int,
            now: datetime | None) -> QuizQuestion:
    with transaction():
        question = get_question(user, quiz_id, position, lock=True)
        if question.answer_id == answer_id:
            return question
        if question.answered_at is not None:
            raise Conflict(f"question {position} is already answered")
        if question.quiz.finished_at is not None:
            raise Conflict(f"quiz {quiz_id} is finished")
        _check_answer_id_unused(question, answer_id)
        if question.quiz.mode == "choice":
            _judge_choice(question, choice)
        else:
            _judge_text(question, given)
        decided = question.outcome in ("right", "wrong", "blank")
        question.correct = question.outcome == "right" if decided else None
        question.answer_id, question.time_ms, question.answered_at = answer_id, time_ms, _naive_utc(now)
        quizzes.save_question(question)
        if decided:
            _feed(user, question, objective_quality(question.outcome, time_ms, _limit_ms(question)), now)
    return question


def _check_answer_id_unused(question: QuizQuestion, answer_id: str) -> None:
    other = quizzes.position_with_answer_id(question.quiz.id, answer_id)
    if other is not None:
        raise Conflict(f"answer_id: {answer_id!r} was already used for question {other} of this quiz; "
                       "send a new answer_id for each answer")


def overrule(user: User, quiz_id: int, position: int, overruled: bool, *,
             now: datetime | None = None) -> QuizQuestion:
    """Decide a near miss: ``overruled`` ("I was right") counts it right, else it stays wrong.

    Deciding the same way twice changes nothing; InvalidInput unless it is a near miss,
    Conflict when it was already decided the other way.
    """
    with transaction():
        question = get_question(user, quiz_id, position, lock=True)
        if question.outcome != "near":
            raise InvalidInput(f"question {position}: only a near miss can be overruled")
        if question.quality is not None:
            if question.overruled != bool(overruled):
                raise Conflict(f"question {position} was already decided")
            return question
        question.overruled = question.correct = bool(overruled)
        quality = objective_quality("near", question.time_ms, _limit_ms(question), overruled=bool(overruled))
        _feed(user, question, quality, now)
    return question


def self_grade(user: User, quiz_id: int, position: int, grade: int | None, *,
               now: datetime | None = None) -> QuizQuestion:
    """Grade a revealed mock-interview answer: an index into quality.SELF_GRADES.

    The same grade twice changes nothing; InvalidInput for a missing (None) or bad grade or a
    question not yet revealed, Conflict when it was already graded differently.
    """
    if isinstance(grade, bool) or not isinstance(grade, int) or not 0 <= grade < len(SELF_GRADES):
        raise InvalidInput(f"self_grade: a number from 0 to {len(SELF_GRADES) - 1}, got {grade!r}")
    with transaction():
        question = get_question(user, quiz_id, position, lock=True)
        if question.outcome != "shown":
            raise InvalidInput(f"question {position}: reveal the model answer before grading it")
        if question.self_grade is not None:
            if question.self_grade != grade:
                raise Conflict(f"question {position} was already graded")
            return question
        question.self_grade, question.correct = grade, grade >= 2
        _feed(user, question, interview_quality(grade, question.time_ms, _limit_ms(question)), now)
    return question


def finish(user: User, quiz_id: int, now: datetime | None = None) -> Quiz:
    """End the quiz: undecided near misses count as wrong; ungraded interview answers stay out."""
    with transaction():
        quiz = get_quiz(user, quiz_id)
        if quiz.finished_at is not None:
            return quiz
        for position in quizzes.undecided_near_misses(quiz.id):
            overrule(user, quiz_id, position, False, now=now)
        quiz.finished_at = _naive_utc(now)
        quizzes.save_quiz(quiz)
    return quiz
