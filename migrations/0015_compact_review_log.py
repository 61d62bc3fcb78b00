"""The review log in compact encodings, without the indexes no query reads (issue 21).

The log was 205 MB of the review benchmark's 346 MB (1,000,000 answers). Here:

- ``reviewed_at`` becomes microseconds since 1970 (BIGINT: 8 bytes instead of 26 characters, in
  the table and in ``review_log_user_id_reviewed_at``), ``day`` and ``due_after`` days since 1970
  (INTEGER: 2 bytes instead of 10), ``answer_id`` the bytes of ``quizzer.store.fields.compact_id``
  under a new name, ``answer_key`` (13 bytes instead of 24 for the pages' hex ids, in the table and
  in its unique index, now partial: answers without an id are not in it). Python still sees
  datetimes, dates and text. The new column name also lets a backup's schema check tell this
  revision's table from the one before (the other columns keep their names).
- ``kind`` ("review" or "quiz", the kinds there were then) becomes 0 or 1 (SMALLINT: SQLite stores both in the
  record header); later kinds take the next codes (``srs.limits.ANSWER_KINDS``).
- ``review_log_deck_id`` goes: decks are retired, never deleted, and no query looks answers up by
  deck alone (every read starts from the user or the card).
- The ``review_day`` triggers turn the integer day back into the date that table keeps.

SQLite rebuilds the table (its column types cannot change in place); PostgreSQL converts the columns
with ``ALTER ... USING``. Both keep every row and id.
"""
from datetime import date, datetime

import peewee as pw

from quizzer.store.fields import compact_id, epoch_day, epoch_micros

# (column, what an answer adds to it), in SQL over the review-log row r: a frozen copy of 0003's.
COUNTS = (
    ("answers", "1"),
    ("new_answers", "r.interval_before = 0"),
    ("young_answers", "r.interval_before > 0 AND r.interval_before < 21"),
    ("mature_answers", "r.interval_before >= 21"),
    ("reviews", "r.applied AND r.interval_before > 0"),
    ("passed", "r.applied AND r.interval_before > 0 AND r.quality >= 3"),
    ("mature_reviews", "r.applied AND r.interval_before >= 21"),
    ("mature_passed", "r.applied AND r.interval_before >= 21 AND r.quality >= 3"),
)
COLUMNS = ", ".join(["user_id", "deck_id", "day", *(name for name, _ in COUNTS), "time_ms"])
ADD = ", ".join(f"{name} = review_day.{name} + excluded.{name}" for name, _ in [*COUNTS, ("time_ms", "")])
LOG_COLUMNS = ("id", "user_id", "card_id", "deck_id", "reviewed_at", "day", "quality", "applied", "kind",
               "time_ms", "answer_key", "state_before", "interval_before", "interval_after",
               "easiness_x100_after", "repetitions_after", "due_after")
INDEXES = (
    "CREATE INDEX review_log_user_id_reviewed_at ON review_log (user_id, reviewed_at)",
    "CREATE INDEX review_log_card_id ON review_log (card_id)",
    "CREATE INDEX review_log_undo ON review_log (user_id, day) WHERE state_before IS NOT NULL",
)
ANSWER_INDEX = ("CREATE UNIQUE INDEX review_log_answer_key ON review_log (user_id, answer_key) "
                "WHERE answer_key IS NOT NULL")


KIND = "CASE kind WHEN 'review' THEN 0 WHEN 'quiz' THEN 1 END"  # anything else: NOT NULL fails


def _day(sqlite, row):
    """The review-day date of a log row's integer day."""
    return f"date({row}.day * 86400, 'unixepoch')" if sqlite else f"(DATE '1970-01-01' + {row}.day)"


def _as_int(condition, sqlite):
    return condition if sqlite or condition == "1" else f"({condition})::int"


def _insert(sqlite, row):
    counts = [_as_int(expr, sqlite).replace("r.", f"{row}.") for _, expr in COUNTS]
    values = ", ".join([f"{row}.user_id", f"{row}.deck_id", _day(sqlite, row), *counts, f"{row}.time_ms"])
    return (f"INSERT INTO review_day ({COLUMNS}) VALUES ({values}) "
            f"ON CONFLICT (user_id, day, deck_id) DO UPDATE SET {ADD}")


def _subtract(sqlite):
    sets = ", ".join(f"{name} = review_day.{name} - ({_as_int(expr, sqlite).replace('r.', 'OLD.')})"
                     for name, expr in COUNTS)
    where = f"WHERE user_id = OLD.user_id AND day = {_day(sqlite, 'OLD')} AND deck_id = OLD.deck_id"
    return (f"UPDATE review_day SET {sets}, time_ms = review_day.time_ms - OLD.time_ms {where}; "
            f"DELETE FROM review_day {where} AND answers = 0")


def _frozen_log(db):
    """The review_log table of this revision (for SQLite's rebuild), as review_log_new."""
    class Base(pw.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class User(Base):
        pass

    class Card(Base):
        pass

    class Deck(Base):
        pass

    class ReviewLogNew(Base):
        user = pw.ForeignKeyField(User, on_delete="CASCADE", index=False)
        card = pw.ForeignKeyField(Card, on_delete="CASCADE", index=False)
        deck = pw.ForeignKeyField(Deck, on_delete="CASCADE", index=False)
        reviewed_at = pw.BigIntegerField()
        day = pw.IntegerField()
        quality = pw.SmallIntegerField()
        applied = pw.BooleanField()
        kind = pw.SmallIntegerField()
        time_ms = pw.IntegerField()
        answer_key = pw.BlobField(null=True)
        state_before = pw.TextField(null=True)
        interval_before = pw.IntegerField()
        interval_after = pw.IntegerField()
        easiness_x100_after = pw.IntegerField()
        repetitions_after = pw.IntegerField()
        due_after = pw.IntegerField()

    return ReviewLogNew


def _sqlite(db):
    conn = db.connection()
    conn.create_function("qz_micros", 1, lambda v: v and epoch_micros(datetime.fromisoformat(v)),
                         deterministic=True)
    conn.create_function("qz_day", 1, lambda v: v and epoch_day(date.fromisoformat(v[:10])), deterministic=True)
    conn.create_function("qz_id", 1, lambda v: v and compact_id(v), deterministic=True)
    _frozen_log(db)._schema.create_table(safe=False)
    converted = {"kind": KIND, "reviewed_at": "qz_micros(reviewed_at)", "day": "qz_day(day)",
                 "due_after": "qz_day(due_after)", "answer_key": "qz_id(answer_id)"}
    columns = ", ".join(LOG_COLUMNS)
    db.execute_sql("DROP TRIGGER review_day_insert")  # before the DROP TABLE: its deletes would fire it
    db.execute_sql("DROP TRIGGER review_day_delete")
    db.execute_sql(f"INSERT INTO review_log_new ({columns}) SELECT "
                   + ", ".join(converted.get(c, c) for c in LOG_COLUMNS) + " FROM review_log")
    db.execute_sql("DROP TABLE review_log")
    db.execute_sql("ALTER TABLE review_log_new RENAME TO review_log")
    for sql in (*INDEXES, ANSWER_INDEX):
        db.execute_sql(sql)
    db.execute_sql(f"CREATE TRIGGER review_day_insert AFTER INSERT ON review_log BEGIN {_insert(True, 'NEW')}; END")
    db.execute_sql(f"CREATE TRIGGER review_day_delete AFTER DELETE ON review_log BEGIN {_subtract(True)}; END")


def _postgres(db):
    db.execute_sql("DROP INDEX review_log_deck_id")
    db.execute_sql("DROP INDEX review_log_user_id_answer_id")
    hex_id, uuid = "^([0-9a-f]{2})+$", "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
    db.execute_sql(
        "ALTER TABLE review_log "
        "ALTER COLUMN reviewed_at TYPE BIGINT USING (reviewed_at::date - DATE '1970-01-01')::bigint * 86400000000"
        " + round(extract(epoch FROM reviewed_at::time) * 1000000)::bigint, "
        "ALTER COLUMN day TYPE INTEGER USING day - DATE '1970-01-01', "
        "ALTER COLUMN due_after TYPE INTEGER USING due_after - DATE '1970-01-01', "
        f"ALTER COLUMN kind TYPE SMALLINT USING {KIND}, "
        f"ALTER COLUMN answer_id TYPE BYTEA USING CASE WHEN answer_id ~ '{hex_id}' "
        "THEN '\\x00'::bytea || decode(answer_id, 'hex') "
        f"WHEN answer_id ~ '{uuid}' THEN '\\x01'::bytea || decode(replace(answer_id, '-', ''), 'hex') "
        "ELSE '\\x02'::bytea || convert_to(answer_id, 'UTF8') END")
    db.execute_sql("ALTER TABLE review_log RENAME COLUMN answer_id TO answer_key")
    db.execute_sql(ANSWER_INDEX)
    db.execute_sql(f"""CREATE OR REPLACE FUNCTION review_day_count() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {_insert(False, 'NEW')};
    RETURN NEW;
  END IF;
  {_subtract(False)};
  RETURN OLD;
END $$ LANGUAGE plpgsql""")


def upgrade(db, migrator):
    (_sqlite if isinstance(db, pw.SqliteDatabase) else _postgres)(db)
