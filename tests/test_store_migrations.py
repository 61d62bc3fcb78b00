"""Migrations on both engines: upgrades keep data, the schema matches the models, reruns do nothing."""
from __future__ import annotations

import importlib
import pkgutil
import shutil
from datetime import date

import peewee as pw
import pytest
from playhouse.migrate import SqliteMigrator

import quizzer.store
from quizzer.bundled import migrations_dir
from quizzer.services import review
from quizzer.store import bind
from quizzer.store.db import open_database
from quizzer.store.migrate import MigrationsMissing, applied_migrations, apply_migrations, migration_names
from quizzer.store.models import ALL_MODELS, BaseModel, Card, CardState, Deck, Note, ReviewLog, User
from tests.conftest import at

FIRST = migration_names()[0]


def every_model() -> list[type[BaseModel]]:
    """ALL_MODELS and every other table in quizzer.store (quizzes, jobs, the migration record)."""
    for info in pkgutil.iter_modules(quizzer.store.__path__):
        importlib.import_module(f"quizzer.store.{info.name}")
    found, queue = set(), list(BaseModel.__subclasses__())
    while queue:
        model = queue.pop()
        queue.extend(model.__subclasses__())
        if model.__module__.startswith("quizzer.store."):
            found.add(model)
    assert set(ALL_MODELS) <= found
    return sorted(found, key=lambda m: m._meta.table_name)


MODELS = every_model()


@pytest.fixture
def raw_db(db_url):
    """An empty database on both engines, bound to the models but not migrated."""
    database = bind(open_database(db_url))
    yield database
    database.close()


def table(database, name):
    return pw.Table(name).bind(database)


def insert(database, name, **values) -> int:
    rows = table(database, name)
    rows.insert(**values).execute()
    return rows.select(pw.fn.MAX(rows.c.id)).scalar()


def fill_at_first_migration(database) -> None:
    """Rows in every table, written with the columns of the first migration only (plain SQL)."""
    stamp, day = "2026-01-04 09:30:00", "2026-01-04"
    user_id = insert(database, "user", username="mig", password_hash="x", is_admin=False,
                     timezone="Europe/Berlin", rollover_hour=4, new_per_day=20, reviews_per_day=200,
                     grade_scale="buttons", session_version=3, created_at=stamp)
    shared = insert(database, "deck", owner_id=None, slug="shared", title="Shared", description="d",
                    tags='["t"]', sources="{}", content_hash="h", source_path="/x.yaml", card_count=2,
                    created_at=stamp, updated_at=stamp)
    insert(database, "deck", owner_id=user_id, slug="shared", title="Mine", description="", tags="[]",
           sources="{}", content_hash="", source_path="", card_count=0, created_at=stamp, updated_at=stamp)
    note = insert(database, "note", deck_id=shared, slug="n1", position=0, kind="basic", question="Q?",
                  answer="A", cloze=None, explanation="", explanation_html="", tags=" t ", source="",
                  choices="[]", choices_html="[]", accept="[]", reverse=True, retired=False,
                  content_hash="nh")
    cards = [insert(database, "card", note_id=note, deck_id=shared, key=key, position=i, prompt=p,
                    answer=a, prompt_html=f"<p>{p}</p>", answer_html=f"<p>{a}</p>", retired=False)
             for i, (key, p, a) in enumerate([("front", "Q?", "A"), ("reverse", "A", "Q?")])]
    insert(database, "card_state", user_id=user_id, card_id=cards[0], deck_id=shared, repetitions=1,
           interval=1, easiness_x100=250, due="2026-01-05", last_review=stamp, last_review_day=day,
           first_review_day=day, relearn=False, lapses=0, reviews=1, suspended=False, buried_until=None,
           retired=False)
    insert(database, "review_log", user_id=user_id, card_id=cards[0], deck_id=shared, reviewed_at=stamp,
           day=day, quality=4, applied=True, kind="review", time_ms=1200, answer_id="a-1",
           state_before=None, interval_before=0, interval_after=1, easiness_x100_after=250,
           repetitions_after=1, due_after="2026-01-05")


def snapshot(database) -> dict[str, list[dict]]:
    """Every row of every table, as the database returns it."""
    return {name: list(table(database, name).select().order_by(pw.SQL("1")).dicts())
            for name in database.get_tables()}


# Columns a later migration drops on purpose (0008: edits are found by comparing the fields).
DROPPED = {"note": {"content_hash"}}
# Columns a later migration stores in another encoding (0015), by their old name: compared as the model
# reads them, under their new name.
ENCODED = {"review_log": {"reviewed_at": ReviewLog.reviewed_at, "day": ReviewLog.day, "kind": ReviewLog.kind,
                          "due_after": ReviewLog.due_after, "answer_id": ReviewLog.answer_id}}


def _decoded(name: str, old: dict, new: dict) -> tuple[dict, dict]:
    """The old row's values and the new row's under the old names, both as the head model reads them."""
    fields = ENCODED.get(name, {})
    read = lambda f, v: f.python_value(f.db_value(v))  # noqa: E731
    return ({k: read(fields[k], v) if k in fields else v for k, v in old.items()},
            {k: read(fields[k], new[fields[k].column_name]) if k in fields else new[k]
             for k in old if k in new or k in fields})


def assert_rows_kept(before: dict[str, list[dict]], after: dict[str, list[dict]]) -> None:
    """Same tables, same number of rows, and every old column still holds its old value."""
    assert set(before) <= set(after)
    for name, rows in before.items():
        assert len(after[name]) == len(rows), name
        for old, new in zip(rows, after[name]):
            kept, now = _decoded(name, {k: v for k, v in old.items() if k not in DROPPED.get(name, ())}, new)
            assert now == kept, name


def test_upgrade_from_the_first_migration_keeps_every_row(raw_db):
    assert apply_migrations(raw_db, target=FIRST) == [FIRST]
    fill_at_first_migration(raw_db)
    before = snapshot(raw_db)
    assert all(before[m._meta.table_name] for m in ALL_MODELS)  # every table has rows to lose

    assert apply_migrations(raw_db) == migration_names()[1:]

    after = snapshot(raw_db)
    assert_rows_kept({k: v for k, v in before.items() if k != "schema_migration"}, after)
    # The head models read the old rows and the engine can grade on them.
    user = User.get(User.username == "mig")
    assert (user.timezone, user.session_version) == ("Europe/Berlin", 3)
    state = CardState.get()
    assert (state.due, state.easiness, state.interval) == (date(2026, 1, 5), 2.5, 1)
    outcome = review.answer(user, state.card_id, 5, answer_id="a-2", now=at("2026-01-05 10:00"))
    assert (outcome.applied, outcome.interval) == (True, 6)
    assert ReviewLog.select().count() == 2


def test_a_column_drop_on_an_sqlite_older_than_3_35_rebuilds_the_table_and_keeps_every_row(tmp_path, monkeypatch):
    """0008 drops note.content_hash; before SQLite 3.35 peewee rebuilds the table instead, which must
    keep the notes, the cards that point at them and the note index."""
    database = bind(open_database(f"sqlite:///{tmp_path / 'old.db'}"))
    apply_migrations(database, target=FIRST)
    fill_at_first_migration(database)
    before = snapshot(database)
    monkeypatch.setattr(SqliteMigrator, "sqlite_version", property(lambda self: (3, 34, 1), lambda self, _: None),
                        raising=False)

    apply_migrations(database)

    assert_rows_kept({k: v for k, v in before.items() if k != "schema_migration"}, snapshot(database))
    assert "content_hash" not in {c.name for c in database.get_columns("note")}
    assert table_indexes(database, "note") == model_indexes(Note)
    assert database.execute_sql("PRAGMA foreign_key_check").fetchall() == []
    card_sql = database.execute_sql("SELECT sql FROM sqlite_master WHERE name = 'card'").fetchone()[0]
    assert 'REFERENCES "note"' in card_sql
    database.close()


def test_runner_applies_later_migrations_in_order_and_keeps_rows(raw_db, tmp_path):
    """A new numbered script (adding a column and an index) upgrades a filled database."""
    for name in migration_names():
        shutil.copy(migrations_dir() / f"{name}.py", tmp_path / f"{name}.py")
    (tmp_path / "9998_add_note_hint.py").write_text(
        "from playhouse.migrate import migrate\n"
        "import peewee as pw\n"
        "def upgrade(db, migrator):\n"
        "    migrate(migrator.add_column('note', 'hint', pw.TextField(default='none')),\n"
        "            migrator.add_index('note', ('hint',), False))\n")
    (tmp_path / "9999_backfill_hint.py").write_text(
        "def upgrade(db, migrator):\n"
        "    db.execute_sql(\"UPDATE note SET hint = slug || '!'\")\n")
    assert apply_migrations(raw_db, target=FIRST, directory=tmp_path) == [FIRST]
    fill_at_first_migration(raw_db)
    before = snapshot(raw_db)

    ran = apply_migrations(raw_db, directory=tmp_path)

    assert ran[-2:] == ["9998_add_note_hint", "9999_backfill_hint"]
    assert_rows_kept({k: v for k, v in before.items() if k != "schema_migration"}, snapshot(raw_db))
    assert [r["hint"] for r in table(raw_db, "note").select().dicts()] == ["n1!"]
    assert applied_migrations(raw_db) == set(migration_names(tmp_path))
    assert apply_migrations(raw_db, directory=tmp_path) == []


def test_a_failing_migration_is_rolled_back_and_not_recorded(raw_db, tmp_path):
    for name in migration_names():
        shutil.copy(migrations_dir() / f"{name}.py", tmp_path / f"{name}.py")
    (tmp_path / "9999_broken.py").write_text(
        "def upgrade(db, migrator):\n"
        "    db.execute_sql('CREATE TABLE half_done (x INTEGER)')\n"
        "    db.execute_sql('UPDATE deck SET title = 1 / 0 WHERE no_such_column = 1')\n")

    with pytest.raises(pw.DatabaseError):
        apply_migrations(raw_db, directory=tmp_path)

    assert "half_done" not in raw_db.get_tables()
    assert applied_migrations(raw_db) == set(migration_names())


def test_unknown_target_is_refused(raw_db):
    with pytest.raises(ValueError, match="unknown migration"):
        apply_migrations(raw_db, target="0000_nope")
    assert applied_migrations(raw_db) == set()


def model_indexes(model) -> set[tuple[str, tuple[str, ...], bool]]:
    return {(index._name, tuple(e.column_name for e in index._expressions), index._unique)
            for index in model._meta.fields_to_index()}


def table_indexes(database, name: str) -> set[tuple[str, tuple[str, ...], bool]]:
    # The primary key's own index: PostgreSQL lists it, SQLite only for a non-integer key.
    return {(i.name, tuple(i.columns), i.unique) for i in database.get_indexes(name)
            if not i.name.endswith("_pkey") and not i.name.startswith("sqlite_autoindex_")}


def test_the_migrated_schema_is_exactly_what_the_models_declare(db):
    assert set(db.get_tables()) == {m._meta.table_name for m in MODELS}
    for model in MODELS:
        name = model._meta.table_name
        columns = {c.name: c for c in db.get_columns(name)}
        fields = {f.column_name: f for f in model._meta.sorted_fields}
        assert set(columns) == set(fields), name
        for column_name, field in fields.items():
            assert columns[column_name].null == field.null, (name, column_name)
            assert columns[column_name].primary_key == field.primary_key, (name, column_name)
        assert table_indexes(db, name) == model_indexes(model), name
        foreign_keys = {(fk.column, fk.dest_table, fk.dest_column) for fk in db.get_foreign_keys(name)}
        assert foreign_keys == {(f.column_name, f.rel_model._meta.table_name, f.rel_field.column_name)
                                for f in model._meta.refs}, name


def test_applying_twice_is_a_no_op(db):
    schema = {name: (db.get_columns(name), table_indexes(db, name)) for name in db.get_tables()}
    user = User.create(username="kept")

    assert apply_migrations(db) == []

    assert {name: (db.get_columns(name), table_indexes(db, name)) for name in db.get_tables()} == schema
    assert applied_migrations(db) == set(migration_names())
    assert [u.username for u in User.select()] == [user.username]


def test_a_deck_id_is_unique_per_owner_and_among_shared_decks(db):
    owner = User.create(username="owner")
    Deck.create(owner=None, slug="d", title="shared")
    Deck.create(owner=owner, slug="d", title="private, same id: allowed")
    with pytest.raises(pw.IntegrityError), db.atomic():
        Deck.create(owner=None, slug="d", title="second shared")
    with pytest.raises(pw.IntegrityError), db.atomic():
        Deck.create(owner=owner, slug="d", title="second private")
    assert Deck.select().count() == 2


def test_deleting_a_user_cascades_to_their_progress_only(db):
    alice, bob = User.create(username="alice"), User.create(username="bob")
    deck = Deck.create(owner=None, slug="d", title="D")
    Deck.create(owner=alice, slug="d", title="alice's own")
    note = Note.create(deck=deck, slug="n", position=0, kind="basic")
    card = Card.create(note=note, deck=deck, key="front", position=0, prompt="p", answer="a",
                       prompt_html="", answer_html="")
    for user in (alice, bob):
        CardState.create(user=user, card=card, deck=deck, due=date(2026, 1, 5))

    alice.delete_instance()

    assert [s.user_id for s in CardState.select()] == [bob.id]
    assert [d.title for d in Deck.select()] == ["D"]
    assert Card.select().count() == 1


def test_a_missing_migrations_folder_is_an_error_not_an_empty_schema(tmp_path, sqlite_db):
    with pytest.raises(MigrationsMissing, match="no migration scripts in .*: the installation is incomplete"):
        apply_migrations(sqlite_db, directory=tmp_path / "nowhere")
