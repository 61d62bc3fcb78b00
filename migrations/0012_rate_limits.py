"""The rate limiter's counters: one row per key (a limit and a hashed account name, address or token).

A frozen copy of ``quizzer.store.rate_limits.RateCounter`` at this revision. Kept in the
database so every worker shares them and a restart does not reset them.
"""
import peewee as pw


def upgrade(db, migrator):
    class RateCounter(pw.Model):
        key = pw.CharField(max_length=80, primary_key=True)
        failures = pw.IntegerField(default=0)
        last_failure_at = pw.DateTimeField(null=True)
        trusted_address = pw.CharField(max_length=80, default="")

        class Meta:
            database = db
            legacy_table_names = False
            indexes = ((("last_failure_at",), False),)

    db.create_tables([RateCounter])
