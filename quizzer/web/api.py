"""JSON API under /api/: the review page talks to these, and so can other clients."""
from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user, login_required

from quizzer.services import review, review_faces
from quizzer.services.day_plan import due_counts_by_deck, queue_counts
from quizzer.services.errors import Conflict, InvalidInput
from quizzer.services.study import study_day_for
from quizzer.web.params import deck_scope, json_body, json_int, object_id, shown
from quizzer.web.present import card_payload, counts_payload, typed_payload

bp = Blueprint("api", __name__, url_prefix="/api")
MAX_TIME_MS = 2**31 - 1


@bp.before_request
@login_required
def _require_login():
    """Every API call needs a session (401 as JSON otherwise)."""


def _queue_state(deck_id: int | None) -> dict:
    user = current_user.user
    view = review.next_card(user, deck_id)
    today = study_day_for(user)
    return {"card": card_payload(user, view) if view else None,
            "counts": counts_payload(queue_counts(user, today, deck_id))}


@bp.get("/review/next")
def review_next():
    return jsonify(_queue_state(deck_scope()))


def _body() -> dict:
    body = json_body()
    if not isinstance(body, dict):
        raise InvalidInput("body: expected a JSON object")
    return body


def _answer_id(body: dict) -> str | None:
    answer_id = body.get("answer_id")
    if answer_id is not None and not isinstance(answer_id, str):
        raise InvalidInput("answer_id: expected a string")
    return answer_id


@bp.post("/review/answer")
def review_answer():
    """Grade a card and return the next one in the same round trip."""
    body, deck_id = _body(), deck_scope()
    card_id = object_id(json_int(body, "card_id"), "card_id", "card")
    if card_id is None:
        raise InvalidInput("card_id: required")
    # time_ms is a 32-bit column on PostgreSQL: a tab left open for weeks is capped, not a crash.
    time_ms = max(0, min(json_int(body, "time_ms") or 0, MAX_TIME_MS))
    outcome = review.answer(current_user.user, card_id, body.get("quality"), answer_id=_answer_id(body),
                            time_ms=time_ms)
    result = _queue_state(deck_id)
    result["outcome"] = {"card_id": outcome.card_id, "quality": outcome.quality, "applied": outcome.applied,
                         "interval": outcome.interval, "due": outcome.due.isoformat(),
                         "relearn": outcome.relearn, "replayed": outcome.replayed}
    return jsonify(result)


@bp.post("/review/check")
def review_check():
    """Judge a typed answer (nothing is graded: the verdict preselects a grade the user may change)."""
    body = _body()
    card_id = object_id(json_int(body, "card_id"), "card_id", "card")
    if card_id is None:
        raise InvalidInput("card_id: required")
    return jsonify(typed_payload(review_faces.check_typed(current_user.user, card_id, body.get("answer"))))


@bp.post("/review/undo")
def review_undo():
    deck_id = deck_scope()
    card_id = review.undo_last(current_user.user)
    if card_id is None:
        raise Conflict("nothing to undo today")
    view = review.card_view(current_user.user, card_id)
    result = _queue_state(deck_id)
    result["card"] = card_payload(current_user.user, view)
    return jsonify(result)


@bp.post("/cards/<int:card_id>/suspend")
def suspend(card_id: int):
    deck_id, suspended = deck_scope(), _body().get("suspended", True)
    if not isinstance(suspended, bool):  # "false" must not suspend
        raise InvalidInput(f"suspended: expected true or false, got {shown(suspended)}")
    review.set_suspended(current_user.user, card_id, suspended)
    return jsonify(_queue_state(deck_id))


@bp.post("/cards/<int:card_id>/bury")
def bury(card_id: int):
    deck_id = deck_scope()
    review.bury(current_user.user, card_id)
    return jsonify(_queue_state(deck_id))


@bp.get("/cards/<int:card_id>")
def card(card_id: int):
    return jsonify(card_payload(current_user.user, review.card_view(current_user.user, card_id)))


@bp.get("/decks")
def decks():
    user = current_user.user
    rows = due_counts_by_deck(user, study_day_for(user))
    return jsonify(decks=[{"id": c.deck.id, "slug": c.deck.slug, "title": c.deck.title,
                           "shared": c.deck.is_shared, "new": c.new, "due": c.due, "total": c.total}
                          for c in rows])
