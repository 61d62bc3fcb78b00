"""SuperMemo SM-2 (Wozniak, 1987-1990), steps 3-6, in exact arithmetic.

Easiness moves in steps of 0.02 and has a floor of 1.3, so it is kept as whole
hundredths while computing; floats would drift (2.2 -> 2.2000000000000006) and
ceil() would then add a day. See docs/scheduling.md.
"""

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from quizzer.srs.limits import MIN_EASINESS_X100, PASSING_QUALITY, QUALITY_MAX, START_EASINESS_X100, check_quality

MIN_EASINESS = MIN_EASINESS_X100 / 100


@dataclass(frozen=True)
class Sm2State:
    """One card's SM-2 state; a new card is ``Sm2State()``.

    ``easiness`` is stored rounded to 2 places (any int, float, Decimal or
    Fraction is accepted). Raises ValueError for a negative or non-int
    ``repetitions``/``interval`` or an easiness that is not finite or < 1.3.
    """

    repetitions: int = 0
    interval: int = 0  # days until the next review
    easiness: float = START_EASINESS_X100 / 100

    def __post_init__(self) -> None:
        for name in ("repetitions", "interval"):
            value = getattr(self, name)
            if not _is_int(value) or value < 0:
                raise ValueError(f"{name} must be an int >= 0, got {value!r}")
        hundredths = _easiness_hundredths(self.easiness)
        # Normalise (e.g. a float4 column's 2.4600000381) so equality is exact.
        object.__setattr__(self, "easiness", hundredths / 100)


def review(state: Sm2State, quality: int) -> Sm2State:
    """Return the state after one graded repetition; ``state`` is unchanged.

    q >= 3: interval 1, then 6, then ceil(interval * easiness before this
    review); repetitions + 1. q < 3: repetitions 0, interval 1. Always:
    easiness += 0.1 - (5-q)(0.08 + (5-q)0.02), floored at 1.3. The interval is
    not capped here (see day.due_date). Raises ValueError for a bad quality.
    """
    check_quality(quality)
    easiness = round(state.easiness * 100)  # exact: Sm2State holds whole hundredths
    if quality < PASSING_QUALITY:
        repetitions, interval = 0, 1
    else:
        repetitions, interval = state.repetitions + 1, _passed_interval(state, easiness)
    miss = QUALITY_MAX - quality
    easiness = max(MIN_EASINESS_X100, easiness + 10 - miss * (8 + miss * 2))
    return Sm2State(repetitions, interval, easiness / 100)


def _passed_interval(state: Sm2State, easiness_hundredths: int) -> int:
    """I(1) = 1, I(2) = 6, I(n) = ceil(I(n-1) * EF), the ceiling in integers."""
    if state.repetitions == 0:
        return 1
    if state.repetitions == 1:
        return 6
    return -(-state.interval * easiness_hundredths // 100)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _easiness_hundredths(easiness: object) -> int:
    if isinstance(easiness, bool) or not isinstance(easiness, (int, float, Decimal, Fraction)):
        raise ValueError(f"easiness must be a number, got {easiness!r}")
    hundredths = round(easiness * 100) if math.isfinite(easiness) else None
    if hundredths is None or hundredths < MIN_EASINESS_X100:
        raise ValueError(f"easiness must be a finite number >= {MIN_EASINESS}, got {easiness!r}")
    return hundredths
