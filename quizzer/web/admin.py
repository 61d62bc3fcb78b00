"""Admin pages (administrators only; anyone else gets a 404): the background jobs."""
from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, render_template
from flask_login import current_user

from quizzer.jobs import job_specs
from quizzer.services.backups import SAFETY_DIR, list_backups
from quizzer.services.job_runs import last_runs, recent_runs

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _admins_only():
    if not (current_user.is_authenticated and current_user.user.is_admin):
        abort(404)


@bp.get("/jobs")
def jobs():
    """Each job: schedule, last run (duration, result) and next run; the latest runs; the newest backups
    with their manifests, and the safety copies taken before restores."""
    settings = current_app.config["QUIZZER"]
    specs = job_specs(settings)
    now = datetime.now(UTC).replace(tzinfo=None)
    return render_template("admin_jobs.html", specs=specs, now=now, last=last_runs([s.job_id for s in specs]),
                           runs=recent_runs(), running_here="quizzer_scheduler" in current_app.extensions,
                           settings=settings, backups=list_backups(settings.backup_dir, limit=settings.backup_keep),
                           safety_copies=list_backups(settings.backup_dir / SAFETY_DIR, limit=5))
