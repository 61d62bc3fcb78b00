"""Deck format v1: YAML deck files parsed into frozen specs, cloze rendering, card faces.

Pure: no web framework and no database (markdown to HTML is in ``render``).
"""
from .cloze import cloze_deletions, cloze_numbers, deleted_texts, plain_cloze, render_cloze
from .faces import Face, faces
from .model import DeckError, DeckSpec, NoteSpec, Problem
from .parser import parse_deck, parse_deck_file
from .yaml_tree import MAX_DECK_BYTES

__all__ = [
    "MAX_DECK_BYTES",
    "DeckError",
    "DeckSpec",
    "Face",
    "NoteSpec",
    "Problem",
    "cloze_deletions",
    "cloze_numbers",
    "deleted_texts",
    "faces",
    "parse_deck",
    "parse_deck_file",
    "plain_cloze",
    "render_cloze",
]
