"""A separate process for the exactly-once test: runs the backup job on a 1-second grid for a while.

    python -m tests.jobs_worker DATABASE_URL INSTANCE_DIR BACKUP_DIR SECONDS

It stops once the database holds three backup runs and its own scheduler fired three times, or after
SECONDS (a backup's time depends on the machine's load, a PostgreSQL one includes a trial restore).

Prints {"fired": jobs executed by its scheduler, "ran": of those, the runs it won}.
"""
from __future__ import annotations

import json
import sys
import time
from dataclasses import replace
from datetime import timedelta

from apscheduler.events import EVENT_JOB_EXECUTED

from quizzer.config import load_settings
from quizzer.jobs import build_scheduler, job_specs
from quizzer.store import connect
from quizzer.store.job_models import JobRun


def main(url: str, instance: str, backup_dir: str, seconds: float) -> None:
    settings = load_settings({"QUIZZER_DATABASE_URL": url, "QUIZZER_INSTANCE_DIR": instance, "QUIZZER_JOBS": "0",
                              "QUIZZER_BACKUP_DIR": backup_dir, "QUIZZER_BACKUP_KEEP": "1000"})
    connect(url)
    backup = next(spec for spec in job_specs(settings) if spec.job_id == "backup")
    spec = replace(backup, period=timedelta(seconds=1), offset=timedelta(0))
    outcomes = []
    scheduler = build_scheduler(settings, [spec])
    scheduler.add_listener(lambda event: outcomes.append(event.retval is not None), EVENT_JOB_EXECUTED)
    scheduler.start()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not (
            len(outcomes) >= 3 and JobRun.select().where(JobRun.job_id == "backup").count() >= 3):
        time.sleep(0.2)
    scheduler.shutdown(wait=True)
    print(json.dumps({"fired": len(outcomes), "ran": sum(outcomes)}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]))
