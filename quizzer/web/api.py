"""JSON API under /api/: the review page talks to these, and so can other clients.

Each review call reads the clock once and makes one service call, which returns the whole step
(the card to show, the counts, the queue contents to send back next time)."""
from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, jsonify
from flask_login import current_user, login_required

from quizzer import clock
from quizzer.services import review, review_faces
from quizzer.services.day_plan import due_counts_by_deck
from quizzer.services.errors import Conflict, InvalidInput
from quizzer.services.study import DeckPart, QueueContents, study_day_for
from quizzer.web.params import MAX_ID, deck_scope, json_answer, json_body, json_int, json_object, object_id, shown
from quizzer.web.present import card_payload, step_payload, typed_payload

bp = Blueprint("api", __name__, url_prefix="/api")
MAX_CARRIED_DECKS = 10_000  # a user's decks, at most, in a carried queue
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # fromisoformat also reads "2026W10" and "20260305"


@bp.before_request
@login_required
def _require_login():
    """Every API call needs a session (401 as JSON otherwise)."""


@bp.get("/review/next")
def review_next():
    return jsonify(step_payload(review.next_with_counts(current_user.user, clock.now(), deck_scope())))


def _carried() -> QueueContents | None:
    """The queue contents the client was given last time (``queue`` in the body), checked: per deck
    [id, new, due, relearn] as whole numbers from 0, the scope, a date. They only move what this
    user's screen shows (the limits are read from the database), so a client may send none, and then
    the service counts in full."""
    body = json_body(required=False)
    raw = body.get("queue") if isinstance(body, dict) else None
    if raw is None:
        return None
    decks = raw.get("decks") if isinstance(raw, dict) else None
    if not isinstance(decks, list) or len(decks) > MAX_CARRIED_DECKS \
            or not all(isinstance(d, list) and len(d) == 4 and all(type(n) is int and 0 <= n <= MAX_ID for n in d)
                       for d in decks) \
            or "deck" not in raw or not (raw["deck"] is None or type(raw["deck"]) is int):
        raise InvalidInput("queue: expected the queue object the last review call returned")
    return QueueContents(_carried_day(raw.get("day")), raw["deck"], tuple(DeckPart(*d) for d in decks))


def _carried_day(raw) -> date:
    try:
        if isinstance(raw, str) and _ISO_DAY.fullmatch(raw):
            return date.fromisoformat(raw)
    except ValueError:
        pass
    raise InvalidInput("queue: day: expected a date (YYYY-MM-DD)")


@bp.post("/review/answer")
def review_answer():
    """Grade a card and return the next one in the same round trip."""
    body, deck_id = json_object(), deck_scope()
    card_id, answer_id, time_ms = json_answer(body)
    step = review.answer_and_next(current_user.user, card_id, body.get("quality"), clock.now(), deck_id=deck_id,
                                  answer_id=answer_id, time_ms=time_ms, counts=_carried())
    return jsonify(step_payload(step))


@bp.post("/review/check")
def review_check():
    """Judge a typed answer (nothing is graded: the verdict preselects a grade the user may change)."""
    body = json_object()
    card_id = object_id(json_int(body, "card_id"), "card_id", "card")
    if card_id is None:
        raise InvalidInput("card_id: required")
    return jsonify(typed_payload(review_faces.check_typed(current_user.user, card_id, body.get("answer"))))


@bp.post("/review/undo")
def review_undo():
    deck_id = deck_scope()
    step = review.undo_and_show(current_user.user, clock.now(), deck_id=deck_id, counts=_carried())
    if step is None:
        raise Conflict(f"nothing to undo: undo takes back today's answers, the last {review.UNDO_DEPTH} at most")
    return jsonify(step_payload(step))


@bp.post("/cards/<int:card_id>/suspend")
def suspend(card_id: int):
    deck_id, suspended = deck_scope(), json_object().get("suspended", True)
    if not isinstance(suspended, bool):  # "false" must not suspend
        raise InvalidInput(f"suspended: expected true or false, got {shown(suspended)}")
    step = review.suspend_and_next(current_user.user, card_id, suspended, clock.now(), deck_id=deck_id,
                                   counts=_carried())
    return jsonify(step_payload(step))


@bp.post("/cards/<int:card_id>/bury")
def bury(card_id: int):
    deck_id = deck_scope()
    step = review.bury_and_next(current_user.user, card_id, clock.now(), deck_id=deck_id, counts=_carried())
    return jsonify(step_payload(step))


@bp.get("/cards/<int:card_id>")
def card(card_id: int):
    return jsonify(card_payload(review.show_card(current_user.user, card_id, clock.now())))


@bp.get("/decks")
def decks():
    user = current_user.user
    rows = due_counts_by_deck(user, study_day_for(user, clock.now()))
    return jsonify(decks=[{"id": c.deck.id, "slug": c.deck.slug, "title": c.deck.title,
                           "shared": c.deck.is_shared, "new": c.new, "due": c.due, "total": c.total}
                          for c in rows])
