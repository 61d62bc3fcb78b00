"""Quiz models: a user's quiz (mode, seed, what it covers) and its questions with their answers.

Kept apart from ``models`` so the quiz feature owns its tables (migration 0002_quiz).
"""
from __future__ import annotations

import peewee as pw

from quizzer.store.models import BaseModel, Card, JsonField, User, utcnow

MODES = ("choice", "typed", "interview")


class Quiz(BaseModel):
    user = pw.ForeignKeyField(User, on_delete="CASCADE", backref="quizzes", index=False)
    mode = pw.CharField(max_length=16)
    # Seeds the card sample and every question's options, so a reload shows the same quiz.
    seed = pw.BigIntegerField()
    deck_ids = JsonField(default=list)
    tags = JsonField(default=list)
    question_count = pw.IntegerField()
    time_limit_s = pw.IntegerField()  # per question
    retry_of = pw.ForeignKeyField("self", null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=utcnow)
    finished_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("user", "created_at"), False),)


class QuizQuestion(BaseModel):
    quiz = pw.ForeignKeyField(Quiz, on_delete="CASCADE", backref="questions", index=False)
    position = pw.IntegerField()  # 1-based
    card = pw.ForeignKeyField(Card, on_delete="CASCADE")
    options = JsonField(default=list)  # markdown texts, multiple choice only
    correct_option = pw.IntegerField(null=True)
    given_answer = pw.TextField(null=True)  # typed text, picked option's text, or interview notes
    chosen_option = pw.IntegerField(null=True)
    outcome = pw.CharField(max_length=8, null=True)  # right | near | wrong | blank | shown (interview)
    correct = pw.BooleanField(null=True)
    overruled = pw.BooleanField(default=False)
    self_grade = pw.SmallIntegerField(null=True)
    quality = pw.SmallIntegerField(null=True)  # what went to the scheduler; NULL while undecided
    time_ms = pw.IntegerField(null=True)
    answer_id = pw.CharField(max_length=64, null=True)
    answered_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = (
            (("quiz", "position"), True),
            (("quiz", "answer_id"), True),
            (("card",), False),
        )


QUIZ_MODELS = (Quiz, QuizQuestion)
