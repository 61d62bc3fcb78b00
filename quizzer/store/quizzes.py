"""Quizzes and their questions, and the cards a quiz may ask (with the user's standing on each)."""
from __future__ import annotations

import operator
from collections.abc import Sequence
from functools import reduce

import peewee as pw

from quizzer.store.db import database_proxy, is_sqlite
from quizzer.store.decks import visible_decks_query
from quizzer.store.models import Card, CardState, Deck, Note
from quizzer.store.quiz_models import Quiz, QuizQuestion

# What quiz_card_rows returns per card: the card and note columns, then the user's state columns.
QUIZ_CARD_COLUMNS = (Card.id, Card.note, Card.deck, Note.kind, Card.key, Note.question, Note.answer, Note.cloze,
                     Note.choices, Note.accept, Note.tags, Note.shuffle, Note.tolerance, Note.reverse_answer)


def _selection(deck_ids: Sequence[int], tags: Sequence[str], card_ids: Sequence[int] | None):
    if card_ids is not None:
        return Card.id.in_(list(card_ids))
    clauses = [Card.deck.in_(list(deck_ids))] if deck_ids else []
    clauses += [Note.tags.contains(f" {tag} ") for tag in tags]
    return reduce(operator.or_, clauses) if clauses else None


def quiz_card_rows(user_id: int, *, deck_ids: Sequence[int] = (), tags: Sequence[str] = (),
                   card_ids: Sequence[int] | None = None) -> list[tuple]:
    """The user's visible, active, unsuspended cards in any of ``deck_ids`` or with any of ``tags``
    (all when neither is given), or exactly ``card_ids``; by deck and position. Each row: the
    QUIZ_CARD_COLUMNS, then reviews, lapses, easiness_x100, due, interval (None if never studied).
    Plain tuples: a model object per card of every deck costs ~0.5 ms a row."""
    join_state = (CardState.card == Card.id) & (CardState.user == user_id)
    query = (Card.select(*QUIZ_CARD_COLUMNS, CardState.reviews, CardState.lapses, CardState.easiness_x100,
                         CardState.due, CardState.interval)
             .join(Note, on=(Card.note == Note.id)).switch(Card)
             .join(CardState, pw.JOIN.LEFT_OUTER, on=join_state)
             .where(Card.deck.in_(visible_decks_query(user_id, Deck.id).order_by()) & ~Card.retired
                    & (CardState.suspended.is_null() | ~CardState.suspended))
             .order_by(Card.deck, Card.position).tuples())
    where = _selection(deck_ids, tags, card_ids)
    return list(query if where is None else query.where(where))


def create_quiz(values: dict, questions: list[dict]) -> Quiz:
    """A new quiz (``values`` by field name) with its question rows; call inside a transaction."""
    quiz = Quiz.create(**values)
    QuizQuestion.insert_many([{**row, "quiz": quiz.id} for row in questions]).execute()
    return quiz


def find_quiz(user_id: int, quiz_id: int) -> Quiz | None:
    """The user's quiz with that id, or None (also for anyone else's)."""
    return Quiz.get_or_none((Quiz.id == quiz_id) & (Quiz.user == user_id))


def find_question(quiz_id: int, position: int, *, lock: bool = False) -> QuizQuestion | None:
    """A quiz's question at ``position`` with its card and note. ``lock``: the row stays locked until
    the transaction ends (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers)."""
    query = (QuizQuestion.select(QuizQuestion, Card, Note).join(Card).join(Note)
             .where((QuizQuestion.quiz == quiz_id) & (QuizQuestion.position == position)))
    if lock and not is_sqlite(database_proxy.obj):
        query = query.for_update(of=QuizQuestion)
    return query.first()


def questions_with_cards(quiz_id: int) -> list[QuizQuestion]:
    """Every question of the quiz in order, each with its card and note."""
    return list(QuizQuestion.select(QuizQuestion, Card, Note).join(Card).join(Note)
                .where(QuizQuestion.quiz == quiz_id).order_by(QuizQuestion.position))


def position_with_answer_id(quiz_id: int, answer_id: str) -> int | None:
    """The position of the quiz's question answered under ``answer_id``, or None."""
    found = (QuizQuestion.select(QuizQuestion.position)
             .where((QuizQuestion.quiz == quiz_id) & (QuizQuestion.answer_id == answer_id)).first())
    return None if found is None else found.position


def undecided_near_misses(quiz_id: int) -> list[int]:
    """Positions of the quiz's near misses that have no quality yet."""
    return [position for (position,) in QuizQuestion.select(QuizQuestion.position).where(
        (QuizQuestion.quiz == quiz_id) & (QuizQuestion.outcome == "near") & QuizQuestion.quality.is_null()).tuples()]


def save_question(question: QuizQuestion) -> None:
    question.save()


def save_quiz(quiz: Quiz) -> None:
    quiz.save()


def quiz_history(user_id: int, limit: int) -> list[tuple[Quiz, int, int]]:
    """The user's latest ``limit`` quizzes, newest first: (quiz, questions answered, answered right)."""
    right = pw.fn.SUM(pw.Case(None, [(QuizQuestion.correct == True, 1)], 0))  # noqa: E712 (SQL)
    rows = (Quiz.select(Quiz, pw.fn.COUNT(QuizQuestion.answered_at).alias("answered"), right.alias("right"))
            .join(QuizQuestion, pw.JOIN.LEFT_OUTER)
            .where(Quiz.user == user_id).group_by(Quiz.id)
            .order_by(Quiz.created_at.desc(), Quiz.id.desc()).limit(limit))
    return [(quiz, quiz.answered or 0, int(quiz.right or 0)) for quiz in rows]
