"""The documented mapping from a quiz outcome to the SM-2 quality the scheduler applies."""
from __future__ import annotations

import pytest

from quizzer.quiz.quality import SELF_GRADES, interview_quality, objective_quality

LIMIT = 30_000


@pytest.mark.parametrize("outcome, time_ms, overruled, quality", [
    ("right", 5_000, False, 5),  # within half the limit
    ("right", 15_000, False, 5),  # exactly half
    ("right", 15_001, False, 4),
    ("right", 30_000, False, 4),  # exactly the limit
    ("right", 30_001, False, 3),  # after the limit
    ("near", 5_000, True, 3),  # overruled near miss
    ("near", 5_000, False, 2),  # near miss left wrong
    ("wrong", 5_000, False, 1),
    ("blank", 5_000, False, 0),
    ("wrong", 90_000, False, 1),  # time does not make a wrong answer worse
])
def test_objective_quality(outcome, time_ms, overruled, quality):
    assert objective_quality(outcome, time_ms, LIMIT, overruled=overruled) == quality


def test_without_a_limit_a_right_answer_is_good():
    assert objective_quality("right", 10**7, 0) == 4


@pytest.mark.parametrize("grade, time_ms, quality", [
    (0, 10_000, 1), (1, 10_000, 2), (2, 10_000, 4), (3, 10_000, 5),
    (0, 99_000, 1), (1, 99_000, 2), (2, 99_000, 3), (3, 99_000, 4),  # over 90 s: right answers lose one
])
def test_interview_quality(grade, time_ms, quality):
    assert interview_quality(grade, time_ms, 90_000) == quality


def test_self_grade_labels():
    assert [label for label, _ in SELF_GRADES] == ["Missed it", "Partly", "Got it", "Nailed it"]


@pytest.mark.parametrize("call", [
    lambda: objective_quality("maybe", 0, LIMIT),
    lambda: objective_quality("right", 0, LIMIT, overruled=True),
    lambda: objective_quality("right", -1, LIMIT),
    lambda: objective_quality("right", 1.5, LIMIT),
    lambda: interview_quality(4, 0, LIMIT),
    lambda: interview_quality(True, 0, LIMIT),
    lambda: interview_quality(1, 0, -5),
])
def test_bad_input_raises(call):
    with pytest.raises(ValueError):
        call()
