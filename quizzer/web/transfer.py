"""Import (upload, dry-run preview, apply) and export pages, and the media route."""
from __future__ import annotations

import re
from pathlib import Path, PurePath

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import secure_filename

from quizzer.deck_format import DeckError, Problem
from quizzer.importers import FORMATS, ArchiveTooLarge, Limits, ReadOptions
from quizzer.importers.text import separator_named
from quizzer.services import account_backup, exports, imports
from quizzer.services.anki_export import deck_apkg
from quizzer.services.errors import NotFound
from quizzer.services.media import find_media
from quizzer.services.pending_uploads import discard_pending, load_pending, save_pending
from quizzer.services.study import visible_decks

bp = Blueprint("transfer", __name__)
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


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


def _run(filename: str, data: bytes, options: dict, *, dry_run: bool) -> imports.ImportResult:
    read = ReadOptions(options["format"], options["deck"], options["separator"], options["row_separator"],
                       limits=_limits())
    return imports.import_file(data, filename, current_user.user, media_root=_instance() / "media", options=read,
                               with_progress=options["with_progress"], reset_changed=options["reset_changed"],
                               dry_run=dry_run, into=options.get("into"))


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
    options = _form_options()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _failed(DeckError([Problem("upload", 1, 1, "file", "choose a file to import")]), options)
    filename, data = _upload_name(upload.filename), upload.read()
    if _is_backup(filename, data):
        return _restore_preview(filename, data, options)
    try:
        result = _run(filename, data, options, dry_run=True)
    except DeckError as err:
        return _failed(err, options)
    token = save_pending(_instance() / "uploads", current_user.id, filename, data, options)
    return render_template("transfer/preview.html", result=result, filename=filename, token=token,
                           options=options)


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
    token = request.form.get("token", "")
    filename, data, options = load_pending(_instance() / "uploads", current_user.id, token)
    if _is_backup(filename, data):
        return _restore(token, filename, data, options)
    try:
        result = _run(filename, data, options, dry_run=False)
    except DeckError as err:
        return _failed(err, options)
    discard_pending(_instance() / "uploads", current_user.id, token)
    for plan in result.plans:
        flash("Imported " + plan.summary())
    if result.progress or result.progress_kept:
        flash(f"Progress carried over for {result.progress} card(s), kept for {result.progress_kept}.")
    return redirect(url_for("pages.dashboard"))


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
    return render_template("transfer/export.html", decks=list(visible_decks(current_user.user)))


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
    return send_file(path, max_age=31536000)
