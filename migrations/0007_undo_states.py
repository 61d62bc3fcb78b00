"""Keep the card's before-state only on the answers undo can still take back.

Undo reaches back through the current study day's answers only, so the daily roll-over
drops ``state_before`` (a JSON copy of the card state, about 280 bytes) from the answers
of finished days: it was two fifths of the review-bench database. This index holds just
the answers that still carry one, so the roll-over finds them without scanning the log.
The first roll-over after this migration clears the older answers too.
"""


def upgrade(db, migrator):
    db.execute_sql("CREATE INDEX review_log_undo ON review_log (user_id, day) WHERE state_before IS NOT NULL")
