"""Multiple-choice order: shuffled per card and study day in the review, pinnable, and linted for bias."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from quizzer import clock
from quizzer.deck_format import DeckError, parse_deck
from quizzer.deck_format.lint import lint_deck
from quizzer.quiz.distractors import choice_order, day_seed
from quizzer.quiz.questions import QuizCard, choice_options
from quizzer.services import review, review_faces
from quizzer.services.deck_yaml import deck_document
from quizzer.store.models import Deck, User
from quizzer.web.present import card_payload
from tests.conftest import at, card_id

CHOICES = ["Reflection", "ReAct", "Planning", "Multi-agent", "Tool use", "Routing"]


def choice_deck(pinned: bool = False) -> str:
    pin = "    shuffle: false\n" if pinned else ""
    return ("id: mc\ntitle: Choices\ncards:\n  - id: pattern\n    question: Which pattern?\n"
            f"    choices: [{', '.join(CHOICES)}]\n    answer: ReAct\n{pin}")


def shown(user, now) -> list[str]:
    view = review.card_view(user, card_id("mc", "pattern"))
    order = review_faces.shown_choices(user, view, now=now)
    return [view.note.choices[i] for i in order]


def test_review_order_is_stable_within_a_study_day_and_changes_across_days(db, import_deck):
    import_deck(choice_deck())
    user = User.create(username="alice")
    morning = shown(user, at("2026-03-02 08:00"))

    assert sorted(morning) == sorted(CHOICES)
    assert shown(user, at("2026-03-02 23:00")) == morning  # reload later the same day
    days = {tuple(shown(user, at("2026-03-02 08:00") + timedelta(days=n))) for n in range(6)}
    assert len(days) > 1
    assert tuple(CHOICES) not in days or len(days) > 2


def test_review_order_survives_undo(db, import_deck):
    import_deck(choice_deck())
    user = User.create(username="alice")
    now = at("2026-03-02 08:00")
    before = shown(user, now)
    review.answer(user, card_id("mc", "pattern"), 4, now=now)
    assert review.undo_last(user, now=now) == card_id("mc", "pattern")
    assert shown(user, now) == before


def test_pinned_choices_keep_file_order_in_review_quiz_and_export(db, import_deck):
    import_deck(choice_deck(pinned=True))
    user = User.create(username="alice")
    for days in range(5):
        assert shown(user, at("2026-03-02 08:00") + timedelta(days=days)) == CHOICES
    card = QuizCard(1, 1, 1, "choice", "front", "Which pattern?", "ReAct", choices=tuple(CHOICES), shuffle=False)
    for seed in range(5):
        assert choice_options(card, [], seed) == (CHOICES, 1)
    assert deck_document(Deck.get(Deck.slug == "mc"))["cards"][0]["shuffle"] is False


def test_payload_numbers_follow_the_shown_order_and_mark_the_right_one(db, import_deck):
    import_deck(choice_deck())
    user = User.create(username="alice")
    payload = card_payload(review.show_card(user, card_id("mc", "pattern"), clock.now()))
    order = review_faces.shown_choices(user, review.card_view(user, card_id("mc", "pattern")))

    assert [c["number"] for c in payload["choices"]] == [1, 2, 3, 4, 5, 6]
    assert [c["correct"] for c in payload["choices"]] == [CHOICES[i] == "ReAct" for i in order]


def test_right_answer_spreads_over_positions_across_cards():
    """Over many cards and days no position is favoured (each of 4 near 25%)."""
    counts = [0, 0, 0, 0]
    for card in range(500):
        counts[choice_order(4, day_seed(card, date(2026, 3, 2))).index(0)] += 1
    assert all(90 < count < 160 for count in counts), counts


def test_shuffle_is_a_choice_card_field():
    with pytest.raises(DeckError) as err:
        parse_deck("id: d\ntitle: D\ncards:\n  - id: a\n    question: Q?\n    answer: A\n    shuffle: false\n"
                   "  - id: b\n    cloze: '{{c1::x}}'\n    shuffle: false\n  - id: c\n    question: Q2?\n"
                   "    choices: [A, B]\n    answer: A\n    shuffle: maybe\n", "d.yaml")
    messages = [str(p) for p in err.value.problems]
    assert "d.yaml:7:5: cards[0].shuffle: 'shuffle' needs 'choices'" in messages
    assert "d.yaml:10:5: cards[1].shuffle: a cloze card cannot have 'shuffle'" in messages
    assert "d.yaml:15:14: cards[2].shuffle: must be true or false, not 'maybe'" in messages


def lint_of(cards: list[tuple[list[str], str]]) -> list[str]:
    body = "".join(f"  - id: c{i}\n    question: Q{i}?\n    choices: {choices}\n    answer: {answer}\n"
                   for i, (choices, answer) in enumerate(cards))
    deck = parse_deck(f"id: d\ntitle: D\ncards:\n{body}", "d.yaml")
    report = lint_deck(deck, "d.yaml")
    assert report.errors == []
    return [w.message for w in report.warnings]


def test_lint_warns_when_one_position_holds_over_40_percent():
    first = [(["ok", "bad", "poor"], "ok")] * 3 + [(["bad", "ok", "poor"], "ok")] * 2
    assert lint_of(first) == ["warning: the right answer is option 1 in 3 of 5 choice cards (more than 40%); "
                              "vary its position"]
    spread = [(["ok", "bad", "poor"], "ok")] * 2 + [(["bad", "ok", "poor"], "ok")] * 2 \
        + [(["bad", "poor", "ok"], "ok")]
    assert lint_of(spread) == []  # 2 of 5 is exactly 40%


def test_lint_warns_when_the_longest_option_is_right_over_40_percent():
    cards = [(["a long right answer", "no", "nope"], "a long right answer"),
             (["no", "a long right answer", "nope"], "a long right answer"),
             (["no", "nope", "a long right answer"], "a long right answer"),
             (["yes", "a much longer wrong one", "nah"], "yes"),
             (["nah", "yes", "a much longer wrong one"], "yes")]
    assert lint_of(cards) == ["warning: the right answer is the longest option in 3 of 5 choice cards "
                              "(more than 40%); make the wrong options as detailed"]


def test_lint_needs_enough_choice_cards_to_judge():
    assert lint_of([(["ok", "bad"], "ok")] * 4) == []
