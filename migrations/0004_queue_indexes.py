"""Indexes for the review queue (measured in bench/review_bench.py).

- card_state_relearn: the few cards failed today (SM-2 step 7), found without reading every state.
- card_state_due_queue: the next due review in due order, only over cards answered at least once.
- 0001's (user, deck, retired, due, suspended, buried_until) index goes: the dashboard counts use
  the partial indexes of 0005 instead, and every answer would keep paying to maintain it.
"""


def upgrade(db, migrator):
    db.execute_sql("DROP INDEX card_state_user_id_deck_id_retired_due_suspended_buried_until")
    db.execute_sql("CREATE INDEX card_state_relearn ON card_state (user_id, last_review_day, last_review) "
                   "WHERE relearn")
    db.execute_sql("CREATE INDEX card_state_due_queue ON card_state (user_id, due, card_id) "
                   "WHERE reviews > 0 AND NOT suspended AND NOT retired")
