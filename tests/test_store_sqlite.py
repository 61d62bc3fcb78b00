"""SQLite set-up: durable pragmas on every connection, and write transactions that lock at BEGIN."""
from __future__ import annotations

import threading
import time
from datetime import date

import peewee as pw
import pytest

from quizzer.store.db import DatabaseUrlError, open_database
from quizzer.store.models import Card, CardState, Deck, Note, User


def pragma(database, name):
    return database.execute_sql(f"PRAGMA {name}").fetchone()[0]


def test_every_connection_gets_the_durable_pragmas(sqlite_db, tmp_path):
    other = open_database(f"sqlite:///{tmp_path / 'quizzer.db'}")  # a second connection, as another process
    for database in (sqlite_db, other):
        assert pragma(database, "journal_mode") == "wal"
        assert pragma(database, "foreign_keys") == 1
        assert pragma(database, "synchronous") == 2  # FULL: NORMAL can lose a committed grade
        assert pragma(database, "busy_timeout") >= 1000
    other.close()


def test_foreign_keys_are_enforced(sqlite_db):
    deck = Deck.create(owner=None, slug="d", title="D")
    note = Note.create(deck=deck, slug="n", position=0, kind="basic")
    card = Card.create(note=note, deck=deck, key="front", position=0, prompt="p", answer="a",
                       prompt_html="", answer_html="")
    with pytest.raises(pw.IntegrityError), sqlite_db.atomic():
        CardState.create(user=9999, card=card, deck=deck, due=date(2026, 1, 5))
    assert CardState.select().count() == 0


def test_a_second_writer_is_refused_at_begin_not_at_its_first_write(tmp_path):
    """BEGIN IMMEDIATE: a write transaction takes the write lock when it starts.

    A deferred BEGIN would succeed here and fail later, mid-transaction, with
    "database is locked" when it tries to upgrade its read lock.
    """
    url = f"sqlite:///{tmp_path / 'lock.db'}"
    first, second = open_database(url), open_database(url)
    first.execute_sql("CREATE TABLE t (x INTEGER)")
    second.execute_sql("PRAGMA busy_timeout = 0")  # refuse at once instead of waiting
    with first.atomic():
        first.execute_sql("SELECT count(*) FROM t")  # no write yet: only BEGIN IMMEDIATE holds the lock
        with pytest.raises(pw.OperationalError, match="locked"), second.atomic():
            pytest.fail("the second write transaction must not begin")
        assert second.execute_sql("SELECT count(*) FROM t").fetchone() == (0,)  # WAL: readers go on
    with second.atomic():
        second.execute_sql("INSERT INTO t VALUES (1)")
    assert first.execute_sql("SELECT count(*) FROM t").fetchone() == (1,)
    first.close()
    second.close()


def test_a_second_writer_waits_for_the_first_to_commit(tmp_path):
    url = f"sqlite:///{tmp_path / 'wait.db'}"
    first, second = open_database(url), open_database(url)
    first.execute_sql("CREATE TABLE t (x INTEGER)")
    holding, release = threading.Event(), threading.Event()

    def hold_the_lock():
        with first.atomic():
            first.execute_sql("INSERT INTO t VALUES (1)")
            holding.set()
            release.wait(5)
        first.close()

    writer = threading.Thread(target=hold_the_lock)
    writer.start()
    assert holding.wait(5)
    threading.Timer(0.3, release.set).start()
    started = time.monotonic()
    with second.atomic():  # blocks in BEGIN (busy timeout) until the first commits
        waited = time.monotonic() - started
        second.execute_sql("INSERT INTO t VALUES (2)")
    writer.join(5)
    assert waited >= 0.2
    assert second.execute_sql("SELECT x FROM t ORDER BY x").fetchall() == [(1,), (2,)]
    second.close()


def test_committed_rows_survive_reopening(sqlite_db, tmp_path):
    User.create(username="durable")
    sqlite_db.close()
    reopened = open_database(f"sqlite:///{tmp_path / 'quizzer.db'}")
    assert reopened.execute_sql('SELECT username FROM "user"').fetchall() == [("durable",)]
    reopened.close()


def test_missing_folders_are_created(tmp_path):
    database = open_database(f"sqlite:///{tmp_path / 'a' / 'b' / 'q.db'}")
    database.execute_sql("CREATE TABLE t (x INTEGER)")
    assert (tmp_path / "a" / "b" / "q.db").exists()
    database.close()


@pytest.mark.parametrize("url", ["mysql://root@localhost/q", "sqlite://relative.db", "q.db", ""])
def test_unsupported_database_urls_are_refused(url):
    with pytest.raises(DatabaseUrlError, match="unsupported database URL"):
        open_database(url)
