"""Pure scheduling core: SM-2, the user's study day, grade buttons and previews.

No Flask, no database, no I/O; callers pass "now" in.
"""

from quizzer.srs.day import day_start, due_date, local_clock, study_day, user_timezones
from quizzer.srs.grading import (
    BUTTONS,
    FULL_SCALE,
    button_interval,
    easiness_change_label,
    format_interval,
    grade_options,
    needs_relearning,
    preview,
)
from quizzer.srs.limits import MATURE_DAYS, MAX_INTERVAL_DAYS, PASSING_QUALITY, QUALITY_MAX, QUALITY_MIN, check_quality
from quizzer.srs.sm2 import MIN_EASINESS, Sm2State, review

__all__ = [
    "BUTTONS",
    "FULL_SCALE",
    "MATURE_DAYS",
    "MAX_INTERVAL_DAYS",
    "MIN_EASINESS",
    "PASSING_QUALITY",
    "QUALITY_MAX",
    "QUALITY_MIN",
    "button_interval",
    "check_quality",
    "easiness_change_label",
    "Sm2State",
    "day_start",
    "due_date",
    "format_interval",
    "grade_options",
    "local_clock",
    "needs_relearning",
    "preview",
    "review",
    "study_day",
    "user_timezones",
]
