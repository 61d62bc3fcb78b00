"""Background jobs on APScheduler 3.x: thin callers of services, exactly once across processes.

Each job runs on a fixed grid of slots (every ``period`` from 2000-01-01 UTC
plus ``offset``), so every process schedules the same instants; the job's
lease row in the database lets exactly one process run each slot
(services.job_runs). ``create_app`` starts a BackgroundScheduler when
QUIZZER_JOBS is on; ``quizzer jobs`` runs one in the foreground instead.
"""
from __future__ import annotations

import atexit
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from quizzer.config import Settings
from quizzer.services import backups, deck_sync, rate_limits, rollover
from quizzer.services.job_runs import Outcome, run_once
from quizzer.store.job_models import JobRun

log = logging.getLogger("quizzer.jobs")
GRID_START = datetime(2000, 1, 1)  # naive UTC, like every stored time


@dataclass(frozen=True)
class JobSpec:
    job_id: str
    description: str
    period: timedelta
    offset: timedelta
    work: Callable[[Settings], Outcome]

    @property
    def lease(self) -> timedelta:
        """How long a claimed run blocks the next slot if its process dies mid-run."""
        return min(self.period, timedelta(hours=1))

    def slot(self, now: datetime) -> datetime:
        """The latest slot at or before ``now`` (naive UTC)."""
        return GRID_START + self.offset + ((now - GRID_START - self.offset) // self.period) * self.period

    def next_run(self, now: datetime) -> datetime:
        return self.slot(now) + self.period


def backup(settings: Settings) -> Outcome:
    made = backups.backup_database(settings.database_url, settings.backup_dir, settings.backup_keep)
    return Outcome(f"{made.path.name} ({made.path.stat().st_size / 1e6:.1f} MB, schema {made.schema_version}, "
                   f"{sum(made.tables.values()):,} rows, verified), newest {settings.backup_keep} kept")


def sync_decks(settings: Settings) -> Outcome:
    report = deck_sync.sync_decks(settings.decks_dir)
    return Outcome(report.summary(), ok=not report.problems)


def roll_over(settings: Settings) -> Outcome:
    summary = rollover.roll_over(settings.leech_lapses).summary()
    forgotten = rate_limits.forget_stale(datetime.now(UTC))
    return Outcome(f"{summary}; {forgotten} stale rate-limit counters deleted")


def job_specs(settings: Settings) -> list[JobSpec]:
    """The jobs and their schedules, from the settings."""
    return [
        JobSpec("backup", "Back up the database (verified, with a manifest; the newest QUIZZER_BACKUP_KEEP kept)",
                timedelta(days=1), timedelta(hours=settings.backup_hour), backup),
        JobSpec("deck_sync", "Re-import changed deck files from QUIZZER_DECKS_DIR",
                timedelta(minutes=settings.deck_sync_minutes), timedelta(0), sync_decks),
        JobSpec("rollover", "Start each user's new study day: snapshot, un-bury, tag leeches; "
                "delete forgotten rate-limit counters",
                timedelta(minutes=settings.rollover_check_minutes), timedelta(0), roll_over),
    ]


def run_job(spec: JobSpec, settings: Settings, now: datetime | None = None) -> JobRun | None:
    """Run the job's current slot unless another process has; the run, or None when skipped."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    return run_once(spec.job_id, spec.slot(now), spec.lease, lambda: spec.work(settings))


def build_scheduler(settings: Settings, specs: list[JobSpec] | None = None, scheduler_class=BackgroundScheduler):
    """A scheduler with one job per spec (fixed ids), on the slot grid, in UTC."""
    scheduler = scheduler_class(timezone=UTC)
    for spec in specs if specs is not None else job_specs(settings):
        trigger = IntervalTrigger(seconds=spec.period.total_seconds(), timezone=UTC,
                                  start_date=(GRID_START + spec.offset).replace(tzinfo=UTC))
        scheduler.add_job(run_job, trigger, args=[spec, settings], id=spec.job_id, name=spec.description,
                          replace_existing=True, coalesce=True, max_instances=1,
                          misfire_grace_time=max(1, int(spec.period.total_seconds() // 2)))
    return scheduler


def start(app) -> BackgroundScheduler:
    """Start the background scheduler for this process (create_app calls this when QUIZZER_JOBS is on)."""
    scheduler = build_scheduler(app.config["QUIZZER"])
    scheduler.start()
    app.extensions["quizzer_scheduler"] = scheduler
    atexit.register(lambda: scheduler.running and scheduler.shutdown(wait=False))
    log.info("background jobs started: %s", ", ".join(job.id for job in scheduler.get_jobs()))
    return scheduler
