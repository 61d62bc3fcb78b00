"""The ``quizzer`` command: a thin caller of the services. Errors are one line, never a traceback."""
from __future__ import annotations

import functools
import getpass
import os
import sys

import click

from quizzer.config import ConfigError, load_settings
from quizzer.deck_format import DeckError, parse_deck_file
from quizzer.deck_format.lint import lint_deck
from quizzer.importers import FORMATS, ReadOptions, read_path
from quizzer.importers.text import separator_named
from quizzer.logs import configure_logging
from quizzer.services import account_backup
from quizzer.services import decks as deck_service
from quizzer.services import exports as export_service
from quizzer.services import imports as import_service
from quizzer.services import users as user_service
from quizzer.services.decks import ASK_BEFORE_RETIRING
from quizzer.services.errors import ServiceError
from quizzer.services.study import due_counts_by_deck, study_day_for
from quizzer.store import connect
from quizzer.store.db import DatabaseError, DatabaseUrlError, OperationalError, close_connection
from quizzer.store.migrate import MigrationsMissing, apply_migrations
from quizzer.store.models import User


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def friendly_errors(func):
    """Turn expected failures into one clear line on stderr and exit status 1."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except DeckError as err:
            for problem in err.problems:
                click.echo(str(problem), err=True)
            _fail(f"{len(err.problems)} problem(s); nothing was imported")
        except (ServiceError, ConfigError, DatabaseUrlError, FileNotFoundError, MigrationsMissing) as err:
            _fail(str(err))
        except OperationalError as err:  # e.g. PostgreSQL down or the database missing
            _fail("cannot use the database: " + " ".join(str(err).split()))
    return wrapper


def _open():
    settings = _settings()
    connect(settings.database_url)
    return settings


def _settings():
    """The QUIZZER_* settings, with logging configured from them."""
    settings = load_settings()
    configure_logging(settings.log_level)
    return settings


@click.group()
def main():
    """Quizzer: spaced-repetition flashcards and quizzes."""


@main.command()
@friendly_errors
def migrate():
    """Apply pending database migrations."""
    settings = _settings()
    ran = apply_migrations(connect(settings.database_url, migrate=False))
    click.echo("applied: " + ", ".join(ran) if ran else "database is up to date")


@main.command()
@click.option("--host", default=None, help="Address to listen on (QUIZZER_HOST).")
@click.option("--port", default=None, type=int, help="Port (QUIZZER_PORT).")
@click.option("--threads", default=8, show_default=True)
@friendly_errors
def serve(host, port, threads):
    """Serve the web app with waitress."""
    from waitress import serve as waitress_serve  # the web stack loads only for this command

    from quizzer.web import create_app
    app = create_app()
    settings = app.config["QUIZZER"]
    host, port = host or settings.host, port or settings.port
    click.echo(f"Quizzer on http://{host}:{port}")
    waitress_serve(app, host=host, port=port, threads=threads)


@main.group()
def user():
    """Manage accounts."""


@user.command("create")
@click.argument("name")
@click.option("--admin", is_flag=True, help="Make the account an administrator.")
@click.option("--password-env", default="QUIZZER_PASSWORD", show_default=True,
              help="Read the password from this environment variable when set.")
@friendly_errors
def user_create(name, admin, password_env):
    """Create an account (asks for the password unless the variable is set)."""
    _open()
    password = os.environ.get(password_env)
    if not password:
        if not sys.stdin.isatty():
            _fail(f"no password: set {password_env} or run in a terminal to be asked")
        password = getpass.getpass(f"Password for {name}: ")
    created = user_service.create_user(name, password, is_admin=admin)
    click.echo(f"created user {created.username}")


@main.command("import")
@click.argument("paths", nargs=-1)
@click.option("--user", "username", help="Import into this user's private decks.")
@click.option("--shared", is_flag=True, help="Import as shared decks every user studies.")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--reset-changed", is_flag=True, help="Reset progress on cards whose text changed.")
@click.option("--with-progress", is_flag=True, help="Keep an Anki package's intervals, due dates, ease "
              "and suspensions (with --user).")
@click.option("--format", "file_format", type=click.Choice(FORMATS), default="auto", show_default=True,
              help="File format (auto: from the file name).")
@click.option("--deck", "deck_name", help="Deck name for text files (default: the file's name).")
@click.option("--separator", default="tab", show_default=True,
              help="Quizlet: between term and definition (tab, comma, semicolon, or the text itself).")
@click.option("--row-separator", default="newline", show_default=True,
              help="Quizlet: between rows (newline, semicolon, or the text itself).")
@click.option("--into", help="The deck (id) to import into, for one file in another format with one deck "
              "(default: the deck imported from the same source before, else a new deck).")
@click.option("--yes", is_flag=True, help=f"Do not ask before retiring more than {ASK_BEFORE_RETIRING} cards.")
@friendly_errors
def import_(paths, username, shared, dry_run, reset_changed, with_progress, file_format, deck_name,
            separator, row_separator, into, yes):
    """Import decks, all or nothing: YAML files or folders, .zip of YAML, .apkg/.colpkg, .txt/.tsv, .csv,
    or restore an account backup. With --shared and no PATHS: the decks in QUIZZER_DECKS_DIR
    (default: the bundled decks)."""
    settings = _open()
    if not paths:
        if not shared:
            _fail("say what to import: one or more PATHS (only --shared has a default)")
        paths = (str(settings.decks_dir),)
    media_root = settings.instance_dir / "media"
    limits = settings.import_limits
    data = read_path(paths[0], limits) if len(paths) == 1 and paths[0].endswith(".zip") else b""
    if data and account_backup.is_backup(data):
        restored = account_backup.restore_backup(data, paths[0], media_root, username, limits,
                                                 password=os.environ.get("QUIZZER_PASSWORD"))
        click.echo(f"restored account {restored.username}")
        return
    if bool(username) == bool(shared):
        _fail("say where to import: --user NAME or --shared")
    account = None if shared else user_service.get_user(username)
    options = ReadOptions(format=file_format, deck=deck_name, separator=separator_named(separator),
                          row_separator=separator_named(row_separator), require_ids=shared, limits=limits)
    run = functools.partial(import_service.import_paths, paths, account.id if account else None,
                            media_root=media_root, options=options, user=account, with_progress=with_progress,
                            reset_changed=reset_changed, into=into)
    if not (dry_run or yes):
        _ask_before_retiring(run(dry_run=True).plans)
    result = run(dry_run=dry_run)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    for plan in result.plans:
        click.echo(("would load " if dry_run else "loaded ") + plan.summary())
        if dry_run and plan.retired:
            click.echo(f"  would retire: {_listed(plan.retired)}")
    if result.media or result.progress or result.progress_kept:
        click.echo(f"{result.media} image(s); progress carried over for {result.progress} card(s)"
                   + (f", kept for {result.progress_kept} already studied" if result.progress_kept else ""))


def _listed(ids: list[str], most: int = 20) -> str:
    return ", ".join(ids[:most]) + (f" and {len(ids) - most} more" if len(ids) > most else "")


def _ask_before_retiring(plans) -> None:
    """Ask (on a terminal) before an import retires more than ASK_BEFORE_RETIRING cards; refuse otherwise."""
    retiring = sum(len(plan.retired) for plan in plans)
    if retiring <= ASK_BEFORE_RETIRING:
        return
    for plan in plans:
        if plan.retired:
            click.echo(f"{plan.deck_slug}: would retire {len(plan.retired)}: {_listed(plan.retired)}", err=True)
    if not sys.stdin.isatty():
        _fail(f"this import would retire {retiring} cards; nothing was imported (--yes to go ahead)")
    if not click.confirm(f"Retire {retiring} cards?", err=True):
        _fail("nothing was imported")


@main.command("export")
@click.option("--user", "username", required=True, help="Whose decks and progress to export.")
@click.option("--deck", "deck_slug", help="The deck to export (for yaml, zip and apkg).")
@click.option("--format", "file_format", required=True,
              type=click.Choice(["yaml", "zip", "apkg", "reviews-csv", "cards-csv", "json", "backup"]),
              help="yaml/zip/apkg: one deck (zip: YAML and its images and sounds); reviews-csv, cards-csv, "
                   "json: review log and card states; backup: the whole account in one file.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True, help="File to write.")
@click.option("--with-password-hash", is_flag=True, help="backup: include the account's password hash, so the "
              "restored account signs in with the same password (without it, the restore asks for one).")
@friendly_errors
def export_(username, deck_slug, file_format, output, with_password_hash):
    """Export a deck, the review log and card states, or a whole-account backup."""
    settings = _open()
    account = user_service.get_user(username)
    media_root = settings.instance_dir / "media"
    if file_format in ("yaml", "zip", "apkg") and not deck_slug:
        _fail(f"--format {file_format} needs --deck SLUG")
    data = export_service.export_bytes(account, file_format, media_root, deck_slug,
                                       with_password_hash=with_password_hash)
    with open(output, "wb") as file:
        file.write(data)
    click.echo(f"wrote {output} ({len(data):,} bytes)")


@main.command()
@click.argument("paths", nargs=-1, required=True)
@friendly_errors
def lint(paths):
    """Check deck files; print every problem and exit 1 if there are any."""
    problems: list[str] = []
    warnings: list[str] = []
    count = 0
    for path in deck_service.deck_files(paths):
        count += 1
        try:
            spec = parse_deck_file(path)
        except DeckError as err:
            problems.extend(str(p) for p in err.problems)
            continue
        report = lint_deck(spec, str(path))
        problems.extend(str(p) for p in (*spec.warnings, *report.errors))
        warnings.extend(str(w) for w in report.warnings)
    for line in problems + warnings:
        click.echo(line, err=True)
    if problems:
        _fail(f"{len(problems)} problem(s) in {count} file(s)")
    click.echo(f"{count} deck file(s) OK" + (f", {len(warnings)} warning(s)" if warnings else ""))


@main.command()
@click.option("--user", "username", help="Whose queue to show (default: a newcomer's).")
@friendly_errors
def due(username):
    """Today's new / due / total counts per deck."""
    _open()
    account = user_service.get_user(username) if username else User()
    today = study_day_for(account)
    click.echo(f"{'deck':<32} {'new':>5} {'due':>5} {'total':>6}   ({today.day.isoformat()})")
    for row in due_counts_by_deck(account, today):
        click.echo(f"{row.deck.slug:<32} {row.new:>5} {row.due:>5} {row.total:>6}")


@main.command("backup")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("--verify", is_flag=True, help="Check the backup FILE instead of making one (checksum, "
              "structure, schema, row counts).")
@click.option("--legacy", is_flag=True, help="With --verify: accept a backup made before manifests.")
@friendly_errors
def backup_(file, verify, legacy):
    """Back up the whole database now (verified, with a manifest; keeps the newest QUIZZER_BACKUP_KEEP),
    or check a backup with --verify FILE."""
    from quizzer.services import backups

    settings = _settings()
    if bool(file) != verify or (legacy and not verify):
        _fail("quizzer backup makes a backup; quizzer backup --verify FILE [--legacy] checks one")
    if verify:
        click.echo("verified " + backups.verify_backup(file, settings.database_url, legacy).summary())
        return
    connect(settings.database_url)
    made = backups.backup_database(settings.database_url, settings.backup_dir, settings.backup_keep)
    click.echo(f"backup written and verified: {made.path}\n" + made.summary())


@main.command("restore")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
@click.option("--legacy", is_flag=True, help="Accept a backup made before manifests (structural checks only).")
@friendly_errors
def restore_(file, yes, legacy):
    """Replace the database with a backup FILE (refused, changing nothing, if it fails any check)."""
    from quizzer.services import backups

    settings = _settings()
    verified = backups.prepare_restore(file, settings.database_url, legacy)
    click.echo("verified " + verified.summary())
    if not yes:
        click.confirm(f"Replace the database at {settings.database_url} with {file}?", abort=True)
    try:
        connect(settings.database_url)
        saved = backups.safety_copy(settings.database_url, settings.backup_dir)
        kept = f"the database as it was is backed up in {saved.path}"
    except (backups.BackupError, DatabaseError) as err:
        kept = f"the database as it was could not be backed up first: {err}"
    close_connection()
    backups.restore_database(verified, settings.database_url)
    connect(settings.database_url)  # a backup from an older version gets the newer migrations
    click.echo(f"restored {file} ({kept})")


@main.command("jobs")
@friendly_errors
def jobs_():
    """Run the background jobs in the foreground (for a deployment with QUIZZER_JOBS=0 in the web workers)."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    from quizzer.jobs import build_scheduler

    settings = _open()
    scheduler = build_scheduler(settings, scheduler_class=BlockingScheduler)
    click.echo("running jobs: " + ", ".join(job.id for job in scheduler.get_jobs()) + " (Ctrl-C stops)")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=False)
