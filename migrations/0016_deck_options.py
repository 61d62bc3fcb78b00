"""Study options per deck, the user's defaults for them, and time zone changes at the next roll-over
(issue 22).

``deck_option`` holds one row per user and deck; a NULL column inherits the user's default. The user
gains the default new-card order and sibling burying, and the rule before their last time zone or
roll-over change with the instant it gives way (NULL: no change pending). Frozen copy of
``quizzer.store.deck_options`` at this revision (``user`` and ``deck`` stand in for the existing tables).
"""
import peewee as pw
from playhouse.migrate import migrate


def upgrade(db, migrator):
    migrate(
        migrator.add_column("user", "new_order", pw.CharField(max_length=16, default="deck")),
        migrator.add_column("user", "bury_siblings", pw.BooleanField(default=True)),
        migrator.add_column("user", "previous_timezone", pw.CharField(max_length=64, null=True)),
        migrator.add_column("user", "previous_rollover_hour", pw.SmallIntegerField(null=True)),
        migrator.add_column("user", "day_rule_at", pw.DateTimeField(null=True)),
        migrator.add_column("user", "day_rule_first_day", pw.DateField(null=True)),
    )

    class Base(pw.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class User(Base):
        pass

    class Deck(Base):
        pass

    class DeckOption(Base):
        user = pw.ForeignKeyField(User, on_delete="CASCADE", index=False)
        deck = pw.ForeignKeyField(Deck, on_delete="CASCADE")
        new_per_day = pw.IntegerField(null=True)
        reviews_per_day = pw.IntegerField(null=True)
        new_order = pw.CharField(max_length=16, null=True)
        bury_siblings = pw.BooleanField(null=True)
        extra_new = pw.IntegerField(default=0)
        extra_new_day = pw.DateField(null=True)

        class Meta:
            indexes = ((("user", "deck"), True),)

    db.create_tables([DeckOption])
