"""The schedulable cards (faces) a note makes."""
from __future__ import annotations

from typing import NamedTuple

from .cloze import cloze_faces
from .model import NoteSpec


class Face(NamedTuple):
    """One schedulable card of a note: its key within the note and its markdown (a named tuple:
    a large import makes one or two per note)."""

    key: str  # "front", "reverse", or "c1", "c2", ...
    prompt: str
    answer: str


def faces(note: NoteSpec) -> list[Face]:
    """The note's faces in a stable order: front then reverse, or c1, c2, ... for cloze.

    A cloze note makes one face per deletion number; any other note makes a front
    face and, with ``reverse``, a reverse one asking for the question from the answer.
    """
    if note.kind == "cloze":
        return [Face(f"c{number}", prompt, answer) for number, prompt, answer in cloze_faces(note.cloze or "")]
    question, answer = note.question or "", note.answer or ""
    if note.reverse:
        return [Face("front", question, answer), Face("reverse", answer, question)]
    return [Face("front", question, answer)]
