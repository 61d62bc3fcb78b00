"""What the user has done: the streak, a study session's summary, what is due tomorrow."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from quizzer.services.study import StudyDay
from quizzer.store import review_log
from quizzer.store.models import User
from quizzer.store.queue_counts import due_count

_STREAK_WINDOW_DAYS = 3660


def streak(user: User, today: StudyDay) -> int:
    """Consecutive study days with at least one answer, ending today (or yesterday)."""
    days = review_log.answer_days(user.id, today.day - timedelta(days=_STREAK_WINDOW_DAYS))
    day = today.day if today.day in days else today.day - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count


@dataclass
class SessionSummary:
    reviewed: int = 0
    by_quality: dict[int, int] = field(default_factory=dict)
    seconds: int = 0
    due_tomorrow: int = 0


def session_summary(user: User, since: datetime, today: StudyDay) -> SessionSummary:
    """Answers since ``since`` (naive UTC) by grade, time spent, and cards due tomorrow."""
    summary = SessionSummary()
    total_ms = 0
    for quality, count, ms in review_log.answers_by_quality(user.id, since):
        summary.by_quality[quality] = count
        summary.reviewed += count
        total_ms += ms
    summary.seconds = round(total_ms / 1000)
    summary.due_tomorrow = tomorrow_due(user, today.day)
    return summary


def tomorrow_due(user: User, day: date) -> int:
    return due_count(user.id, day + timedelta(days=1))
