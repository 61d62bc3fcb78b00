"""How the review asks a card: its choices in a shuffled order, or a box to type the answer in.

Decisions only: the order and the verdicts come from the quiz core (``quizzer.quiz``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from quizzer.quiz.distractors import choice_order as shuffled_order
from quizzer.quiz.distractors import day_seed
from quizzer.quiz.matching import Verdict
from quizzer.quiz.questions import QuizCard, judge_typed
from quizzer.services.errors import InvalidInput, NotFound
from quizzer.services.study import study_day_for
from quizzer.store.models import User
from quizzer.store.queue import CardView, card_view_row

# A multiple-choice pick or a typed answer is graded for the user: right -> Good, wrong (or a near
# miss) -> Again (quality 4 / 2 with buttons; 4 / 1 on the full 0-5 scale). They may pick another grade.
SUGGESTED_GRADES = {"buttons": {True: 4, False: 2}, "full": {True: 4, False: 1}}
MAX_TYPED_CHARS = 500


def choice_order(view: CardView, day: date) -> list[int]:
    """Indexes of the note's choices in the order the review shows them on study day ``day``: shuffled
    per card and day (the same on reload and after undo, another order the next day) unless the note
    pins them."""
    if not (view.note.kind == "choice" and view.card.key == "front"):
        return []
    return shuffled_order(len(view.note.choices), day_seed(view.card.id, day), pinned=not view.note.shuffle)


def shown_choices(user: User, view: CardView, now: datetime | None = None) -> list[int]:
    """choice_order on the user's study day at ``now``."""
    return choice_order(view, study_day_for(user, now).day)


@dataclass(frozen=True)
class TypedCheck:
    """A typed answer on the review screen: how it compares, and the grade suggested for it."""

    verdict: Verdict
    suggested: int


def typed_face(user: User, view: CardView) -> QuizCard | None:
    """The card as the typed-answer matcher sees it, when the review asks to type it: the user has
    typed answers on and the deck gives ``accept`` entries for this face (a front face's list, or a
    cloze deletion's own)."""
    note, key = view.note, view.card.key
    accept = note.accept.get(key, []) if isinstance(note.accept, dict) else (note.accept if key == "front" else [])
    if not (user.typed_answers and accept and note.kind != "choice"):
        return None
    return QuizCard(view.card.id, note.id, view.deck.id, note.kind, key, note.question or "", note.answer or "",
                    note.cloze or "", (), tuple(accept), tolerance=note.tolerance or "")


def check_typed(user: User, card_id: int, given: object) -> TypedCheck:
    """Judge what the user typed for a card the review asks to type (InvalidInput for another card)."""
    if not isinstance(given, str) or len(given) > MAX_TYPED_CHARS:
        raise InvalidInput(f"answer: expected text of at most {MAX_TYPED_CHARS} characters")
    view = card_view_row(user.id, card_id)
    if view is None:
        raise NotFound(f"no card {card_id}")
    face = typed_face(user, view)
    if face is None:
        raise InvalidInput(f"card {card_id} is not typed in the review")
    verdict = judge_typed(face, given)
    return TypedCheck(verdict, SUGGESTED_GRADES[user.grade_scale][verdict.right])
