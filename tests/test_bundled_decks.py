"""The bundled decks: enough of every kind, no duplicate questions (content rules: test_bundled_decks_content)."""
from __future__ import annotations

import re
from collections import Counter

from quizzer.deck_format import parse_deck_file
from tests.conftest import BUNDLED_DECKS

DECKS = [parse_deck_file(path) for path in sorted(BUNDLED_DECKS.glob("*.yaml"))]
NOTES = [note for deck in DECKS for note in deck.notes]


def _normalised(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def test_enough_decks_and_cards():
    assert len(DECKS) >= 11
    assert len(NOTES) >= 260
    for deck in DECKS:
        assert 15 <= len(deck.notes) <= 40, f"{deck.id} has {len(deck.notes)} cards"


def test_every_card_kind_is_used_enough():
    kinds = Counter(note.kind for note in NOTES)
    assert kinds["cloze"] >= 60
    assert kinds["choice"] >= 45
    assert sum(1 for note in NOTES if note.accept) >= 20
    assert sum(1 for note in NOTES if note.reverse) >= 20


def test_multiple_choice_answers_are_among_the_choices():
    for note in NOTES:
        if note.kind == "choice":
            assert note.answer in note.choices, note.id
            assert len(set(note.choices)) == len(note.choices) >= 3, note.id


def test_no_two_bundled_cards_share_a_question():
    prompts = Counter()
    for note in NOTES:
        prompts[_normalised(note.question or note.cloze)] += 1
        if note.reverse:
            prompts[_normalised(note.answer)] += 1
    repeated = [text for text, count in prompts.items() if count > 1]
    assert not repeated, repeated


def test_card_ids_are_unique_across_a_deck_and_decks_unique_overall():
    assert len({deck.id for deck in DECKS}) == len(DECKS)
    for deck in DECKS:
        assert len({note.id for note in deck.notes}) == len(deck.notes)


def test_decks_use_cross_cutting_tags():
    tag_decks = Counter(tag for deck in DECKS for tag in {t for n in deck.notes for t in n.tags})
    shared = [tag for tag, count in tag_decks.items() if count >= 3]
    assert "interview-classic" in shared, shared
