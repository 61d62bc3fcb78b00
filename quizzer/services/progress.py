"""What the user has done: the streak, a study session's summary, what is due tomorrow."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import peewee as pw

from quizzer.services.study import StudyDay, is_due
from quizzer.store.models import CardState, ReviewLog, User

_STREAK_WINDOW_DAYS = 3660


def streak(user: User, today: StudyDay) -> int:
    """Consecutive study days with at least one answer, ending today (or yesterday)."""
    since = today.day - timedelta(days=_STREAK_WINDOW_DAYS)
    days = {d for (d,) in ReviewLog.select(ReviewLog.day).distinct()
            .where((ReviewLog.user == user.id) & (ReviewLog.day > since)).tuples()}
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
    rows = (ReviewLog.select(ReviewLog.quality, pw.fn.COUNT(ReviewLog.id), pw.fn.SUM(ReviewLog.time_ms))
            .where((ReviewLog.user == user.id) & (ReviewLog.reviewed_at >= since))
            .group_by(ReviewLog.quality).tuples())
    summary = SessionSummary()
    total_ms = 0
    for quality, count, ms in rows:
        summary.by_quality[quality] = count
        summary.reviewed += count
        total_ms += ms or 0
    summary.seconds = round(total_ms / 1000)
    summary.due_tomorrow = tomorrow_due(user, today.day)
    return summary


def tomorrow_due(user: User, day: date) -> int:
    return CardState.select().where((CardState.user == user.id) & ~CardState.retired
                                    & is_due(day + timedelta(days=1))).count()
