"""Quizzes: the quiz (mode, seed, selection, time limit) and its questions with the answers given.

Frozen copy of ``quizzer.store.quiz_models`` at this revision; ``user`` and ``card`` are
stand-ins for the existing tables, only their ids are referenced.
"""
import peewee as pw


def upgrade(db, migrator):
    class Base(pw.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class User(Base):
        pass

    class Card(Base):
        pass

    class Quiz(Base):
        user = pw.ForeignKeyField(User, on_delete="CASCADE")
        mode = pw.CharField(max_length=16)
        seed = pw.BigIntegerField()
        deck_ids = pw.TextField(default="[]")
        tags = pw.TextField(default="[]")
        question_count = pw.IntegerField()
        time_limit_s = pw.IntegerField()
        retry_of = pw.ForeignKeyField("self", null=True, on_delete="SET NULL")
        created_at = pw.DateTimeField()
        finished_at = pw.DateTimeField(null=True)

        class Meta:
            indexes = ((("user", "created_at"), False),)

    class QuizQuestion(Base):
        quiz = pw.ForeignKeyField(Quiz, on_delete="CASCADE")
        position = pw.IntegerField()
        card = pw.ForeignKeyField(Card, on_delete="CASCADE")
        options = pw.TextField(default="[]")
        correct_option = pw.IntegerField(null=True)
        given_answer = pw.TextField(null=True)
        chosen_option = pw.IntegerField(null=True)
        outcome = pw.CharField(max_length=8, null=True)
        correct = pw.BooleanField(null=True)
        overruled = pw.BooleanField(default=False)
        self_grade = pw.SmallIntegerField(null=True)
        quality = pw.SmallIntegerField(null=True)
        time_ms = pw.IntegerField(null=True)
        answer_id = pw.CharField(max_length=64, null=True)
        answered_at = pw.DateTimeField(null=True)

        class Meta:
            indexes = (
                (("quiz", "position"), True),
                (("quiz", "answer_id"), True),
                (("card",), False),
            )

    db.create_tables([Quiz, QuizQuestion])
