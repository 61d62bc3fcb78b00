"""The study queue's rules: options per deck, how many cards each deck may give today, which deck
gives the next new card, and which siblings an answer buries. Pure: callers pass counts in.

A deck's option left unset (None) is inherited from the user's defaults. Study now mixes every
deck: each deck gives at most its own allowance, and all of them together at most the user's.
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace

NEW_ORDERS = ("deck", "round_robin", "random")
NEW_ORDER_LABELS = {"deck": "Deck order (one deck, then the next)",
                    "round_robin": "Round robin (each deck in turn)",
                    "random": "Random (all decks mixed)"}
# One home for the limits the forms, the API and the stored options all check.
OPTION_LIMITS = {"new_per_day": (0, 9999), "reviews_per_day": (0, 99999)}
MAX_EXTRA_NEW = 9999
MAX_CUSTOM_DAYS = 365


@dataclass(frozen=True)
class StudyOptions:
    """The options that apply to a deck (or the user's defaults)."""

    new_per_day: int
    reviews_per_day: int
    new_order: str
    bury_siblings: bool


@dataclass(frozen=True)
class DeckOptions:
    """A deck's own options; None means "as the user's default"."""

    new_per_day: int | None = None
    reviews_per_day: int | None = None
    new_order: str | None = None
    bury_siblings: bool | None = None


_INHERIT_ALL = DeckOptions()


def effective_options(defaults: StudyOptions, own: DeckOptions | None) -> StudyOptions:
    """Each option ``own`` sets, else the user's default."""
    if own is None or own == _INHERIT_ALL:  # most decks: no work per deck on the hot path
        return defaults
    values = {field.name: getattr(own, field.name) for field in fields(DeckOptions)}
    return replace(defaults, **{name: value for name, value in values.items() if value is not None})


@dataclass(frozen=True)
class DeckDay:
    """One deck's figures today: its limits (extra new cards of a custom study included) and what is
    left in it and done in it."""

    deck_id: int
    new_limit: int
    review_limit: int
    new_done: int  # cards first answered today (in a review or a quiz)
    reviews_done: int  # answers that set a schedule today
    unseen: int  # new cards not buried or suspended
    due: int  # reviews due today, not buried or suspended


@dataclass(frozen=True)
class Allowance:
    """What one deck (or Study now, as a whole) offers today within its limits."""

    due: int
    new: int


def deck_allowance(deck: DeckDay) -> Allowance:
    """Due reviews up to the reviews left, then new cards up to the new cards left; new cards count
    against the reviews limit too (as in Anki)."""
    reviews_left = max(0, deck.review_limit - deck.reviews_done)
    due = min(deck.due, reviews_left)
    new = max(0, min(deck.unseen, deck.new_limit - deck.new_done, reviews_left - due))
    return Allowance(due, new)


def overall_allowance(per_deck: Sequence[Allowance], new_left: int, reviews_left: int) -> Allowance:
    """What Study now offers from each deck's allowance (``deck_allowance``): all together within the
    user's limits (``new_left`` and ``reviews_left``: the user's limits less what was done today)."""
    due = min(sum(a.due for a in per_deck), max(0, reviews_left))
    new = max(0, min(sum(a.new for a in per_deck), new_left, reviews_left - due))
    return Allowance(due, new)


@dataclass(frozen=True)
class NewSource:
    """A deck that can give new cards now: how many more, and how many it gave today."""

    deck_id: int
    left: int
    done: int


def next_new_deck(sources: Sequence[NewSource], order: str, seed: int) -> int | None:
    """The deck that gives the next new card, or None when none can.

    ``sources`` are in deck (study) order. "deck": the first with cards left; "round_robin": the one
    that gave the fewest today (the first of those), so every deck's share differs by at most one;
    "random": drawn with a weight of what each has left, from ``seed`` (the same seed, the same deck,
    so a page reload shows the same card). ValueError for an unknown order.
    """
    if order not in NEW_ORDERS:
        raise ValueError(f"new_order must be one of {', '.join(NEW_ORDERS)}, got {order!r}")
    open_sources = [s for s in sources if s.left > 0]
    if not open_sources:
        return None
    if order == "deck":
        return open_sources[0].deck_id
    if order == "round_robin":
        return min(open_sources, key=lambda s: s.done).deck_id
    pick = random.Random(seed).randrange(sum(s.left for s in open_sources))
    for source in open_sources:
        pick -= source.left
        if pick < 0:
            return source.deck_id
    raise AssertionError("unreachable: pick < total")


def plan_new(sources: Sequence[NewSource], total: int, order: str, seed: int) -> list[int]:
    """The decks of the next ``total`` new cards (at most what the sources hold), drawn one at a time
    as answering them would; the i-th draw uses ``seed + i``."""
    current = list(sources)
    plan: list[int] = []
    while len(plan) < total:
        deck_id = next_new_deck(current, order, seed + len(plan))
        if deck_id is None:
            break
        plan.append(deck_id)
        current = [NewSource(s.deck_id, s.left - 1, s.done + 1) if s.deck_id == deck_id else s for s in current]
    return plan


@dataclass(frozen=True)
class Sibling:
    """Another card of the answered card's note, as the queue sees it today."""

    card_id: int
    in_relearning: bool  # failed today and coming back in this session
    buried: bool
    suspended: bool


def siblings_to_bury(siblings: Sequence[Sibling], bury: bool) -> list[int]:
    """The siblings an answer buries until the next study day: new and review cards alike, but not
    one being relearnt today (its repeat belongs to this session), nor one already hidden."""
    if not bury:
        return []
    return [s.card_id for s in siblings if not (s.in_relearning or s.buried or s.suspended)]
