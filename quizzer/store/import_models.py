"""The import-job table (migration 0012_import_jobs): an upload, its phase, progress, result and lease."""
from __future__ import annotations

import peewee as pw

from quizzer.store.models import BaseModel, JsonField, User, utcnow


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
