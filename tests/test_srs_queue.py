"""The queue's rules, pure: options inherit, limits hold per deck and overall, orders draw fairly."""
from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizzer.srs import day_start, rule_change, study_day, study_day_span
from quizzer.srs.queue import (
    NEW_ORDERS,
    DeckDay,
    DeckOptions,
    NewSource,
    Sibling,
    StudyOptions,
    deck_allowance,
    effective_options,
    next_new_deck,
    overall_allowance,
    plan_new,
    siblings_to_bury,
)

DEFAULTS = StudyOptions(20, 200, "deck", True)


def test_an_unset_option_is_the_users_default_and_a_set_one_wins():
    assert effective_options(DEFAULTS, None) == DEFAULTS
    assert effective_options(DEFAULTS, DeckOptions(new_per_day=5, bury_siblings=False)) == \
        StudyOptions(5, 200, "deck", False)
    assert effective_options(DEFAULTS, DeckOptions(new_per_day=0, bury_siblings=False)) == \
        StudyOptions(0, 200, "deck", False)  # 0 and False are set, not unset


def test_a_deck_gives_its_due_reviews_then_new_cards_within_its_own_limits():
    deck = DeckDay(1, new_limit=10, review_limit=30, new_done=4, reviews_done=10, unseen=50, due=12)
    assert deck_allowance(deck).due == 12 and deck_allowance(deck).new == 6
    tight = DeckDay(1, new_limit=10, review_limit=15, new_done=0, reviews_done=0, unseen=50, due=12)
    assert (deck_allowance(tight).due, deck_allowance(tight).new) == (12, 3)  # new cards count as reviews too
    over = DeckDay(1, new_limit=1, review_limit=1, new_done=5, reviews_done=5, unseen=50, due=12)
    assert (deck_allowance(over).due, deck_allowance(over).new) == (0, 0)


def test_study_now_gives_each_deck_its_share_within_the_users_limit():
    decks = [DeckDay(i, 20, 200, 0, 0, 100, 0) for i in range(12)]
    assert overall_allowance([deck_allowance(d) for d in decks], new_left=20, reviews_left=200).new == 20
    sources = [NewSource(i, 20, 0) for i in range(12)]
    assert Counter(plan_new(sources, 20, "round_robin", seed=1)) == {**{i: 2 for i in range(8)},
                                                                     **{i: 1 for i in range(8, 12)}}
    assert plan_new(sources, 20, "deck", seed=1) == [0] * 20


deck_days = st.builds(DeckDay, st.integers(1, 10**6), st.integers(0, 50), st.integers(0, 80), st.integers(0, 60),
                      st.integers(0, 100), st.integers(0, 60), st.integers(0, 60))


@given(st.lists(deck_days, max_size=8), st.integers(-5, 60), st.integers(-5, 120))
def test_study_now_never_exceeds_a_deck_or_the_user(decks, new_left, reviews_left):
    per_deck = [deck_allowance(d) for d in decks]
    total = overall_allowance(per_deck, new_left, reviews_left)
    assert 0 <= total.due <= max(0, reviews_left) and total.due <= sum(a.due for a in per_deck)
    assert 0 <= total.new <= max(0, new_left) and total.new <= sum(a.new for a in per_deck)
    assert total.due + total.new <= max(0, reviews_left)
    for deck, allowance in zip(decks, per_deck):
        assert allowance.new <= max(0, deck.new_limit - deck.new_done) and allowance.new <= deck.unseen
        assert allowance.due + allowance.new <= max(0, deck.review_limit - deck.reviews_done)


sources_st = st.lists(st.builds(NewSource, st.integers(), st.integers(0, 15), st.integers(0, 5)), max_size=6,
                      unique_by=lambda s: s.deck_id)


@given(sources_st, st.integers(0, 80), st.sampled_from(NEW_ORDERS), st.integers())
def test_drawing_never_takes_more_than_a_deck_has_left_and_repeats_for_a_seed(sources, total, order, seed):
    plan = plan_new(sources, total, order, seed)
    assert len(plan) == min(total, sum(s.left for s in sources))
    taken = Counter(plan)
    assert all(taken[s.deck_id] <= s.left for s in sources)
    assert plan == plan_new(sources, total, order, seed)


@given(st.lists(st.integers(1, 15), min_size=1, max_size=6), st.integers(0, 80), st.integers())
def test_round_robin_keeps_every_open_decks_share_within_one(lefts, total, seed):
    sources = [NewSource(i, left, 0) for i, left in enumerate(lefts)]
    taken = Counter(plan_new(sources, total, "round_robin", seed))
    still_open = [s.deck_id for s in sources if taken[s.deck_id] < s.left]
    # A deck that still has cards got at least as many as any other, less one.
    for deck_id in still_open:
        assert all(taken[deck_id] >= taken[other] - 1 for other in taken)


def test_random_draws_from_every_deck_and_an_unknown_order_is_refused():
    sources = [NewSource(i, 50, 0) for i in range(3)]
    assert set(plan_new(sources, 60, "random", seed=7)) == {0, 1, 2}
    assert next_new_deck([NewSource(1, 0, 3)], "random", 1) is None
    with pytest.raises(ValueError, match="new_order"):
        next_new_deck(sources, "alphabetical", 1)


def test_an_answer_buries_new_and_review_siblings_but_not_one_being_relearnt():
    siblings = [Sibling(2, False, False, False), Sibling(3, True, False, False), Sibling(4, False, True, False),
                Sibling(5, False, False, True), Sibling(6, False, False, False)]
    assert siblings_to_bury(siblings, bury=True) == [2, 6]
    assert siblings_to_bury(siblings, bury=False) == []


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_a_time_zone_change_waits_for_the_end_of_the_study_day():
    """Berlin to Los Angeles at 14:00 Berlin: Berlin's day goes on until 04:00 Berlin; the next day
    then lasts until 04:00 in Los Angeles the day after (no day is studied twice)."""
    change = rule_change(at("2026-03-10 13:00"), "Europe/Berlin", 4)
    assert change.first_day == date(2026, 3, 11) and change.at == at("2026-03-11 03:00")
    la = "America/Los_Angeles"
    assert study_day_span(at("2026-03-10 20:00"), la, 4, change) == (date(2026, 3, 10), at("2026-03-10 03:00"))
    assert study_day_span(at("2026-03-11 03:00"), la, 4, change) == (date(2026, 3, 11), at("2026-03-11 03:00"))
    assert study_day_span(at("2026-03-12 10:59"), la, 4, change)[0] == date(2026, 3, 11)
    assert study_day_span(at("2026-03-12 11:00"), la, 4, change) == (date(2026, 3, 12), at("2026-03-12 11:00"))


def test_moving_east_the_new_day_starts_at_the_change_not_before():
    change = rule_change(at("2026-03-10 20:00"), "America/Los_Angeles", 4)  # 13:00 in Los Angeles
    tokyo_day, start = study_day_span(at("2026-03-11 12:00"), "Asia/Tokyo", 4, change)
    assert (tokyo_day, start) == (date(2026, 3, 11), change.at)
    assert study_day_span(at("2026-03-11 19:00"), "Asia/Tokyo", 4, change)[0] == date(2026, 3, 12)


zones = st.sampled_from(["UTC", "Europe/Berlin", "America/Los_Angeles", "Pacific/Kiritimati", "Pacific/Pago_Pago",
                         "Asia/Kolkata", "Australia/Lord_Howe"])
instants = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)).map(
    lambda d: d.replace(tzinfo=UTC))


@given(instants, zones, st.integers(0, 23), zones, st.integers(0, 23), st.lists(st.integers(0, 3 * 86400), max_size=8))
def test_after_a_change_days_never_go_back_and_each_starts_before_now(made, old, old_hour, new, new_hour, steps):
    change = rule_change(made, old, old_hour)
    assert study_day_span(made, new, new_hour, change) == (study_day(made, old, old_hour),
                                                          day_start(study_day(made, old, old_hour), old, old_hour))
    last = study_day(made, old, old_hour)
    for now in sorted(made + timedelta(seconds=s) for s in steps):
        day, start = study_day_span(now, new, new_hour, change)
        assert day >= last and start <= now
        last = day
