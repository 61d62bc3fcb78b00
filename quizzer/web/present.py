"""One shape for a card on screen, used by the review page and the JSON API alike."""
from __future__ import annotations

from quizzer.services.review import CardView, grade_choices
from quizzer.services.study import QueueCounts
from quizzer.srs import format_interval
from quizzer.store.models import User

# A multiple-choice pick is graded for the user: right -> Good, wrong -> Again
# (quality 4 / 2 with buttons; 4 / 1 on the full 0-5 scale). They may still pick another grade.
CHOICE_GRADES = {"buttons": {True: 4, False: 2}, "full": {True: 4, False: 1}}


def card_payload(user: User, view: CardView) -> dict:
    card, note = view.card, view.note
    is_choice = note.kind == "choice" and card.key == "front"
    state = view.state
    return {
        "id": card.id,
        "deck": {"id": view.deck.id, "title": view.deck.title},
        "kind": note.kind,
        "face": card.key,
        "prompt_html": card.prompt_html,
        "answer_html": card.answer_html,
        "explanation_html": note.explanation_html,
        "source": note.source,
        "tags": note.tag_list,
        "choices": [{"number": i + 1, "html": html, "correct": text == note.answer}
                    for i, (text, html) in enumerate(zip(note.choices, note.choices_html))] if is_choice else [],
        "choice_grades": CHOICE_GRADES[user.grade_scale] if is_choice else None,
        "grades": [{"label": label, "quality": q, "interval": days, "interval_label": format_interval(days)}
                   for label, q, days in grade_choices(user, view)],
        "state": None if state is None else {
            "repetitions": state.repetitions, "interval": state.interval, "easiness": state.easiness,
            "due": state.due.isoformat(), "lapses": state.lapses, "reviews": state.reviews},
    }


def counts_payload(counts: QueueCounts) -> dict:
    return {"new": counts.new, "due": counts.due, "relearn": counts.relearn, "total": counts.total}
