"""From what the user presses to an SM-2 quality, and the labels that preview it.

Again = 2 (not 0 or 1): a lapse then costs 0.32 easiness, close to Anki's 0.20;
q = 0 would cost 0.80. See docs/scheduling.md.
"""

from collections.abc import Iterable

from quizzer.srs.limits import check_quality
from quizzer.srs.sm2 import Sm2State, review

BUTTONS: tuple[tuple[str, int], ...] = (("Again", 2), ("Hard", 3), ("Good", 4), ("Easy", 5))
FULL_SCALE: tuple[tuple[str, int], ...] = (
    ("Blackout", 0),
    ("Wrong", 1),
    ("Wrong, familiar", 2),
    ("Hard", 3),
    ("Good", 4),
    ("Perfect", 5),
)
_SCALES = {"buttons": BUTTONS, "full": FULL_SCALE}
_DAYS_PER_YEAR = 365  # a month is 365/12 days, as in Anki's labels


def grade_options(scale: str) -> tuple[tuple[str, int], ...]:
    """The (label, quality) pairs of a grading scale, "buttons" or "full".

    Raises ValueError for any other scale name.
    """
    try:
        return _SCALES[scale]
    except (KeyError, TypeError):
        raise ValueError(f"unknown grade scale {scale!r}; expected 'buttons' or 'full'") from None


def preview(state: Sm2State, qualities: Iterable[int]) -> dict[int, Sm2State]:
    """The next state for each quality, each computed once, in the order given.

    Raises ValueError for any invalid quality.
    """
    return {quality: review(state, quality) for quality in dict.fromkeys(qualities)}


def format_interval(days: int) -> str:
    """A short button label: "6d" under 31 days, "2.1mo" under 365, else "1.5y".

    One decimal, rounded half up. Raises ValueError unless ``days`` is an int >= 0.
    """
    if not isinstance(days, int) or isinstance(days, bool) or days < 0:
        raise ValueError(f"days must be an int >= 0, got {days!r}")
    if days < 31:
        return f"{days}d"
    if days < _DAYS_PER_YEAR:
        return _tenths(days * 12, _DAYS_PER_YEAR) + "mo"
    return _tenths(days, _DAYS_PER_YEAR) + "y"


def button_interval(days: int, again_today: bool) -> str:
    """A grade button's interval: "6d", or "today · 6d" for a grade that brings the card back in
    this session first (SM-2 step 7). Raises ValueError as format_interval does."""
    return f"today · {format_interval(days)}" if again_today else format_interval(days)


def easiness_change_label(change: float) -> str:
    """The easiness change a grade makes, to two places: "ease +0.10", "ease ±0", "ease −0.14"."""
    hundredths = round(change * 100)
    if hundredths == 0:
        return "ease ±0"
    sign = "+" if hundredths > 0 else "−"
    return f"ease {sign}{abs(hundredths) // 100}.{abs(hundredths) % 100:02d}"


def needs_relearning(quality: int) -> bool:
    """SM-2 step 7: whether the card comes back in this session (quality < 4).

    Raises ValueError for an invalid quality.
    """
    return check_quality(quality) < 4


def _tenths(numerator: int, denominator: int) -> str:
    """numerator/denominator to one decimal, half up, in integer arithmetic."""
    tenths = (numerator * 20 + denominator) // (denominator * 2)
    return f"{tenths // 10}.{tenths % 10}"
