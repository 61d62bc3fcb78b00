"""One shape for a card on screen, used by the review page and the JSON API alike."""
from __future__ import annotations

from quizzer.services.day_plan import QueueCounts
from quizzer.services.review import CardView, grade_choices
from quizzer.services.review_faces import SUGGESTED_GRADES, TypedCheck, shown_choices, typed_face
from quizzer.srs import button_interval, easiness_change_label
from quizzer.store.models import User

# A multiple-choice pick is graded for the user: right -> Good, wrong -> Again
# (quality 4 / 2 with buttons; 4 / 1 on the full 0-5 scale). They may still pick another grade.
CHOICE_GRADES = {"buttons": {True: 4, False: 2}, "full": {True: 4, False: 1}}


def card_payload(user: User, view: CardView) -> dict:
    card, note = view.card, view.note
    order = shown_choices(user, view)
    is_choice = bool(order)
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
        "choices": [{"number": number, "html": note.choices_html[i], "correct": note.choices[i] == note.answer}
                    for number, i in enumerate(order, start=1)],
        "choice_grades": SUGGESTED_GRADES[user.grade_scale] if is_choice else None,
        "typed": typed_face(user, view) is not None,
        "grades": [{"label": g.label, "quality": g.quality, "interval": g.interval, "again_today": g.again_today,
                    "interval_label": button_interval(g.interval, g.again_today),
                    "easiness_change": g.easiness_change,
                    "easiness_label": "" if g.easiness_change is None else easiness_change_label(g.easiness_change)}
                   for g in grade_choices(user, view)],
        "state": None if state is None else {
            "repetitions": state.repetitions, "interval": state.interval, "easiness": state.easiness,
            "due": state.due.isoformat(), "lapses": state.lapses, "reviews": state.reviews},
    }


def counts_payload(counts: QueueCounts) -> dict:
    return {"new": counts.new, "due": counts.due, "relearn": counts.relearn, "total": counts.total}


def typed_payload(check: TypedCheck) -> dict:
    """A typed answer's verdict for the review screen: the outcome, a near miss's difference, the grade
    to preselect."""
    verdict = check.verdict
    return {"outcome": verdict.outcome, "expected": verdict.expected, "suggested": check.suggested,
            "diff": [{"op": p.op, "given": p.given, "expected": p.expected} for p in verdict.diff]}
