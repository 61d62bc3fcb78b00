"""Quiz pages (they work without JavaScript, through plain forms) and the JSON API under /api/quiz/."""
from __future__ import annotations

import re
import secrets
import time

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from quizzer.quiz.quality import SELF_GRADES
from quizzer.services import quiz as quizzes
from quizzer.services import quiz_results as results
from quizzer.services.errors import InvalidInput
from quizzer.services.readiness import overview
from quizzer.services.study import visible_decks
from quizzer.srs import local_clock
from quizzer.store.quiz_models import MODES
from quizzer.web.params import json_object, object_id, whole_number
from quizzer.web.quiz_present import history_payload, pending, question_payload, result_payload, topic_payload

bp = Blueprint("quiz", __name__)


# --- Reading requests -------------------------------------------------------------------------------

def _start_args(values: dict) -> dict:
    """start_quiz keywords from a form or a JSON body (lists, or space/comma separated text)."""
    decks, tags = values.get("decks") or [], values.get("tags") or []
    if isinstance(tags, str):
        tags = re.split(r"[\s,]+", tags)
    if not isinstance(decks, list) or not all(d not in (None, "") for d in decks):
        raise InvalidInput("decks: expected a list of deck ids")
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise InvalidInput("tags: expected a list of tags")
    return {"deck_ids": [object_id(d, "decks", "deck") for d in decks], "tags": tags,
            "count": whole_number(values.get("count"), "count", quizzes.DEFAULT_QUESTIONS),
            "time_limit_s": whole_number(values.get("time_limit"), "time_limit")}


def _form_values() -> dict:
    """The new-quiz form (or the dashboard's drill form: ``tag`` fields) as _start_args reads it."""
    form = request.form
    return {"mode": form.get("mode", ""), "decks": form.getlist("deck"), "count": form.get("count"),
            "tags": " ".join(form.getlist("tag") + [form.get("tags", "")]).strip(),
            "time_limit": form.get("time_limit")}


def _form_time_ms() -> int:
    """Time on the question for the no-JS pages: now minus when the page was rendered."""
    shown = whole_number(request.form.get("shown_at"), "shown_at", 0)
    return max(0, min(quizzes.MAX_TIME_MS, int(time.time() * 1000) - shown)) if shown else 0


# --- Pages --------------------------------------------------------------------------------------------

def _new_form(form: dict, error: str | None = None):
    user = current_user.user
    return render_template("quiz/new.html", decks=visible_decks(user), modes=MODES, form=form, error=error,
                           limits=quizzes.DEFAULT_TIME_LIMITS, count=quizzes.DEFAULT_QUESTIONS,
                           recent=results.history(user, limit=5), label=results.topic_label), 400 if error else 200


@bp.get("/quiz")
@login_required
def new_page():
    return _new_form({})


@bp.post("/quiz")
@login_required
def start_page():
    """Start a quiz from the form (or the dashboard's "drill these"); the form again on bad input."""
    values = _form_values()
    try:
        quiz = quizzes.start_quiz(current_user.user, values["mode"], **_start_args(values))
    except InvalidInput as err:
        return _new_form(values, str(err))
    return redirect(url_for("quiz.question_page", quiz_id=quiz.id, position=1))


@bp.get("/quiz/<int:quiz_id>")
@login_required
def quiz_page(quiz_id: int):
    """Go on where the quiz stands: the first question still open, else the result."""
    done = results.result(current_user.user, quiz_id)
    if done.quiz.finished_at is None:
        for question in done.questions:
            if question.answered_at is None or pending(question):
                return redirect(url_for("quiz.question_page", quiz_id=quiz_id, position=question.position))
    return redirect(url_for("quiz.result_page", quiz_id=quiz_id))


@bp.get("/quiz/<int:quiz_id>/<int:position>")
@login_required
def question_page(quiz_id: int, position: int):
    user = current_user.user
    question = quizzes.get_question(user, quiz_id, position)
    return render_template("quiz/question.html", q=question_payload(question), answer_id=secrets.token_hex(12),
                           shown_at=int(time.time() * 1000), label=results.topic_label(user, question.quiz))


def _next_page(quiz_id: int, position: int):
    question = quizzes.get_question(current_user.user, quiz_id, position)
    target = position + 1 if position < question.quiz.question_count else position
    return redirect(url_for("quiz.question_page", quiz_id=quiz_id, position=target))


@bp.post("/quiz/<int:quiz_id>/<int:position>/answer")
@login_required
def answer_page(quiz_id: int, position: int):
    form = request.form
    quizzes.answer(current_user.user, quiz_id, position, answer_id=form.get("answer_id", ""),
                   given=form.get("answer"), choice=whole_number(form.get("choice"), "choice"), time_ms=_form_time_ms())
    return redirect(url_for("quiz.question_page", quiz_id=quiz_id, position=position))


@bp.post("/quiz/<int:quiz_id>/<int:position>/overrule")
@login_required
def overrule_page(quiz_id: int, position: int):
    quizzes.overrule(current_user.user, quiz_id, position, request.form.get("overrule") == "1")
    return _next_page(quiz_id, position)


@bp.post("/quiz/<int:quiz_id>/<int:position>/grade")
@login_required
def grade_page(quiz_id: int, position: int):
    quizzes.self_grade(current_user.user, quiz_id, position, whole_number(request.form.get("self_grade"), "self_grade"))
    return _next_page(quiz_id, position)


@bp.post("/quiz/<int:quiz_id>/finish")
@login_required
def finish_page(quiz_id: int):
    quizzes.finish(current_user.user, quiz_id)
    return redirect(url_for("quiz.result_page", quiz_id=quiz_id))


@bp.get("/quiz/<int:quiz_id>/result")
@login_required
def result_page(quiz_id: int):
    user = current_user.user
    done = results.result(user, quiz_id)
    return render_template("quiz/result.html", r=result_payload(done, results.topic_label(user, done.quiz)),
                           grades=SELF_GRADES)


@bp.post("/quiz/<int:quiz_id>/retry")
@login_required
def retry_page(quiz_id: int):
    quiz = results.retry_missed(current_user.user, quiz_id)
    return redirect(url_for("quiz.question_page", quiz_id=quiz.id, position=1))


@bp.get("/quiz/history")
@login_required
def history_page():
    user = current_user.user
    rows = [{**history_payload(row, results.topic_label(user, row.quiz)),
             "local_time": local_clock(row.quiz.created_at, user.timezone).strftime("%Y-%m-%d %H:%M")}
            for row in results.history(user)]
    return render_template("quiz/history.html", rows=rows, timezone=user.timezone)


# --- JSON API -----------------------------------------------------------------------------------------

@bp.post("/api/quiz")
@login_required
def api_start():
    body = json_object()
    quiz = quizzes.start_quiz(current_user.user, body.get("mode", ""), **_start_args(body))
    return jsonify(id=quiz.id, questions=quiz.question_count,
                   url=url_for("quiz.question_page", quiz_id=quiz.id, position=1)), 201


@bp.get("/api/quiz/history")
@login_required
def api_history():
    user = current_user.user
    return jsonify(quizzes=[history_payload(row, results.topic_label(user, row.quiz))
                            for row in results.history(user)])


@bp.get("/api/quiz/<int:quiz_id>")
@bp.get("/api/quiz/<int:quiz_id>/result")
@login_required
def api_result(quiz_id: int):
    user = current_user.user
    done = results.result(user, quiz_id)
    return jsonify(result_payload(done, results.topic_label(user, done.quiz)))


@bp.get("/api/quiz/<int:quiz_id>/questions/<int:position>")
@login_required
def api_question(quiz_id: int, position: int):
    return jsonify(question_payload(quizzes.get_question(current_user.user, quiz_id, position)))


@bp.post("/api/quiz/<int:quiz_id>/questions/<int:position>/answer")
@login_required
def api_answer(quiz_id: int, position: int):
    body = json_object()
    quizzes.answer(current_user.user, quiz_id, position, answer_id=body.get("answer_id"),
                   given=body.get("answer"), choice=body.get("choice"), time_ms=body.get("time_ms", 0))
    return api_question(quiz_id, position)


@bp.post("/api/quiz/<int:quiz_id>/questions/<int:position>/overrule")
@login_required
def api_overrule(quiz_id: int, position: int):
    overruled = json_object().get("overrule")
    if not isinstance(overruled, bool):
        raise InvalidInput("overrule: expected true or false")
    quizzes.overrule(current_user.user, quiz_id, position, overruled)
    return api_question(quiz_id, position)


@bp.post("/api/quiz/<int:quiz_id>/questions/<int:position>/grade")
@login_required
def api_grade(quiz_id: int, position: int):
    quizzes.self_grade(current_user.user, quiz_id, position, json_object().get("self_grade"))
    return api_question(quiz_id, position)


@bp.post("/api/quiz/<int:quiz_id>/finish")
@login_required
def api_finish(quiz_id: int):
    quizzes.finish(current_user.user, quiz_id)
    return api_result(quiz_id)


@bp.post("/api/quiz/<int:quiz_id>/retry")
@login_required
def api_retry(quiz_id: int):
    quiz = results.retry_missed(current_user.user, quiz_id)
    return jsonify(id=quiz.id, questions=quiz.question_count,
                   url=url_for("quiz.question_page", quiz_id=quiz.id, position=1)), 201


@bp.get("/api/readiness")
@login_required
def api_readiness():
    found = overview(current_user.user)
    return jsonify(decks=[topic_payload(t) for t in found.decks], tags=[topic_payload(t) for t in found.tags],
                   weakest=[topic_payload(t) for t in found.weakest])
