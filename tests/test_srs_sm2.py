"""SM-2 against sequences worked by hand, the supermemo2 package, and properties."""

import dataclasses
import random
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction

import pytest
import supermemo2
from hypothesis import given
from hypothesis import strategies as st

from quizzer.srs import MIN_EASINESS, Sm2State, review

FAR_PAST = "2000-01-01"  # supermemo2 adds the interval to a date; keep it far from year 9999


def run(qualities, state=Sm2State()):
    """Every state after each quality, in order."""
    states = []
    for quality in qualities:
        state = review(state, quality)
        states.append(state)
    return states


def as_tuples(states):
    return [(s.repetitions, s.interval, s.easiness) for s in states]


# EF' = EF + 0.1 - (5-q)(0.08 + (5-q)0.02), so per quality the change is:
# q=5: +0.10  q=4: 0.1-1*0.10=0  q=3: 0.1-2*0.12=-0.14
# q=2: 0.1-3*0.14=-0.32  q=1: 0.1-4*0.16=-0.54  q=0: 0.1-5*0.18=-0.80


def test_all_fives_from_new():
    assert as_tuples(run([5, 5, 5, 5])) == [
        (1, 1, 2.6),  # reps 0 -> I(1)=1; EF 2.5+0.1
        (2, 6, 2.7),  # reps 1 -> I(2)=6
        (3, 17, 2.8),  # ceil(6*2.7)=ceil(16.2)=17, with the EF held before this review
        (4, 48, 2.9),  # ceil(17*2.8)=ceil(47.6)=48
    ]


def test_all_fours_keep_easiness():
    assert as_tuples(run([4, 4, 4, 4, 4])) == [
        (1, 1, 2.5),
        (2, 6, 2.5),
        (3, 15, 2.5),  # 6*2.5=15 exactly: no rounding up
        (4, 38, 2.5),  # ceil(15*2.5)=ceil(37.5)=38
        (5, 95, 2.5),  # 38*2.5=95 exactly
    ]


def test_lapse_in_the_middle_restarts_and_costs_easiness():
    assert as_tuples(run([4, 4, 4, 2, 4, 4, 4, 4])) == [
        (1, 1, 2.5),
        (2, 6, 2.5),
        (3, 15, 2.5),
        (0, 1, 2.18),  # q=2: start again as new; EF 2.5-0.32 still applies
        (1, 1, 2.18),  # I(1)=1 again
        (2, 6, 2.18),  # I(2)=6 again
        (3, 14, 2.18),  # ceil(6*2.18)=ceil(13.08)=14
        (4, 31, 2.18),  # ceil(14*2.18)=ceil(30.52)=31
    ]


def test_threes_walk_easiness_down_to_the_floor():
    assert as_tuples(run([3] * 10)) == [
        (1, 1, 2.36),  # 2.5-0.14
        (2, 6, 2.22),
        (3, 14, 2.08),  # ceil(6*2.22)=ceil(13.32)=14
        (4, 30, 1.94),  # ceil(14*2.08)=ceil(29.12)=30
        (5, 59, 1.8),  # ceil(30*1.94)=ceil(58.2)=59
        (6, 107, 1.66),  # ceil(59*1.80)=ceil(106.2)=107
        (7, 178, 1.52),  # ceil(107*1.66)=ceil(177.62)=178
        (8, 271, 1.38),  # ceil(178*1.52)=ceil(270.56)=271
        (9, 374, 1.3),  # ceil(271*1.38)=ceil(373.98)=374; EF 1.38-0.14=1.24 -> floor 1.3
        (10, 487, 1.3),  # ceil(374*1.3)=ceil(486.2)=487; 1.16 -> 1.3
    ]


def test_blackouts_hit_the_floor_then_recover():
    assert as_tuples(run([0, 0, 5, 5, 3])) == [
        (0, 1, 1.7),  # 2.5-0.8
        (0, 1, 1.3),  # 1.7-0.8=0.9 -> floor 1.3
        (1, 1, 1.4),
        (2, 6, 1.5),
        (3, 9, 1.36),  # 6*1.5=9 exactly (float: 6*1.5000000000000002 -> 10)
    ]


def test_wrong_but_remembered_costs_054():
    assert review(Sm2State(), 1) == Sm2State(0, 1, 1.96)  # 2.5-0.54


def test_exact_product_is_not_rounded_up_where_float_would_be():
    # 815*2.2 = 1793 exactly; in floats 815*2.2 = 1793.0000000000002, so ceil gives 1794.
    assert 815 * 2.2 > 1793
    assert review(Sm2State(5, 815, 2.2), 4) == Sm2State(6, 1793, 2.2)


def test_drifted_easiness_is_normalised():
    # Float chains produce values like 2.2000000000000006; stored, it still means 2.2.
    assert Sm2State(5, 815, 2.2000000000000006) == Sm2State(5, 815, 2.2)
    assert review(Sm2State(5, 815, 2.2000000000000006), 4).interval == 1793


@pytest.mark.parametrize("easiness", [Decimal("2.20"), Fraction(11, 5), 2.2])
def test_easiness_accepts_exact_number_types(easiness):
    state = Sm2State(5, 815, easiness)
    assert state.easiness == 2.2 and type(state.easiness) is float


def test_interval_is_not_capped_here():
    state = Sm2State(40, 10**12, 2.5)
    assert review(state, 4).interval == 25 * 10**11


# --- against the PyPI package supermemo2, step by step from the same input ---


def supermemo2_step(state, quality):
    result = supermemo2.review(quality, state.easiness, state.interval, state.repetitions, FAR_PAST)
    return result["repetitions"], result["interval"], result["easiness"]


def assert_agrees_with_supermemo2(state, quality):
    """Same choices, except +1 day where the exact product is whole (float drift)."""
    ours = review(state, quality)
    reps, interval, easiness = supermemo2_step(state, quality)
    assert (reps, round(easiness, 2)) == (ours.repetitions, ours.easiness)
    if interval != ours.interval:
        exact_product_whole = state.interval * round(state.easiness * 100) % 100 == 0
        assert quality >= 3 and state.repetitions >= 2 and exact_product_whole
        assert interval == ours.interval + 1
        return True
    return False


def test_matches_supermemo2_over_random_sequences():
    rng = random.Random(20240601)
    for _ in range(1_000):
        state = Sm2State()
        for _ in range(30):
            quality = rng.randrange(6)
            assert_agrees_with_supermemo2(state, quality)
            state = review(state, quality)
            if state.interval > 100_000:  # supermemo2's date would overflow
                break


state_strategy = st.builds(
    Sm2State,
    repetitions=st.integers(0, 60),
    interval=st.integers(0, 100_000),
    easiness=st.integers(130, 600).map(lambda hundredths: hundredths / 100),
)


@given(state_strategy, st.integers(0, 5))
def test_matches_supermemo2_from_any_state(state, quality):
    assert_agrees_with_supermemo2(state, quality)


def test_supermemo2_differs_only_by_float_drift_on_whole_products():
    drifted = [
        (interval, hundredths)
        for hundredths in range(200, 241)
        for interval in range(1, 1001)
        if assert_agrees_with_supermemo2(Sm2State(2, interval, hundredths / 100), 4)
    ]
    assert (815, 220) in drifted  # the example from the issue: 1794 there, 1793 here


def test_supermemo2_own_chain_drifts():
    # Fed its own outputs, supermemo2 carries 1.5000000000000002 and schedules 10 days, not 9.
    easiness, interval, repetitions = 2.5, 0, 0
    for quality in [0, 0, 5, 5, 3]:
        result = supermemo2.review(quality, easiness, interval, repetitions, FAR_PAST)
        easiness, interval = result["easiness"], result["interval"]
        repetitions = result["repetitions"]
    assert interval == 10
    assert run([0, 0, 5, 5, 3])[-1].interval == 9


@pytest.mark.parametrize("quality", [6, -1, 3.5, True])
def test_supermemo2_accepts_any_quality_we_reject(quality):
    supermemo2.review(quality, 2.5, 6, 2, FAR_PAST)  # no error there
    with pytest.raises(ValueError):
        review(Sm2State(2, 6, 2.5), quality)


def test_supermemo2_accepts_easiness_below_floor_we_reject():
    assert supermemo2.review(4, 1.0, 10, 3, FAR_PAST)["interval"] == 10  # ceil(10*1.0)
    with pytest.raises(ValueError):
        Sm2State(3, 10, 1.0)


def test_supermemo2_overflows_on_huge_intervals_we_do_not():
    with pytest.raises(OverflowError):
        supermemo2.review(5, 2.5, 5_000_000, 10, FAR_PAST)
    assert review(Sm2State(10, 5_000_000, 2.5), 5).interval == 12_500_000


# --- validation ---


@pytest.mark.parametrize("quality", [True, False, 4.0, -1, 6, "4", None])
def test_bad_quality_raises_and_says_what_was_given(quality):
    with pytest.raises(ValueError, match="quality must be a whole number from 0 to 5, got"):
        review(Sm2State(), quality)


@pytest.mark.parametrize(
    "fields",
    [
        {"repetitions": -1},
        {"interval": -1},
        {"repetitions": True},
        {"interval": 1.0},
        {"easiness": 1.29},
        {"easiness": float("nan")},
        {"easiness": float("inf")},
        {"easiness": "2.5"},
        {"easiness": True},
    ],
)
def test_bad_state_raises(fields):
    with pytest.raises(ValueError, match=next(iter(fields))):
        Sm2State(**fields)


def test_float4_rounding_of_the_floor_is_accepted():
    assert Sm2State(easiness=1.2999999523).easiness == MIN_EASINESS


# --- properties ---

qualities = st.lists(st.integers(0, 5), max_size=40)


@given(state_strategy, qualities)
def test_easiness_never_below_floor(state, grades):
    assert all(s.easiness >= MIN_EASINESS for s in run(grades, state))


@given(state_strategy, st.integers(0, 2))
def test_failure_resets_repetitions_and_interval(state, quality):
    after = review(state, quality)
    assert (after.repetitions, after.interval) == (0, 1)


@given(
    st.integers(2, 60),
    st.integers(1, 10**9),
    st.lists(st.integers(3, 4), min_size=1, max_size=30),
)
def test_intervals_grow_while_passing_at_the_floor(repetitions, interval, grades):
    state = Sm2State(repetitions, interval, MIN_EASINESS)
    for after in run(grades, state):
        assert after.easiness == MIN_EASINESS and after.interval > state.interval
        state = after


@given(st.lists(st.integers(0, 5), max_size=20), st.lists(st.integers(3, 5), max_size=20))
def test_intervals_never_shrink_while_passing_from_any_reachable_state(history, passes):
    states = run(history)
    state = states[-1] if states else Sm2State()
    for after in run(passes, state):
        assert after.interval >= state.interval
        state = after


@given(state_strategy, st.integers(0, 5))
def test_deterministic_and_never_mutates(state, quality):
    before = dataclasses.replace(state)
    assert review(state, quality) == review(state, quality)
    assert state == before
    with pytest.raises(dataclasses.FrozenInstanceError):
        state.interval = 3


@given(
    state_strategy,
    st.one_of(
        st.booleans(),
        st.floats(allow_nan=True),
        st.integers().filter(lambda q: not 0 <= q <= 5),
    ),
)
def test_non_quality_always_raises(state, quality):
    with pytest.raises(ValueError):
        review(state, quality)


def test_core_imports_no_web_or_database_code():
    code = "import sys, quizzer.srs; print(sorted({'flask', 'peewee'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
