"""Imports as jobs in the database: upload, read and compare (the preview), then apply; any process runs them.

A job moves queued -> reading -> diffing -> ready (the dry-run diff is shown) -> apply-queued ->
applying -> done, or ends failed or cancelled. A process takes a queued job with one UPDATE that
only succeeds while the job is still queued (so one process runs it) and holds a lease it renews
on every progress report. Reading and diffing write only the job row; Apply writes the decks and
marks the job done in one transaction, and only while it still holds the lease: a job whose lease
ran out is marked failed by whoever sees it first, and its writes, if any were under way, roll back.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from quizzer.deck_format import DeckError
from quizzer.gc_pause import gc_paused
from quizzer.importers import ArchiveTooLarge, Limits, ReadOptions, read_file
from quizzer.services import imports
from quizzer.services.errors import Conflict, NotFound
from quizzer.services.media import media_names
from quizzer.store import import_jobs as store
from quizzer.store.db import IntegrityError, transaction
from quizzer.store.import_models import (
    APPLY_QUEUED,
    APPLYING,
    CANCELLED,
    DIFFING,
    DONE,
    FAILED,
    QUEUED,
    READING,
    READY,
    ImportJob,
)
from quizzer.store.import_models import RUNNING_PHASES as RUNNING_PHASES  # the web's too
from quizzer.store.models import User
from quizzer.store.users import get_user_by_id

log = logging.getLogger("quizzer.imports")

HELD_PHASES = (READING, DIFFING, APPLYING)  # a process holds the lease
CANCELLABLE_PHASES = (QUEUED, READING, DIFFING, READY)
LEASE = timedelta(minutes=5)  # renewed on every progress report while reading and diffing
APPLY_LEASE = timedelta(minutes=30)  # Apply cannot renew it: its writes are in one open transaction
READY_KEPT = timedelta(hours=24)  # a previewed upload waits this long for Apply
LOST = "the server running this import stopped before it finished; nothing was imported: upload the file again"
Clock = Callable[[], datetime]


class LeaseLost(Exception):
    """The job was cancelled, or its lease ran out and it was marked failed: stop, write nothing."""


def create_job(user: User, filename: str, data: bytes, options: dict, now: datetime) -> ImportJob:
    """Queue an upload for reading and comparing; Conflict if the user has an import running.

    A waiting preview of an earlier upload is dropped: a user has one import at a time."""
    try:
        with transaction():
            store.cancel_previews(user.id, READY, CANCELLED, now)
            return store.create_job({"owner": user.id, "filename": filename, "data": data, "options": options,
                                     "phase": QUEUED, "created_at": now, "updated_at": now})
    except IntegrityError:
        raise Conflict("you have an import running: wait for it to finish or cancel it") from None


def job_for(user: User, job_id: int) -> ImportJob:
    """The user's job (without its bytes); NotFound if unknown or someone else's."""
    job = store.find_job(user.id, job_id)
    if job is None:
        raise NotFound("no such import: upload the file again")
    return job


def request_apply(user: User, job_id: int, now: datetime) -> None:
    """Queue the Apply of a previewed job; Conflict unless it is waiting for it."""
    job_for(user, job_id)
    try:
        changed = store.move_job(job_id, (READY,), {"phase": APPLY_QUEUED, "notes_done": 0, "updated_at": now})
    except IntegrityError:
        raise Conflict("you have another import running: wait for it to finish or cancel it") from None
    if not changed:
        raise Conflict("this import is not waiting to be applied")


def cancel(user: User, job_id: int, now: datetime) -> None:
    """Cancel a job before Apply and drop its upload; Conflict once Apply has started or the job ended."""
    job_for(user, job_id)
    if not store.move_job(job_id, CANCELLABLE_PHASES, {"phase": CANCELLED, "data": b"", "holder": "",
                                                        "updated_at": now}):
        raise Conflict("this import can no longer be cancelled")


def fail_expired(now: datetime) -> int:
    """Mark failed the jobs whose process stopped (lease ran out), and expire old previews; how many."""
    lost = store.expire_jobs(HELD_PHASES, now, {"phase": FAILED, "error": {"status": 200, "problems": [LOST]},
                                                "data": b"", "updated_at": now}, by_lease=True)
    old = store.expire_jobs((READY,), now - READY_KEPT, {"phase": CANCELLED, "data": b"", "updated_at": now},
                            by_lease=False)
    return lost + old


def claim_next(holder: str, now: datetime) -> ImportJob | None:
    """Take the oldest queued job for this process, or None; only one process gets each job."""
    for job_id, phase in store.jobs_in((QUEUED, APPLY_QUEUED)):
        running, lease = (READING, LEASE) if phase == QUEUED else (APPLYING, APPLY_LEASE)
        if store.move_job(job_id, (phase,), {"phase": running, "holder": holder, "lease_until": now + lease,
                                             "updated_at": now}):
            return store.get_job(job_id)
    return None


def _report(job: ImportJob, holder: str, now: datetime, lease: timedelta = LEASE, **changes) -> None:
    """Record progress and renew the lease; LeaseLost if the job is no longer ours."""
    changes = {"updated_at": now, "lease_until": now + lease, **changes}
    # A lease that ran out is not renewed: whoever sees it may mark the job failed at any moment.
    if not store.update_held_job(job.id, holder, HELD_PHASES, changes, lease_valid_at=now):
        raise LeaseLost(job.id)


def _read(job: ImportJob, limits: Limits, media_root: Path):
    options = job.options
    read = ReadOptions(options["format"], options["deck"], options["separator"], options["row_separator"],
                       limits=limits, media_names=media_names(media_root, job.owner_id))  # a text export's
    return read_file(bytes(job.data), job.filename, read)


def run_job(job: ImportJob, holder: str, clock: Clock, media_root: Path, limits: Limits) -> None:
    """Run a claimed job's step (preview or apply); a DeckError or any other failure fails the job."""
    try:
        (_preview if job.phase == READING else _apply)(job, holder, clock, media_root, limits)
    except LeaseLost:
        log.warning("import job %s: lease lost or cancelled, stopped", job.id)
    except DeckError as err:
        _fail(job, holder, clock(), 413 if isinstance(err, ArchiveTooLarge) else 400, [str(p) for p in err.problems])
    except Exception as err:  # a failed import must say why, never leave the job running
        log.exception("import job %s failed", job.id)
        _fail(job, holder, clock(), 200, [f"{job.filename}: the import failed ({type(err).__name__}); "
                                          "nothing was imported"])


def _fail(job: ImportJob, holder: str, now: datetime, status: int, problems: list[str]) -> None:
    store.update_held_job(job.id, holder, HELD_PHASES, {"phase": FAILED, "error": {"status": status,
                                                                                   "problems": problems},
                                                        "data": b"", "updated_at": now})


@gc_paused()  # one collection after reading and comparing, as for any import
def _preview(job: ImportJob, holder: str, clock: Clock, media_root: Path, limits: Limits) -> None:
    """Read the upload and compare it with the stored decks, outside any write transaction."""
    bundle = _read(job, limits, media_root)
    imports.check_bundle(bundle)
    total = sum(len(spec.notes) for spec in bundle.decks)
    _report(job, holder, clock(), phase=DIFFING, notes_total=total)
    done = 0

    def planned(notes: int) -> None:
        nonlocal done
        done += notes
        _report(job, holder, clock(), notes_done=done)

    owner = get_user_by_id(job.owner_id)
    result = imports.apply_bundle(bundle, owner.id, media_root=media_root, user=owner, dry_run=True,
                                  with_progress=job.options["with_progress"], planned=planned,
                                  into=job.options.get("into"))
    if not store.update_held_job(job.id, holder, HELD_PHASES, {"phase": READY, "holder": "", "lease_until": None,
                                                               "result": preview_json(result), "updated_at": clock()}):
        raise LeaseLost(job.id)


@gc_paused()
def _apply(job: ImportJob, holder: str, clock: Clock, media_root: Path, limits: Limits) -> None:
    """Read again (outside the transaction), then write the decks and end the job in one transaction."""
    bundle = _read(job, limits, media_root)
    _report(job, holder, clock(), APPLY_LEASE, notes_total=sum(len(spec.notes) for spec in bundle.decks))
    owner = get_user_by_id(job.owner_id)
    with transaction():
        result = imports.apply_bundle(bundle, owner.id, media_root=media_root, user=owner,
                                      with_progress=job.options["with_progress"],
                                      reset_changed=job.options["reset_changed"], into=job.options.get("into"))
        summary = [f"Imported {plan.summary()}" for plan in result.plans]
        if result.progress or result.progress_kept:
            summary.append(f"Progress carried over for {result.progress} card(s), kept for {result.progress_kept}.")
        ended = store.update_held_job(job.id, holder, (APPLYING,), {
            "phase": DONE, "result": {"summary": summary}, "data": b"", "holder": "", "lease_until": None,
            "updated_at": clock()}, lease_valid_at=clock(), all_notes_done=True)
        if not ended:
            raise LeaseLost(job.id)  # rolls the decks back: someone marked the job failed or cancelled


def preview_json(result: imports.ImportResult) -> dict:
    """The dry-run diff as stored on the job: counts, and the card ids the preview lists."""
    return {
        "plans": [{"deck_slug": p.deck_slug, "why": p.why, "new_deck": p.new_deck, "added": len(p.added),
                   "changed": p.changed, "restored": p.restored, "retired": p.retired,
                   "unchanged": len(p.unchanged)} for p in result.plans],
        "warnings": [str(w) for w in result.warnings], "media": result.media, "progress": result.progress,
    }


def failure_problems(job: ImportJob) -> tuple[int, list[str]]:
    """The HTTP status and problems of a failed job: 400 or 413 for a bad file, else 200 (the page is fine)."""
    error = job.error or {"status": 200, "problems": [LOST]}
    return error["status"], list(error["problems"])
