"""What today's queue offers, per deck and in all: the one rule behind the dashboard's counts, the
review screen's counts and the order the queue serves cards in.

Each deck gives its due reviews and new cards within its own limits (deck options); Study now mixes
every deck within the user's limits too, and draws new cards across decks in the user's new-card
order. A deck studied on its own is held by its own limits only, so every deck keeps its Study button.
The plan is made from a scope's contents (carried from answer to answer, or counted in full), the
decks' options and today's progress per deck.
"""
from __future__ import annotations

from dataclasses import dataclass
from random import Random

from quizzer.services.deck_options import study_options, user_defaults
from quizzer.services.study import QueueContents, QueueCounts, StudyDay, queue_contents
from quizzer.srs.queue import Allowance, DeckDay, NewSource, deck_allowance, next_new_deck, overall_allowance
from quizzer.store import deck_day
from quizzer.store.models import Deck, User
from quizzer.store.queue_counts import due_counts_by_deck as deck_queues


@dataclass(frozen=True)
class DailyProgress:
    """What the user did today, per deck: answers that set a schedule, and new cards started (in a
    review or a quiz: a card counts as new once, on the day it was first answered)."""

    reviewed_by_deck: dict[int, int]
    new_by_deck: dict[int, int]

    @property
    def reviewed(self) -> int:
        return sum(self.reviewed_by_deck.values())

    @property
    def new_started(self) -> int:
        return sum(self.new_by_deck.values())


@dataclass(frozen=True)
class DeckCounts:
    deck: Deck
    new: int
    due: int
    total: int


@dataclass(frozen=True)
class DayPlan:
    """One scope's day: each deck's figures and allowance, and the scope's (Study now: within the
    user's limits too; one deck: its own)."""

    contents: QueueContents
    progress: DailyProgress
    figures: dict[int, DeckDay]  # in study order
    allowances: dict[int, Allowance]
    allowance: Allowance
    user_order: str
    new_orders: dict[int, str]
    seed: int  # fixed until the next new card is answered, so a reload shows the same card

    @property
    def counts(self) -> QueueCounts:
        return QueueCounts(self.allowance.new, self.allowance.due, self.contents.relearn)

    def due_decks(self) -> list[int] | None:
        """The decks whose due reviews may be served now: None for all of the scope's, [] for none."""
        if self.allowance.due <= 0:
            return []
        held = [d for d, f in self.figures.items() if f.due > self.allowances[d].due]
        if not held:
            return None
        return [d for d in self.figures if self.allowances[d].due > 0]

    def next_new(self) -> tuple[int, int] | None:
        """(deck, offset among its new cards in deck order) of the next new card, or None."""
        if self.allowance.new <= 0:
            return None
        sources = [NewSource(d, self.allowances[d].new, f.new_done) for d, f in self.figures.items()]
        deck_id = next_new_deck(sources, self.user_order if self.contents.deck_id is None else "deck", self.seed)
        if deck_id is None:
            return None
        unseen = self.figures[deck_id].unseen
        random_order = self.new_orders[deck_id] == "random" and unseen > 0
        return deck_id, Random(self.seed).randrange(unseen) if random_order else 0


def plan_for(user: User, today: StudyDay, contents: QueueContents) -> DayPlan:
    """The plan of one scope from its contents, and its decks' options and figures of today (one
    statement). Contents that do not list the scope's visible decks (carried from before a deck was
    made, imported or removed) are counted again in full (two statements more)."""
    found = deck_day.deck_days(user.id, contents.deck_id, today.day)
    if sorted(part.deck_id for part in contents.decks) != sorted(r.deck_id for r in found.values() if r.visible):
        contents = queue_contents(user, today.day, contents.deck_id)
    rows = [found.get(part.deck_id) or deck_day.DeckDayRow(part.deck_id) for part in contents.decks]
    progress = DailyProgress({r.deck_id: r.applied for r in found.values()},
                             {r.deck_id: r.new_started for r in found.values()})
    defaults = user_defaults(user)
    options = {r.deck_id: study_options(user, r, today.day, defaults) for r in rows}
    figures = {}
    for row, part in zip(rows, contents.decks):
        own, extra = options[row.deck_id].effective, options[row.deck_id].extra_new_today
        figures[row.deck_id] = DeckDay(row.deck_id, own.new_per_day + extra, own.reviews_per_day, row.new_started,
                                       row.applied, part.new, part.due)
    allowances = {d: deck_allowance(f) for d, f in figures.items()}
    if contents.deck_id is None:
        extra_today = sum(o.extra_new_today for o in options.values())
        scope = overall_allowance(list(allowances.values()), user.new_per_day + extra_today - progress.new_started,
                                  user.reviews_per_day - progress.reviewed)
    else:
        scope = allowances.get(contents.deck_id, Allowance(0, 0))
    seed = (user.id or 0) * 1_000_003 + today.day.toordinal() * 7919 + progress.new_started
    return DayPlan(contents, progress, figures, allowances, scope, user.new_order,
                   {d: o.effective.new_order for d, o in options.items()}, seed)


@dataclass(frozen=True)
class Overview:
    """The dashboard: each deck's counts (what its Study button serves), Study now's (queue), today's progress."""

    decks: list[DeckCounts]
    queue: QueueCounts
    progress: DailyProgress


def overview(user: User, today: StudyDay) -> Overview:
    """One full count and one plan for the deck rows and Study now alike (so they agree)."""
    rows = deck_queues(user.id, today.day)
    plan = plan_for(user, today, queue_contents(user, today.day, rows=rows))
    decks = [DeckCounts(q.deck, plan.allowances[q.deck.id].new, plan.allowances[q.deck.id].due, q.total)
             for q in rows]
    return Overview(decks, plan.counts, plan.progress)


def due_counts_by_deck(user: User, today: StudyDay) -> list[DeckCounts]:
    """New / due / total per visible deck: what studying that deck alone offers now."""
    return overview(user, today).decks


def queue_counts(user: User, today: StudyDay, deck_id: int | None = None) -> QueueCounts:
    """What the queue (Study now, or one deck) serves today, relearning cards included, counted in full."""
    return plan_for(user, today, queue_contents(user, today.day, deck_id)).counts
