"""Grade buttons, the full 0-5 scale, previews and their labels, relearning."""

import pytest

from quizzer.srs import (
    BUTTONS,
    FULL_SCALE,
    Sm2State,
    button_interval,
    easiness_change_label,
    format_interval,
    grade_options,
    needs_relearning,
    preview,
    review,
)


def test_button_mapping():
    assert BUTTONS == (("Again", 2), ("Hard", 3), ("Good", 4), ("Easy", 5))
    assert grade_options("buttons") is BUTTONS


def test_full_scale_mapping():
    assert FULL_SCALE == (
        ("Blackout", 0),
        ("Wrong", 1),
        ("Wrong, familiar", 2),
        ("Hard", 3),
        ("Good", 4),
        ("Perfect", 5),
    )
    assert grade_options("full") is FULL_SCALE


@pytest.mark.parametrize("scale", ["Buttons", "", "0-5", None])
def test_unknown_scale_raises(scale):
    with pytest.raises(ValueError, match="unknown grade scale"):
        grade_options(scale)


@pytest.mark.parametrize(
    ("label", "easiness_cost"),
    # EF change 0.1-(5-q)(0.08+(5-q)0.02): Again q=2 -> -0.32, Hard q=3 -> -0.14, Good 0, Easy +0.10
    [("Again", 0.32), ("Hard", 0.14), ("Good", 0.0), ("Easy", -0.1)],
)
def test_button_easiness_costs(label, easiness_cost):
    quality = dict(BUTTONS)[label]
    assert review(Sm2State(), quality).easiness == round(2.5 - easiness_cost, 2)


def button_labels(state):
    next_states = preview(state, (quality for _, quality in BUTTONS))
    return {label: format_interval(next_states[quality].interval) for label, quality in BUTTONS}


def test_preview_labels_for_a_new_card():
    # reps 0: a pass gives I(1) = 1 day, a lapse restarts at 1 day too.
    assert button_labels(Sm2State()) == {"Again": "1d", "Hard": "1d", "Good": "1d", "Easy": "1d"}


def test_preview_labels_for_the_second_review():
    # After one Good: pass -> I(2) = 6 days; Again -> back to 1 day.
    state = review(Sm2State(), 4)
    assert button_labels(state) == {"Again": "1d", "Hard": "6d", "Good": "6d", "Easy": "6d"}


def test_preview_labels_for_a_mature_card():
    # 40 days at EF 2.5: ceil(40*2.5) = 100 days = 100*12/365 = 3.29 months.
    state = Sm2State(4, 40, 2.5)
    labels = {"Again": "1d", "Hard": "3.3mo", "Good": "3.3mo", "Easy": "3.3mo"}
    assert button_labels(state) == labels


def test_preview_equals_review_and_leaves_state_alone():
    state = Sm2State(3, 15, 2.36)
    assert preview(state, [0, 3, 5]) == {q: review(state, q) for q in [0, 3, 5]}
    assert state == Sm2State(3, 15, 2.36)


def test_preview_computes_each_quality_once():
    assert list(preview(Sm2State(), iter([4, 2, 4, 2]))) == [4, 2]


@pytest.mark.parametrize("qualities", [[4, 6], [True], [2.0]])
def test_preview_rejects_bad_qualities(qualities):
    with pytest.raises(ValueError, match="quality"):
        preview(Sm2State(), qualities)


@pytest.mark.parametrize(
    ("days", "label"),
    [
        (0, "0d"),
        (1, "1d"),
        (6, "6d"),
        (30, "30d"),
        (31, "1.0mo"),  # 31*12/365 = 1.019
        (64, "2.1mo"),  # 2.104
        (106, "3.5mo"),  # 3.485
        (350, "11.5mo"),  # 11.507
        (364, "12.0mo"),  # 11.967: still under a year
        (365, "1.0y"),
        (383, "1.0y"),  # 1.0493 rounds down
        (384, "1.1y"),  # 1.0521 rounds up
        (548, "1.5y"),  # 1.5014
        (36_500, "100.0y"),
        (10**20, "273972602739726027.4y"),  # exact, no float rounding
    ],
)
def test_format_interval(days, label):
    assert format_interval(days) == label


@pytest.mark.parametrize("days", [-1, 1.5, True, None])
def test_format_interval_rejects_non_days(days):
    with pytest.raises(ValueError, match="days"):
        format_interval(days)


@pytest.mark.parametrize("quality", range(6))
def test_needs_relearning_below_four(quality):
    assert needs_relearning(quality) is (quality in (0, 1, 2, 3))


def test_hard_button_repeats_in_session():
    assert [needs_relearning(quality) for _, quality in BUTTONS] == [True, True, False, False]


@pytest.mark.parametrize("quality", [6, -1, True, 3.0])
def test_needs_relearning_rejects_bad_quality(quality):
    with pytest.raises(ValueError, match="quality"):
        needs_relearning(quality)


@pytest.mark.parametrize("days, again_today, label", [(6, True, "today · 6d"), (6, False, "6d"),
                                                      (400, True, "today · 1.1y"), (1, True, "today · 1d")])
def test_button_interval_says_when_the_card_comes_back_first(days, again_today, label):
    assert button_interval(days, again_today) == label


@pytest.mark.parametrize("change, label", [(0.1, "ease +0.10"), (0.0, "ease ±0"), (-0.14, "ease −0.14"),
                                           (-0.32, "ease −0.32"), (-0.8, "ease −0.80"), (1.25, "ease +1.25")])
def test_easiness_change_label(change, label):
    assert easiness_change_label(change) == label


def test_hard_good_and_easy_share_the_interval_but_not_the_easiness():
    """Why the buttons show the easiness change: in SM-2 the interval alone cannot tell them apart."""
    states = preview(Sm2State(2, 6, 2.5), [3, 4, 5])
    assert len({states[q].interval for q in (3, 4, 5)}) == 1
    assert [easiness_change_label(states[q].easiness - 2.5) for q in (3, 4, 5)] == [
        "ease −0.14", "ease ±0", "ease +0.10"]
