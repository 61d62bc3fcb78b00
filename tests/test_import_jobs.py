"""Import jobs on both engines: the lifecycle, one process per job, lease expiry, one import per user, cancel."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from quizzer.importers import Limits
from quizzer.services import import_jobs as jobs
from quizzer.services import users as user_service
from quizzer.services.errors import Conflict, NotFound
from quizzer.store.import_models import ImportJob
from quizzer.store.models import Deck, Note

T0 = datetime(2026, 3, 1, 12, 0)
DECK = (b"id: web\ntitle: Web deck\ncards:\n  - {id: a, question: Q?, answer: A.}\n"
        b"  - {id: b, question: R?, answer: B.}\n")
OPTIONS = {"format": "auto", "deck": None, "separator": "\t", "row_separator": "\n", "with_progress": False,
           "reset_changed": False}


def _clock(*times: datetime):
    """A clock that returns the given times, then keeps returning the last one."""
    left = list(times)
    return lambda: left.pop(0) if len(left) > 1 else left[0]


def _run(holder: str, tmp_path, clock=lambda: T0, now: datetime = T0) -> ImportJob | None:
    job = jobs.claim_next(holder, now)
    if job is not None:
        jobs.run_job(job, holder, clock, tmp_path / "media", Limits())
    return job


def _phase(job: ImportJob) -> str:
    return ImportJob.get_by_id(job.id).phase


def test_upload_preview_then_apply(user, tmp_path):
    job = jobs.create_job(user, "web.yaml", DECK, OPTIONS, T0)
    assert job.phase == jobs.QUEUED
    assert _run("a", tmp_path).id == job.id
    ready = jobs.job_for(user, job.id)
    assert (ready.phase, ready.notes_done, ready.notes_total) == (jobs.READY, 2, 2)
    assert ready.result["plans"] == [{"deck_slug": "web", "new_deck": True, "added": 2, "changed": [],
                                      "restored": [], "retired": [], "unchanged": 0, "why": ""}]
    assert Deck.select().count() == 0  # the preview writes no deck
    jobs.request_apply(user, job.id, T0)
    _run("a", tmp_path)
    done = ImportJob.get_by_id(job.id)
    assert done.phase == jobs.DONE and bytes(done.data) == b""  # the upload is dropped once applied
    assert done.result["summary"] == ["Imported web: new deck, 2 added, 0 changed, 0 restored, 0 retired, 0 unchanged"]
    assert Note.select().count() == 2 and Deck.get().owner_id == user.id
    assert _run("a", tmp_path) is None  # nothing left to do


def test_only_one_process_claims_a_job(user, tmp_path):
    jobs.create_job(user, "web.yaml", DECK, OPTIONS, T0)
    assert jobs.claim_next("a", T0) is not None
    assert jobs.claim_next("b", T0) is None


def test_a_bad_file_fails_the_job_with_the_problem_and_writes_nothing(user, tmp_path):
    job = jobs.create_job(user, "web.yaml", b"id: x\ntitle: [\n", OPTIONS, T0)
    _run("a", tmp_path)
    failed = jobs.job_for(user, job.id)
    status, problems = jobs.failure_problems(failed)
    assert failed.phase == jobs.FAILED and status == 400
    assert any("web.yaml:3:1: invalid YAML" in p for p in problems)
    assert Deck.select().count() == 0


def test_a_job_whose_process_died_is_marked_failed_and_wrote_nothing(user, tmp_path):
    job = jobs.create_job(user, "web.yaml", DECK, OPTIONS, T0)
    _run("a", tmp_path)
    jobs.request_apply(user, job.id, T0)
    assert jobs.claim_next("dead", T0) is not None  # the process that took the Apply dies here
    assert jobs.fail_expired(T0 + jobs.APPLY_LEASE - timedelta(seconds=1)) == 0  # still within its lease
    assert jobs.fail_expired(T0 + jobs.APPLY_LEASE + timedelta(seconds=1)) == 1
    status, problems = jobs.failure_problems(jobs.job_for(user, job.id))
    assert _phase(job) == jobs.FAILED and problems == [jobs.LOST]
    assert Deck.select().count() == 0
    # The "dead" process comes back and finishes its work: the job is no longer its own, nothing is written.
    jobs.run_job(ImportJob.get_by_id(job.id), "dead", lambda: T0, tmp_path / "media", Limits())
    assert _phase(job) == jobs.FAILED and Deck.select().count() == 0


def test_an_apply_that_outlives_its_lease_rolls_back(user, tmp_path):
    job = jobs.create_job(user, "web.yaml", DECK, OPTIONS, T0)
    _run("a", tmp_path)
    jobs.request_apply(user, job.id, T0)
    late = T0 + jobs.APPLY_LEASE + timedelta(minutes=1)
    _run("a", tmp_path, clock=_clock(T0, late))  # the writes end after the lease ran out
    assert Deck.select().count() == 0 and _phase(job) == jobs.APPLYING
    assert jobs.fail_expired(late) == 1 and _phase(job) == jobs.FAILED


def test_a_preview_that_outlives_its_lease_stops(user, tmp_path):
    job = jobs.create_job(user, "web.yaml", DECK, OPTIONS, T0)
    _run("a", tmp_path, clock=_clock(T0 + jobs.LEASE + timedelta(seconds=1)))
    assert _phase(job) == jobs.READING  # it stopped at its first report, without a result
    assert jobs.fail_expired(T0 + jobs.LEASE + timedelta(seconds=1)) == 1 and _phase(job) == jobs.FAILED


def test_one_running_import_per_user(user, tmp_path):
    first = jobs.create_job(user, "web.yaml", DECK, OPTIONS, T0)
    with pytest.raises(Conflict, match="you have an import running"):
        jobs.create_job(user, "other.yaml", DECK, OPTIONS, T0)
    bob = user_service.create_user("bob", "correct horse battery")
    jobs.create_job(bob, "web.yaml", DECK, OPTIONS, T0)  # another user is not held up
    _run("a", tmp_path)
    assert _phase(first) == jobs.READY  # a waiting preview is not running: a new upload replaces it
    second = jobs.create_job(user, "other.yaml", DECK, OPTIONS, T0)
    assert _phase(first) == jobs.CANCELLED and bytes(ImportJob.get_by_id(first.id).data) == b""
    with pytest.raises(Conflict):
        jobs.request_apply(user, first.id, T0)
    assert _phase(second) == jobs.QUEUED


def test_cancel_before_apply(user, tmp_path):
    queued = jobs.create_job(user, "web.yaml", DECK, OPTIONS, T0)
    jobs.cancel(user, queued.id, T0)
    assert _phase(queued) == jobs.CANCELLED and jobs.claim_next("a", T0) is None
    reading = jobs.create_job(user, "web.yaml", DECK, OPTIONS, T0)
    claimed = jobs.claim_next("a", T0)
    jobs.cancel(user, reading.id, T0)  # while a process reads it: that process stops at its next report
    jobs.run_job(claimed, "a", lambda: T0, tmp_path / "media", Limits())
    assert _phase(reading) == jobs.CANCELLED
    ready = jobs.create_job(user, "web.yaml", DECK, OPTIONS, T0)
    _run("a", tmp_path)
    jobs.request_apply(user, ready.id, T0)
    with pytest.raises(Conflict, match="can no longer be cancelled"):
        jobs.cancel(user, ready.id, T0)
    bob = user_service.create_user("bob", "correct horse battery")
    with pytest.raises(NotFound):
        jobs.cancel(bob, ready.id, T0)  # someone else's job
    assert Deck.select().count() == 0


def test_a_preview_left_waiting_expires(user, tmp_path):
    job = jobs.create_job(user, "web.yaml", DECK, OPTIONS, T0)
    _run("a", tmp_path)
    assert jobs.fail_expired(T0 + jobs.READY_KEPT + timedelta(seconds=1)) == 1
    assert _phase(job) == jobs.CANCELLED and bytes(ImportJob.get_by_id(job.id).data) == b""
