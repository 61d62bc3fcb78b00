"""Import (upload, progress, dry-run preview, apply) and export pages, and the media route.

An import runs as a job (services.import_jobs) in a background thread of any web process: the
upload returns at once with the job's page, which shows its progress, then its preview and Apply.
Account backups (restored only into an empty account) are still previewed within the request.
"""
from __future__ import annotations

import re
from pathlib import Path, PurePath

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import secure_filename

from quizzer.deck_format import DeckError, Problem
from quizzer.importers import FORMATS, ArchiveTooLarge, Limits
from quizzer.importers.text import separator_named
from quizzer.services import account_backup, exports, import_jobs
from quizzer.services.anki_export import deck_apkg
from quizzer.services.errors import NotFound
from quizzer.services.media import find_media
from quizzer.services.pending_uploads import discard_pending, load_pending, save_pending
from quizzer.services.study import visible_decks
from quizzer.store.models import utcnow

bp = Blueprint("transfer", __name__)
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")
PHASE_LABELS = {
    import_jobs.QUEUED: "Waiting to start", import_jobs.READING: "Reading the file",
    import_jobs.DIFFING: "Comparing with your decks", import_jobs.APPLY_QUEUED: "Waiting to apply",
    import_jobs.APPLYING: "Applying (saving everything at once)",
    import_jobs.CANCELLED: "Cancelled: nothing was imported",
}


def _instance() -> Path:
    return current_app.config["QUIZZER"].instance_dir


def _limits() -> Limits:
    return current_app.config["QUIZZER"].import_limits


def _separator(choice: str, custom: str | None, default: str) -> str:
    if choice == "custom":
        return custom or default
    return separator_named(choice) if choice in ("tab", "comma", "semicolon", "newline") else default


def _form_options() -> dict:
    form = request.form
    file_format = form.get("format", "auto")
    return {
        "format": file_format if file_format in FORMATS else "auto",
        "deck": (form.get("deck") or "").strip() or None,
        "separator": _separator(form.get("separator", "tab"), form.get("separator_custom"), "\t"),
        "row_separator": _separator(form.get("row_separator", "newline"), form.get("row_separator_custom"), "\n"),
        "with_progress": form.get("with_progress") == "1",
        "reset_changed": form.get("reset_changed") == "1",
        "into": form.get("into") or None,  # a deck id; none: the deck from the same source, or a new one
    }


def _is_backup(filename: str, data: bytes) -> bool:
    return filename.lower().endswith(".zip") and account_backup.is_backup(data)


def _import_form(problems: list[Problem], options: dict) -> str:
    own_decks = [deck for deck in visible_decks(current_user.user) if not deck.is_shared] \
        if current_user.is_authenticated else []
    return render_template("transfer/import.html", problems=problems, options=options, formats=FORMATS,
                           decks=own_decks)


def _failed(err: DeckError, options: dict, status: int | None = None):
    status = status or (413 if isinstance(err, ArchiveTooLarge) else 400)
    return _import_form(err.problems, options), status


def _upload_name(raw: str) -> str:
    """A safe file name that keeps the extension the format is told by (even for non-ASCII names)."""
    path = PurePath(raw.replace("\\", "/"))
    suffix = secure_filename(path.suffix.lstrip("."))
    return (secure_filename(path.stem) or "upload") + (f".{suffix}" if suffix else "")


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_err):
    limit = current_app.config["QUIZZER"].max_upload_mb
    message = f"the file is larger than the upload limit of {limit} MB (QUIZZER_MAX_UPLOAD_MB)"
    return _failed(ArchiveTooLarge([Problem("upload", 1, 1, "file", message)]), {})


@bp.get("/import")
@login_required
def import_page():
    return _import_form([], {})


@bp.post("/import")
@login_required
def import_preview():
    """Queue the upload as an import job and show its page (account backups: their restore preview)."""
    options = _form_options()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _failed(DeckError([Problem("upload", 1, 1, "file", "choose a file to import")]), options)
    filename, data = _upload_name(upload.filename), upload.read()
    if _is_backup(filename, data):
        return _restore_preview(filename, data, options)
    job = import_jobs.create_job(current_user.user, filename, data, options, utcnow())
    current_app.extensions["quizzer_import_worker"].wake()
    return redirect(url_for("transfer.import_job", job_id=job.id), code=303)


@bp.get("/import/jobs/<int:job_id>")
@login_required
def import_job(job_id: int):
    """The job's page: progress while it runs, then the preview, the problems, or (done) the dashboard."""
    job = import_jobs.job_for(current_user.user, job_id)
    if job.phase == import_jobs.READY:
        return render_template("transfer/preview.html", job=job, result=job.result, options=job.options)
    if job.phase == import_jobs.FAILED:
        status, problems = import_jobs.failure_problems(job)
        return render_template("transfer/import.html", problems=problems, options=job.options,
                               formats=FORMATS), status
    if job.phase == import_jobs.DONE:
        for line in job.result["summary"]:
            flash(line)
        return redirect(url_for("pages.dashboard"))
    return render_template("transfer/job.html", job=job, label=PHASE_LABELS[job.phase],
                           cancellable=job.phase in import_jobs.CANCELLABLE_PHASES)


@bp.get("/import/jobs/<int:job_id>/status")
@login_required
def import_job_status(job_id: int):
    """The job's phase and progress, polled by import_progress.js."""
    job = import_jobs.job_for(current_user.user, job_id)
    return jsonify(phase=job.phase, label=PHASE_LABELS.get(job.phase, ""), done=job.notes_done, total=job.notes_total,
                   running=job.phase in import_jobs.RUNNING_PHASES)


@bp.post("/import/jobs/<int:job_id>/apply")
@login_required
def import_job_apply(job_id: int):
    import_jobs.request_apply(current_user.user, job_id, utcnow())
    current_app.extensions["quizzer_import_worker"].wake()
    return redirect(url_for("transfer.import_job", job_id=job_id), code=303)


@bp.post("/import/jobs/<int:job_id>/cancel")
@login_required
def import_job_cancel(job_id: int):
    import_jobs.cancel(current_user.user, job_id, utcnow())
    flash("Import cancelled: nothing was imported.")
    return redirect(url_for("transfer.import_page"))


def _restore_preview(filename: str, data: bytes, options: dict):
    """What an account backup holds, and a button to restore it (only into an empty account)."""
    try:
        contents = account_backup.describe_backup(data, filename, _limits())
    except DeckError as err:
        return _failed(err, options)
    if not account_backup.is_empty(current_user.user):
        message = ("this is an account backup, and it restores only into an account without decks or progress: "
                   "register a new account, sign in and upload it there")
        return _failed(DeckError([Problem(filename, 1, 1, "", message)]), options, status=409)
    token = save_pending(_instance() / "uploads", current_user.id, filename, data, options)
    return render_template("transfer/restore.html", contents=contents, filename=filename, token=token)


@bp.post("/import/apply")
@login_required
def import_apply():
    """Restore a previewed account backup."""
    token = request.form.get("token", "")
    filename, data, options = load_pending(_instance() / "uploads", current_user.id, token)
    if not _is_backup(filename, data):
        raise NotFound("that upload is gone: upload the file again")
    return _restore(token, filename, data, options)


def _restore(token: str, filename: str, data: bytes, options: dict):
    try:
        account_backup.restore_into(current_user.user, data, filename, _instance() / "media", _limits())
    except DeckError as err:
        return _failed(err, options)
    discard_pending(_instance() / "uploads", current_user.id, token)
    flash(f"Restored the account backup {filename}: your decks, progress and settings are back.")
    return redirect(url_for("pages.dashboard"))


@bp.get("/export")
@login_required
def export_page():
    return render_template("transfer/export.html", decks=visible_decks(current_user.user))


def _download(data: bytes | str, filename: str, mimetype: str) -> Response:
    response = Response(data, mimetype=mimetype)
    # Names come from usernames and deck ids: kept to safe characters, so no quote or line break
    # (an account restored before names were checked) can break the header.
    response.headers["Content-Disposition"] = f'attachment; filename="{_SAFE_NAME.sub("_", filename)}"'
    return response


@bp.get("/export/decks/<int:deck_id>.yaml")
@login_required
def export_yaml(deck_id: int):
    deck, text = exports.deck_yaml(current_user.user, deck_id)
    return _download(text, f"{deck.slug}.yaml", "application/yaml")


@bp.get("/export/decks/<int:deck_id>.zip")
@login_required
def export_zip(deck_id: int):
    deck, data = exports.deck_zip(current_user.user, deck_id, _instance() / "media")
    return _download(data, f"{deck.slug}.zip", "application/zip")


@bp.get("/export/decks/<int:deck_id>.apkg")
@login_required
def export_apkg(deck_id: int):
    deck, data = deck_apkg(current_user.user, deck_id, _instance() / "media")
    return _download(data, f"{deck.slug}.apkg", "application/octet-stream")


@bp.get("/export/reviews.csv")
@login_required
def export_reviews_csv():
    return _download(exports.reviews_csv(current_user.user), "reviews.csv", "text/csv")


@bp.get("/export/cards.csv")
@login_required
def export_cards_csv():
    return _download(exports.cards_csv(current_user.user), "cards.csv", "text/csv")


@bp.get("/export/progress.json")
@login_required
def export_progress_json():
    return _download(exports.progress_json(current_user.user), "progress.json", "application/json")


@bp.get("/export/backup.zip")
@login_required
def export_backup():
    """The account backup; with ``?password_hash=1`` it also carries the password hash."""
    with_hash = request.args.get("password_hash") == "1"
    data = account_backup.export_backup(current_user.user, _instance() / "media", with_password_hash=with_hash)
    return _download(data, f"quizzer-{current_user.username}-backup.zip", "application/zip")


@bp.get("/media/<name>")
@login_required
def media(name: str):
    path = find_media(_instance() / "media", current_user.id, name)
    if path is None:
        raise NotFound("no such image")
    response = send_file(path, max_age=31536000)  # content-addressed names: a name never changes content
    # Only this user may see it: no shared cache (a proxy, a CDN) may keep a copy.
    response.cache_control.public = False
    response.cache_control.private = True
    return response
