"""The import worker: a thread in every web process that runs queued import jobs (services.import_jobs).

It runs whatever QUIZZER_JOBS says (the periodic scheduler is not a queue): any process may pick
up a job uploaded through any other, and the job's lease in the database lets only one run it.
An upload in this process wakes the thread at once; otherwise it looks for work every second.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path

from quizzer.importers import Limits
from quizzer.services import import_jobs
from quizzer.services.job_runs import holder_name
from quizzer.store.db import connection
from quizzer.store.models import utcnow

log = logging.getLogger("quizzer.imports")
POLL_SECONDS = 1.0


class ImportWorker:
    def __init__(self, media_root: Path, limits: Limits):
        self.media_root, self.limits = media_root, limits
        self.holder = f"{holder_name()}:imports"
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._loop, name="quizzer-imports", daemon=True)

    def run_pending(self) -> int:
        """Fail jobs whose lease ran out, then run queued jobs until none is left; how many ran."""
        import_jobs.fail_expired(utcnow())
        ran = 0
        while not self._stop.is_set() and (job := import_jobs.claim_next(self.holder, utcnow())) is not None:
            import_jobs.run_job(job, self.holder, utcnow, self.media_root, self.limits)
            ran += 1
        return ran

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                with connection():
                    self.run_pending()
            except Exception:  # the database may be briefly away: keep the thread alive, try again
                log.exception("the import worker failed; retrying")
            self._wake.wait(POLL_SECONDS)
            self._wake.clear()

    def start(self) -> ImportWorker:
        self._thread.start()
        return self

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        """Stop after the job under way (if any) ends."""
        self._stop.set()
        self._wake.set()
        self._thread.join()
