"""Multiple-choice options: distractors from related cards, seeded, never a duplicate or the answer."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from quizzer.quiz.distractors import Candidate, pick_distractors, shuffled_options
from quizzer.quiz.matching import normalise
from quizzer.quiz.questions import (
    QuizCard,
    accepted_answers,
    answers_by_kind,
    choice_options,
    expected_answer,
    is_typeable,
    offers_choices,
)

ANSWER = "Group shuffle split"


def test_three_distractors_most_related_first():
    pool = [Candidate("Random split", 0), Candidate("Stratified split", 3), Candidate("Time series split", 3),
            Candidate("K-fold", 1), Candidate("Leave one out", 3)]

    picked = pick_distractors(ANSWER, pool, seed=7)

    assert sorted(picked) == ["Leave one out", "Stratified split", "Time series split"]


def test_never_the_answer_an_empty_option_or_a_normalised_duplicate():
    pool = [Candidate("group-shuffle-split!", 9), Candidate("GROUP SHUFFLE SPLIT", 9), Candidate("   ", 9),
            Candidate("", 9), Candidate("Stratified split", 1), Candidate("stratified  split.", 1),
            Candidate("Random split", 0)]

    picked = pick_distractors(ANSWER, pool, seed=1)

    assert picked == ["Stratified split", "Random split"] or picked == ["stratified  split.", "Random split"]


def test_fewer_when_the_pool_is_small():
    assert pick_distractors(ANSWER, [Candidate("Random split")], seed=3) == ["Random split"]
    assert pick_distractors(ANSWER, [], seed=3) == []


def test_same_seed_same_choice_whatever_the_input_order():
    pool = [Candidate(f"option {i}", i % 2) for i in range(20)]

    first = pick_distractors(ANSWER, pool, seed=42)

    assert pick_distractors(ANSWER, list(reversed(pool)), seed=42) == first
    assert len({tuple(pick_distractors(ANSWER, pool, seed=s)) for s in range(30)}) > 1  # the seed matters


@given(answer=st.text(min_size=1, max_size=12),
       texts=st.lists(st.tuples(st.text(max_size=12), st.integers(0, 4)), max_size=25),
       seed=st.integers(0, 2**31))
def test_properties_for_any_pool(answer, texts, seed):
    picked = pick_distractors(answer, [Candidate(t, r) for t, r in texts], seed)

    keys = [normalise(p) for p in picked]
    assert len(picked) <= 3
    assert all(keys) and len(set(keys)) == len(keys)
    assert normalise(answer) not in keys
    assert picked == pick_distractors(answer, [Candidate(t, r) for t, r in texts], seed)


def test_options_hold_the_answer_once_at_the_returned_index():
    options, right = shuffled_options("B", ["A", "B", "C", "D"], seed=5)

    assert sorted(options) == ["A", "B", "C", "D"]
    assert options[right] == "B"
    assert shuffled_options("B", ["A", "B", "C", "D"], seed=5) == (options, right)


def card(card_id, note_id, answer, tags=(), **kw) -> QuizCard:
    return QuizCard(card_id, note_id, kw.pop("deck_id", 1), kw.pop("kind", "basic"), kw.pop("key", "front"),
                    question=kw.pop("question", f"Q{card_id}?"), answer=answer, tags=frozenset(tags), **kw)


def test_choice_notes_use_their_own_choices():
    pick = card(1, 1, "ReAct", kind="choice", choices=("Reflection", "ReAct", "Planning"))

    options, right = choice_options(pick, [], seed=9)

    assert sorted(options) == ["Planning", "ReAct", "Reflection"] and options[right] == "ReAct"


def test_distractors_come_from_the_same_deck_and_family_sharing_tags_first():
    asked = card(1, 1, "Pinball loss", tags=("loss", "regression"))
    mates = [asked,
             card(2, 2, "Hinge loss", tags=("loss",)), card(3, 3, "Huber loss", tags=("loss", "regression")),
             card(4, 4, "Log loss", tags=("loss",)), card(5, 5, "Dropout", tags=("regularisation",)),
             card(6, 6, "Focal loss", tags=("loss",), deck_id=2),  # other deck
             card(7, 1, "Pinball", key="reverse", tags=("loss",)),  # same note: would give it away
             card(8, 8, "{{c1::x}}", kind="cloze", key="c1", cloze="A {{c1::Cross-entropy}} loss", tags=("loss",))]

    options, right = choice_options(asked, mates, seed=4)

    assert options[right] == "Pinball loss"
    assert sorted(options) == ["Hinge loss", "Huber loss", "Log loss", "Pinball loss"]


def test_cloze_answer_is_the_deleted_text_and_reverse_asks_for_the_question():
    cloze = card(1, 1, "", kind="cloze", key="c2",
                 cloze="{{c1::Bagging}} cuts variance, {{c2::boosting::what}} bias")
    reverse = card(2, 2, "Time to first token", key="reverse", question="What is TTFT?", accept=("ttft",))

    assert expected_answer(cloze) == "boosting"
    assert expected_answer(reverse) == "What is TTFT?"
    assert accepted_answers(reverse) == ["What is TTFT?"]  # accept lists are for the front face
    assert accepted_answers(card(3, 3, "Group shuffle split", accept=("GroupShuffleSplit",))) == [
        "Group shuffle split", "GroupShuffleSplit"]


def test_only_short_answers_are_typeable():
    assert is_typeable(card(1, 1, "Paris"))
    assert not is_typeable(card(2, 2, "A long explanation " * 5))
    assert is_typeable(card(3, 3, "A long explanation " * 5, accept=("short",)))


def test_a_card_offers_choices_only_with_another_notes_different_answer():
    lone = card(1, 1, "Paris")
    same_answer = card(3, 3, "paris!")  # normalises to the same answer: no distractor
    other_deck = card(4, 4, "Rome", deck_id=2)
    own_choices = card(5, 5, "ReAct", kind="choice", choices=("ReAct", "Planning"), deck_id=3)
    cloze_c1 = card(6, 6, "", kind="cloze", key="c1", cloze="{{c1::Bagging}} and {{c2::boosting}}", deck_id=4)
    cloze_c2 = card(7, 6, "", kind="cloze", key="c2", cloze="{{c1::Bagging}} and {{c2::boosting}}", deck_id=4)
    answers = answers_by_kind([lone, same_answer, other_deck, own_choices, cloze_c1, cloze_c2])

    assert not offers_choices(lone, answers) and not offers_choices(other_deck, answers)
    assert not offers_choices(cloze_c1, answers)  # its only neighbour is its own note's other deletion
    assert offers_choices(own_choices, answers)
    assert offers_choices(lone, answers_by_kind([lone, card(8, 8, "Lyon")]))
