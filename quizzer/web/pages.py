"""HTML pages: dashboard, study session (works without JavaScript), summary, decks, settings."""
from __future__ import annotations

import secrets
from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from quizzer import clock
from quizzer.services import catalog, deck_options, review, review_faces
from quizzer.services import users as user_service
from quizzer.services.day_plan import overview, queue_counts
from quizzer.services.errors import InvalidInput
from quizzer.services.progress import session_summary, streak
from quizzer.services.readiness import overview as readiness_overview
from quizzer.services.study import get_visible_deck, study_day_for
from quizzer.srs import MATURE_DAYS, grade_options, local_clock, user_timezones
from quizzer.srs.queue import NEW_ORDER_LABELS
from quizzer.web.auth import is_local_path
from quizzer.web.params import MAX_ID, deck_scope, form_grade, object_id, search_text, whole_number
from quizzer.web.present import card_payload, counts_payload, queue_payload, typed_payload

bp = Blueprint("pages", __name__)


@bp.get("/")
def dashboard():
    if not current_user.is_authenticated:
        return render_template("landing.html")
    user = current_user.user
    today = study_day_for(user)
    counts = overview(user, today)  # the deck rows and Study now from one rule, as the queue serves them
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
    return render_study(user, step, deck)


def render_study(user, step: review.ReviewStep, deck, **custom) -> str:
    """The review screen for a step with a card (``custom``: a custom study's scope and pages)."""
    assert step.card is not None
    revealed, typed = request.args.get("reveal") == "1", None
    if revealed and "typed" in request.args and step.card.typed:  # the no-JS check
        typed = {**typed_payload(review_faces.check_typed(user, step.card.view.card.id, request.args["typed"])),
                 "given": request.args["typed"]}
    return render_template("study.html", card=card_payload(step.card), counts=counts_payload(step.counts),
                           queue=step.contents and queue_payload(step.contents), deck=deck, revealed=revealed,
                           typed=typed, answer_id=secrets.token_hex(12), scale=user.grade_scale, **custom)


@bp.post("/study/answer")
@login_required
def study_answer():
    deck_id = deck_scope()
    card_id, quality, answer_id = form_grade(request.form)
    review.answer(current_user.user, card_id, quality, answer_id=answer_id)
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
    return _deck_page(deck_id)


def _deck_page(deck_id: int, error: str | None = None):
    user = current_user.user
    text, tag = search_text(request.args.get("q"), "q"), search_text(request.args.get("tag"), "tag")
    page = min(whole_number(request.args.get("page"), "page") or 1, MAX_ID // catalog.PAGE_SIZE)
    found, rows, total = catalog.deck_cards(user, deck_id, text=text, tag=tag, page=page)
    options = deck_options.options_for_deck(user, deck_id, study_day_for(user).day)
    return render_template("deck.html", deck=found, rows=rows, total=total, q=text, tag=tag, page=page,
                           page_size=catalog.PAGE_SIZE, tags=catalog.deck_tags(found), options=options,
                           new_orders=NEW_ORDER_LABELS, error=error), 400 if error else 200


@bp.post("/decks/<int:deck_id>/options")
@login_required
def deck_options_save(deck_id: int):
    fields = ("new_per_day", "reviews_per_day", "new_order", "bury_siblings")
    try:  # the form sends every field ("" inherits); one left out stays as it is
        deck_options.update_deck_options(current_user.user, deck_id, **{f: request.form[f] for f in fields
                                                                         if f in request.form})
    except InvalidInput as err:
        return _deck_page(deck_id, str(err))
    flash("Deck options saved.")
    return redirect(url_for("pages.deck", deck_id=deck_id))


@bp.post("/decks/<int:deck_id>/extra-new")
@login_required
def deck_extra_new(deck_id: int):
    try:
        extra = deck_options.add_extra_new_cards(current_user.user, deck_id, request.form.get("extra_new", ""),
                                                 clock.now())
    except InvalidInput as err:
        return _deck_page(deck_id, str(err))
    flash(f"{extra} extra new card{'' if extra == 1 else 's'} today in this deck.")
    return redirect(url_for("pages.deck", deck_id=deck_id))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    error, now = None, clock.now()
    if request.method == "POST":
        fields: tuple[str, ...] = ("timezone", "rollover_hour", "new_per_day", "reviews_per_day", "grade_scale",
                                   "suspend_leeches", "typed_answers")
        if "new_order" in request.form:  # a form served before these existed leaves them as they are
            fields += ("new_order", "bury_siblings")
        try:
            user_service.update_settings(current_user.user, now, **{f: request.form.get(f, "") for f in fields})
            flash("Settings saved.")
            return redirect(url_for("pages.settings"))
        except InvalidInput as err:
            error = str(err)
    pending = user_service.pending_day_rule(current_user.user, now)
    return render_template("settings.html", error=error, timezones=user_timezones(), new_orders=NEW_ORDER_LABELS,
                           day_rule_pending=pending and _local(pending)), 400 if error else 200


def _local(change) -> str:
    """When a pending time zone or roll-over change takes effect, on the clock of the rule still in force."""
    return local_clock(change.at.replace(tzinfo=None), change.old_tz).strftime("%Y-%m-%d %H:%M") + f" ({change.old_tz})"
