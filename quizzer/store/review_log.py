"""The review log: every answer, appended once (its ``answer_id`` unique per user), undone last first."""
from __future__ import annotations

from datetime import date, datetime

import peewee as pw

from quizzer.store.models import ReviewLog
from quizzer.store.prepared import INT, STR, Prepared, PreparedWrite
from quizzer.store.stats_models import ReviewDay

_LOG_COLUMNS = ("user", "card", "deck", "reviewed_at", "day", "quality", "applied", "kind", "time_ms", "answer_id",
                "state_before", "interval_before", "interval_after", "easiness_x100_after", "repetitions_after",
                "due_after")
_INSERT_LOG = PreparedWrite(ReviewLog, _LOG_COLUMNS)


class AnswerRace(Exception):
    """An answer with this ``answer_id`` was stored first (by another request, or this one before)."""


def record_answer(log: ReviewLog) -> None:
    """Append an answer (``log.id`` is set). AnswerRace when its answer_id is already taken."""
    try:
        log.id = _INSERT_LOG.run([log.__data__.get(name) for name in _LOG_COLUMNS])
    except pw.IntegrityError as err:
        raise AnswerRace(str(err)) from err


_ANSWERED = Prepared(lambda user, answer_id: ReviewLog.select().where(
    (ReviewLog.user == user) & (ReviewLog.answer_id == answer_id)), user=INT, answer_id=STR)


def answered(user_id: int, answer_id: str) -> ReviewLog | None:
    """The stored answer with this id, if any."""
    return _ANSWERED.first(user=user_id, answer_id=answer_id)


def last_answer_today(user_id: int, day: date, since: datetime) -> ReviewLog | None:
    """The user's last review answer of study day ``day``, which began at ``since`` (naive UTC; the
    time bounds the walk of the (user, reviewed_at) index to the day). Quiz answers are not undone here."""
    return (ReviewLog.select().where((ReviewLog.user == user_id) & (ReviewLog.reviewed_at >= since)
                                     & (ReviewLog.day == day) & (ReviewLog.kind == "review"))
            .order_by(ReviewLog.id.desc()).first())


def delete_answer(log: ReviewLog) -> None:
    log.delete_instance()


def answer_days(user_id: int, after: date) -> set[date]:
    """The study days after ``after`` with at least one answer, from the per-day rollup (a row per
    user, day and deck while it holds answers) rather than the whole log."""
    return {d for (d,) in ReviewDay.select(ReviewDay.day).distinct()
            .where((ReviewDay.user == user_id) & (ReviewDay.day > after)).tuples()}


def answers_by_quality(user_id: int, since: datetime) -> list[tuple[int, int, int]]:
    """(quality, answers, milliseconds spent) of the answers since ``since`` (naive UTC)."""
    return [(quality, count, ms or 0) for quality, count, ms in
            ReviewLog.select(ReviewLog.quality, pw.fn.COUNT(ReviewLog.id), pw.fn.SUM(ReviewLog.time_ms))
            .where((ReviewLog.user == user_id) & (ReviewLog.reviewed_at >= since))
            .group_by(ReviewLog.quality).tuples()]
