"""Import-job rows (services.import_jobs moves them along their phases): each change is one UPDATE
that applies only while the job is in the expected phase (and held by the expected process), so
concurrent processes never both take or end a job."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from quizzer.store.import_models import ImportJob


def cancel_previews(owner_id: int, ready_phase: str, cancelled_phase: str, now: datetime) -> None:
    """The owner's jobs waiting in ``ready_phase`` are cancelled and their uploads dropped."""
    (ImportJob.update(phase=cancelled_phase, data=b"", updated_at=now)
     .where((ImportJob.owner == owner_id) & (ImportJob.phase == ready_phase)).execute())


def create_job(values: dict) -> ImportJob:
    """A new job (``values`` by field name); IntegrityError if the owner has one running already."""
    return ImportJob.create(**values)


def find_job(owner_id: int, job_id: int) -> ImportJob | None:
    """The owner's job without its bytes, or None."""
    fields = [f for f in ImportJob._meta.sorted_fields if f.name != "data"]
    return ImportJob.select(*fields).where((ImportJob.id == job_id) & (ImportJob.owner == owner_id)).first()


def get_job(job_id: int) -> ImportJob:
    return ImportJob.get_by_id(job_id)


def move_job(job_id: int, phases: Sequence[str], changes: dict) -> bool:
    """Write ``changes`` to the job if it is in one of ``phases``; whether it was."""
    return ImportJob.update(**changes).where((ImportJob.id == job_id) & ImportJob.phase.in_(phases)).execute() == 1


def expire_jobs(phases: Sequence[str], before: datetime, changes: dict, *, by_lease: bool) -> int:
    """Write ``changes`` to the jobs in ``phases`` whose lease (``by_lease``) or last update ended
    before ``before``; how many."""
    ended = ImportJob.lease_until < before if by_lease else ImportJob.updated_at < before
    return ImportJob.update(**changes).where(ImportJob.phase.in_(phases) & ended).execute()


def jobs_in(phases: Sequence[str]) -> list[tuple[int, str]]:
    """(id, phase) of the jobs in these phases, oldest first."""
    return list(ImportJob.select(ImportJob.id, ImportJob.phase)
                .where(ImportJob.phase.in_(phases)).order_by(ImportJob.id).tuples())


def update_held_job(job_id: int, holder: str, phases: Sequence[str], changes: dict, *,
                    lease_valid_at: datetime | None = None, all_notes_done: bool = False) -> bool:
    """Write ``changes`` to the job if ``holder`` holds it in one of ``phases`` (and, with
    ``lease_valid_at``, its lease has not run out by then); whether it did. ``all_notes_done``
    also sets the progress to its total."""
    held = (ImportJob.id == job_id) & (ImportJob.holder == holder) & ImportJob.phase.in_(phases)
    if lease_valid_at is not None:
        held &= ImportJob.lease_until >= lease_valid_at
    if all_notes_done:
        changes = {**changes, "notes_done": ImportJob.notes_total}
    return ImportJob.update(**changes).where(held).execute() == 1
