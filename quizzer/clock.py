"""The one place the review path reads the clock.

A request reads it once and passes ``now`` down, so everything one answer decides (the study day
it is graded on, the next card, its previews, the counts) comes from the same instant. Tests
replace ``now`` to count the reads or to stand at a roll-over.
"""
from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(UTC)
