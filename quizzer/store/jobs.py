"""Background-job leases (the exactly-once guard, see services.job_runs) and the run history."""
from __future__ import annotations

from datetime import datetime

import peewee as pw

from quizzer.store.job_models import JobLease, JobRun

NEVER = datetime(2000, 1, 1)


def take_lease(job_id: str, slot: datetime, holder: str, now: datetime, lease_until: datetime) -> bool:
    """Move the job's lease to ``slot`` for ``holder`` until ``lease_until``, only if ``slot`` is later
    than the last one taken and the previous lease has expired at ``now``. One UPDATE of one row:
    of concurrent calls for one slot, exactly one returns True."""
    JobLease.insert(job_id=job_id, slot=NEVER, holder="", lease_until=NEVER).on_conflict_ignore().execute()
    changed = (JobLease.update(slot=slot, holder=holder, lease_until=lease_until)
               .where((JobLease.job_id == job_id) & (JobLease.slot < slot) & (JobLease.lease_until <= now))
               .execute())
    return changed == 1


def end_lease(job_id: str, slot: datetime, holder: str, now: datetime) -> None:
    """The holder's lease on ``slot`` expires at ``now``."""
    (JobLease.update(lease_until=now)
     .where((JobLease.job_id == job_id) & (JobLease.slot == slot) & (JobLease.holder == holder)).execute())


def record_run(values: dict) -> JobRun:
    """A finished run (``values`` by field name)."""
    return JobRun.create(**values)


def last_runs(job_ids: list[str]) -> dict[str, JobRun]:
    """The latest run of each of these jobs that has run."""
    newest = JobRun.select(pw.fn.MAX(JobRun.id)).where(JobRun.job_id.in_(job_ids)).group_by(JobRun.job_id)
    return {run.job_id: run for run in JobRun.select().where(JobRun.id.in_(newest))}


def recent_runs(limit: int) -> list[JobRun]:
    """The latest ``limit`` runs of any job, newest first."""
    return list(JobRun.select().order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit))
