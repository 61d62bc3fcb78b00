"""The user's study day, the decks they can see and what each deck holds.

What is left travels with the answers: a full count (per deck) runs where a page lists the decks
and on a session's first page; after that each answer, undo, suspension or burial moves the
carried ``QueueContents`` by what it changed (docs/scheduling.md, "Counts that travel"). The
limits that turn contents into counts are services.day_plan's.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from quizzer import clock
from quizzer.services.errors import NotFound
from quizzer.services.users import day_rule_change
from quizzer.srs import study_day_span
from quizzer.store import decks as deck_store
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
    day, starts = study_day_span(now, user.timezone, user.rollover_hour, day_rule_change(user))
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
class DeckPart:
    """One deck's part of the queue before the daily limits."""

    deck_id: int
    new: int
    due: int
    relearn: int


@dataclass(frozen=True)
class QueueContents:
    """What one study scope (a deck, or all: ``deck_id`` None) holds on ``day`` before the daily
    limits, deck by deck in study order. Carried from answer to answer: only a change to one card
    moves it."""

    day: date
    deck_id: int | None
    decks: tuple[DeckPart, ...]

    @property
    def relearn(self) -> int:
        return sum(part.relearn for part in self.decks)

    def moved(self, deck_id: int, before: str | None, after: str | None) -> QueueContents:
        """After one card of ``deck_id`` went from queue part ``before`` to ``after`` (store.queue.bucket)."""
        if before == after:
            return self
        return replace(self, decks=tuple(_moved(part, before, after) if part.deck_id == deck_id else part
                                         for part in self.decks))


def _moved(part: DeckPart, before: str | None, after: str | None) -> DeckPart:
    counts = {"new": part.new, "due": part.due, "relearn": part.relearn}
    if before is not None:
        counts[before] = max(0, counts[before] - 1)  # a count a client made too low stays at 0
    if after is not None:
        counts[after] += 1
    return replace(part, **counts)


def queue_contents(user: User, day: date, deck_id: int | None = None,
                   rows: list[DeckQueue] | None = None) -> QueueContents:
    """A full count of one scope (two statements; none when the caller has the ``rows``)."""
    parts = tuple(DeckPart(q.deck.id, q.new, q.due, q.relearn) for q in rows or deck_queues(user.id, day)
                  if deck_id is None or q.deck.id == deck_id)
    return QueueContents(day, deck_id, parts)


def contents_after(user: User, day: date, deck_id: int | None, carried: QueueContents | None,
                   *changes: QueueChange) -> QueueContents:
    """What one scope holds after an operation: the contents a client carried, moved by ``changes``
    (each card's deck, its queue part before and after), when they are of this day and scope; else
    a full count (run after the changes are written, so it needs no moving)."""
    if carried is None or carried.day != day or carried.deck_id != deck_id:
        return queue_contents(user, day, deck_id)
    for change in changes:
        carried = carried.moved(*change)
    return carried
