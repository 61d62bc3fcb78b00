"""Exactly-once job runs across processes: a lease row per job in the database, and the run history.

Every process may schedule the same jobs (gunicorn workers, several machines
on one PostgreSQL). A run is tied to a *slot*, the scheduled time it stands
for. Before running, a process claims the job's lease row with one UPDATE
that succeeds only if the slot moves forward and the previous lease has
expired; the database applies concurrent UPDATEs of one row one after the
other, so exactly one process sees rowcount 1 for a slot and runs it.
"""
from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from quizzer.store import jobs as store
from quizzer.store.db import connection
from quizzer.store.job_models import JobRun
from quizzer.store.models import utcnow

log = logging.getLogger("quizzer.jobs")


def holder_name() -> str:
    """Who holds a lease: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(job_id: str, slot: datetime, lease: timedelta, holder: str, now: datetime | None = None) -> bool:
    """Take the job's lease for ``slot``; False if that slot (or a later one) was taken, or a run is on."""
    now = now or utcnow()
    return store.take_lease(job_id, slot, holder, now, now + lease)


def release(job_id: str, slot: datetime, holder: str) -> None:
    """End our lease early, so the next slot need not wait for it to expire."""
    store.end_lease(job_id, slot, holder, utcnow())


@dataclass(frozen=True)
class Outcome:
    """What a job function reports: a one-line result, and whether all went well."""

    result: str
    ok: bool = True


def run_once(job_id: str, slot: datetime, lease: timedelta, work: Callable[[], Outcome]) -> JobRun | None:
    """Run ``work`` for ``slot`` unless another process has it; record and return the run (None if skipped).

    An exception in ``work`` is logged and recorded as a failed run, never raised.
    """
    holder = holder_name()
    with connection():
        if not claim(job_id, slot, lease, holder):
            return None
        started, clock = utcnow(), time.perf_counter()
        try:
            outcome = work()
        except Exception as err:  # a job must not kill the scheduler thread: record it instead
            log.exception("job %s failed", job_id)
            outcome = Outcome(f"{type(err).__name__}: {err}", ok=False)
        finally:
            release(job_id, slot, holder)
        duration_ms = round((time.perf_counter() - clock) * 1000)
        (log.info if outcome.ok else log.warning)("job %s (%s): %s", job_id, slot.isoformat(), outcome.result)
        return store.record_run({"job_id": job_id, "slot": slot, "holder": holder, "started_at": started,
                                 "duration_ms": duration_ms, "ok": outcome.ok, "result": outcome.result[:4000]})


def last_runs(job_ids: list[str]) -> dict[str, JobRun]:
    """The latest run of each job that has run."""
    return store.last_runs(job_ids)


def recent_runs(limit: int = 30) -> list[JobRun]:
    return store.recent_runs(limit)
