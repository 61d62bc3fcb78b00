"""One shape for a card on screen, used by the review page and the JSON API alike. Formatting only:
everything shown comes in the service's ReviewStep / ShownCard."""
from __future__ import annotations

from quizzer.services.review_faces import TypedCheck
from quizzer.services.review_queue import ReviewStep, ShownCard
from quizzer.services.study import QueueContents, QueueCounts
from quizzer.srs import button_interval, easiness_change_label


def card_payload(shown: ShownCard) -> dict:
    view = shown.view
    card, note, state = view.card, view.note, view.state
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
                    for number, i in enumerate(shown.choice_order, start=1)],
        "choice_grades": shown.choice_grades,
        "typed": shown.typed,
        "grades": [{"label": g.label, "quality": g.quality, "interval": g.interval, "again_today": g.again_today,
                    "interval_label": button_interval(g.interval, g.again_today),
                    "easiness_change": g.easiness_change,
                    "easiness_label": "" if g.easiness_change is None else easiness_change_label(g.easiness_change)}
                   for g in shown.grades],
        "state": None if state is None else {
            "repetitions": state.repetitions, "interval": state.interval, "easiness": state.easiness,
            "due": state.due.isoformat(), "lapses": state.lapses, "reviews": state.reviews},
    }


def counts_payload(counts: QueueCounts) -> dict:
    return {"new": counts.new, "due": counts.due, "relearn": counts.relearn, "total": counts.total}


def queue_payload(contents: QueueContents) -> dict:
    """The queue's contents for the client to send back with its next call (see web.api._carried)."""
    return {"day": contents.day.isoformat(), "deck": contents.deck_id, "new": contents.new, "due": contents.due,
            "relearn": contents.relearn}


def step_payload(step: ReviewStep) -> dict:
    """A review step as the API and the review page send it: the card, the counts, the carried queue,
    and an answer's outcome."""
    result = {"card": step.card and card_payload(step.card), "counts": counts_payload(step.counts),
              "queue": queue_payload(step.contents)}
    if step.outcome is not None:
        outcome = step.outcome
        result["outcome"] = {"card_id": outcome.card_id, "quality": outcome.quality, "applied": outcome.applied,
                             "interval": outcome.interval, "due": outcome.due.isoformat(),
                             "relearn": outcome.relearn, "replayed": outcome.replayed}
    return result


def typed_payload(check: TypedCheck) -> dict:
    """A typed answer's verdict for the review screen: the outcome, a near miss's difference, the grade
    to preselect."""
    verdict = check.verdict
    return {"outcome": verdict.outcome, "expected": verdict.expected, "suggested": check.suggested,
            "diff": [{"op": p.op, "given": p.given, "expected": p.expected} for p in verdict.diff]}
