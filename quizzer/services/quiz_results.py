"""After a quiz: its result, the user's quiz history, and another round over the missed cards."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from quizzer.services.errors import InvalidInput
from quizzer.services.quiz import get_quiz, start_quiz
from quizzer.store.decks import visible_decks_among
from quizzer.store.models import User
from quizzer.store.quiz_models import Quiz, QuizQuestion
from quizzer.store.quizzes import questions_with_cards, quiz_history

HISTORY_LIMIT = 100


@dataclass(frozen=True)
class QuizResult:
    quiz: Quiz
    questions: list[QuizQuestion]  # in order, each with its card and note
    right: int
    answered: int
    seconds: int

    @property
    def total(self) -> int:
        return len(self.questions)

    @property
    def percent(self) -> int:
        return round(100 * self.right / self.total) if self.total else 0

    @property
    def missed(self) -> list[QuizQuestion]:
        """Questions not answered right: wrong, blank, near misses left wrong, unanswered, ungraded."""
        return [q for q in self.questions if not q.correct]


def result(user: User, quiz_id: int) -> QuizResult:
    """Score, time and every question of the user's quiz; NotFound for anyone else's."""
    quiz = get_quiz(user, quiz_id)
    questions = questions_with_cards(quiz.id)
    for question in questions:
        question.quiz = quiz
    return QuizResult(quiz, questions, right=sum(1 for q in questions if q.correct),
                      answered=sum(1 for q in questions if q.answered_at is not None),
                      seconds=round(sum(q.time_ms or 0 for q in questions) / 1000))


@dataclass(frozen=True)
class HistoryRow:
    quiz: Quiz
    answered: int
    right: int


def history(user: User, limit: int = HISTORY_LIMIT) -> list[HistoryRow]:
    """The user's quizzes, newest first, with answered and right counts."""
    return [HistoryRow(*row) for row in quiz_history(user.id, limit)]


def topic_label(user: User, quiz: Quiz) -> str:
    """What the quiz covered, for headings: deck titles and #tags, or "All decks"; a retry says so."""
    titles = [d.title for d in visible_decks_among(user.id, quiz.deck_ids)]
    label = ", ".join(titles + [f"#{tag}" for tag in quiz.tags]) or "All decks"
    return f"Missed cards · {label}" if quiz.retry_of_id else label


def retry_missed(user: User, quiz_id: int, now: datetime | None = None) -> Quiz:
    """A new quiz in the same mode over exactly the cards this one missed; InvalidInput if none."""
    done = result(user, quiz_id)
    card_ids = list(dict.fromkeys(q.card_id for q in done.missed))
    if not card_ids:
        raise InvalidInput("nothing was missed in this quiz")
    return start_quiz(user, done.quiz.mode, deck_ids=done.quiz.deck_ids, tags=done.quiz.tags,
                      count=len(card_ids), time_limit_s=done.quiz.time_limit_s, card_ids=card_ids,
                      retry_of=done.quiz, now=now)
