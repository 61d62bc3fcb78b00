"""Wrong options for a multiple-choice question, drawn from the answers of related cards."""
from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from quizzer.quiz.matching import normalise

DISTRACTOR_COUNT = 3


@dataclass(frozen=True)
class Candidate:
    """Another card's answer and how closely that card is related (higher: more alike)."""

    text: str
    relatedness: int = 0


def pick_distractors(answer: str, candidates: Iterable[Candidate], seed: int,
                     count: int = DISTRACTOR_COUNT) -> list[str]:
    """Up to ``count`` distractors, the most related candidates first, ties broken by ``seed``.

    Never returns an empty option, the right answer (after normalising) or two options
    that normalise alike; the same inputs and seed always give the same list.
    """
    rng = random.Random(seed)
    pool = sorted(candidates, key=lambda c: (-c.relatedness, c.text))  # input order must not matter
    ranked = sorted(pool, key=lambda c: (-c.relatedness, rng.random()))
    taken, seen = [], {normalise(answer)}
    for candidate in ranked:
        key = normalise(candidate.text)
        if key and key not in seen:
            seen.add(key)
            taken.append(candidate.text.strip())
            if len(taken) == count:
                break
    return taken


def shuffled_options(answer: str, others: Sequence[str], seed: int) -> tuple[list[str], int]:
    """The answer and the other options in a seeded order, with the answer's index."""
    options = [answer, *(o for o in others if o != answer)]
    random.Random(seed).shuffle(options)
    return options, options.index(answer)


def day_seed(card_id: int, day: date) -> int:
    """A seed for one card on one study day: the same on every reload (and after undo), another
    the next day. A hash rather than ``hash()``, which Python salts per process."""
    digest = hashlib.sha256(f"{card_id}:{day.isoformat()}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def choice_order(count: int, seed: int, pinned: bool = False) -> list[int]:
    """Indexes 0..count-1 in the order to show a card's own choices: seeded, or the file's order
    when the card pins it (``shuffle: false``, for options such as "all of the above")."""
    order = list(range(count))
    if not pinned:
        random.Random(seed).shuffle(order)
    return order
