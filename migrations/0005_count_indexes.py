"""Indexes for the dashboard's due / not-new counts per deck (measured in bench/review_bench.py).

- card_state_review_counts: the answered, active states of a deck in due order. The due count
  and the rest of the answered states are two range counts in it (``due <= day`` and
  ``due > day``): no expression is evaluated per row. It covers the columns of its WHERE so
  SQLite reads no table rows.
- card_state_held: the few suspended or buried states, which the range counts correct for.

The count queries write ``reviews > 0`` as a literal: SQLite uses a partial index only when
the query's WHERE implies the index's, which a bound parameter does not.
"""


def upgrade(db, migrator):
    db.execute_sql("CREATE INDEX card_state_review_counts ON card_state "
                   "(user_id, deck_id, due, reviews, suspended, retired) "
                   "WHERE reviews > 0 AND NOT suspended AND NOT retired")
    db.execute_sql("CREATE INDEX card_state_held ON card_state "
                   "(user_id, deck_id, retired, suspended, reviews, due, buried_until) "
                   "WHERE suspended OR buried_until IS NOT NULL")
