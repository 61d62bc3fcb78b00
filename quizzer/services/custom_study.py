"""Custom study: sessions beside the day's queue that leave the schedule as it is.

- ``ahead``: reviews due in the next N days, answered early. Each answer is logged (kind "ahead")
  and the card stays due when it was: studying ahead is practice, not a review SM-2 should count.
- ``forgotten``: cards graded below 3 in the last N days, not due today (kind "custom").
- ``tag``: studied cards of one tag: those due today are answered as in the queue (rescheduled),
  the others like ``forgotten`` (kind "custom").

New cards stay with the queue (they need its limits); extra new cards for a deck are a deck option
for today (services.deck_options.add_extra_new_cards). Each card comes once per session and day.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from quizzer.deck_format.tags import TAG_RULE, is_tag
from quizzer.services import review
from quizzer.services.errors import Conflict, InvalidInput, NotFound
from quizzer.services.study import QueueCounts, get_visible_deck, study_day_for
from quizzer.services.users import whole_number
from quizzer.srs.queue import MAX_CUSTOM_DAYS
from quizzer.store import custom_study as store
from quizzer.store.db import transaction
from quizzer.store.models import User

MODES = {"ahead": "Study ahead", "forgotten": "Forgotten cards", "tag": "Cards with a tag"}
_KINDS = {"ahead": "ahead", "forgotten": "custom", "tag": "custom"}


@dataclass(frozen=True)
class CustomSession:
    mode: str
    deck_id: int | None = None
    days: int = 0
    tag: str = ""

    def params(self) -> dict:
        """The session as query parameters (for links and forms)."""
        extra = {"tag": self.tag} if self.mode == "tag" else {"days": self.days}
        return {"custom": self.mode, **({"deck": self.deck_id} if self.deck_id is not None else {}), **extra}

    @property
    def label(self) -> str:
        return f"{MODES[self.mode]}: {self.tag}" if self.mode == "tag" else f"{MODES[self.mode]}: {self.days} d"


def check_session(mode, deck_id: int | None, days=None, tag=None) -> CustomSession:
    """A session from request values; InvalidInput names the bad one."""
    if not isinstance(mode, str) or mode not in MODES:
        raise InvalidInput(f"custom: one of {', '.join(MODES)}")
    if mode == "tag":
        name = tag.strip().lower() if isinstance(tag, str) else ""
        if not name:
            raise InvalidInput("tag: required (one tag)")
        if not is_tag(name):
            raise InvalidInput(f"tag: {name[:70]!r} is not a tag: {TAG_RULE}")
        return CustomSession(mode, deck_id, tag=name)
    return CustomSession(mode, deck_id, days=whole_number("days", days, 1, MAX_CUSTOM_DAYS))


@dataclass(frozen=True)
class CustomNext:
    card_id: int | None
    left: int


def next_custom_card(user: User, session: CustomSession, now: datetime) -> CustomNext:
    """The session's next card and how many it holds now."""
    today = study_day_for(user, now).day
    _check_deck(user, session)
    deck = session.deck_id or 0
    if session.mode == "ahead":
        found = store.next_ahead(user.id, deck, today, today + timedelta(days=session.days))
    elif session.mode == "forgotten":
        found = store.next_forgotten(user.id, deck, today, today - timedelta(days=session.days - 1))
    else:
        found = store.next_tagged(user.id, deck, today, session.tag)
    return CustomNext(*found)


def _check_deck(user: User, session: CustomSession) -> None:
    """NotFound unless the session's deck (if it names one) is visible to the user."""
    if session.deck_id is not None:
        get_visible_deck(user, session.deck_id)


def _reschedules(session: CustomSession, state, day) -> bool:
    """A tag session's card due today (not yet answered today) is answered as in the queue."""
    return session.mode == "tag" and state.due <= day and state.last_review_day != day


def answer_custom(user: User, session: CustomSession, card_id: int, quality, *, answer_id: str | None = None,
                  time_ms: int = 0, now: datetime) -> review.AnswerOutcome:
    """Log an answer to a card of the session's deck without rescheduling (a tag session's due card is answered
    as in the queue). The same ``answer_id`` twice is logged once."""
    quality = review.check_quality(quality)
    review.check_answer_id(answer_id)
    today = study_day_for(user, now)
    with transaction():
        _check_deck(user, session)
        done = store.logged_answer(user.id, answer_id) if answer_id else None
        if done is not None:
            if done.card_id != card_id:
                raise Conflict(f"answer_id: {answer_id!r} was already used for another card")
            return review.outcome_of(done, replayed=True)
        review.card_view(user, card_id)  # NotFound unless visible
        state = store.card_state(user.id, card_id)
        if state is None or state.reviews == 0:
            raise NotFound(f"card {card_id} has not been studied yet: custom study shows studied cards")
        if session.deck_id is not None and state.deck_id != session.deck_id:
            raise InvalidInput(f"card_id: card {card_id} is not in deck {session.deck_id}")
        if _reschedules(session, state, today.day):
            return review.answer(user, card_id, quality, answer_id=answer_id, time_ms=time_ms, now=now)
        log = store.log_unscheduled_answer(state, today.day, today.now.replace(tzinfo=None), quality,
                                           _KINDS[session.mode], answer_id, max(0, time_ms))
    return review.outcome_of(log)


def custom_step(user: User, session: CustomSession, now: datetime, outcome: review.AnswerOutcome | None = None,
                card_id: int | None = None) -> review.ReviewStep:
    """The session's next card (or the one given, as a page revealing it shows it) for the review
    screen, its buttons saying whether it is rescheduled, and how many are left (as due cards)."""
    found = next_custom_card(user, session, now)
    shown = card_id or found.card_id
    if shown is None:
        return review.ReviewStep(None, QueueCounts(0, 0, 0), None, outcome)
    day = study_day_for(user, now).day
    view = review.card_view(user, shown)
    practice = view.state is None or not _reschedules(session, view.state, day)
    return review.ReviewStep(review.shown_card(user, view, day, practice=practice), QueueCounts(0, found.left, 0),
                             None, outcome)


def answer_and_next(user: User, session: CustomSession, card_id: int, quality, now: datetime, *,
                    answer_id: str | None = None, time_ms: int = 0) -> review.ReviewStep:
    """Answer a card of the session, then its next card, in one transaction."""
    with transaction():
        outcome = answer_custom(user, session, card_id, quality, answer_id=answer_id, time_ms=time_ms, now=now)
        return custom_step(user, session, now, outcome)
