"""The user's study day, the decks they can see, today's progress and what is left to study.

What is left travels with the answers: a full count (per deck) runs where a page lists the decks
and on a session's first page; after that each answer, undo, suspension or burial moves the
carried ``QueueContents`` by what it changed (docs/scheduling.md, "Counts that travel").
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from quizzer import clock
from quizzer.services.errors import NotFound
from quizzer.srs import day_start, study_day
from quizzer.store import decks as deck_store
from quizzer.store import review_log
from quizzer.store.models import Deck, User
from quizzer.store.queue_counts import DeckQueue
from quizzer.store.queue_counts import due_counts_by_deck as deck_queues


@dataclass(frozen=True)
class StudyDay:
    """The user's local study day and the instant (aware UTC) it is, and the instant (naive UTC) the
    day began."""

    day: date
    now: datetime
    starts_at: datetime


def study_day_for(user: User, now: datetime | None = None) -> StudyDay:
    """The study day at ``now`` (read from the clock when not given)."""
    now = now or clock.now()
    day = study_day(now, user.timezone, user.rollover_hour)
    starts = day_start(day, user.timezone, user.rollover_hour)
    # In UTC: callers store ``now`` as a naive UTC timestamp.
    return StudyDay(day, now.astimezone(UTC), starts.astimezone(UTC).replace(tzinfo=None))


def visible_decks(user: User) -> list[Deck]:
    """Shared decks and the user's own, in study order."""
    return deck_store.visible_decks(user.id)


def visible_deck_ids(user: User) -> list[int]:
    """Ids of the decks the user studies, in study order."""
    return deck_store.visible_deck_ids(user.id)


def get_visible_deck(user: User, deck_id: int) -> Deck:
    deck = deck_store.find_visible_deck(user.id, deck_id)
    if deck is None:
        raise NotFound(f"no deck {deck_id}")
    return deck


def visible_deck_by_slug(user: User, slug: str) -> Deck:
    """The user's own deck with that slug, else the shared one."""
    deck = deck_store.find_visible_deck_by_slug(user.id, slug)
    if deck is None:
        raise NotFound(f"no deck {slug!r}")
    return deck


@dataclass(frozen=True)
class DailyProgress:
    """What the user did today: answers that set a schedule, and new cards started."""

    reviewed: int
    new_started: int

    def reviews_left(self, user: User) -> int:
        return max(0, user.reviews_per_day - self.reviewed)

    def new_left(self, user: User) -> int:
        return max(0, user.new_per_day - self.new_started)


def daily_progress(user: User, today: StudyDay) -> DailyProgress:
    return DailyProgress(*review_log.daily_progress(user.id, today.starts_at, today.day))


@dataclass(frozen=True)
class DeckCounts:
    deck: Deck
    new: int
    due: int
    total: int


def _deck_counts(queues: list[DeckQueue], new_left: int) -> list[DeckCounts]:
    return [DeckCounts(q.deck, min(q.new, new_left), q.due, q.total) for q in queues]


def due_counts_by_deck(user: User, today: StudyDay, progress: DailyProgress | None = None) -> list[DeckCounts]:
    """New (within today's new-card limit) / due / total per visible deck."""
    new_left = (progress or daily_progress(user, today)).new_left(user)
    return _deck_counts(deck_queues(user.id, today.day), new_left)


@dataclass(frozen=True)
class QueueCounts:
    """What is left to study today (within the daily limits)."""

    new: int
    due: int
    relearn: int

    @property
    def total(self) -> int:
        return self.new + self.due + self.relearn


# One card's move in the queue: its deck, and its part before and after ("new", "due", "relearn" or
# None; store.queue.bucket).
QueueChange = tuple[int, str | None, str | None]


@dataclass(frozen=True)
class QueueContents:
    """What one study scope (a deck, or all: ``deck_id`` None) holds on ``day`` before the daily
    limits. Carried from answer to answer: only a change to one card moves it."""

    day: date
    deck_id: int | None
    new: int
    due: int
    relearn: int

    def moved(self, deck_id: int, before: str | None, after: str | None) -> QueueContents:
        """After one card of ``deck_id`` went from queue part ``before`` to ``after`` (store.queue.bucket)."""
        if before == after or (self.deck_id is not None and deck_id != self.deck_id):
            return self
        counts = {"new": self.new, "due": self.due, "relearn": self.relearn}
        if before is not None:
            counts[before] = max(0, counts[before] - 1)  # a count a client made too low stays at 0
        if after is not None:
            counts[after] += 1
        return replace(self, new=counts["new"], due=counts["due"], relearn=counts["relearn"])

    def limited(self, user: User, progress: DailyProgress) -> QueueCounts:
        """Today's limits applied: reviews and new cards together stop at the reviews limit."""
        reviews_left = progress.reviews_left(user)
        due = min(self.due, reviews_left)
        return QueueCounts(min(self.new, progress.new_left(user), reviews_left - due), due, self.relearn)


def _summed(day: date, deck_id: int | None, queues: list[DeckQueue]) -> QueueContents:
    rows = [q for q in queues if deck_id is None or q.deck.id == deck_id]
    return QueueContents(day, deck_id, sum(q.new for q in rows), sum(q.due for q in rows),
                         sum(q.relearn for q in rows))


def queue_contents(user: User, day: date, deck_id: int | None = None) -> QueueContents:
    """A full count of one scope (two statements)."""
    return _summed(day, deck_id, deck_queues(user.id, day))


def contents_after(user: User, day: date, deck_id: int | None, carried: QueueContents | None,
                   change: QueueChange | None = None) -> QueueContents:
    """What one scope holds after an operation: the contents a client carried, moved by ``change``
    (the card's deck, its queue part before and after), when they are of this day and scope; else a
    full count (run after the change is written, so it needs no moving)."""
    if carried is None or carried.day != day or carried.deck_id != deck_id:
        return queue_contents(user, day, deck_id)
    return carried.moved(*change) if change else carried


@dataclass(frozen=True)
class Overview:
    """The dashboard's figures from one full count: each deck, today's progress, what is left."""

    decks: list[DeckCounts]
    progress: DailyProgress
    queue: QueueCounts


def overview(user: User, today: StudyDay) -> Overview:
    progress = daily_progress(user, today)
    queues = deck_queues(user.id, today.day)
    return Overview(_deck_counts(queues, progress.new_left(user)), progress,
                    _summed(today.day, None, queues).limited(user, progress))


def queue_counts(user: User, today: StudyDay, deck_id: int | None = None) -> QueueCounts:
    """What is left today in one scope, counted in full."""
    return queue_contents(user, today.day, deck_id).limited(user, daily_progress(user, today))
