"""Which cards a quiz asks: a seeded sample, for mock interviews weighted toward weak and overdue cards."""
from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from quizzer.srs.limits import START_EASINESS_X100

T = TypeVar("T")
NEW_CARD_WEIGHT = 2.0  # an unseen card is as likely as a somewhat weak one
START_EASINESS = START_EASINESS_X100 / 100


@dataclass(frozen=True)
class CardStanding:
    """What the weighting looks at for one card; ``reviews == 0`` means never studied."""

    reviews: int = 0
    lapses: int = 0
    easiness: float = START_EASINESS
    days_overdue: int = 0  # today minus the due date; negative when not yet due
    interval: int = 0


def weakness_weight(card: CardStanding) -> float:
    """Relative chance of a card in a mock interview (>= 1; higher: weaker or more overdue).

    1 + lapses + 2 * (START_EASINESS (2.5) - easiness) + days overdue / max(interval, 1), capped at 3 for the
    overdue part; a never-studied card weighs NEW_CARD_WEIGHT.
    """
    if card.reviews == 0:
        return NEW_CARD_WEIGHT
    overdue = min(3.0, max(0, card.days_overdue) / max(card.interval, 1))
    return 1.0 + card.lapses + 2.0 * max(0.0, START_EASINESS - card.easiness) + overdue


def weighted_sample(items: Sequence[T], weights: Sequence[float], count: int, seed: int) -> list[T]:
    """``count`` distinct items (all if fewer), drawn without replacement in proportion to ``weights``.

    Efraimidis-Spirakis: each item gets the key u ** (1 / weight), the largest keys win.
    Raises ValueError when lengths differ or a weight is not positive.
    """
    if len(items) != len(weights):
        raise ValueError("items and weights must have the same length")
    if any(not w > 0 for w in weights):
        raise ValueError("weights must be positive")
    rng = random.Random(seed)
    keyed = [(rng.random() ** (1.0 / w), i) for i, w in enumerate(weights)]
    return [items[i] for _, i in sorted(keyed, reverse=True)[:max(0, count)]]


def uniform_sample(items: Sequence[T], count: int, seed: int) -> list[T]:
    """``count`` distinct items (all if fewer) in a seeded random order."""
    return random.Random(seed).sample(list(items), min(max(0, count), len(items)))
