"""Indexes for the review queue and the dashboard counts (measured in bench/review_bench.py).

- card_state_relearn: the few cards failed today (SM-2 step 7), found without reading every state.
- card_state_due_queue: the next due review in due order, only over cards answered at least once.
- card_state_counts: covers the due / not-new counts per deck, so they read one index and no rows;
  it replaces 0001's narrower index, which lacked ``reviews``.
"""


def upgrade(db, migrator):
    db.execute_sql("DROP INDEX card_state_user_id_deck_id_retired_due_suspended_buried_until")
    db.execute_sql("CREATE INDEX card_state_counts ON card_state "
                   "(user_id, deck_id, retired, reviews, suspended, due, buried_until)")
    db.execute_sql("CREATE INDEX card_state_relearn ON card_state (user_id, last_review_day, last_review) "
                   "WHERE relearn")
    db.execute_sql("CREATE INDEX card_state_due_queue ON card_state (user_id, due, card_id) "
                   "WHERE reviews > 0 AND NOT suspended AND NOT retired")
