"""JSON API under /api/: the review page talks to these, and so can other clients."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user, login_required

from quizzer.services import review
from quizzer.services.errors import InvalidInput
from quizzer.services.study import due_counts_by_deck, queue_counts, study_day_for
from quizzer.web.present import card_payload, counts_payload

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.before_request
@login_required
def _require_login():
    """Every API call needs a session (401 as JSON otherwise)."""


def _deck_arg() -> int | None:
    raw = request.args.get("deck") or (request.get_json(silent=True) or {}).get("deck")
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise InvalidInput(f"deck: expected a deck id, got {raw!r}") from None


def _queue_state(deck_id: int | None) -> dict:
    user = current_user.user
    view = review.next_card(user, deck_id)
    today = study_day_for(user)
    return {"card": card_payload(user, view) if view else None,
            "counts": counts_payload(queue_counts(user, today, deck_id))}


@bp.get("/review/next")
def review_next():
    return jsonify(_queue_state(_deck_arg()))


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput("body: expected a JSON object")
    return body


def _int_field(body: dict, name: str, required: bool = True) -> int | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{name}: expected a whole number, got {value!r}")
    return value


@bp.post("/review/answer")
def review_answer():
    """Grade a card and return the next one in the same round trip."""
    body = _body()
    answer_id = body.get("answer_id")
    if answer_id is not None and not isinstance(answer_id, str):
        raise InvalidInput("answer_id: expected a string")
    outcome = review.answer(current_user.user, _int_field(body, "card_id"), _int_field(body, "quality"),
                            answer_id=answer_id, time_ms=_int_field(body, "time_ms", required=False) or 0)
    result = _queue_state(_deck_arg())
    result["outcome"] = {"card_id": outcome.card_id, "quality": outcome.quality, "applied": outcome.applied,
                         "interval": outcome.interval, "due": outcome.due.isoformat(),
                         "relearn": outcome.relearn, "replayed": outcome.replayed}
    return jsonify(result)


@bp.post("/review/undo")
def review_undo():
    card_id = review.undo_last(current_user.user)
    if card_id is None:
        raise InvalidInput("nothing to undo today")
    view = review.card_view(current_user.user, card_id)
    result = _queue_state(_deck_arg())
    result["card"] = card_payload(current_user.user, view)
    return jsonify(result)


@bp.post("/cards/<int:card_id>/suspend")
def suspend(card_id: int):
    review.set_suspended(current_user.user, card_id, bool(_body().get("suspended", True)))
    return jsonify(_queue_state(_deck_arg()))


@bp.post("/cards/<int:card_id>/bury")
def bury(card_id: int):
    review.bury(current_user.user, card_id)
    return jsonify(_queue_state(_deck_arg()))


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
