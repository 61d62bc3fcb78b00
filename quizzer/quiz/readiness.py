"""Readiness of a topic (a deck or a tag), 0-100 %, from card states and recent accuracy.

    readiness = 100 * (MATURE_WEIGHT * mature_share + ACCURACY_WEIGHT * seen_share * accuracy)

mature_share: cards with an interval >= srs.MATURE_DAYS / active cards; seen_share: cards reviewed at
least once / active cards; accuracy: the mean of the recent review accuracy and the recent quiz
accuracy (answers of quality >= srs.PASSING_QUALITY / answers, over RECENT_DAYS), each counted only when there
are answers of that kind, 0 when there are none. See docs/readiness.md.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

RECENT_DAYS = 30
MATURE_WEIGHT = 0.6
ACCURACY_WEIGHT = 0.4


@dataclass(frozen=True)
class TopicEvidence:
    """Counts for one topic's active (not suspended, not retired) cards."""

    cards: int = 0
    mature: int = 0
    seen: int = 0
    review_right: int = 0
    review_total: int = 0
    quiz_right: int = 0
    quiz_total: int = 0

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be an int >= 0, got {value!r}")
        if not self.mature <= self.cards or not self.seen <= self.cards:
            raise ValueError("mature and seen cannot exceed cards")
        if self.review_right > self.review_total or self.quiz_right > self.quiz_total:
            raise ValueError("right answers cannot exceed answers")


def accuracy(evidence: TopicEvidence) -> float:
    """Mean of the review and quiz accuracies that have answers; 0.0 without any."""
    shares = [right / total for right, total in ((evidence.review_right, evidence.review_total),
                                                 (evidence.quiz_right, evidence.quiz_total)) if total]
    return sum(shares) / len(shares) if shares else 0.0


def readiness(evidence: TopicEvidence) -> int:
    """The topic's readiness in whole percent (rounded half up), 0 for a topic without cards."""
    if not evidence.cards:
        return 0
    mature_share = evidence.mature / evidence.cards
    seen_share = evidence.seen / evidence.cards
    score = MATURE_WEIGHT * mature_share + ACCURACY_WEIGHT * seen_share * accuracy(evidence)
    return math.floor(100 * score + 0.5)

