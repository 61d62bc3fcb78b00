"""What a quiz asks of one card: the expected answer, what else is accepted, the options."""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from quizzer.deck_format.cloze import deleted_texts
from quizzer.quiz.distractors import Candidate, choice_order, pick_distractors, shuffled_options
from quizzer.quiz.matching import Verdict, match_answer, normalise
from quizzer.quiz.quantities import Tolerance, parse_tolerance

TYPED_MAX_CHARS = 60  # longer answers are for mock interviews, not for typing word for word


@dataclass(frozen=True)
class QuizCard:
    """The parts of a stored card and its note that a quiz needs."""

    card_id: int
    note_id: int
    deck_id: int
    kind: str  # "basic", "choice" or "cloze"
    key: str  # "front", "reverse" or "cN"
    question: str = ""
    answer: str = ""
    cloze: str = ""
    choices: tuple[str, ...] = ()
    accept: tuple[str, ...] = ()  # other answers of this face: the note's list, or its deletion's
    tags: frozenset[str] = frozenset()
    shuffle: bool = True  # False: the note's own choices keep their file order
    tolerance: str = ""  # for typed numbers; "" for the default (quantities.same_quantity)
    reverse_answer: str = ""  # the short answer of a reverse face

    @property
    def family(self) -> str:
        """Answers of one family look alike: "answer", "question" (reverse faces) or "cloze"."""
        if self.kind == "cloze":
            return "cloze"
        return "question" if self.key == "reverse" else "answer"


def expected_answer(card: QuizCard) -> str:
    """The text the user should produce: the answer, the question for a reverse face, the deleted text."""
    if card.family == "cloze":
        number = int(card.key[1:])
        return ", ".join(text.strip() for text in deleted_texts(card.cloze, number))
    return card.question if card.family == "question" else card.answer


def accepted_answers(card: QuizCard) -> list[str]:
    """What typing may match, best first: a front face's answer then its ``accept`` entries; a
    deletion's text then its own ``accept`` entries; a reverse face's short ``reverse_answer`` (when
    the deck gives one) then the whole question."""
    if card.family == "question":
        return [card.reverse_answer, card.question] if card.reverse_answer else [card.question]
    return [expected_answer(card), *card.accept]


def answer_tolerance(card: QuizCard) -> Tolerance | None:
    """The card's tolerance for typed numbers, None for the default."""
    return parse_tolerance(card.tolerance) if card.tolerance else None


def judge_typed(card: QuizCard, given: str) -> Verdict:
    """A typed answer to the card, judged against everything it accepts, within its tolerance."""
    return match_answer(given, accepted_answers(card), answer_tolerance(card))


def is_typeable(card: QuizCard) -> bool:
    """Short enough to type: an ``accept`` list or a reverse face's short answer, or an expected
    answer of at most TYPED_MAX_CHARS."""
    return bool(card.accept or (card.family == "question" and card.reverse_answer)) \
        or 0 < len(expected_answer(card)) <= TYPED_MAX_CHARS


def answers_by_kind(deck_cards: Iterable[QuizCard]) -> dict[tuple[int, str], dict[str, set[int]]]:
    """Per (deck, answer family): each normalised expected answer and the notes that give it."""
    found: dict[tuple[int, str], dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for card in deck_cards:
        found[(card.deck_id, card.family)][normalise(expected_answer(card))].add(card.note_id)
    return found


def offers_choices(card: QuizCard, answers: dict[tuple[int, str], dict[str, set[int]]]) -> bool:
    """Whether the card can be asked as multiple choice: its own choices, or at least one distractor
    (another note's different, non-empty answer) in ``answers`` (from answers_by_kind)."""
    if card.kind == "choice" and card.family == "answer":
        return True
    own = normalise(expected_answer(card))
    return any(key and key != own and notes - {card.note_id}
               for key, notes in answers.get((card.deck_id, card.family), {}).items())


def choice_options(card: QuizCard, deck_cards: Iterable[QuizCard], seed: int) -> tuple[list[str], int]:
    """Seeded options and the right one's index: the note's own choices (in file order if the note
    pins them), else 3 distractors.

    Distractors are the expected answers of other notes' cards of the same deck and answer
    family, ranked by ``relatedness``. Fewer than 3 when the deck has fewer to offer.
    """
    right = expected_answer(card)
    if card.kind == "choice" and card.family == "answer":
        options = [card.choices[i] for i in choice_order(len(card.choices), seed, not card.shuffle)]
        return options, options.index(right)
    candidates = [Candidate(expected_answer(other), relatedness(card, other))
                  for other in deck_cards
                  if other.note_id != card.note_id and other.deck_id == card.deck_id
                  and other.family == card.family]
    return shuffled_options(right, pick_distractors(right, candidates, seed), seed)


def relatedness(card: QuizCard, other: QuizCard) -> int:
    """3 per shared tag, minus up to 3 for answers of very different length (a one-word
    option among paragraphs gives itself away): the rounded |log2| of the length ratio."""
    lengths = len(expected_answer(card)) or 1, len(expected_answer(other)) or 1
    gap = min(3, round(abs(math.log2(lengths[0] / lengths[1]))))
    return 3 * len(card.tags & other.tags) - gap
