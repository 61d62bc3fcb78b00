"""The tag syntax, its one home: deck files, importers, the quiz filter and docs/deck.schema.json use it.

A tag is lowercase ASCII letters, digits, '-', '_' and ':', starting with a letter or digit,
at most TAG_MAX_LENGTH characters. ':' keeps Anki's hierarchy (``ML::LoRA`` is ``ml::lora``).
Notes store tags space-separated, so a tag never holds whitespace.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

TAG_MAX_LENGTH = 64
TAG_PATTERN = r"[a-z0-9][a-z0-9_:-]*"  # one class after the first character: linear time, no backtracking
TAG_RULE = (f"use lowercase letters, digits, '-', '_' and ':', starting with a letter or digit, "
            f"at most {TAG_MAX_LENGTH} characters")
_TAG = re.compile(TAG_PATTERN)
_NOT_TAG = re.compile(r"[^a-z0-9_:-]+")


def is_tag(text: object) -> bool:
    """Whether ``text`` is a tag as stored: exactly the syntax above, nothing to normalise."""
    return isinstance(text, str) and len(text) <= TAG_MAX_LENGTH and _TAG.fullmatch(text) is not None


@lru_cache(maxsize=4096)  # an import repeats a few tags on every note
def normalise_tag(text: str) -> str | None:
    """A tag from another program's text, or None if nothing is left: accents folded to ASCII,
    lowercased, each run of other characters made '-', leading '-', '_' and ':' dropped, cut to
    TAG_MAX_LENGTH. ``ML::LoRA`` gives ``ml::lora``, ``Café au lait`` gives ``cafe-au-lait``."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    tag = _NOT_TAG.sub("-", folded).lstrip("-_:")[:TAG_MAX_LENGTH]
    return tag or None
