"""Names from other programs made valid in our format: deck slugs, tags, card ids."""
from __future__ import annotations

import hashlib
import re
import unicodedata

from quizzer.deck_format.parser import MAX_NAME_LENGTH, is_slug
from quizzer.deck_format.tags import normalise_tag

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
# Control characters our deck files refuse (the parser's rule); imported text drops them.
_UNPRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")


def _ascii_lower(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def slugify(text: str, fallback: str = "deck") -> str:
    """A deck or card id: lowercase ASCII letters, digits and '-', at most 64 characters."""
    slug = _NOT_SLUG.sub("-", _ascii_lower(text)).strip("-")[:MAX_NAME_LENGTH].rstrip("-")
    return slug or fallback


class Taken(set):
    """Names in use, and for each base the number ``unique`` gave last: names are only ever added,
    so the next free one is never below it (n notes with one text cost n steps, not n squared)."""

    def __init__(self, names=()):
        super().__init__(names)
        self.last_number: dict[str, int] = {}


def unique(base: str, taken: Taken) -> str:
    """``base``, or ``base-2``, ``base-3``... whichever is not taken yet; records it as taken."""
    number = taken.last_number.get(base, 1)
    name = base if number == 1 else _numbered(base, number)
    while name in taken:
        number += 1
        name = _numbered(base, number)
    taken.last_number[base] = number
    taken.add(name)
    return name


def _numbered(base: str, number: int) -> str:
    suffix = f"-{number}"
    return base[: MAX_NAME_LENGTH - len(suffix)] + suffix


def tag_names(texts) -> tuple[str, ...]:
    """Our tags for another program's (see deck_format.tags.normalise_tag), de-duplicated in order."""
    return tuple(dict.fromkeys(t for t in map(normalise_tag, texts) if t))


def note_id_from_guid(guid: str) -> str:
    """A stable card id for an Anki note: the same guid always gives the same id."""
    return "anki-" + hashlib.sha256(guid.encode("utf-8")).hexdigest()[:16]


GUID_PREFIX = "quizzer:"  # the guid our .apkg export gives a note: "quizzer:<deck id>:<card id>"


def quizzer_guid(deck_id: str, note_id: str) -> str:
    """The Anki guid our export gives a note: it names the deck and card, so the note comes back to them."""
    return f"{GUID_PREFIX}{deck_id}:{note_id}"


def ids_from_guid(guid: str) -> tuple[str, str] | None:
    """(deck id, card id) from a guid ``quizzer_guid`` made, None for any other guid."""
    if not guid.startswith(GUID_PREFIX):
        return None
    deck_id, _, note_id = guid[len(GUID_PREFIX):].partition(":")
    valid = is_slug(deck_id) and is_slug(note_id)
    return (deck_id, note_id) if valid else None


def printable(text: str) -> str:
    """``text`` without the control characters a deck file may not hold."""
    return text if text.isascii() and text.isprintable() else _UNPRINTABLE.sub("", text)
