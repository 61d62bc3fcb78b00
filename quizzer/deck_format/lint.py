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


class LintReport(NamedTuple):
    errors: list[Problem]
    warnings: list[Problem]


def lint_deck(deck: DeckSpec, filename: str) -> LintReport:
    """The deck's lint errors and warnings, each naming file, line and field."""
    warnings = choice_bias(deck, filename)
    return LintReport([], warnings)


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
