"""Exactly once across processes: the lease row, and two real processes scheduling the same job."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta

from quizzer.jobs import GRID_START, JobSpec, job_specs
from quizzer.services.job_runs import Outcome, claim, run_once
from quizzer.store.job_models import JobLease, JobRun
from tests.conftest import REPO, web_settings

T0 = datetime(2024, 5, 1, 3, 0)


def test_claim_moves_forward_once_per_slot_and_waits_for_the_lease(db):
    hour = timedelta(hours=1)
    assert claim("backup", T0, hour, "a:1", now=T0)
    assert not claim("backup", T0, hour, "b:2", now=T0)  # the same slot: taken
    assert not claim("backup", T0 + timedelta(days=1), hour, "b:2", now=T0 + timedelta(minutes=5))  # lease still on
    assert not claim("backup", T0 - timedelta(days=1), hour, "b:2", now=T0 + timedelta(hours=2))  # an older slot
    assert claim("backup", T0 + timedelta(days=1), hour, "b:2", now=T0 + timedelta(hours=2))  # lease expired
    lease = JobLease.get_by_id("backup")
    assert (lease.slot, lease.holder) == (T0 + timedelta(days=1), "b:2")


def test_run_once_records_results_failures_and_skips(db):
    slot = datetime(2024, 5, 1)
    run = run_once("demo", slot, timedelta(minutes=5), lambda: Outcome("did it"))
    assert (run.ok, run.result, run.slot) == (True, "did it", slot) and run.duration_ms >= 0
    assert run_once("demo", slot, timedelta(minutes=5), lambda: Outcome("again")) is None

    def broken():
        raise RuntimeError("disk full")
    failed = run_once("demo", slot + timedelta(days=1), timedelta(minutes=5), broken)
    assert (failed.ok, failed.result) == (False, "RuntimeError: disk full")
    assert JobRun.select().count() == 2
    # released after the run: the next slot need not wait for the lease to expire
    assert run_once("demo", slot + timedelta(days=2), timedelta(hours=1), lambda: Outcome("ok")).ok


def test_slots_follow_a_fixed_grid(tmp_path):
    settings = web_settings(tmp_path, "sqlite:///unused.db", QUIZZER_BACKUP_HOUR="3", QUIZZER_DECK_SYNC_MINUTES="7")
    backup, sync, rollover = job_specs(settings)
    assert backup.slot(datetime(2024, 5, 2, 2, 59)) == datetime(2024, 5, 1, 3, 0)
    assert backup.slot(datetime(2024, 5, 2, 3, 0)) == datetime(2024, 5, 2, 3, 0)
    assert backup.next_run(datetime(2024, 5, 2, 3, 0)) == datetime(2024, 5, 3, 3, 0)
    assert (sync.slot(datetime(2024, 5, 2, 0, 10)) - GRID_START) % timedelta(minutes=7) == timedelta(0)
    assert rollover.period == timedelta(minutes=15)
    spec = JobSpec("x", "", timedelta(days=1), timedelta(0), lambda s: Outcome(""))
    assert spec.lease == timedelta(hours=1)


def test_two_processes_run_each_slot_once(db_url, db, tmp_path):
    """Two processes schedule the backup every second against one database: one backup per slot."""
    backup_dir = tmp_path / "backups"
    workers = [subprocess.Popen([sys.executable, "-m", "tests.jobs_worker", db_url, str(tmp_path / f"inst{i}"),
                                 str(backup_dir), "90"], cwd=REPO, stdout=subprocess.PIPE, text=True)
               for i in range(2)]
    reports = [json.loads(worker.communicate(timeout=120)[0].strip().splitlines()[-1]) for worker in workers]
    assert all(worker.returncode == 0 for worker in workers)
    runs = list(JobRun.select().where(JobRun.job_id == "backup"))
    slots = [run.slot for run in runs]
    assert len(runs) >= 3 and len(set(slots)) == len(slots)  # never two runs of one slot
    assert all(run.ok for run in runs), [run.result for run in runs]
    assert sum(r["ran"] for r in reports) == len(runs)
    made = sorted(p.name for p in backup_dir.glob("quizzer-*") if not p.name.endswith(".manifest.json"))
    assert len(made) == len(runs)  # each run really backed up once...
    assert sorted(p.name for p in backup_dir.glob("*.manifest.json")) == [f"{m}.manifest.json" for m in made]
    assert all(r["fired"] >= 3 for r in reports)  # both processes fired the job...
    assert sum(r["fired"] for r in reports) > len(runs)  # ...for the same slots, and lost some
