"""How many answers keep the card's state from before them, for exact undo.

Undo takes back the current study day's answers one at a time, restoring the card from the
answer's ``state_before`` (about 280 bytes of JSON). The daily roll-over drops it from finished
days (0007); ``drop_old_undo_states`` also drops it from all but a user's last ``UNDO_DEPTH``
answers within a day, so a long day costs no more than 30 answers' worth. Undo must then stop at
an answer whose before-state was dropped (``before_state_dropped``) instead of taking it for the
card's first answer, whose before-state is NULL too (the card had no state).
"""
from __future__ import annotations

from quizzer.store.models import ReviewLog

UNDO_DEPTH = 30  # answers a user can take back in a row
UNDO_PRUNE_EVERY = 16  # the answer path trims when the new answer's id is a multiple: <= 46 kept, ~0.3 ms each


def drop_old_undo_states(user_id: int, keep: int = UNDO_DEPTH) -> int:
    """Drop the before-state from all but the user's ``keep`` newest answers that hold one, in one
    statement.

    Reads only the partial index ``review_log_undo`` (the answers still holding one: at most a
    day's), so it is cheap enough to run with every few answers. Returns the rows changed."""
    holding = (ReviewLog.user == user_id) & ReviewLog.state_before.is_null(False)
    oldest_kept = (ReviewLog.select(ReviewLog.id).where(holding)
                   .order_by(ReviewLog.id.desc()).limit(1).offset(keep - 1))
    # Fewer than ``keep`` held: the subquery is NULL and ``id < NULL`` matches nothing.
    return ReviewLog.update(state_before=None).where(holding & (ReviewLog.id < oldest_kept)).execute()


def before_state_dropped(log: ReviewLog) -> bool:
    """True if ``log`` lost its before-state to ``drop_old_undo_states`` (or the roll-over): it has
    none although the user answered its card before. Its answer can no longer be undone exactly."""
    if log.state_before is not None:
        return False
    return (ReviewLog.select(ReviewLog.id)
            .where((ReviewLog.card == log.card_id) & (ReviewLog.user == log.user_id) & (ReviewLog.id < log.id))
            .exists())
