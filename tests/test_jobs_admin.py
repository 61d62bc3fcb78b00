"""The admin jobs page (administrators only) and the scheduler create_app starts."""
from __future__ import annotations

from datetime import datetime, timedelta

from quizzer.services.job_runs import Outcome, run_once
from quizzer.store.models import User


def _admin(logged_in):
    client = logged_in("root")
    User.update(is_admin=True).where(User.username == "root").execute()
    return client


def test_admin_page_lists_jobs_last_run_and_next_run(app, logged_in):
    client = _admin(logged_in)
    run_once("deck_sync", datetime(2024, 5, 1, 10, 0), timedelta(minutes=5),
             lambda: Outcome("0 loaded; decks/x.yaml:3:5: cards[0].colour: unknown key", ok=False))
    page = client.get("/admin/jobs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for job_id in ("backup", "deck_sync", "rollover"):
        assert f'id="job-{job_id}"' in html
    assert "decks/x.yaml:3:5: cards[0].colour: unknown key" in html and "failed" in html
    assert "2024-05-01 10:00:00 UTC" in html and "ms" in html
    assert "does not run the scheduler" in html  # QUIZZER_JOBS=0 in the tests
    assert 'href="/admin/jobs"' in html  # the nav link admins see


def test_others_get_a_404(app, client, logged_in):
    assert client.get("/admin/jobs").status_code == 404
    user = logged_in("alice")
    assert user.get("/admin/jobs").status_code == 404
    assert 'href="/admin/jobs"' not in user.get("/").get_data(as_text=True)


def test_create_app_starts_the_scheduler_when_jobs_are_on(make_app):
    app = make_app(env={"QUIZZER_JOBS": "1", "QUIZZER_DECK_SYNC_MINUTES": "2"})
    scheduler = app.extensions["quizzer_scheduler"]
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) == {"backup", "deck_sync", "rollover"}
        assert jobs["deck_sync"].trigger.interval == timedelta(minutes=2)
        assert jobs["backup"].next_run_time.hour == 3 and jobs["backup"].next_run_time.minute == 0
    finally:
        scheduler.shutdown(wait=False)
    assert "quizzer_scheduler" not in make_app().extensions


def test_admin_page_lists_the_newest_backups_with_their_manifests(app, logged_in):
    from quizzer.services import backups
    from quizzer.services.backup_manifest import manifest_path

    client = _admin(logged_in)
    settings = app.config["QUIZZER"]
    assert "No backup yet." in client.get("/admin/jobs").get_data(as_text=True)
    made = backups.backup_database(settings.database_url, settings.backup_dir, 7, now=datetime(2024, 5, 1, 3))
    legacy = settings.backup_dir / "quizzer-20240502T030000000000Z.sqlite3"
    legacy.write_bytes(made.path.read_bytes())  # a backup from before manifests
    broken = settings.backup_dir / "quizzer-20240503T030000000000Z.sqlite3"
    broken.write_bytes(made.path.read_bytes())
    manifest_path(broken).write_text("{")
    backups.safety_copy(settings.database_url, settings.backup_dir, now=datetime(2024, 5, 4, 3))
    html = client.get("/admin/jobs").get_data(as_text=True)
    manifest = made.manifest
    row = html[html.index(f'id="backup-{made.path.name}"'):]
    row = row[:row.index("</tr>\n")]
    assert "2024-05-01 03:00:00 UTC" in row and manifest.schema_version in row and manifest.app_version in row
    assert f'title="{manifest.sha256}"' in row and f"{manifest.rows:,} in {len(manifest.tables)} tables" in row
    assert '<td><code>user</code></td><td class="num">1</td>' in row  # rows per table, in the details
    assert html.index(broken.name) < html.index(legacy.name) < html.index(made.path.name)  # newest first
    assert "no manifest</strong>" in html and "quizzer restore --legacy" in html
    assert "unreadable manifest" in html
    assert "Copies taken before restores" in html and "quizzer-20240504T030000000000Z.sqlite3" in html
