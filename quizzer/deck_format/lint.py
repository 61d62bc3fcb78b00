"""Checks on a parsed deck that go beyond its syntax: what ``quizzer lint`` adds to the parser.

Warnings point at habits that give answers away; they do not make a deck invalid.
"""
from __future__ import annotations

from collections import Counter
from typing import NamedTuple

from .model import DeckSpec, NoteSpec, Problem

# One position holding more than this share of a deck's right answers, or the right answer being
# the longest option in more than this share of its choice cards, lets a guesser beat the odds.
BIAS_SHARE = 0.40
# Below this many choice cards a share says little (two cards are 50% "first" by chance).
MIN_CHOICE_CARDS = 5
# A front with more words than this (or ending in ".", "?" or "!") is a sentence, not a term: nobody
# types it back on the reverse face, so the deck must give the short answer.
MAX_TERM_WORDS = 4


class LintReport(NamedTuple):
    errors: list[Problem]
    warnings: list[Problem]


def lint_deck(deck: DeckSpec, filename: str) -> LintReport:
    """The deck's lint errors and warnings, each naming file, line and field."""
    return LintReport(missing_reverse_answers(deck, filename), choice_bias(deck, filename))


def missing_reverse_answers(deck: DeckSpec, filename: str) -> list[Problem]:
    """Errors for reversible cards whose question is a sentence but that give no ``reverse_answer``."""
    return [Problem(filename, note.line, 1, f"cards[{index}].reverse_answer",
                    "a reversible card whose question is a sentence needs a short 'reverse_answer' "
                    "(what typing on its reverse face is checked against)")
            for index, note in enumerate(deck.notes)
            if note.reverse and not note.reverse_answer and is_sentence(note.question or "")]


def is_sentence(text: str) -> bool:
    """Ends like a sentence or has more than MAX_TERM_WORDS words."""
    stripped = text.strip()
    return stripped.endswith((".", "?", "!")) or len(stripped.split()) > MAX_TERM_WORDS


def choice_bias(deck: DeckSpec, filename: str) -> list[Problem]:
    """Warnings when one position holds more than BIAS_SHARE of the right answers of the deck's
    choice cards, or when the right answer is the longest option in more than BIAS_SHARE of them."""
    cards = [note for note in deck.notes if note.kind == "choice" and note.answer in note.choices]
    if len(cards) < MIN_CHOICE_CARDS:
        return []
    found = []
    position, count = Counter(note.choices.index(note.answer) for note in cards).most_common(1)[0]
    if count > BIAS_SHARE * len(cards):
        found.append(_deck_warning(filename, f"the right answer is option {position + 1} in {count} of "
                                             f"{len(cards)} choice cards (more than {BIAS_SHARE:.0%}); "
                                             "vary its position"))
    longest = sum(1 for note in cards if _is_longest(note))
    if longest > BIAS_SHARE * len(cards):
        found.append(_deck_warning(filename, f"the right answer is the longest option in {longest} of "
                                             f"{len(cards)} choice cards (more than {BIAS_SHARE:.0%}); "
                                             "make the wrong options as detailed"))
    return found


def _is_longest(note: NoteSpec) -> bool:
    right = len(note.answer or "")
    return all(len(choice) < right for choice in note.choices if choice != note.answer)


def _deck_warning(filename: str, message: str) -> Problem:
    return Problem(filename, 1, 1, "cards", f"warning: {message}")
