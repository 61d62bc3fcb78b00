"""The review queue as the screen sees it: the next card within today's limits, its grade buttons and
choices on one study day, and the step returned after each operation (card, counts, carried contents).

What today's limits allow is decided in ``next_view``; the SQL of the queue's parts is store/queue.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from quizzer.services import review_faces
from quizzer.services.errors import NotFound
from quizzer.services.study import (
    DailyProgress,
    QueueContents,
    QueueCounts,
    StudyDay,
    contents_after,
    daily_progress,
    get_visible_deck,
    study_day_for,
)
from quizzer.srs import MAX_INTERVAL_DAYS, Sm2State, grade_options, needs_relearning, preview
from quizzer.store.models import CardState, User
from quizzer.store.queue import CardView, card_view_row, next_card_view

RELEARN_DELAY = timedelta(seconds=60)  # a failed card waits this long unless nothing else is left


@dataclass(frozen=True)
class AnswerOutcome:
    card_id: int
    quality: int
    applied: bool
    interval: int
    due: date
    relearn: bool
    replayed: bool = False


class GradeChoice(NamedTuple):
    """One grade button: what it gives, and what pressing it does to the card."""

    label: str
    quality: int
    interval: int  # days until the card is due again
    again_today: bool  # below Good: the card comes back in this session first (SM-2 step 7)
    easiness_change: float | None  # None when SM-2 already applied today (nothing changes)


@dataclass(frozen=True)
class ShownCard:
    """A card as the review screen shows it on one study day: its grade buttons, its choices' order,
    whether it asks to type the answer, and the grades a multiple-choice pick suggests."""

    view: CardView
    grades: list[GradeChoice]
    choice_order: list[int]
    typed: bool
    choice_grades: dict[bool, int] | None


@dataclass(frozen=True)
class ReviewStep:
    """What the review screen needs after one operation: the card to show (None: done for today),
    what is left within the limits, the contents to carry to the next request, and the answer's
    outcome (None for other operations)."""

    card: ShownCard | None
    counts: QueueCounts
    contents: QueueContents
    outcome: AnswerOutcome | None = None


def to_sm2(state: CardState | None) -> Sm2State:
    if state is None:
        return Sm2State()
    return Sm2State(state.repetitions, state.interval, state.easiness_x100 / 100)


def _choices(scale: str, state: CardState | None, day: date) -> list[GradeChoice]:
    """One GradeChoice per grade button of ``scale``, from one SM-2 preview."""
    options = grade_options(scale)
    if state is not None and state.last_review_day == day:
        return [GradeChoice(label, q, state.interval, needs_relearning(q), None) for label, q in options]
    current = to_sm2(state)
    states = preview(current, [q for _, q in options])
    return [GradeChoice(label, q, min(states[q].interval, MAX_INTERVAL_DAYS), needs_relearning(q),
                        round(states[q].easiness - current.easiness, 2))
            for label, q in options]


def grade_choices(user: User, view: CardView, now: datetime | None = None) -> list[GradeChoice]:
    return _choices(user.grade_scale, view.state, study_day_for(user, now).day)


def shown_card(user: User, view: CardView, day: date) -> ShownCard:
    order = review_faces.choice_order(view, day)
    return ShownCard(view, _choices(user.grade_scale, view.state, day), order,
                     review_faces.typed_face(user, view) is not None,
                     review_faces.SUGGESTED_GRADES[user.grade_scale] if order else None)


def card_view(user: User, card_id: int) -> CardView:
    """One card the user can see, with their state; NotFound otherwise."""
    view = card_view_row(user.id, card_id)
    if view is None:
        raise NotFound(f"no card {card_id}")
    return view


def show_card(user: User, card_id: int, now: datetime) -> ShownCard:
    return shown_card(user, card_view(user, card_id), study_day_for(user, now).day)


def next_view(user: User, today: StudyDay, deck_id: int | None, progress: DailyProgress) -> CardView | None:
    """The queue's next card within today's limits; NotFound for a deck scope the user cannot see
    (checked only when nothing was found: a card found proves the deck visible)."""
    reviews_left = progress.reviewed < user.reviews_per_day
    new_left = reviews_left and progress.new_started < user.new_per_day
    view = next_card_view(user.id, deck_id, today.day, today.now.replace(tzinfo=None) - RELEARN_DELAY,
                          due_allowed=reviews_left, new_allowed=new_left)
    if view is None and deck_id is not None:
        get_visible_deck(user, deck_id)
    return view


def next_card(user: User, deck_id: int | None = None, now: datetime | None = None) -> CardView | None:
    """The card to show now, or None when today's queue is empty."""
    today = study_day_for(user, now)
    return next_view(user, today, deck_id, daily_progress(user, today))


def step(user: User, today: StudyDay, deck_id: int | None, contents: QueueContents,
          outcome: AnswerOutcome | None = None, shown: CardView | None = None) -> ReviewStep:
    progress = daily_progress(user, today)
    view = shown or next_view(user, today, deck_id, progress)
    card = shown_card(user, view, today.day) if view is not None else None
    return ReviewStep(card, contents.limited(user, progress), contents, outcome)


def next_with_counts(user: User, now: datetime, deck_id: int | None = None, *,
                     counts: QueueContents | None = None) -> ReviewStep:
    """The card to show next and what is left (carried ``counts``, or a full count)."""
    today = study_day_for(user, now)
    return step(user, today, deck_id, contents_after(user, today.day, deck_id, counts))


def card_with_counts(user: User, card_id: int, now: datetime, deck_id: int | None = None) -> ReviewStep:
    """One given card (the no-JavaScript page revealing it) and what is left."""
    today = study_day_for(user, now)
    return step(user, today, deck_id, contents_after(user, today.day, deck_id, None), shown=card_view(user, card_id))


