"""The review engine: the next card, grading (SM-2 once per card per day), undo, suspend, bury.

Each operation is one transaction. SM-2 is applied by the first grade of a
study day; a card graded below 4 comes back later in the same session (step 7)
without being rescheduled again.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from random import Random
from typing import NamedTuple

import peewee as pw

from quizzer.services.day_plan import DayPlan, day_plan
from quizzer.services.deck_options import bury_siblings_on
from quizzer.services.errors import Conflict, InvalidInput, NotFound
from quizzer.services.study import StudyDay, get_visible_deck, is_due, is_not_new, study_day_for
from quizzer.srs import MAX_INTERVAL_DAYS, Sm2State, due_date, grade_options, needs_relearning, preview, review
from quizzer.srs.queue import Sibling, siblings_to_bury
from quizzer.store import deck_day
from quizzer.store.db import database_proxy as db
from quizzer.store.db import is_sqlite
from quizzer.store.models import Card, CardState, Deck, Note, ReviewLog, User
from quizzer.store.prepared import DATE, DATETIME, INT, STR, Prepared, PreparedWrite

RELEARN_DELAY = timedelta(seconds=60)  # a failed card waits this long unless nothing else is left
SNAPSHOT_COLUMNS = ("repetitions", "interval", "easiness_x100", "due", "last_review", "last_review_day",
                    "first_review_day", "relearn", "lapses", "reviews", "suspended", "buried_until")
# The writes of an answer, composed once: the card state's columns an answer sets (a new state also
# takes the rest, defaults included), and the log row.
_ANSWERED_COLUMNS = ("repetitions", "interval", "easiness_x100", "due", "last_review", "last_review_day",
                     "first_review_day", "relearn", "lapses", "reviews", "buried_until")
_NEW_STATE_COLUMNS = tuple(f.name for f in CardState._meta.sorted_fields if f.name != "id")
_INSERT_STATE = PreparedWrite(CardState, _NEW_STATE_COLUMNS)
_UPDATE_STATE = PreparedWrite(CardState, _ANSWERED_COLUMNS, keys=("id",))
_LOG_COLUMNS = ("user", "card", "deck", "reviewed_at", "day", "quality", "applied", "kind", "time_ms", "answer_id",
                "state_before", "interval_before", "interval_after", "easiness_x100_after", "repetitions_after",
                "due_after")
_INSERT_LOG = PreparedWrite(ReviewLog, _LOG_COLUMNS)


@dataclass(frozen=True)
class CardView:
    """Everything the review screen shows for one card."""

    card: Card
    note: Note
    deck: Deck
    state: CardState | None

    @property
    def sm2(self) -> Sm2State:
        return to_sm2(self.state)


@dataclass(frozen=True)
class AnswerOutcome:
    card_id: int
    quality: int
    applied: bool
    interval: int
    due: date
    relearn: bool
    replayed: bool = False


def to_sm2(state: CardState | None) -> Sm2State:
    if state is None:
        return Sm2State()
    return Sm2State(state.repetitions, state.interval, state.easiness_x100 / 100)


def _card_views(query) -> list[CardView]:
    return [CardView(card, card.note, card.deck, joined_state(card)) for card in query]


def joined_state(card: Card) -> CardState | None:
    state = getattr(card, "cardstate", None)  # a LEFT JOIN miss gives None or an empty row
    return state if state is not None and state.id is not None else None


# The columns a card on screen needs (fewer columns: less SQL to build and rows to decode).
_VIEW_COLUMNS = (
    Card.id, Card.note, Card.deck, Card.key, Card.prompt_html, Card.answer_html, Card.retired,
    Note.id, Note.slug, Note.kind, Note.question, Note.answer, Note.cloze, Note.explanation_html,
    Note.tags, Note.source, Note.choices, Note.choices_html, Note.accept, Note.shuffle, Note.tolerance,
    Deck.id, Deck.owner, Deck.slug, Deck.title,
)


def _card_query(user_id):
    join_state = (CardState.card == Card.id) & (CardState.user == user_id)
    return (Card.select(*_VIEW_COLUMNS, CardState)
            .join(Note, on=(Card.note == Note.id)).switch(Card)
            .join(Deck, on=(Card.deck == Deck.id)).switch(Card)
            .join(CardState, pw.JOIN.LEFT_OUTER, on=join_state, attr="cardstate")
            .where(Deck.owner.is_null() | (Deck.owner == user_id)))


def _in_deck(deck, column):
    """Scope to one deck, or to all when ``deck`` is 0 (one prepared query serves both)."""
    return (pw.Value(deck) == 0) | (column == deck)


_CARD_VIEW = Prepared(lambda user, card: _card_query(user).where(Card.id == card), user=INT, card=INT)
# Cards graded below 4 today (SM-2 step 7), oldest first, last answered before ``before``.
_RELEARN = Prepared(lambda user, deck, day, before: (
    _card_query(user).where(
        CardState.relearn & (CardState.last_review_day == day) & ~CardState.suspended & ~Card.retired
        & (CardState.last_review <= before) & _in_deck(deck, Card.deck))
    .order_by(CardState.last_review).limit(1)), user=INT, deck=INT, day=DATE, before=DATETIME)
_FAR_FUTURE = datetime(9999, 1, 1)
_ANSWERED = Prepared(lambda user, answer_id: ReviewLog.select().where(
    (ReviewLog.user == user) & (ReviewLog.answer_id == answer_id)), user=INT, answer_id=STR)


def card_view(user: User, card_id: int) -> CardView:
    """One card the user can see, with their state; NotFound otherwise."""
    views = _card_views(_CARD_VIEW.rows(user=user.id, card=card_id))
    if not views:
        raise NotFound(f"no card {card_id}")
    return views[0]


def next_card(user: User, deck_id: int | None = None, now: datetime | None = None) -> CardView | None:
    """The card to show now, or None when today's queue is empty: relearning cards whose delay has
    passed, due reviews (most overdue first), new cards (services.day_plan decides which deck gives
    them, within every limit), then relearning cards still waiting."""
    today = study_day_for(user, now)
    if deck_id is not None:
        get_visible_deck(user, deck_id)
    scope = {"user": user.id, "deck": deck_id or 0, "day": today.day}
    ready_before = today.now.replace(tzinfo=None) - RELEARN_DELAY
    ready = _card_views(_RELEARN.rows(before=ready_before, **scope))
    if ready:
        return ready[0]
    plan = day_plan(user, today)
    due_decks = plan.due_decks(deck_id)
    due_card = deck_day.next_due_card(user.id, due_decks, is_due(today.day)) if due_decks else None
    if due_card is not None:
        return card_view(user, due_card)
    new_deck = plan.next_new_deck(deck_id)
    if new_deck is not None:
        found = _next_new(user, plan, new_deck, random_order=plan.new_orders[new_deck] == "random")
        if found:
            return found
    waiting = _card_views(_RELEARN.rows(before=_FAR_FUTURE, **scope))
    return waiting[0] if waiting else None


def _next_new(user: User, plan: DayPlan, deck_id: int, random_order: bool) -> CardView | None:
    """The deck's first unseen card in deck order, or (a deck whose order is random) one drawn from the
    plan's seed: one short indexed walk, no sort."""
    unseen = plan.figures[deck_id].unseen
    offset = Random(plan.seed).randrange(unseen) if random_order and unseen > 0 else 0
    card_id = deck_day.unseen_card(user.id, deck_id, is_not_new(plan.today.day), offset)
    return card_view(user, card_id) if card_id is not None else None


class GradeChoice(NamedTuple):
    """One grade button: what it gives, and what pressing it does to the card."""

    label: str
    quality: int
    interval: int  # days until the card is due again
    again_today: bool  # below Good: the card comes back in this session first (SM-2 step 7)
    easiness_change: float | None  # None when SM-2 already applied today (nothing changes)


def grade_choices(user: User, view: CardView, now: datetime | None = None) -> list[GradeChoice]:
    """One GradeChoice per grade button, from one SM-2 preview."""
    options = grade_options(user.grade_scale)
    today = study_day_for(user, now).day
    if view.state is not None and view.state.last_review_day == today:
        return [GradeChoice(label, q, view.state.interval, needs_relearning(q), None) for label, q in options]
    current = view.sm2
    states = preview(current, [q for _, q in options])
    return [GradeChoice(label, q, min(states[q].interval, MAX_INTERVAL_DAYS), needs_relearning(q),
                        round(states[q].easiness - current.easiness, 2))
            for label, q in options]


def _snapshot(state: CardState | None) -> dict | None:
    if state is None:
        return None
    out = {}
    for name in SNAPSHOT_COLUMNS:
        value = getattr(state, name)
        out[name] = value.isoformat() if isinstance(value, (date, datetime)) else value
    return out


def _restore(state: CardState, snap: dict) -> None:
    for name in SNAPSHOT_COLUMNS:
        field = CardState._meta.fields[name]
        value = snap[name]
        if value is not None and isinstance(field, pw.DateTimeField):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(field, pw.DateField):
            value = date.fromisoformat(value)
        setattr(state, name, value)


def check_quality(quality) -> int:
    if isinstance(quality, bool) or not isinstance(quality, int) or not 0 <= quality <= 5:
        raise InvalidInput(f"quality must be a whole number from 0 to 5, got {quality!r}")
    return quality


def answer(user: User, card_id: int, quality: object, *, answer_id: str | None = None,
           time_ms: int = 0, kind: str = "review", now: datetime | None = None) -> AnswerOutcome:
    """Grade a card. The same ``answer_id`` posted twice is applied once; Conflict when it was
    used for another card."""
    quality = check_quality(quality)
    if answer_id is not None and not (0 < len(answer_id) <= 64):
        raise InvalidInput("answer_id must be 1 to 64 characters")
    try:
        return _answer_once(user, card_id, quality, answer_id, max(0, int(time_ms)), kind, now)
    except pw.IntegrityError:
        done = _answered(user, answer_id)  # a concurrent post of the same answer won the race
        if done is not None:
            return _replay(done, card_id, kind)
    # Another answer to this new card made its state row first: grade again, now under the row lock.
    return _answer_once(user, card_id, quality, answer_id, max(0, int(time_ms)), kind, now)


def _answer_once(user: User, card_id: int, quality: int, answer_id, time_ms: int, kind: str,
                 now: datetime | None) -> AnswerOutcome:
    with db.atomic():
        done = _answered(user, answer_id)
        if done is not None:
            return _replay(done, card_id, kind)
        view = card_view(user, card_id)
        if view.card.retired:
            raise NotFound(f"card {card_id} was retired from its deck")
        today = study_day_for(user, now)
        log = _apply(user, view, quality, today, answer_id, time_ms, kind)
        if kind == "review" and bury_siblings_on(user, view.card.deck_id):
            _bury_siblings(user, view.card.id, today.day)
    return outcome_of(log)


def _bury_siblings(user: User, card_id: int, day: date) -> None:
    """Hide the note's other cards until the next study day, so a cloze's c2 does not follow its c1."""
    siblings = deck_day.siblings_of(user.id, card_id)
    views = [Sibling(sibling_id, state is not None and state.relearn and state.last_review_day == day,
                     state is not None and state.buried_until is not None and state.buried_until > day,
                     state is not None and state.suspended)
             for sibling_id, _, state in siblings]
    chosen = set(siblings_to_bury(views, bury=True))
    deck_day.bury_cards(user.id, [(c, d) for c, d, _ in siblings if c in chosen], day + timedelta(days=1), day)


def _replay(done: ReviewLog, card_id: int, kind: str) -> AnswerOutcome:
    """The stored outcome of a repeated post; Conflict if the id was used for another card (or
    by a quiz for a review, or the other way round): replaying that card's outcome would hide
    that this answer was never applied."""
    if done.card_id != card_id or done.kind != kind:
        raise Conflict(f"answer_id: {done.answer_id!r} was already used for another {done.kind} answer "
                       "(another card); send a new answer_id for each answer")
    return outcome_of(done, replayed=True)


def _answered(user: User, answer_id: str | None) -> ReviewLog | None:
    return None if answer_id is None else _ANSWERED.first(user=user.id, answer_id=answer_id)


def _apply(user, view: CardView, quality: int, today: StudyDay, answer_id, time_ms, kind) -> ReviewLog:
    state = view.state
    if state is not None and not is_sqlite(db.obj):  # SQLite: BEGIN IMMEDIATE already serialises
        state = CardState.select().where(CardState.id == state.id).for_update().get()
    before = _snapshot(state)
    if state is None:
        state = CardState(user=user.id, card=view.card.id, deck=view.card.deck_id, due=today.day,
                          first_review_day=today.day)
    elif state.first_review_day is None:
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
    if state.id is None:
        _INSERT_STATE.run([state.__data__.get(name) for name in _NEW_STATE_COLUMNS])
    else:
        _UPDATE_STATE.run([state.__data__.get(name) for name in _ANSWERED_COLUMNS] + [state.id])
    log = ReviewLog(
        user=user.id, card=view.card.id, deck=view.card.deck_id, reviewed_at=state.last_review,
        day=today.day, quality=quality, applied=applied, kind=kind, time_ms=time_ms,
        answer_id=answer_id, state_before=before,
        interval_before=before["interval"] if before else 0, interval_after=state.interval,
        easiness_x100_after=state.easiness_x100, repetitions_after=state.repetitions,
        due_after=state.due)
    _INSERT_LOG.run([log.__data__.get(name) for name in _LOG_COLUMNS])
    return log


def outcome_of(log: ReviewLog, replayed: bool = False) -> AnswerOutcome:
    return AnswerOutcome(log.card_id, log.quality, log.applied, log.interval_after, log.due_after,
                         needs_relearning(log.quality), replayed)


def undo_last(user: User, now: datetime | None = None) -> int | None:
    """Take back the user's last answer of today, restoring the card exactly. Returns its card id."""
    today = study_day_for(user, now)
    with db.atomic():
        log = (ReviewLog.select().where((ReviewLog.user == user.id) & (ReviewLog.day == today.day)
                                        & (ReviewLog.kind == "review"))
               .order_by(ReviewLog.id.desc()).first())
        if log is None:
            return None
        state = CardState.get((CardState.user == user.id) & (CardState.card == log.card_id))
        if log.state_before is None:
            state.delete_instance()
        else:
            _restore(state, log.state_before)
            state.save()
        log.delete_instance()
    return log.card_id


def _state_for_change(user: User, card_id: int, today: StudyDay) -> CardState:
    view = card_view(user, card_id)
    return view.state or CardState(user=user.id, card=card_id, deck=view.card.deck_id, due=today.day)


def set_suspended(user: User, card_id: int, suspended: bool = True) -> None:
    today = study_day_for(user)
    with db.atomic():
        state = _state_for_change(user, card_id, today)
        state.suspended = suspended
        state.save()


def bury(user: User, card_id: int, now: datetime | None = None) -> None:
    """Hide a card until the next study day."""
    today = study_day_for(user, now)
    with db.atomic():
        state = _state_for_change(user, card_id, today)
        state.buried_until = today.day + timedelta(days=1)
        state.relearn = False
        state.save()
