"""The review engine's changes: grading (SM-2 once per card per day), undo, suspend, bury. Each is one
transaction; the ``*_and_next`` forms also return the screen's next step (services/review_queue.py) from
the same study day, in the same transaction.

SM-2 is applied by the first grade of a study day; a card graded below 4 comes back later in the
same session (step 7) without being rescheduled again. An answer posted twice with one ``answer_id``
is applied once: the log's unique (user, answer_id) refuses the second, which is then replayed.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from quizzer import srs
from quizzer.services.deck_options import user_defaults
from quizzer.services.errors import Conflict, InvalidInput, NotFound
from quizzer.services.review_queue import (
    RELEARN_DELAY,
    AnswerOutcome,
    GradeChoice,
    ReviewStep,
    ShownCard,
    card_view,
    card_with_counts,
    grade_choices,
    next_card,
    next_with_counts,
    show_card,
    shown_card,
    step,
    to_sm2,
)
from quizzer.services.siblings import bury_siblings, unbury_siblings
from quizzer.services.study import QueueChange, QueueContents, StudyDay, contents_after, study_day_for
from quizzer.srs import MAX_INTERVAL_DAYS, due_date, needs_relearning, review
from quizzer.srs.queue import DeckOptions, effective_options
from quizzer.store import card_states, review_log
from quizzer.store.card_states import BURIED_SIBLINGS, StateRace
from quizzer.store.db import transaction
from quizzer.store.models import CardState, ReviewLog, User
from quizzer.store.queue import CardView, bucket
from quizzer.store.review_log import AnswerRace
from quizzer.store.review_log_retention import UNDO_DEPTH, UNDO_PRUNE_EVERY, before_state_dropped, drop_old_undo_states

# What callers import from here: the review's whole surface in one module (the web, the quiz, the
# backups' checks, the catalog and the tests).
__all__ = ["RELEARN_DELAY", "UNDO_DEPTH", "AnswerOutcome", "CardView", "GradeChoice", "ReviewStep",
           "ShownCard", "card_view", "card_with_counts", "grade_choices", "next_card",
           "next_with_counts", "show_card", "shown_card"]

_T = TypeVar("_T")


# --- Answering -------------------------------------------------------------------------------------

def check_quality(quality: object) -> int:
    """A grade from outside, checked by the core's one rule (InvalidInput instead of ValueError)."""
    try:
        return srs.check_quality(quality)
    except ValueError as err:
        raise InvalidInput(str(err)) from None


def check_answer_id(answer_id: str | None) -> None:
    if answer_id is not None and not (0 < len(answer_id) <= 64):
        raise InvalidInput("answer_id must be 1 to 64 characters")


@dataclass(frozen=True)
class _Graded:
    log: ReviewLog
    changes: tuple[QueueChange, ...]  # the card's, and its buried siblings'


def _grade(user: User, card_id: int, quality: int, today: StudyDay, answer_id: str | None, time_ms: int,
           kind: str) -> _Graded:
    card = card_states.card_to_change(user.id, card_id)
    if card is None:
        raise NotFound(f"no card {card_id}")
    if card.retired:
        raise NotFound(f"card {card_id} was retired from its deck")
    before, part_before = card_states.snapshot(card.state), bucket(card.state, False, today.day)
    state = card.state or card_states.new_state(user.id, card, today.day)
    if state.first_review_day is None:
        state.first_review_day = today.day
    applied = state.last_review_day != today.day
    if applied:
        was_reviewed = state.repetitions > 0
        nxt = review(to_sm2(state), quality)
        # Capped like the due date (which it cannot move past the cap anyway): a literal
        # SM-2 interval soon overflows PostgreSQL's 32-bit integer column.
        state.repetitions, state.interval = nxt.repetitions, min(nxt.interval, MAX_INTERVAL_DAYS)
        state.easiness_x100 = round(nxt.easiness * 100)
        state.due = due_date(today.day, nxt.interval)
        state.last_review_day = today.day
        state.lapses += int(was_reviewed and quality < 3)
    state.relearn = needs_relearning(quality)
    state.reviews += 1
    state.last_review = today.now.replace(tzinfo=None)
    state.buried_until = None
    card_states.write_answered(state)
    bury = effective_options(user_defaults(user), DeckOptions(bury_siblings=card.deck_buries_siblings)).bury_siblings
    buried, record = (bury_siblings(user.id, card.card_id, today.day) if kind == "review" and bury and card.siblings
                      else ((), []))
    if record:  # in the before-state, which undo reads and the roll-over drops
        before = {**(before or {}), BURIED_SIBLINGS: record}
    log = ReviewLog(
        user=user.id, card=card.card_id, deck=card.deck_id, reviewed_at=state.last_review, day=today.day,
        quality=quality, applied=applied, kind=kind, time_ms=time_ms, answer_id=answer_id, state_before=before,
        interval_before=before.get("interval", 0) if before else 0, interval_after=state.interval,
        easiness_x100_after=state.easiness_x100, repetitions_after=state.repetitions, due_after=state.due)
    review_log.record_answer(log)
    if log.id % UNDO_PRUNE_EVERY == 0:  # ids are a sequence: about one answer in 16 trims the before-states
        drop_old_undo_states(user.id)
    return _Graded(log, ((card.deck_id, part_before, bucket(state, False, today.day)), *buried))


def outcome_of(log: ReviewLog, replayed: bool = False) -> AnswerOutcome:
    return AnswerOutcome(log.card_id, log.quality, log.applied, log.interval_after, log.due_after,
                         needs_relearning(log.quality), replayed)


def _once(user: User, card_id: int, answer_id: str | None, kind: str, attempt: Callable[[], _T],
          replay: Callable[[AnswerOutcome], _T]) -> _T:
    """Run ``attempt`` (one transaction). When its answer_id was stored first, the stored outcome is
    replayed (Conflict if that answer was for another card, or by a quiz for a review, or the other way
    round: replaying it would hide that this answer was never applied). When another answer made the
    card's first state first, grade again, now under that row's lock."""
    try:
        return attempt()
    except (AnswerRace, StateRace):
        done = review_log.answered(user.id, answer_id) if answer_id is not None else None
        if done is not None:
            if done.card_id != card_id or done.kind != kind:
                raise Conflict(f"answer_id: {done.answer_id!r} was already used for another {done.kind} answer "
                               "(another card); send a new answer_id for each answer") from None
            return replay(outcome_of(done, replayed=True))
    return attempt()


def answer(user: User, card_id: int, quality: object, *, answer_id: str | None = None,
           time_ms: int = 0, kind: str = "review", now: datetime | None = None) -> AnswerOutcome:
    """Grade a card. The same ``answer_id`` posted twice is applied once; Conflict when it was
    used for another card."""
    grade, today = check_quality(quality), study_day_for(user, now)
    check_answer_id(answer_id)

    def attempt() -> AnswerOutcome:
        with transaction():
            return outcome_of(_grade(user, card_id, grade, today, answer_id, max(0, int(time_ms)), kind).log)
    return _once(user, card_id, answer_id, kind, attempt, lambda outcome: outcome)


def answer_and_next(user: User, card_id: int, quality: object, now: datetime, *, deck_id: int | None = None,
                    answer_id: str | None = None, time_ms: int = 0,
                    counts: QueueContents | None = None) -> ReviewStep:
    """Grade a card, then the next card and what is left, all on the study day of ``now``, in one
    transaction. ``counts``: the contents the client carried from the last step (a full count
    without them)."""
    grade, today = check_quality(quality), study_day_for(user, now)
    check_answer_id(answer_id)

    def attempt() -> ReviewStep:
        with transaction():
            graded = _grade(user, card_id, grade, today, answer_id, max(0, int(time_ms)), "review")
            contents = contents_after(user, today.day, deck_id, counts, *graded.changes)
            return step(user, today, contents, outcome_of(graded.log))

    def replay(outcome: AnswerOutcome) -> ReviewStep:
        # The carried counts may predate the first post (a retry after a lost response): count afresh.
        return step(user, today, contents_after(user, today.day, deck_id, None), outcome)
    return _once(user, card_id, answer_id, "review", attempt, replay)


# --- Undo, suspend, bury ---------------------------------------------------------------------------

def _undo(user: User, today: StudyDay) -> tuple[int, tuple[QueueChange, ...]] | None:
    """Take back the last answer of today, restoring its card and the siblings it buried exactly:
    (card id, queue changes)."""
    log = review_log.last_answer_today(user.id, today.day, today.starts_at)
    if log is None or before_state_dropped(log):  # older than the last UNDO_DEPTH answers: not exact
        return None
    before = dict(log.state_before or {})
    buried = before.pop(BURIED_SIBLINGS, [])
    state = card_states.state_of(user.id, log.card_id)
    part_before = bucket(state, False, today.day)
    if not before:
        card_states.delete_state(state)
        part_after = bucket(None, state.retired, today.day)
    else:
        card_states.restore(state, before)
        card_states.write_state(state)
        part_after = bucket(state, False, today.day)
    siblings = unbury_siblings(user.id, log.card_id, buried, today.day) if buried else ()
    review_log.delete_answer(log)
    return log.card_id, ((log.deck_id, part_before, part_after), *siblings)


def undo_last(user: User, now: datetime | None = None) -> int | None:
    """Take back the user's last answer of today, restoring the card exactly. Returns its card id."""
    today = study_day_for(user, now)
    with transaction():
        undone = _undo(user, today)
    return undone and undone[0]


def undo_and_show(user: User, now: datetime, *, deck_id: int | None = None,
                  counts: QueueContents | None = None) -> ReviewStep | None:
    """Undo the last answer of today and show its card again; None when there is nothing to undo."""
    today = study_day_for(user, now)
    with transaction():
        undone = _undo(user, today)
        if undone is None:
            return None
        card_id, changes = undone
        contents = contents_after(user, today.day, deck_id, counts, *changes)
        return step(user, today, contents, shown=card_view(user, card_id))


def _hold(user: User, card_id: int, today: StudyDay, change: Callable[[CardState], None]) -> QueueChange:
    """Suspend, unsuspend or bury a card (a new card gets a state): its queue change."""
    card = card_states.card_to_change(user.id, card_id)
    if card is None:
        raise NotFound(f"no card {card_id}")
    state = card.state or card_states.new_state(user.id, card, today.day)
    part_before = bucket(card.state, card.retired, today.day)
    change(state)
    card_states.write_state(state)
    return card.deck_id, part_before, bucket(state, card.retired, today.day)


def _suspension(suspended: bool) -> Callable[[CardState], None]:
    def change(state: CardState) -> None:
        state.suspended = suspended
    return change


def _burial(today: StudyDay) -> Callable[[CardState], None]:
    """Hidden until the next study day, out of this session's relearning."""
    def change(state: CardState) -> None:
        state.buried_until = today.day + timedelta(days=1)
        state.relearn = False
    return change


def set_suspended(user: User, card_id: int, suspended: bool = True, now: datetime | None = None) -> None:
    today = study_day_for(user, now)
    with transaction():
        _hold(user, card_id, today, _suspension(suspended))


def bury(user: User, card_id: int, now: datetime | None = None) -> None:
    """Hide a card until the next study day."""
    today = study_day_for(user, now)
    with transaction():
        _hold(user, card_id, today, _burial(today))


def suspend_and_next(user: User, card_id: int, suspended: bool, now: datetime, *, deck_id: int | None = None,
                     counts: QueueContents | None = None) -> ReviewStep:
    today = study_day_for(user, now)
    with transaction():
        change = _hold(user, card_id, today, _suspension(suspended))
        return step(user, today, contents_after(user, today.day, deck_id, counts, change))


def bury_and_next(user: User, card_id: int, now: datetime, *, deck_id: int | None = None,
                  counts: QueueContents | None = None) -> ReviewStep:
    today = study_day_for(user, now)
    with transaction():
        change = _hold(user, card_id, today, _burial(today))
        return step(user, today, contents_after(user, today.day, deck_id, counts, change))
