"""Readiness on constructed card states, and the interview weighting toward weak, overdue cards."""
from __future__ import annotations

import pytest

from quizzer.quiz.picking import NEW_CARD_WEIGHT, CardStanding, uniform_sample, weakness_weight, weighted_sample
from quizzer.quiz.readiness import TopicEvidence, accuracy, readiness


@pytest.mark.parametrize("evidence, expected", [
    (TopicEvidence(), 0),  # no cards
    (TopicEvidence(cards=10), 0),  # nothing studied
    (TopicEvidence(cards=10, mature=10, seen=10, review_right=20, review_total=20), 100),
    (TopicEvidence(cards=10, mature=10, seen=10), 60),  # mature, but nothing answered lately
    (TopicEvidence(cards=10, mature=0, seen=10, review_right=10, review_total=10), 40),  # all right, all young
    (TopicEvidence(cards=10, mature=5, seen=5, review_right=4, review_total=4), 50),  # 30 + 0.4*0.5*1*100
    # reviews 100 %, quizzes 50 %: accuracy 75 %
    (TopicEvidence(cards=4, mature=2, seen=4, review_right=6, review_total=6, quiz_right=1, quiz_total=2), 60),
    (TopicEvidence(cards=8, mature=1, seen=2, quiz_right=1, quiz_total=3), 11),  # 7.5 + 3.33 = 10.83
])
def test_readiness_formula(evidence, expected):
    assert readiness(evidence) == expected


def test_accuracy_averages_the_kinds_that_have_answers():
    assert accuracy(TopicEvidence(cards=1, review_right=1, review_total=4)) == 0.25
    assert accuracy(TopicEvidence(cards=1, review_right=1, review_total=4, quiz_right=3, quiz_total=4)) == 0.5
    assert accuracy(TopicEvidence(cards=1)) == 0.0


def test_readiness_grows_with_maturity_and_accuracy():
    def score(mature=5, seen=10, right=5):
        return readiness(TopicEvidence(cards=20, mature=mature, seen=seen, review_right=right, review_total=10))

    assert score() < score(mature=10)
    assert score() < score(right=9)
    assert score() < score(seen=20)


@pytest.mark.parametrize("bad", [dict(cards=-1), dict(cards=1, mature=2), dict(cards=1, seen=2),
                                 dict(cards=1, quiz_right=2, quiz_total=1), dict(cards=1.5)])
def test_impossible_evidence_is_rejected(bad):
    with pytest.raises(ValueError):
        TopicEvidence(**bad)


def test_weak_and_overdue_cards_weigh_more():
    solid = CardStanding(reviews=6, lapses=0, easiness=2.6, days_overdue=-10, interval=30)
    lapsed = CardStanding(reviews=6, lapses=2, easiness=1.9, days_overdue=0, interval=1)
    overdue = CardStanding(reviews=6, lapses=0, easiness=2.5, days_overdue=20, interval=10)

    assert weakness_weight(solid) == 1.0
    assert weakness_weight(lapsed) == pytest.approx(1 + 2 + 1.2)
    assert weakness_weight(overdue) == 3.0  # 1 + 20/10
    assert weakness_weight(CardStanding(reviews=1, days_overdue=400, interval=1)) == 4.0  # overdue part capped
    assert weakness_weight(CardStanding()) == NEW_CARD_WEIGHT


def test_weighted_sample_prefers_heavy_items_and_is_seeded():
    items = list(range(20))
    weights = [20.0 if i < 5 else 1.0 for i in items]
    heavy_hits = sum(len(set(weighted_sample(items, weights, 5, seed)) & set(range(5))) for seed in range(200))

    assert heavy_hits > 0.6 * 200 * 5  # uniform would give 25 %
    assert weighted_sample(items, weights, 5, 11) == weighted_sample(items, weights, 5, 11)
    assert len(set(weighted_sample(items, weights, 50, 1))) == 20  # all, each once


def test_samples_reject_bad_weights_and_handle_small_pools():
    with pytest.raises(ValueError):
        weighted_sample([1, 2], [1.0], 1, 0)
    with pytest.raises(ValueError):
        weighted_sample([1, 2], [1.0, 0.0], 1, 0)
    assert sorted(uniform_sample([3, 1, 2], 10, seed=4)) == [1, 2, 3]
    assert uniform_sample([3, 1, 2], 2, seed=4) == uniform_sample([3, 1, 2], 2, seed=4)
