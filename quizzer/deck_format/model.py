"""Deck and note values produced by the parser: frozen, hashable, free of YAML."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import NamedTuple


@dataclass(frozen=True)
class Problem:
    """One error or warning about a deck file, with its 1-based position and field path."""

    file: str
    line: int
    column: int
    path: str  # like "cards[3].answer"; "" for the file as a whole
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}: "
        return f"{where}{self.path}: {self.message}" if self.path else f"{where}{self.message}"


class DeckError(ValueError):
    """A deck file could not be parsed; ``problems`` holds every problem found."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))

    def __reduce__(self) -> tuple[type[DeckError], tuple[list[Problem]]]:  # pickle by problems, not the message
        return DeckError, (self.problems,)


class NoteSpec(NamedTuple):
    """One card entry of a deck file; it makes one or more schedulable cards (see faces).

    A named tuple rather than a frozen dataclass: a large import makes one per note, and a
    tuple is built in a quarter of the time."""

    id: str
    line: int
    question: str | None = None
    answer: str | None = None
    cloze: str | None = None
    explanation: str | None = None
    tags: tuple[str, ...] = ()  # deck tags first, then the card's own, no duplicates
    source: str | None = None  # a key of DeckSpec.sources
    reverse: bool = False
    choices: tuple[str, ...] = ()
    accept: tuple[str, ...] = ()
    shuffle: bool = True  # False pins the choices in file order ("all of the above")
    tolerance: str | None = None  # for typed numbers: "2%" or an amount in the answer's unit
    reverse_answer: str | None = None  # what typing on the reverse face is checked against
    # Per cloze deletion: ("c1", (other answers...)), ... in deletion order.
    cloze_accept: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def kind(self) -> str:
        """"cloze", "choice" or "basic" (basic includes typed answers with accept)."""
        if self.cloze is not None:
            return "cloze"
        return "choice" if self.choices else "basic"


def _no_sources() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True)
class DeckSpec:
    """A parsed deck: its metadata, notes in file order, and non-fatal warnings."""

    id: str
    title: str
    description: str = ""
    tags: tuple[str, ...] = ()
    # Read-only view of a private copy; left out of the hash because mappings are unhashable.
    sources: Mapping[str, str] = field(default_factory=_no_sources, hash=False)
    notes: tuple[NoteSpec, ...] = ()
    warnings: tuple[Problem, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "sources", MappingProxyType(dict(self.sources)))
