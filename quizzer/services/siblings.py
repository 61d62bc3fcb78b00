"""Burying an answered card's siblings, and putting them back when the answer is undone.

What the answer buried travels in its log's before-state (``BURIED_SIBLINGS``, store/card_states.py):
``[card id, buried_until before]`` for a sibling that had a state, ``[card id]`` for one the burial gave
its first state. Undo restores exactly those; a sibling hidden for another reason was never buried by
the answer, so it stays hidden.
"""
from __future__ import annotations

from datetime import date, timedelta

from quizzer.services.study import QueueChange
from quizzer.srs.queue import Sibling, siblings_to_bury
from quizzer.store import card_states, deck_day
from quizzer.store.models import CardState
from quizzer.store.queue import bucket

BurialRecord = list[list]  # [card id, ISO buried_until or None] or [card id]


def bury_siblings(user_id: int, card_id: int, day: date) -> tuple[tuple[QueueChange, ...], BurialRecord]:
    """Hide the note's other cards until the next study day, so a cloze's c2 does not follow its c1
    (nor a reverse its front): their queue changes, and what undo needs to put them back."""
    siblings = deck_day.siblings_of(user_id, card_id)
    views = [Sibling(sibling_id, state is not None and state.relearn and state.last_review_day == day,
                     state is not None and state.buried_until is not None and state.buried_until > day,
                     state is not None and state.suspended)
             for sibling_id, _, state in siblings]
    chosen = set(siblings_to_bury(views, bury=True))
    hidden = [(sibling_id, deck_id, state) for sibling_id, deck_id, state in siblings if sibling_id in chosen]
    record = [[sibling_id] if state is None else [sibling_id, _iso(state.buried_until)]
              for sibling_id, _, state in hidden]
    changes = tuple((deck_id, bucket(state, False, day), None) for _, deck_id, state in hidden)
    deck_day.bury_cards(user_id, hidden, day + timedelta(days=1), day)
    return changes, record


def unbury_siblings(user_id: int, card_id: int, record: BurialRecord, day: date) -> tuple[QueueChange, ...]:
    """Put back the siblings an undone answer buried (``record``): their queue changes. A state the
    burial made goes again, unless something since (a quiz answer, a suspension) made it matter."""
    before = {entry[0]: entry[1:] for entry in record}
    changes = []
    for sibling_id, deck_id, state in deck_day.siblings_of(user_id, card_id):
        if sibling_id not in before or state is None:
            continue
        part_before = bucket(state, False, day)
        if not before[sibling_id] and _untouched(state):
            card_states.delete_state(state)
            changes.append((deck_id, part_before, bucket(None, False, day)))
            continue
        prior = before[sibling_id][0] if before[sibling_id] else None
        state.buried_until = date.fromisoformat(prior) if prior else None
        card_states.write_state(state)
        changes.append((deck_id, part_before, bucket(state, False, day)))
    return tuple(changes)


def _untouched(state: CardState) -> bool:
    """A state nothing but the burial wrote: no answer, no suspension."""
    return state.reviews == 0 and state.first_review_day is None and not state.suspended


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None
