"""Cloze deletions: ``{{cN::text}}`` or ``{{cN::text::hint}}``, N >= 1."""
from __future__ import annotations

import re

# Lazy text so "{{c1::a}} and {{c2::b}}" is two deletions; the first "::" after the
# text starts the hint (as in Anki), so text cannot itself contain "::".
_DELETION = re.compile(r"\{\{c([1-9][0-9]*)::(.+?)(?:::(.*?))?\}\}", re.DOTALL)


def cloze_numbers(text: str) -> list[int]:
    """The sorted, unique numbers N of the deletions in ``text`` (empty if none)."""
    return sorted({int(match.group(1)) for match in _DELETION.finditer(text)})


def render_cloze(text: str, number: int, *, reveal: bool) -> str:
    """Markdown for the card of deletion ``number``.

    Deletions numbered ``number`` become ``**[...]**`` (``**[hint]**`` with a hint)
    or, with ``reveal``, ``**text**``; every other deletion shows its plain text.
    """

    def replace(match: re.Match[str]) -> str:
        body, hint = match.group(2), match.group(3)
        if int(match.group(1)) != number:
            return body
        if reveal:
            return f"**{body}**"
        return f"**[{hint}]**" if hint else "**[...]**"

    return _DELETION.sub(replace, text)
