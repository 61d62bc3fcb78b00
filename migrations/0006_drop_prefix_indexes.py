"""Drop the single-column foreign-key indexes whose column leads a composite index.

peewee indexes every foreign key by default; where a composite index starts with the
same column (note (deck_id, slug), card (note_id, key), card_state (user_id, card_id),
...), that index already serves lookups by the column and the ON DELETE CASCADE
checks, so the single-column one only costs writes (one more b-tree per inserted
card, state and log row) and space.
"""

REDUNDANT = ("note_deck_id", "card_note_id", "card_deck_id", "card_state_user_id", "review_log_user_id",
             "review_day_user_id", "day_snapshot_user_id", "quiz_user_id", "quiz_question_quiz_id")


def upgrade(db, migrator):
    for name in REDUNDANT:
        db.execute_sql(f'DROP INDEX IF EXISTS "{name}"')
