"""Initial schema: users, decks, notes, cards, card state, review log.

The models below are a frozen copy of the schema at this revision: later
changes to ``quizzer.store.models`` must come as new migrations.
"""
import peewee as pw


def upgrade(db, migrator):
    class Base(pw.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class User(Base):
        username = pw.CharField(max_length=64, unique=True)
        password_hash = pw.CharField(max_length=255, default="")
        is_admin = pw.BooleanField(default=False)
        timezone = pw.CharField(max_length=64, default="UTC")
        rollover_hour = pw.SmallIntegerField(default=4)
        new_per_day = pw.IntegerField(default=20)
        reviews_per_day = pw.IntegerField(default=200)
        grade_scale = pw.CharField(max_length=8, default="buttons")
        session_version = pw.IntegerField(default=0)
        created_at = pw.DateTimeField()

    class Deck(Base):
        owner = pw.ForeignKeyField(User, null=True, on_delete="CASCADE")
        slug = pw.CharField(max_length=64)
        title = pw.CharField(max_length=200)
        description = pw.TextField(default="")
        tags = pw.TextField(default="[]")
        sources = pw.TextField(default="{}")
        content_hash = pw.CharField(max_length=64, default="")
        source_path = pw.TextField(default="")
        card_count = pw.IntegerField(default=0)
        created_at = pw.DateTimeField()
        updated_at = pw.DateTimeField()

    class Note(Base):
        deck = pw.ForeignKeyField(Deck, on_delete="CASCADE")
        slug = pw.CharField(max_length=64)
        position = pw.IntegerField()
        kind = pw.CharField(max_length=8)
        question = pw.TextField(null=True)
        answer = pw.TextField(null=True)
        cloze = pw.TextField(null=True)
        explanation = pw.TextField(default="")
        explanation_html = pw.TextField(default="")
        tags = pw.TextField(default=" ")
        source = pw.TextField(default="")
        choices = pw.TextField(default="[]")
        choices_html = pw.TextField(default="[]")
        accept = pw.TextField(default="[]")
        reverse = pw.BooleanField(default=False)
        retired = pw.BooleanField(default=False)
        content_hash = pw.CharField(max_length=64, default="")

        class Meta:
            indexes = ((("deck", "slug"), True),)

    class Card(Base):
        note = pw.ForeignKeyField(Note, on_delete="CASCADE")
        deck = pw.ForeignKeyField(Deck, on_delete="CASCADE")
        key = pw.CharField(max_length=16)
        position = pw.IntegerField()
        prompt = pw.TextField()
        answer = pw.TextField()
        prompt_html = pw.TextField()
        answer_html = pw.TextField()
        retired = pw.BooleanField(default=False)

        class Meta:
            indexes = ((("note", "key"), True), (("deck", "retired", "position"), False))

    class CardState(Base):
        user = pw.ForeignKeyField(User, on_delete="CASCADE")
        card = pw.ForeignKeyField(Card, on_delete="CASCADE")
        deck = pw.ForeignKeyField(Deck, on_delete="CASCADE")
        repetitions = pw.IntegerField(default=0)
        interval = pw.IntegerField(default=0)
        easiness_x100 = pw.IntegerField(default=250)
        due = pw.DateField()
        last_review = pw.DateTimeField(null=True)
        last_review_day = pw.DateField(null=True)
        first_review_day = pw.DateField(null=True)
        relearn = pw.BooleanField(default=False)
        lapses = pw.IntegerField(default=0)
        reviews = pw.IntegerField(default=0)
        suspended = pw.BooleanField(default=False)
        buried_until = pw.DateField(null=True)
        retired = pw.BooleanField(default=False)

        class Meta:
            indexes = (
                (("user", "card"), True),
                (("user", "deck", "retired", "due", "suspended", "buried_until"), False),
                (("user", "due"), False),
                (("user", "first_review_day"), False),
            )

    class ReviewLog(Base):
        user = pw.ForeignKeyField(User, on_delete="CASCADE")
        card = pw.ForeignKeyField(Card, on_delete="CASCADE")
        deck = pw.ForeignKeyField(Deck, on_delete="CASCADE")
        reviewed_at = pw.DateTimeField()
        day = pw.DateField()
        quality = pw.SmallIntegerField()
        applied = pw.BooleanField()
        kind = pw.CharField(max_length=8, default="review")
        time_ms = pw.IntegerField(default=0)
        answer_id = pw.CharField(max_length=64, null=True)
        state_before = pw.TextField(null=True)
        interval_before = pw.IntegerField(default=0)
        interval_after = pw.IntegerField()
        easiness_x100_after = pw.IntegerField()
        repetitions_after = pw.IntegerField()
        due_after = pw.DateField()

        class Meta:
            indexes = (
                (("user", "answer_id"), True),
                (("user", "reviewed_at"), False),
                (("card",), False),
            )

    db.create_tables([User, Deck, Note, Card, CardState, ReviewLog])
    # NULL owners are distinct in a plain UNIQUE index, so shared decks get their own.
    db.execute_sql('CREATE UNIQUE INDEX deck_owner_slug ON deck (owner_id, slug) WHERE owner_id IS NOT NULL')
    db.execute_sql('CREATE UNIQUE INDEX deck_shared_slug ON deck (slug) WHERE owner_id IS NULL')
