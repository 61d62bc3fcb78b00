"""Background jobs and stats: job leases and runs, daily snapshots, the review log rolled up per day.

Frozen copies of ``quizzer.store.job_models`` and ``quizzer.store.stats_models``
at this revision (``user`` and ``deck`` are stand-ins for the existing tables).
New columns on existing tables go through the migrator: ``user.suspend_leeches``
(a user setting) and ``card_state.leech``. Triggers keep ``review_day`` equal to
the review log aggregated per (user, study day, deck); it is filled here from
the rows already logged.
"""
import peewee as pw
from playhouse.migrate import migrate

# (column, what an answer adds to it), in SQL over the review-log row r.
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


def _as_int(condition, sqlite):
    return condition if sqlite or condition == "1" else f"({condition})::int"


def _values(row, sqlite):
    counts = [_as_int(expr, sqlite).replace("r.", f"{row}.") for _, expr in COUNTS]
    return ", ".join([f"{row}.user_id", f"{row}.deck_id", f"{row}.day", *counts, f"{row}.time_ms"])


COLUMNS = ", ".join(["user_id", "deck_id", "day", *(name for name, _ in COUNTS), "time_ms"])
ADD = ", ".join(f"{name} = review_day.{name} + excluded.{name}" for name, _ in [*COUNTS, ("time_ms", "")])
INSERT = (f"INSERT INTO review_day ({COLUMNS}) VALUES ({{values}}) "
          f"ON CONFLICT (user_id, day, deck_id) DO UPDATE SET {ADD}")


def _subtract(sqlite):
    """Take a deleted answer out; a day left without answers loses its row (a row means "studied")."""
    sets = ", ".join(f"{name} = review_day.{name} - ({_as_int(expr, sqlite).replace('r.', 'OLD.')})"
                     for name, expr in COUNTS)
    where = "WHERE user_id = OLD.user_id AND day = OLD.day AND deck_id = OLD.deck_id"
    return (f"UPDATE review_day SET {sets}, time_ms = review_day.time_ms - OLD.time_ms {where}; "
            f"DELETE FROM review_day {where} AND answers = 0")


def _sqlite_triggers(db):
    db.execute_sql(f"CREATE TRIGGER review_day_insert AFTER INSERT ON review_log BEGIN "
                   f"{INSERT.format(values=_values('NEW', True))}; END")
    db.execute_sql(f"CREATE TRIGGER review_day_delete AFTER DELETE ON review_log BEGIN {_subtract(True)}; END")


def _postgres_triggers(db):
    db.execute_sql(f"""CREATE FUNCTION review_day_count() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {INSERT.format(values=_values('NEW', False))};
    RETURN NEW;
  END IF;
  {_subtract(False)};
  RETURN OLD;
END $$ LANGUAGE plpgsql""")
    db.execute_sql("CREATE TRIGGER review_day_count AFTER INSERT OR DELETE ON review_log "
                   "FOR EACH ROW EXECUTE FUNCTION review_day_count()")


def upgrade(db, migrator):
    class Base(pw.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class User(Base):
        pass

    class Deck(Base):
        pass

    class JobLease(Base):
        job_id = pw.CharField(max_length=32, primary_key=True)
        slot = pw.DateTimeField()
        holder = pw.CharField(max_length=128, default="")
        lease_until = pw.DateTimeField()

    class JobRun(Base):
        job_id = pw.CharField(max_length=32)
        slot = pw.DateTimeField()
        holder = pw.CharField(max_length=128)
        started_at = pw.DateTimeField()
        duration_ms = pw.IntegerField()
        ok = pw.BooleanField()
        result = pw.TextField()

        class Meta:
            indexes = ((("job_id", "started_at"), False),)

    class ReviewDay(Base):
        user = pw.ForeignKeyField(User, on_delete="CASCADE")
        deck = pw.ForeignKeyField(Deck, on_delete="CASCADE")
        day = pw.DateField()
        answers = pw.IntegerField()
        new_answers = pw.IntegerField()
        young_answers = pw.IntegerField()
        mature_answers = pw.IntegerField()
        reviews = pw.IntegerField()
        passed = pw.IntegerField()
        mature_reviews = pw.IntegerField()
        mature_passed = pw.IntegerField()
        time_ms = pw.BigIntegerField()

        class Meta:
            indexes = ((("user", "day", "deck"), True),)

    class DaySnapshot(Base):
        user = pw.ForeignKeyField(User, on_delete="CASCADE")
        day = pw.DateField()
        answers = pw.IntegerField()
        new_cards = pw.IntegerField()
        reviews = pw.IntegerField()
        passed = pw.IntegerField()
        time_ms = pw.BigIntegerField()
        cards_studied = pw.IntegerField()
        mature_cards = pw.IntegerField()
        due_next_day = pw.IntegerField()
        leeches = pw.IntegerField()
        suspended = pw.IntegerField()
        created_at = pw.DateTimeField()

        class Meta:
            indexes = ((("user", "day"), True),)

    sqlite = isinstance(db, pw.SqliteDatabase)
    db.create_tables([JobLease, JobRun, ReviewDay, DaySnapshot])
    migrate(
        migrator.add_column("user", "suspend_leeches", pw.BooleanField(default=False)),
        migrator.add_column("card_state", "leech", pw.BooleanField(default=False)),
    )
    sums = ", ".join(f"SUM(CASE WHEN {expr} THEN 1 ELSE 0 END)" if expr != "1" else "COUNT(*)"
                     for _, expr in COUNTS)
    db.execute_sql(f"INSERT INTO review_day ({COLUMNS}) SELECT r.user_id, r.deck_id, r.day, {sums}, "
                   "SUM(r.time_ms) FROM review_log AS r GROUP BY r.user_id, r.deck_id, r.day")
    (_sqlite_triggers if sqlite else _postgres_triggers)(db)
    # Covering indexes for the stats page's card figures: forecast, intervals, easiness.
    db.execute_sql("CREATE INDEX card_state_stats_due ON card_state (user_id, retired, suspended, due)")
    db.execute_sql('CREATE INDEX card_state_stats_interval ON card_state (user_id, retired, "interval")')
    db.execute_sql('CREATE INDEX card_state_stats_easiness ON card_state (user_id, retired, easiness_x100, "interval")')
