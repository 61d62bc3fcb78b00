"""Where a deck's flow collections (``[...]``, ``{...}``) first nest too deep, found before YAML sees it.

libyaml looks ahead across a whole flow collection before it emits the first event, and
newer releases stop at their own limit of 1,000 levels with their own message. So the
depth must be estimated from the text alone: one linear pass that follows brackets in flow
context (skipping quoted text and comments) and, in block context, only brackets that
open a value. It may over-count (a line of a block scalar that starts with ``[``); the
caller confirms any finding with the real parser on the text up to that point.
"""
from __future__ import annotations

import re

_OPEN, _CLOSE = "[{", "]}"
_OPENER = re.compile(r"[\[{]")
_FLOW_MARK = re.compile(r"""[\[\]{}"'#]""")


def first_too_deep(text: str, max_depth: int) -> int | None:
    """The index of the first flow opener deeper than ``max_depth``, or None."""
    depth, i, n = 0, 0, len(text)
    while True:
        if depth == 0:
            i = _next_block_opener(text, i)
            if i >= n:
                return None
            depth = 1
        else:
            found = _FLOW_MARK.search(text, i)
            if found is None:
                return None
            i, char = found.start(), found.group()
            if char in _OPEN:
                depth += 1
            elif char in _CLOSE:
                depth -= 1
            elif char != "#":
                i = _quoted_end(text, i, char)
            elif text[i - 1] in " \t\n":  # a comment (a flow collection never starts a file)
                i = _line_end(text, i)
        if depth > max_depth:
            return i
        i += 1


def _next_block_opener(text: str, start: int) -> int:
    """The index of the next ``[`` or ``{`` that opens a value in block context (len(text) if none)."""
    n = len(text)
    i = start
    while i < n:
        found = _OPENER.search(text, i)
        if found is None:
            return n
        i = found.start()
        j = i - 1  # back over blanks to what stands before the bracket on its line
        while j >= 0 and text[j] in " \t":
            j -= 1
        if j < 0 or text[j] in "\n-?:":
            return i
        i += 1
    return n


def _quoted_end(text: str, start: int, quote: str) -> int:
    """The index of the quote closing the scalar opened at ``start`` (the last index if unclosed)."""
    i = start + 1
    while True:
        i = text.find(quote, i)
        if i < 0:
            return len(text) - 1
        if quote == '"':
            j = i - 1
            while text[j] == "\\":
                j -= 1
            if (i - 1 - j) % 2 == 0:
                return i
        elif text.startswith("''", i):
            i += 2
            continue
        else:
            return i
        i += 1


def _line_end(text: str, start: int) -> int:
    end = text.find("\n", start)
    return len(text) - 1 if end < 0 else end
