"""HTML pages: dashboard, study session (works without JavaScript), summary, decks, settings."""
from __future__ import annotations

import secrets
from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from quizzer import clock
from quizzer.services import catalog, review, review_faces
from quizzer.services import users as user_service
from quizzer.services.errors import InvalidInput
from quizzer.services.progress import session_summary, streak
from quizzer.services.readiness import overview as readiness_overview
from quizzer.services.study import get_visible_deck, overview, queue_counts, study_day_for
from quizzer.srs import MATURE_DAYS, grade_options, user_timezones
from quizzer.web.auth import is_local_path
from quizzer.web.params import MAX_ID, deck_scope, object_id, search_text, whole_number
from quizzer.web.present import card_payload, counts_payload, queue_payload, typed_payload

bp = Blueprint("pages", __name__)


@bp.get("/")
def dashboard():
    if not current_user.is_authenticated:
        return render_template("landing.html")
    user = current_user.user
    today = study_day_for(user)
    counts = overview(user, today)
    return render_template("dashboard.html", decks=counts.decks, today=today, streak=streak(user, today),
                           progress=counts.progress, queue=counts.queue, readiness=readiness_overview(user),
                           mature_days=MATURE_DAYS)


@bp.get("/study")
@login_required
def study():
    user, now = current_user.user, clock.now()
    deck_id = deck_scope()
    deck = get_visible_deck(user, deck_id) if deck_id is not None else None
    session.setdefault("study_started", now.replace(tzinfo=None).isoformat())
    card_id = object_id(request.args.get("card"), "card")
    # no-JS reveal of a specific card, or the next one
    step = (review.card_with_counts(user, card_id, now, deck_id) if card_id is not None
            else review.next_with_counts(user, now, deck_id))
    if step.card is None:
        return redirect(url_for("pages.summary", deck=deck_id))
    revealed, typed = request.args.get("reveal") == "1", None
    if revealed and "typed" in request.args and step.card.typed:  # the no-JS check
        typed = {**typed_payload(review_faces.check_typed(user, step.card.view.card.id, request.args["typed"])),
                 "given": request.args["typed"]}
    return render_template("study.html", card=card_payload(step.card), counts=counts_payload(step.counts),
                           queue=queue_payload(step.contents), deck=deck, revealed=revealed, typed=typed,
                           answer_id=secrets.token_hex(12), scale=user.grade_scale)


@bp.post("/study/answer")
@login_required
def study_answer():
    deck_id = deck_scope()
    card_id = object_id(request.form.get("card_id"), "card_id", "card")
    quality = whole_number(request.form.get("quality"), "quality")
    if card_id is None or quality is None:
        raise InvalidInput(f"{'card_id' if card_id is None else 'quality'}: required")
    review.answer(current_user.user, card_id, quality, answer_id=request.form.get("answer_id") or None)
    return redirect(url_for("pages.study", deck=deck_id))


@bp.post("/study/undo")
@login_required
def study_undo():
    deck_id = deck_scope()
    card_id = review.undo_last(current_user.user)
    if card_id is None:
        flash("Nothing to undo today.")
        return redirect(url_for("pages.study", deck=deck_id))
    return redirect(url_for("pages.study", deck=deck_id, card=card_id))


@bp.post("/cards/<int:card_id>/suspend")
@login_required
def suspend(card_id: int):
    deck_id = deck_scope()
    suspended = request.form.get("suspended", "1") == "1"
    review.set_suspended(current_user.user, card_id, suspended)
    flash("Card suspended." if suspended else "Card unsuspended.")
    return redirect(request.form["next"] if is_local_path(request.form.get("next"))
                    else url_for("pages.study", deck=deck_id))


@bp.post("/cards/<int:card_id>/bury")
@login_required
def bury(card_id: int):
    deck_id = deck_scope()
    review.bury(current_user.user, card_id)
    flash("Card buried until tomorrow.")
    return redirect(url_for("pages.study", deck=deck_id))


@bp.get("/study/summary")
@login_required
def summary():
    user, deck_id = current_user.user, deck_scope()
    if deck_id is not None:
        get_visible_deck(user, deck_id)
    today = study_day_for(user)
    started = session.pop("study_started", None)
    since = datetime.fromisoformat(started) if started else today.starts_at
    labels = dict((q, label) for label, q in grade_options(user.grade_scale))
    return render_template("summary.html", summary=session_summary(user, since, today), labels=labels,
                           queue=queue_counts(user, today, deck_id), deck_id=deck_id)


@bp.get("/decks/<int:deck_id>")
@login_required
def deck(deck_id: int):
    text, tag = search_text(request.args.get("q"), "q"), search_text(request.args.get("tag"), "tag")
    page = min(whole_number(request.args.get("page"), "page") or 1, MAX_ID // catalog.PAGE_SIZE)
    found, rows, total = catalog.deck_cards(current_user.user, deck_id, text=text, tag=tag, page=page)
    return render_template("deck.html", deck=found, rows=rows, total=total, q=text, tag=tag, page=page,
                           page_size=catalog.PAGE_SIZE, tags=catalog.deck_tags(found))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    error = None
    if request.method == "POST":
        fields = ("timezone", "rollover_hour", "new_per_day", "reviews_per_day", "grade_scale", "suspend_leeches",
                  "typed_answers")
        try:
            user_service.update_settings(current_user.user, **{f: request.form.get(f, "") for f in fields})
            flash("Settings saved.")
            return redirect(url_for("pages.settings"))
        except InvalidInput as err:
            error = str(err)
    return render_template("settings.html", error=error, timezones=user_timezones()), \
        400 if error else 200
