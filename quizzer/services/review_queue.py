"""The review queue as the screen sees it: the next card within today's limits, its grade buttons and
choices on one study day, and the step returned after each operation (card, counts, carried contents).

What today's limits allow is decided in ``next_view``; the SQL of the queue's parts is store/queue.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from quizzer.services import review_faces
from quizzer.services.day_plan import DayPlan, plan_for
from quizzer.services.errors import NotFound
from quizzer.services.study import (
    QueueContents,
    QueueCounts,
    StudyDay,
    contents_after,
    get_visible_deck,
    queue_contents,
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
    practice: bool = False  # custom study: no button reschedules the card


@dataclass(frozen=True)
class ReviewStep:
    """What the review screen needs after one operation: the card to show (None: done for today),
    what is left within the limits, the contents to carry to the next request (None in custom
    study, which counts in full), and the answer's outcome (None for other operations)."""

    card: ShownCard | None
    counts: QueueCounts
    contents: QueueContents | None
    outcome: AnswerOutcome | None = None


def to_sm2(state: CardState | None) -> Sm2State:
    if state is None:
        return Sm2State()
    return Sm2State(state.repetitions, state.interval, state.easiness_x100 / 100)


def _choices(scale: str, state: CardState | None, day: date, practice: bool = False) -> list[GradeChoice]:
    """One GradeChoice per grade button of ``scale``, from one SM-2 preview; ``practice`` (custom
    study's answers, which reschedule nothing): each button leaves the card as it is."""
    options = grade_options(scale)
    if practice and state is not None:
        return [GradeChoice(label, q, state.interval, False, None) for label, q in options]
    if state is not None and state.last_review_day == day:
        return [GradeChoice(label, q, state.interval, needs_relearning(q), None) for label, q in options]
    current = to_sm2(state)
    states = preview(current, [q for _, q in options])
    return [GradeChoice(label, q, min(states[q].interval, MAX_INTERVAL_DAYS), needs_relearning(q),
                        round(states[q].easiness - current.easiness, 2))
            for label, q in options]


def grade_choices(user: User, view: CardView, now: datetime | None = None) -> list[GradeChoice]:
    return _choices(user.grade_scale, view.state, study_day_for(user, now).day)


def shown_card(user: User, view: CardView, day: date, *, practice: bool = False) -> ShownCard:
    order = review_faces.choice_order(view, day)
    return ShownCard(view, _choices(user.grade_scale, view.state, day, practice), order,
                     review_faces.typed_face(user, view) is not None,
                     review_faces.SUGGESTED_GRADES[user.grade_scale] if order else None, practice)


def card_view(user: User, card_id: int) -> CardView:
    """One card the user can see, with their state; NotFound otherwise."""
    view = card_view_row(user.id, card_id)
    if view is None:
        raise NotFound(f"no card {card_id}")
    return view


def show_card(user: User, card_id: int, now: datetime) -> ShownCard:
    return shown_card(user, card_view(user, card_id), study_day_for(user, now).day)


def next_view(user: User, today: StudyDay, plan: DayPlan) -> CardView | None:
    """The queue's next card within the plan's limits (services.day_plan: which decks may give due
    reviews, which new card comes); NotFound for a deck scope the user cannot see (checked only when
    nothing was found: a card found proves the deck visible)."""
    deck_id, new = plan.contents.deck_id, plan.next_new()
    view = next_card_view(user.id, deck_id, today.day, today.now.replace(tzinfo=None) - RELEARN_DELAY,
                          due_decks=plan.due_decks(), new_deck=new and new[0], new_offset=new[1] if new else 0)
    if view is None and deck_id is not None:
        get_visible_deck(user, deck_id)
    return view


def next_card(user: User, deck_id: int | None = None, now: datetime | None = None) -> CardView | None:
    """The card to show now, or None when today's queue is empty."""
    today = study_day_for(user, now)
    return next_view(user, today, plan_for(user, today, queue_contents(user, today.day, deck_id)))


def step(user: User, today: StudyDay, contents: QueueContents, outcome: AnswerOutcome | None = None,
         shown: CardView | None = None) -> ReviewStep:
    plan = plan_for(user, today, contents)
    view = shown or next_view(user, today, plan)
    card = shown_card(user, view, today.day) if view is not None else None
    return ReviewStep(card, plan.counts, plan.contents, outcome)


def next_with_counts(user: User, now: datetime, deck_id: int | None = None, *,
                     counts: QueueContents | None = None) -> ReviewStep:
    """The card to show next and what is left (carried ``counts``, or a full count)."""
    today = study_day_for(user, now)
    return step(user, today, contents_after(user, today.day, deck_id, counts))


def card_with_counts(user: User, card_id: int, now: datetime, deck_id: int | None = None) -> ReviewStep:
    """One given card (the no-JavaScript page revealing it) and what is left."""
    today = study_day_for(user, now)
    return step(user, today, contents_after(user, today.day, deck_id, None), shown=card_view(user, card_id))


