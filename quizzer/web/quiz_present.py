"""One shape for a quiz question and its feedback, used by the quiz pages and the JSON API alike.

Nothing about the answer is in a question's shape until it has been answered.
"""
from __future__ import annotations

from flask import url_for

from quizzer.deck_format.render import render_inline
from quizzer.quiz.quality import SELF_GRADES
from quizzer.quiz.questions import accepted_answers, judge_typed
from quizzer.services.quiz_pool import to_quiz_card
from quizzer.services.quiz_results import HistoryRow, QuizResult
from quizzer.services.readiness import Topic
from quizzer.store.quiz_models import Quiz, QuizQuestion

VERDICTS = {"right": "Right", "wrong": "Not quite", "blank": "No answer", "near": "Almost: a near miss",
            "shown": "The model answer"}


def pending(question: QuizQuestion) -> str | None:
    """What the question still waits for: "overrule" (a near miss), "grade" (an interview answer) or None."""
    if question.outcome == "near" and question.quality is None:
        return "overrule"
    if question.outcome == "shown" and question.self_grade is None:
        return "grade"
    return None


def _verdict(question: QuizQuestion) -> str:
    if question.overruled:
        return "Counted right: you overruled the near miss"
    if question.outcome == "shown" and question.self_grade is not None:
        return f"You graded it: {SELF_GRADES[question.self_grade][0]}"
    return VERDICTS.get(question.outcome, "Not answered")


def feedback(question: QuizQuestion) -> dict:
    """The verdict, the difference for a near miss, and the model answer with its explanation.

    ``expected_html`` is the text to type when it is not the model answer itself (a cloze
    deletion, or the question of a reverse card); empty otherwise.
    """
    card = to_quiz_card(question.card, question.card.note)
    diff = []
    if question.outcome == "near":
        verdict = judge_typed(card, question.given_answer or "")
        diff = [{"op": part.op, "given": part.given, "expected": part.expected} for part in verdict.diff]
    return {
        "outcome": question.outcome, "verdict": _verdict(question), "correct": question.correct,
        "pending": pending(question), "overruled": question.overruled, "quality": question.quality,
        "self_grade": question.self_grade, "given": question.given_answer or "",
        "chosen_option": question.chosen_option,
        "right_option": None if question.correct_option is None else question.correct_option + 1,
        "diff": diff, "expected_html": "" if card.family == "answer" else render_inline(accepted_answers(card)[0]),
        "answer_html": question.card.answer_html, "explanation_html": question.card.note.explanation_html,
        "source": question.card.note.source, "time_ms": question.time_ms,
    }


def _next_url(quiz: Quiz, position: int) -> str | None:
    """The following question, or None after the last one (finish the quiz then)."""
    return url_for("quiz.question_page", quiz_id=quiz.id, position=position + 1) \
        if position < quiz.question_count else None


def question_payload(question: QuizQuestion) -> dict:
    quiz = question.quiz
    return {
        "quiz_id": quiz.id, "position": question.position, "total": quiz.question_count, "mode": quiz.mode,
        "time_limit_s": quiz.time_limit_s, "finished": quiz.finished_at is not None,
        "prompt_html": question.card.prompt_html,
        "options": [{"number": i + 1, "html": render_inline(text)} for i, text in enumerate(question.options)],
        "self_grades": [{"number": i + 1, "grade": i, "label": label} for i, (label, _) in enumerate(SELF_GRADES)],
        "answered": question.answered_at is not None,
        "feedback": feedback(question) if question.answered_at is not None else None,
        "next_url": _next_url(quiz, question.position),
        "result_url": url_for("quiz.result_page", quiz_id=quiz.id),
    }


def quiz_payload(quiz: Quiz, label: str, right: int, answered: int) -> dict:
    return {"id": quiz.id, "mode": quiz.mode, "topics": label, "questions": quiz.question_count,
            "answered": answered, "right": right, "time_limit_s": quiz.time_limit_s,
            "created_at": quiz.created_at.isoformat() + "Z",
            "finished_at": quiz.finished_at.isoformat() + "Z" if quiz.finished_at else None,
            "url": url_for("quiz.quiz_page", quiz_id=quiz.id)}


def history_payload(row: HistoryRow, label: str) -> dict:
    return quiz_payload(row.quiz, label, row.right, row.answered)


def _revealed(question: QuizQuestion) -> bool:
    """Answers show once a question is answered, and for every question of a finished quiz."""
    return question.answered_at is not None or question.quiz.finished_at is not None


def result_payload(done: QuizResult, label: str) -> dict:
    payload = quiz_payload(done.quiz, label, done.right, done.answered)
    payload.update(percent=done.percent, seconds=done.seconds,
                   results=[{"position": q.position, "card_id": q.card_id, "prompt_html": q.card.prompt_html,
                             "time_ms": q.time_ms, "answered": q.answered_at is not None,
                             "feedback": feedback(q) if _revealed(q) else None}
                            for q in done.questions],
                   missed=[q.position for q in done.missed])
    return payload


def topic_payload(topic: Topic) -> dict:
    return {"label": topic.label, "readiness": topic.score, "cards": topic.cards, "seen": topic.seen,
            "deck_id": topic.deck_id, "tag": topic.tag}
