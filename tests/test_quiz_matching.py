"""Typed answers: normalising, exact and fuzzy acceptance, near misses with a diff."""
from __future__ import annotations

import pytest

from quizzer.quiz.matching import ACCEPT_SCORE, NEAR_MISS_SCORE, diff, match_answer, normalise


@pytest.mark.parametrize("raw, expected", [
    ("  Group   Shuffle\tSplit ", "group shuffle split"),
    ("Élan-Vital!", "elan vital"),
    ("naïve Bayes", "naive bayes"),
    ("`GroupShuffleSplit`", "groupshufflesplit"),
    ("**bias** (and variance)", "bias and variance"),
    ("0.5 AUC", "0.5 auc"),  # a decimal point is not punctuation
    ("snake_case", "snake case"),
    ("ＦＵＬＬＷＩＤＴＨ", "fullwidth"),
    ("", ""),
])
def test_normalise(raw, expected):
    assert normalise(raw) == expected


@pytest.mark.parametrize("given, accepted, outcome", [
    ("group shuffle split", ["GroupShuffleSplit"], "right"),
    ("GroupShuffleSplit", ["Group shuffle split"], "right"),
    ("group-shuffle split", ["Group shuffle split"], "right"),
    ("paris", ["Paris"], "right"),
    ("PARIS!", ["Paris"], "right"),
    ("Zürich", ["Zurich"], "right"),
    ("GroupShufleSplit", ["Group shuffle split"], "right"),  # one typo in a long answer: accepted
    ("stratifed k-fold cross validation", ["Stratified K-Fold cross-validation"], "right"),
    ("the pacific", ["The Pacific"], "right"),
    ("ttft", ["Time to first token", "TTFT"], "right"),  # an accept entry
    ("Pari", ["Paris"], "near"),  # a near-miss typo
    ("Parsi", ["Paris"], "near"),
    ("for", ["Four"], "near"),
    ("Rome", ["Paris"], "wrong"),
    ("variance", ["bias"], "wrong"),
    ("group k fold", ["Group shuffle split"], "wrong"),
    ("", ["Paris"], "wrong"),
    ("!!!", ["Paris"], "wrong"),
])
def test_acceptance_table(given, accepted, outcome):
    assert match_answer(given, accepted).outcome == outcome


def test_scores_and_the_answer_compared_with():
    exact = match_answer("group shuffle split", ["GroupShuffleSplit", "group split"])
    typo = match_answer("Pari", ["Paris"])

    assert exact.score == 100 and exact.expected == "GroupShuffleSplit" and exact.diff == ()
    assert NEAR_MISS_SCORE <= typo.score < ACCEPT_SCORE


def test_a_near_miss_carries_the_difference():
    verdict = match_answer("Parsi", ["Paris"])

    assert [(p.op, p.given, p.expected) for p in verdict.diff] == [
        ("equal", "par", "par"), ("insert", "", "i"), ("equal", "s", "s"), ("delete", "i", "")]
    assert "".join(p.given for p in verdict.diff) == "parsi"
    assert "".join(p.expected for p in verdict.diff) == "paris"


def test_diff_marks_a_replacement():
    assert [(p.op, p.given, p.expected) for p in diff("lora", "loha")] == [
        ("equal", "lo", "lo"), ("replace", "r", "h"), ("equal", "a", "a")]


def test_best_of_several_accepted_answers_wins():
    verdict = match_answer("group split", ["Group shuffle split", "group split"])

    assert verdict.outcome == "right" and verdict.expected == "group split"


def test_nothing_to_compare_with_is_an_error():
    with pytest.raises(ValueError):
        match_answer("x", [])


def test_texts_over_the_fuzzy_limit_count_only_when_equal():
    long_answer = "the mitochondria " * 100  # 1,700 characters
    assert match_answer(long_answer.upper(), [long_answer]).outcome == "right"
    assert match_answer(long_answer + "x", [long_answer]).outcome == "wrong"
    short = "the mitochondria " * 50
    assert match_answer(short + "x", [short]).outcome == "right"  # a typo in a long answer under the limit
