"""From a quiz outcome to the SM-2 quality (0-5) that the review engine applies.

Objective questions (multiple choice, typed):
    no answer (time ran out, empty)         -> 0
    wrong                                   -> 1
    near miss, accepted as wrong            -> 2
    near miss the user overruled            -> 3
    right, after the time limit             -> 3
    right, within the limit                 -> 4
    right, within half the limit            -> 5
Mock interviews, graded by the user:
    SELF_GRADES: 0 "Missed it" -> 1, 1 "Partly" -> 2, 2 "Got it" -> 4, 3 "Nailed it" -> 5,
    and an answer that took longer than the limit loses one point when it was right (4 -> 3, 5 -> 4).
Qualities below 4 bring the card back the same day (SM-2 step 7). See docs/quizzes.md.
"""
from __future__ import annotations

SELF_GRADES: tuple[tuple[str, int], ...] = (("Missed it", 1), ("Partly", 2), ("Got it", 4), ("Nailed it", 5))


def _over_limit(time_ms: int, limit_ms: int) -> bool:
    return limit_ms > 0 and time_ms > limit_ms


def _check_times(time_ms: int, limit_ms: int) -> None:
    for name, value in (("time_ms", time_ms), ("limit_ms", limit_ms)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be an int >= 0, got {value!r}")


def objective_quality(outcome: str, time_ms: int, limit_ms: int, *, overruled: bool = False) -> int:
    """Quality of a multiple-choice or typed answer.

    ``outcome`` is "right", "near", "wrong" or "blank"; ``limit_ms`` 0 means no limit.
    Raises ValueError for an unknown outcome, a negative time, or ``overruled`` on
    anything but a near miss.
    """
    _check_times(time_ms, limit_ms)
    if overruled and outcome != "near":
        raise ValueError(f"only a near miss can be overruled, not {outcome!r}")
    if outcome == "near":
        return 3 if overruled else 2
    if outcome in ("wrong", "blank"):
        return 1 if outcome == "wrong" else 0
    if outcome != "right":
        raise ValueError(f"outcome must be right, near, wrong or blank, got {outcome!r}")
    if _over_limit(time_ms, limit_ms):
        return 3
    return 5 if limit_ms and time_ms * 2 <= limit_ms else 4


def interview_quality(self_grade: int, time_ms: int, limit_ms: int) -> int:
    """Quality of a mock-interview answer from the user's self-grade (an index into SELF_GRADES).

    Raises ValueError for a self-grade outside 0..3 or a negative time.
    """
    _check_times(time_ms, limit_ms)
    if isinstance(self_grade, bool) or not isinstance(self_grade, int) or not 0 <= self_grade < len(SELF_GRADES):
        raise ValueError(f"self_grade must be an int from 0 to {len(SELF_GRADES) - 1}, got {self_grade!r}")
    quality = SELF_GRADES[self_grade][1]
    if quality >= 4 and _over_limit(time_ms, limit_ms):
        return quality - 1
    return quality
