"""Cloze deletions: ``{{cN::text}}`` or ``{{cN::text::hint}}``, N >= 1."""
from __future__ import annotations

import re

# A deletion's body runs to the first "}}" and cannot contain "{{": TeX braces fit, and
# matching stays linear (each "{{c1::" scans at most to the next "{{", not to the end of
# the text; possessive, so a deletion left open is not scanned again). The body's first "::" starts
# the hint, as in Anki.
# How a deck names one deletion, e.g. in a cloze card's per-deletion ``accept`` mapping.
DELETION_KEY = re.compile(r"c[1-9][0-9]*")
_DELETION = re.compile(r"\{\{c([1-9][0-9]*)::((?:(?!\}\}|\{\{).)*+)\}\}", re.DOTALL)


def cloze_numbers(text: str) -> list[int]:
    """The sorted, unique numbers N of the deletions in ``text`` (empty if none)."""
    return sorted({int(match.group(1)) for match in _DELETION.finditer(text)
                   if match.group(2).partition("::")[0]})  # "{{c1::}}" deletes nothing


def cloze_deletions(text: str) -> list[tuple[int, str, str]]:
    """Every deletion of ``text`` in order, as (number, deleted text, hint or "")."""
    found: list[tuple[int, str, str]] = []
    for match in _DELETION.finditer(text):
        deleted, _, hint = match.group(2).partition("::")
        if deleted:  # "{{c1::}}" deletes nothing, as in cloze_numbers
            found.append((int(match.group(1)), deleted, hint))
    return found


def plain_cloze(text: str) -> str:
    """``text`` with every deletion replaced by its deleted text: the sentence as a reader knows it."""
    return _DELETION.sub(lambda match: match.group(2).partition("::")[0] or match.group(0), text)


def deleted_texts(text: str, number: int) -> list[str]:
    """The texts (hints left out) that deletion ``number`` hides, in order."""
    return [deleted for n, deleted, _ in cloze_deletions(text) if n == number]


def render_cloze(text: str, number: int, *, reveal: bool) -> str:
    """Markdown for the card of deletion ``number``.

    Deletions numbered ``number`` become ``**[...]**`` (``**[hint]**`` with a hint)
    or, with ``reveal``, ``**text**`` (``<strong>`` instead of ``**`` in a text that starts with
    a tag); every other deletion shows its plain text.
    """

    # A text that starts with a tag may be an HTML block (an imported list or table), where
    # markdown is not read: there the deletion is marked up in HTML, which renders the same.
    strong, end = ("<strong>", "</strong>") if text.startswith("<") else ("**", "**")

    def replace(match: re.Match[str]) -> str:
        deleted, _, hint = match.group(2).partition("::")
        if not deleted:
            return match.group(0)  # not a deletion, as in cloze_numbers
        if int(match.group(1)) != number:
            return deleted
        if reveal:
            return f"{strong}{deleted}{end}"
        return f"{strong}[{hint or '...'}]{end}"

    return _DELETION.sub(replace, text)


def cloze_faces(text: str) -> list[tuple[int, str, str]]:
    """(number, prompt, answer) for each deletion number in order: ``render_cloze(text, number)``
    without and with ``reveal``, from one pass over the text (a large import makes one per card).
    tests/test_deck_load_speedups.py checks it against render_cloze."""
    parts = _DELETION.split(text)  # before, number, body, between, number, body, ..., after
    strong, end = ("<strong>", "</strong>") if text.startswith("<") else ("**", "**")
    deletions = []  # (index into parts, number, deleted, hint) of each deletion that deletes something
    for i in range(1, len(parts), 3):
        deleted, _, hint = parts[i + 1].partition("::")
        if deleted:
            deletions.append((i, int(parts[i]), deleted, hint))
        else:  # "{{c1::}}" is not a deletion: it stays as written, as in render_cloze
            parts[i] = f"{{{{c{parts[i]}::{parts[i + 1]}}}}}"
            parts[i + 1] = ""
    for i, _, deleted, _ in deletions:
        parts[i], parts[i + 1] = deleted, ""
    found = []
    for number in sorted({number for _, number, _, _ in deletions}):
        prompt, answer = parts.copy(), parts.copy()
        for i, n, deleted, hint in deletions:
            if n == number:
                prompt[i], answer[i] = f"{strong}[{hint or '...'}]{end}", f"{strong}{deleted}{end}"
        found.append((number, "".join(prompt), "".join(answer)))
    return found
