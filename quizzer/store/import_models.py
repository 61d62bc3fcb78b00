"""The import-job table (migration 0013_import_jobs): an upload, its phase, progress, result and lease."""
from __future__ import annotations

import peewee as pw

from quizzer.store.models import BaseModel, JsonField, User, utcnow

# A job's phases, in order (services.import_jobs moves it along them).
QUEUED, READING, DIFFING, READY = "queued", "reading", "diffing", "ready"
APPLY_QUEUED, APPLYING, DONE, FAILED, CANCELLED = "apply-queued", "applying", "done", "failed", "cancelled"
# A job in one of these phases is running (or queued to run): one per user, by a partial unique index.
RUNNING_PHASES = (QUEUED, READING, DIFFING, APPLY_QUEUED, APPLYING)


class ImportJob(BaseModel):
    """One uploaded file on its way from the upload form to the decks (see services.import_jobs).

    ``holder`` and ``lease_until`` say which process runs it and until when; ``data`` is emptied
    once the job ends (done, failed or cancelled). ``error`` holds the problems of a failed job.
    """

    owner = pw.ForeignKeyField(User, on_delete="CASCADE")
    filename = pw.CharField(max_length=255)
    data = pw.BlobField()
    options = JsonField()
    phase = pw.CharField(max_length=16)
    notes_done = pw.IntegerField(default=0)
    notes_total = pw.IntegerField(default=0)
    result = JsonField(null=True)
    error = JsonField(null=True)
    holder = pw.CharField(max_length=128, default="")
    lease_until = pw.DateTimeField(null=True)
    created_at = pw.DateTimeField(default=utcnow)
    updated_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("phase", "id"), False),)


ImportJob.add_index(ImportJob.index(ImportJob.owner, unique=True, where=ImportJob.phase.in_(RUNNING_PHASES),
                                    name="import_job_one_running"))
