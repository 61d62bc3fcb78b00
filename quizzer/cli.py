"""The ``quizzer`` command: a thin caller of the services. Errors are one line, never a traceback."""
from __future__ import annotations

import functools
import getpass
import os
import sys

import click
from waitress import serve as waitress_serve

from quizzer.config import ConfigError, load_settings
from quizzer.deck_format import DeckError, parse_deck_file
from quizzer.services import decks as deck_service
from quizzer.services import users as user_service
from quizzer.services.errors import ServiceError
from quizzer.services.study import due_counts_by_deck, study_day_for
from quizzer.store import connect
from quizzer.store.db import DatabaseUrlError, database_proxy
from quizzer.store.migrate import apply_migrations
from quizzer.store.models import User
from quizzer.web import create_app


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
        except (ServiceError, ConfigError, DatabaseUrlError, FileNotFoundError) as err:
            _fail(str(err))
    return wrapper


def _open():
    settings = load_settings()
    connect(settings.database_url)
    return settings


@click.group()
def main():
    """Quizzer: spaced-repetition flashcards and quizzes."""


@main.command()
@friendly_errors
def migrate():
    """Apply pending database migrations."""
    settings = load_settings()
    connect(settings.database_url, migrate=False)
    ran = apply_migrations(database_proxy.obj)
    click.echo("applied: " + ", ".join(ran) if ran else "database is up to date")


@main.command()
@click.option("--host", default=None, help="Address to listen on (QUIZZER_HOST).")
@click.option("--port", default=None, type=int, help="Port (QUIZZER_PORT).")
@click.option("--threads", default=8, show_default=True)
@friendly_errors
def serve(host, port, threads):
    """Serve the web app with waitress."""
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
    password = os.environ.get(password_env) or getpass.getpass(f"Password for {name}: ")
    created = user_service.create_user(name, password, is_admin=admin)
    click.echo(f"created user {created.username}")


@main.command("import")
@click.argument("paths", nargs=-1, required=True)
@click.option("--user", "username", help="Import into this user's private decks.")
@click.option("--shared", is_flag=True, help="Import as shared decks every user studies.")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--reset-changed", is_flag=True, help="Reset progress on cards whose text changed.")
@friendly_errors
def import_(paths, username, shared, dry_run, reset_changed):
    """Import YAML decks (files or folders); all or nothing."""
    if bool(username) == bool(shared):
        _fail("say where to import: --user NAME or --shared")
    _open()
    owner = None if shared else user_service.get_user(username).id
    plans = deck_service.load_files(paths, owner, dry_run=dry_run, reset_changed=reset_changed)
    for plan in plans:
        click.echo(("would load " if dry_run else "loaded ") + plan.summary())


@main.command()
@click.argument("paths", nargs=-1, required=True)
@friendly_errors
def lint(paths):
    """Check deck files; print every problem and exit 1 if there are any."""
    problems, count = [], 0
    for path in deck_service.deck_files(paths):
        count += 1
        try:
            spec = parse_deck_file(path)
            problems.extend(str(w) for w in spec.warnings)
        except DeckError as err:
            problems.extend(str(p) for p in err.problems)
    for line in problems:
        click.echo(line, err=True)
    if problems:
        _fail(f"{len(problems)} problem(s) in {count} file(s)")
    click.echo(f"{count} deck file(s) OK")


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
