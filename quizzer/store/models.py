"""Peewee models: users, decks, notes, cards, per-user card state and the review log.

A *note* is one YAML card entry; a *card* is what gets scheduled (a note makes
one card, two with ``reverse: true``, one per cloze number). Schema changes go
through ``migrations/``; these classes describe the head revision.
"""
from __future__ import annotations

import json
import unicodedata
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import peewee as pw

from quizzer.srs.limits import ANSWER_KINDS, START_EASINESS_X100
from quizzer.store.db import database_proxy
from quizzer.store.fields import CodeField, CompactIdField, EpochDayField, EpochMicrosField


def utcnow() -> datetime:
    """Naive UTC timestamp (stored as such in both databases)."""
    return datetime.now(UTC).replace(tzinfo=None)


class JsonField(pw.TextField):
    """JSON stored as text, so SQLite and PostgreSQL behave the same."""

    if TYPE_CHECKING:  # peewee's metaclass puts an accessor in the field's place: a model holds the JSON value
        def __get__(self, instance: object, owner: type) -> Any: ...

        def __set__(self, instance: object, value: Any) -> None: ...

    def db_value(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)

    def python_value(self, value):
        return None if value is None else json.loads(value)


class BaseModel(pw.Model):
    class Meta:
        database = database_proxy
        legacy_table_names = False


def username_key(username: str) -> str:
    """What makes two usernames the same: NFKC, case folded (so "Alice", "alice" and "Ａｌｉｃｅ" are one).
    NFKC again after folding, as Unicode's NFKC_Casefold does, so the key is stable."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", username).casefold())


class User(BaseModel):
    username = pw.CharField(max_length=64, unique=True)
    # username_key(username), unique (0010_username_key; accounts that collided before it
    # keep a suffixed key, "alice#7", and sign in by their exact name).
    username_key = pw.TextField(unique=True)
    password_hash = pw.CharField(max_length=255, default="")
    is_admin = pw.BooleanField(default=False)
    timezone = pw.CharField(max_length=64, default="UTC")
    rollover_hour = pw.SmallIntegerField(default=4)
    new_per_day = pw.IntegerField(default=20)
    reviews_per_day = pw.IntegerField(default=200)
    grade_scale = pw.CharField(max_length=8, default="buttons")
    suspend_leeches = pw.BooleanField(default=False)  # 0003_jobs: the roll-over suspends leeches
    typed_answers = pw.BooleanField(default=True)  # 0009_issue20: type the answer of cards with accept
    # 0016_deck_options: the defaults every deck inherits until its options say otherwise
    # (new_per_day and reviews_per_day above are also the limits of Study now, all decks together).
    new_order = pw.CharField(max_length=16, default="deck")
    bury_siblings = pw.BooleanField(default=True)
    # 0016_deck_options: the time zone and roll-over hour before the last change, which hold until
    # day_rule_at (the end of the study day the change was made in); the new rule's first day.
    previous_timezone = pw.CharField(max_length=64, null=True)
    previous_rollover_hour = pw.SmallIntegerField(null=True)
    day_rule_at = pw.DateTimeField(null=True)
    day_rule_first_day = pw.DateField(null=True)
    # Bumped on logout and password change: cookies issued before stop working.
    session_version = pw.IntegerField(default=0)
    created_at = pw.DateTimeField(default=utcnow)

    def save(self, *args, **kwargs):
        if self.username_key is None:  # a new account (a collided one keeps its suffixed key)
            self.username_key = username_key(self.username)
        return super().save(*args, **kwargs)


class Deck(BaseModel):
    owner = pw.ForeignKeyField(User, null=True, on_delete="CASCADE", backref="decks")
    slug = pw.CharField(max_length=64)
    title = pw.CharField(max_length=200)
    description = pw.TextField(default="")
    tags = JsonField(default=list)
    sources = JsonField(default=dict)
    content_hash = pw.CharField(max_length=64, default="")
    source_path = pw.TextField(default="")
    # 0012_issue16: "anki:<deck name>", "quizlet:<name>", "csv:<name>" for a deck imported from another
    # program (imports from there match on it, not on the id); "" for our own format.
    origin = pw.TextField(default="")
    card_count = pw.IntegerField(default=0)
    created_at = pw.DateTimeField(default=utcnow)
    updated_at = pw.DateTimeField(default=utcnow)

    @property
    def is_shared(self) -> bool:
        return self.owner_id is None


class Note(BaseModel):
    deck = pw.ForeignKeyField(Deck, on_delete="CASCADE", backref="notes", index=False)
    slug = pw.CharField(max_length=64)
    position = pw.IntegerField()
    kind = pw.CharField(max_length=8)
    question = pw.TextField(null=True)
    answer = pw.TextField(null=True)
    cloze = pw.TextField(null=True)
    explanation = pw.TextField(default="")
    explanation_html = pw.TextField(default="")
    # Space-padded (" a b ") so a tag filter is a LIKE '% a %'.
    tags = pw.TextField(default=" ")
    source = pw.TextField(default="")
    choices = JsonField(default=list)
    choices_html = JsonField(default=list)
    accept = JsonField(default=list)  # a list, or for a cloze note {"c1": [...], ...}
    # 0009_issue20: False shows the choices in file order; the typed-number tolerance ("" default);
    # the short answer a reverse face is typed against ("" for none).
    shuffle = pw.BooleanField(default=True)
    tolerance = pw.TextField(default="")
    reverse_answer = pw.TextField(default="")
    reverse = pw.BooleanField(default=False)
    retired = pw.BooleanField(default=False)

    class Meta:
        indexes = ((("deck", "slug"), True),)

    @property
    def tag_list(self) -> list[str]:
        return self.tags.split()


class Card(BaseModel):
    note = pw.ForeignKeyField(Note, on_delete="CASCADE", backref="cards", index=False)
    deck = pw.ForeignKeyField(Deck, on_delete="CASCADE", index=False)
    key = pw.CharField(max_length=16)
    position = pw.IntegerField()
    prompt = pw.TextField()
    answer = pw.TextField()
    prompt_html = pw.TextField()
    answer_html = pw.TextField()
    retired = pw.BooleanField(default=False)

    class Meta:
        indexes = (
            (("note", "key"), True),
            (("deck", "retired", "position"), False),
        )


class CardState(BaseModel):
    user = pw.ForeignKeyField(User, on_delete="CASCADE", index=False)
    card = pw.ForeignKeyField(Card, on_delete="CASCADE")
    deck = pw.ForeignKeyField(Deck, on_delete="CASCADE")
    repetitions = pw.IntegerField(default=0)
    interval = pw.IntegerField(default=0)
    easiness_x100 = pw.IntegerField(default=START_EASINESS_X100)
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
    leech = pw.BooleanField(default=False)  # 0003_jobs: lapsed QUIZZER_LEECH_LAPSES times or more

    class Meta:
        indexes = (
            (("user", "card"), True),
            (("user", "due"), False),
            (("user", "first_review_day"), False),
        )

    @property
    def easiness(self) -> float:
        return self.easiness_x100 / 100


class ReviewLog(BaseModel):
    """Append-only record of every answer (undo takes back the last one).

    Times and days are integers, the kind a code and answer ids bytes (store/fields.py, 0015_compact_review_log): the
    log is most of a database. Indexed for what is read: idempotent answers, today's and recent answers
    by time, a card's answers; undo's before-states through ``review_log_undo`` below."""

    user = pw.ForeignKeyField(User, on_delete="CASCADE", index=False)
    card = pw.ForeignKeyField(Card, on_delete="CASCADE")
    # No index: decks are retired, never deleted, and no query looks answers up by deck alone.
    deck = pw.ForeignKeyField(Deck, on_delete="CASCADE", index=False)
    reviewed_at = EpochMicrosField(default=utcnow)
    day = EpochDayField()
    quality = pw.SmallIntegerField()
    # False when the card was already scheduled today (SM-2 applies once a day).
    applied = pw.BooleanField()
    kind = CodeField(ANSWER_KINDS, default="review")  # its position in ANSWER_KINDS in the database
    time_ms = pw.IntegerField(default=0)
    answer_id = CompactIdField(max_length=64, null=True, column_name="answer_key")
    state_before = JsonField(null=True)
    interval_before = pw.IntegerField(default=0)
    interval_after = pw.IntegerField()
    easiness_x100_after = pw.IntegerField()
    repetitions_after = pw.IntegerField()
    due_after = EpochDayField()

    class Meta:
        indexes = (
            (("user", "reviewed_at"), False),
            (("card",), False),
        )


class SchemaMigration(BaseModel):
    """Which numbered migrations have been applied."""

    name = pw.CharField(max_length=128, primary_key=True)
    applied_at = pw.DateTimeField(default=utcnow)


ALL_MODELS = (User, Deck, Note, Card, CardState, ReviewLog)
# The user's columns of a pending time zone or roll-over change (services.users.day_rule_change).
DAY_RULE_COLUMNS = ("previous_timezone", "previous_rollover_hour", "day_rule_at", "day_rule_first_day")

# Indexes the migrations make with raw SQL, declared here too so the models describe the whole schema.
# A deck id is unique per owner and among the shared decks (NULL owners are distinct in a plain UNIQUE).
Deck.add_index(Deck.index(Deck.owner, Deck.slug, unique=True, where=Deck.owner.is_null(False),
                          name="deck_owner_slug"))
Deck.add_index(Deck.index(Deck.slug, unique=True, where=Deck.owner.is_null(), name="deck_shared_slug"))
# The review queue (0004_queue_indexes).
CardState.add_index(CardState.index(CardState.user, CardState.last_review_day, CardState.last_review,
                                    where=CardState.relearn, name="card_state_relearn"))
CardState.add_index(CardState.index(CardState.user, CardState.due, CardState.card,
                                    where=(CardState.reviews > 0) & ~CardState.suspended & ~CardState.retired,
                                    name="card_state_due_queue"))
# The stats page's forecast and card distributions read only these indexes (0003_jobs).
CardState.add_index(CardState.index(CardState.user, CardState.retired, CardState.suspended, CardState.due,
                                    name="card_state_stats_due"))
CardState.add_index(CardState.index(CardState.user, CardState.retired, CardState.interval,
                                    name="card_state_stats_interval"))
CardState.add_index(CardState.index(CardState.user, CardState.retired, CardState.easiness_x100, CardState.interval,
                                    name="card_state_stats_easiness"))
# The dashboard's due / not-new counts per deck as range counts (0005_count_indexes).
CardState.add_index(CardState.index(CardState.user, CardState.deck, CardState.due, CardState.reviews,
                                    CardState.suspended, CardState.retired,
                                    where=(CardState.reviews > 0) & ~CardState.suspended & ~CardState.retired,
                                    name="card_state_review_counts"))
CardState.add_index(CardState.index(CardState.user, CardState.deck, CardState.retired, CardState.suspended,
                                    CardState.reviews, CardState.due, CardState.buried_until,
                                    where=CardState.suspended | CardState.buried_until.is_null(False),
                                    name="card_state_held"))
# Answers undo can still take back (today's): the roll-over finds them here to drop their before-state
# (0007_undo_states).
ReviewLog.add_index(ReviewLog.index(ReviewLog.user, ReviewLog.day, where=ReviewLog.state_before.is_null(False),
                                    name="review_log_undo"))
# Idempotent answers; answers without an id take no room in it (0015_compact_review_log).
ReviewLog.add_index(ReviewLog.index(ReviewLog.user, ReviewLog.answer_id, unique=True,
                                    where=ReviewLog.answer_id.is_null(False), name="review_log_answer_key"))
