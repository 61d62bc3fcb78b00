"""Typed answers: normalise, compare exactly, then fuzzily; near misses carry a diff to highlight.

Thresholds are on rapidfuzz's ``fuzz.ratio`` (0-100, normalised Indel similarity) between
the normalised texts; see docs/quizzes.md for the table of accepted and rejected answers.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from quizzer.quiz.quantities import Tolerance, leading_quantity, number_answer, same_quantity

ACCEPT_SCORE = 90  # a typo or two in a longer answer
NEAR_MISS_SCORE = 75  # shown with the difference; the user may overrule
# Fuzzy scores and the difference take time quadratic in the length: texts longer than this (after
# normalising) count only when equal. Typed answers are far shorter (see questions.TYPED_MAX_CHARS).
FUZZY_MAX_CHARS = 1_000

# Anything but letters, digits and spaces is punctuation, except a decimal point (0.5 is not 05).
_PUNCTUATION = re.compile(r"(?!(?<=\d)\.(?=\d))[^\w\s]|_")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class DiffPart:
    """One stretch of the comparison: "equal", "replace", "delete" (only typed) or "insert" (missing)."""

    op: str
    given: str
    expected: str


@dataclass(frozen=True)
class Verdict:
    """How a typed answer compares with the closest accepted answer."""

    outcome: str  # "right", "near" or "wrong"
    score: float  # 0-100, 100 for an exact match after normalising
    expected: str  # the accepted answer it was compared with
    diff: tuple[DiffPart, ...] = ()  # for a near miss only

    @property
    def right(self) -> bool:
        return self.outcome == "right"


def normalise(text: str) -> str:
    """Case-folded, accents and punctuation removed, whitespace collapsed: "Élan-Vital!" -> "elan vital"."""
    text = text or ""
    if not text.isascii():  # ASCII has no accents or compatibility forms: skip the slow part
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    bare = text.casefold()
    return _SPACES.sub(" ", _PUNCTUATION.sub(" ", bare)).strip()


def _compact(text: str) -> str:
    return text.replace(" ", "")


def _score(given: str, expected: str) -> float:
    """fuzz.ratio for texts up to FUZZY_MAX_CHARS (edit distance is quadratic in length), else 0."""
    if len(given) > FUZZY_MAX_CHARS or len(expected) > FUZZY_MAX_CHARS:
        return 0.0
    return fuzz.ratio(given, expected)


def match_answer(given: str, accepted: Sequence[str], tolerance: Tolerance | None = None) -> Verdict:
    """Compare ``given`` with every accepted answer (the answer first, then ``accept`` entries).

    Right when equal after normalising (also with the spaces removed: "group shuffle split"
    is "GroupShuffleSplit"). A typed number ("65536 parameters", "327.68 KB") is then judged by
    value against the first accepted answer that starts with a number, within ``tolerance`` (see
    quantities.same_quantity): right or wrong, never a near miss, so "65535" is not a typo of
    65,536. Otherwise right when scoring >= ACCEPT_SCORE, near when >= NEAR_MISS_SCORE, wrong
    below, and always wrong for an empty answer; texts over FUZZY_MAX_CHARS are only compared for
    equality. Raises ValueError if ``accepted`` is empty.
    """
    if not accepted:
        raise ValueError("accepted: at least one answer to compare with")
    typed = normalise(given)
    if not typed:
        return Verdict("wrong", 0.0, accepted[0])
    keys = [normalise(a) for a in accepted]
    for key, answer in zip(keys, accepted):
        if typed == key or _compact(typed) == _compact(key):
            return Verdict("right", 100.0, answer)
    number = number_answer(given)
    if number is not None:
        for answer in accepted:
            expected = leading_quantity(answer)
            if expected is not None:
                right = same_quantity(number, expected, tolerance)
                return Verdict("right" if right else "wrong", 100.0 if right else 0.0, answer)
    scored = [(_score(typed, key), index, a) for index, (key, a) in enumerate(zip(keys, accepted))]
    score, _, best = max(scored, key=lambda item: (item[0], -item[1]))
    if score >= ACCEPT_SCORE:
        return Verdict("right", score, best)
    if score >= NEAR_MISS_SCORE:
        return Verdict("near", score, best, diff(typed, normalise(best)))
    return Verdict("wrong", score, best)


def diff(given: str, expected: str) -> tuple[DiffPart, ...]:
    """The character-level difference between two texts, as difflib opcodes."""
    matcher = difflib.SequenceMatcher(None, given, expected, autojunk=False)
    return tuple(DiffPart(op, given[i1:i2], expected[j1:j2])
                 for op, i1, i2, j1, j2 in matcher.get_opcodes())
