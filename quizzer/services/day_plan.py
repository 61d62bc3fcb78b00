"""What today's queue offers, per deck and in all: the one rule behind the dashboard's counts, the
review screen's counts and the order the queue serves cards in.

Each deck gives its due reviews and new cards within its own limits (deck options); Study now mixes
every deck within the user's limits too, and draws new cards across decks in the user's new-card
order. A deck studied on its own is held by its own limits only, so every deck keeps its Study button.
"""
from __future__ import annotations

from dataclasses import dataclass

from quizzer.services.deck_options import options_by_deck
from quizzer.services.study import StudyDay, card_counts_by_deck, relearn_count
from quizzer.srs.queue import Allowance, DeckDay, NewSource, deck_allowance, next_new_deck, overall_allowance
from quizzer.store import deck_day as store
from quizzer.store.models import Deck, User


@dataclass(frozen=True)
class DeckCounts:
    deck: Deck
    new: int
    due: int
    total: int


@dataclass(frozen=True)
class QueueCounts:
    """What is left to study today (within the daily limits)."""

    new: int
    due: int
    relearn: int

    @property
    def total(self) -> int:
        return self.new + self.due + self.relearn


@dataclass(frozen=True)
class DayPlan:
    user: User
    today: StudyDay
    decks: list[Deck]  # visible, in study order
    figures: dict[int, DeckDay]
    allowances: dict[int, Allowance]
    overall: Allowance
    new_orders: dict[int, str]  # each deck's own order of new cards (used when it is studied alone)

    def allowance(self, deck_id: int | None) -> Allowance:
        return self.overall if deck_id is None else self.allowances[deck_id]

    def due_decks(self, deck_id: int | None) -> list[int]:
        """Decks whose due reviews the queue may serve now (none once the scope's allowance is used)."""
        if self.allowance(deck_id).due <= 0:
            return []
        return [d.id for d in self.decks if (deck_id is None or d.id == deck_id) and self.allowances[d.id].due > 0]

    def next_new_deck(self, deck_id: int | None) -> int | None:
        """The deck whose new card comes next, in the user's order across decks for Study now."""
        if self.allowance(deck_id).new <= 0:
            return None
        if deck_id is not None:
            return deck_id
        sources = [NewSource(d.id, self.allowances[d.id].new, self.figures[d.id].new_done) for d in self.decks]
        return next_new_deck(sources, self.user.new_order, self.seed)

    @property
    def seed(self) -> int:
        """Fixed until the next new card is answered, so a reload shows the same card."""
        new_done = sum(f.new_done for f in self.figures.values())
        return (self.user.id or 0) * 1_000_003 + self.today.day.toordinal() * 7919 + new_done

    def deck_counts(self) -> list[DeckCounts]:
        return [DeckCounts(d, self.allowances[d.id].new, self.allowances[d.id].due, d.card_count) for d in self.decks]


def day_plan(user: User, today: StudyDay) -> DayPlan:
    """Today's figures and allowances of every visible deck, and of Study now."""
    decks, counts = card_counts_by_deck(user, today.day)
    new_done = store.new_started_by_deck(user.id, today.day)
    applied = store.applied_by_deck(user.id, today.starts_at)
    options = options_by_deck(user, [d.id for d in decks], today.day)
    figures = {}
    for deck in decks:
        due, seen = counts.get(deck.id, (0, 0))
        effective, extra = options[deck.id].effective, options[deck.id].extra_new_today
        figures[deck.id] = DeckDay(deck.id, effective.new_per_day + extra, effective.reviews_per_day,
                                   new_done.get(deck.id, 0), applied.get(deck.id, 0), deck.card_count - seen, due)
    extra_today = sum(o.extra_new_today for o in options.values())
    overall = overall_allowance(list(figures.values()), user.new_per_day + extra_today - sum(new_done.values()),
                                user.reviews_per_day - sum(applied.values()))
    return DayPlan(user, today, decks, figures, {d: deck_allowance(f) for d, f in figures.items()}, overall,
                   {d: o.effective.new_order for d, o in options.items()})


def due_counts_by_deck(user: User, today: StudyDay) -> list[DeckCounts]:
    """New / due / total per visible deck: what studying that deck alone offers now."""
    return day_plan(user, today).deck_counts()


def queue_counts(user: User, today: StudyDay, deck_id: int | None = None, plan: DayPlan | None = None) -> QueueCounts:
    """What the queue (Study now, or one deck) serves today, relearning cards included."""
    allowance = (plan or day_plan(user, today)).allowance(deck_id)
    return QueueCounts(allowance.new, allowance.due, relearn_count(user, today.day, deck_id))
