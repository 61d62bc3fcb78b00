"""Custom study's pages and API: the review screen over a custom session (services.custom_study),
with and without JavaScript. The session travels as query parameters (custom, days or tag, deck)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, flash, jsonify, redirect, request, session, url_for
from flask_login import current_user, login_required

from quizzer import clock
from quizzer.services import custom_study
from quizzer.services.study import get_visible_deck
from quizzer.web.pages import render_study
from quizzer.web.params import deck_scope, form_grade, json_answer, json_body, json_object, object_id
from quizzer.web.present import step_payload

bp = Blueprint("custom_study", __name__)


def _session() -> custom_study.CustomSession:
    """The session from the query, else the form, else a JSON body (as deck_scope reads the deck)."""
    values: Mapping[str, Any] = request.args if request.method == "GET" or "custom" in request.args else request.form
    if request.method == "POST" and not values:
        body = json_body(required=False)
        values = body if isinstance(body, dict) else {}
    return custom_study.check_session(values.get("custom"), deck_scope(), values.get("days"), values.get("tag"))


@bp.get("/study/custom")
@login_required
def page():
    user, now, scope = current_user.user, clock.now(), _session()
    deck = get_visible_deck(user, scope.deck_id) if scope.deck_id is not None else None
    session.setdefault("study_started", now.replace(tzinfo=None).isoformat())
    card_id = object_id(request.args.get("card"), "card")
    step = custom_study.custom_step(user, scope, now, card_id=card_id)  # a card given: the no-JS reveal
    if step.card is None:
        flash(f"{scope.label}: nothing left to study.")
        return redirect(url_for("pages.deck", deck_id=scope.deck_id) if scope.deck_id else url_for("pages.dashboard"))
    return render_study(user, step, deck, custom=scope.label, scope=scope.params(),
                        study_page="custom_study.page", answer_page="custom_study.answer")


@bp.post("/study/custom/answer")
@login_required
def answer():
    scope = _session()
    card_id, quality, answer_id = form_grade(request.form)
    custom_study.answer_custom(current_user.user, scope, card_id, quality, answer_id=answer_id, now=clock.now())
    return redirect(url_for("custom_study.page", **scope.params()))


@bp.get("/api/custom/next")
@login_required
def api_next():
    return jsonify(step_payload(custom_study.custom_step(current_user.user, _session(), clock.now())))


@bp.post("/api/custom/answer")
@login_required
def api_answer():
    body, scope = json_object(), _session()
    card_id, answer_id, time_ms = json_answer(body)
    step = custom_study.answer_and_next(current_user.user, scope, card_id, body.get("quality"), clock.now(),
                                        answer_id=answer_id, time_ms=time_ms)
    return jsonify(step_payload(step))
