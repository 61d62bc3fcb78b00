"""Background-job tables: one lease row per job, and the run history.

Kept apart from ``models`` so the jobs feature owns its tables (migration 0003_jobs).
"""
from __future__ import annotations

import peewee as pw

from quizzer.store.models import BaseModel, utcnow


class JobLease(BaseModel):
    """Who runs a job now, and the last schedule slot claimed: the exactly-once guard.

    A process may run a job only after an UPDATE that moves ``slot`` forward while
    the previous lease has expired changed this row (see services.job_runs).
    """

    job_id = pw.CharField(max_length=32, primary_key=True)
    slot = pw.DateTimeField()
    holder = pw.CharField(max_length=128, default="")
    lease_until = pw.DateTimeField()


class JobRun(BaseModel):
    """One finished run of a job, for the admin page."""

    job_id = pw.CharField(max_length=32)
    slot = pw.DateTimeField()
    holder = pw.CharField(max_length=128)
    started_at = pw.DateTimeField(default=utcnow)
    duration_ms = pw.IntegerField()
    ok = pw.BooleanField()
    result = pw.TextField()

    class Meta:
        indexes = ((("job_id", "started_at"), False),)


JOB_MODELS = (JobLease, JobRun)
