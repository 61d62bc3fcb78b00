"""An HTML fragment as a flat list of events, in one linear pass.

The standard library's ``HTMLParser`` rescans the rest of the input at every ``<`` of a tag or
comment left open (``<img src="`` repeated: quadratic, seconds for 100 KB), so fields from
strangers are split here instead: each construct is matched once, and one left open at the end
stops the scan. As in a browser, a comment or ``<!...>``/``<?...>`` left open hides the rest of
the field, and so does ``<script>``/``<style>`` (raw text up to its end tag); a tag left open
is kept as text. Otherwise the events are what ``HTMLParser`` reports (tests/html_md_reference.py
keeps it as the reference): names in lower case, character references resolved in text and in
attribute values, attributes without a value given as None.

``balanced`` rewrites a fragment nested too deep for the sanitiser (see ``MAX_NESTING``).
"""
from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from typing import Any

# ("start", tag, [(name, value or None), ...]) / ("end", tag) / ("text", data)
Event = tuple[Any, ...]

VOID = frozenset({"br", "img", "hr", "wbr"})
_SKIP = frozenset({"script", "style", "title", "head"})  # their text is not shown
_RAW_TEXT = {"script": re.compile(r"</script", re.I), "style": re.compile(r"</style", re.I)}
# A tag ends at the first ">" outside a quoted value (a quote right after "="; one left open runs
# to the end). Possessive throughout: a tag that does not end fails after one scan.
_TAG = re.compile(r"""<(/?)([A-Za-z][^\t\n\f\r />]*+)"""
                  r"""((?:[^>"'=]++|=[\t\n\f\r ]*+(?:"[^"]*+"?|'[^']*+'?)?+|["'])*+)>""")
_TAG_START = re.compile(r"</?[A-Za-z]")
_ATTR = re.compile(r"""([^\t\n\f\r />=][^\t\n\f\r />=]*+)(?:[\t\n\f\r ]*+=[\t\n\f\r ]*+"""
                   r"""("[^"]*+"|'[^']*+'|[^\t\n\f\r >]++))?""")


def html_events(fragment: str) -> list[Event]:
    """("start", tag, attrs) / ("end", tag) / ("text", data) for a fragment, skipping what is not
    shown (script, style, title, head); void tags (br, img...) have no end event."""
    out = _Collector()
    position, size = 0, len(fragment)
    while position < size:
        bracket = fragment.find("<", position)
        if bracket < 0:
            out.text(fragment[position:])
            break
        if bracket > position:
            out.text(fragment[position:bracket])
        position = _construct(fragment, bracket, out)
    out.flush()
    return out.events


def _construct(fragment: str, start: int, out: _Collector) -> int:
    """Read what starts with the "<" at ``start``; the position after it (the end: nothing follows)."""
    if fragment.startswith("<!--", start):
        end = fragment.find("-->", start + 4)
        return len(fragment) if end < 0 else end + 3
    if fragment.startswith("</>", start):
        return start + 3  # ignored, as by a browser
    if fragment.startswith(("<!", "<?"), start):
        end = fragment.find(">", start + 2)
        return len(fragment) if end < 0 else end + 1
    match = _TAG.match(fragment, start)
    if match is None:  # a "<" that starts no tag, or a tag left open: it runs to the end
        end = len(fragment) if _TAG_START.match(fragment, start) else start + 1
        out.text(fragment[start:end])
        return end
    closing, tag, rest = match.group(1), match.group(2).lower(), match.group(3)
    if closing:
        out.end(tag)
        return match.end()
    attrs = [(name.lower(), _value(value)) for name, value in _ATTR.findall(rest)]
    if rest.endswith("/"):
        out.start_end(tag, attrs)
        return match.end()
    out.start(tag, attrs)
    if tag in _RAW_TEXT:
        found = _RAW_TEXT[tag].search(fragment, match.end())
        if found is None:
            return len(fragment)
        out.end(tag)
        end = fragment.find(">", found.end())
        return len(fragment) if end < 0 else end + 1
    return match.end()


def _value(raw: str) -> str | None:
    if not raw:
        return None
    if raw[0] in "\"'":
        raw = raw[1:-1]
    return html.unescape(raw) if "&" in raw else raw


class _Collector:
    """Events as HTMLParser's handlers made them: adjacent text joined, skipped parts left out."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self._skipping = 0
        self._text: list[str] = []

    def text(self, data: str) -> None:
        if not self._skipping:
            self._text.append(data)

    def flush(self) -> None:
        if self._text:
            data = "".join(self._text)
            self._text = []
            self.events.append(("text", html.unescape(data) if "&" in data else data))

    def start(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skipping += 1
        elif not self._skipping:
            self.flush()
            self.events.append(("start", tag, attrs))

    def start_end(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _SKIP and not self._skipping:
            self.flush()
            self.events.append(("start", tag, attrs))
            if tag not in VOID:
                self.events.append(("end", tag))

    def end(self, tag: str) -> None:
        if tag in _SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif not self._skipping and tag not in VOID:
            self.flush()
            self.events.append(("end", tag))


MAX_NESTING = 64  # elements inside one another; deeper start tags are left out (their text stays)


def balanced(fragment: str) -> str:
    """The fragment re-written with every element closed, in order, at most MAX_NESTING deep.
    The sanitiser's HTML parser takes time in proportion to the depth for each tag (a 100 KB field
    of nested lists took seconds); this takes linear time. An end tag with no open element of its
    name is dropped; an element left open is closed where its parent is."""
    parts: list[str] = []
    for event in _nested(html_events(fragment)):
        if event[0] == "text":
            parts.append(html.escape(event[1], quote=False))
        elif event[0] == "end":
            parts.append(f"</{event[1]}>")
        else:
            attrs = "".join(f' {name}="{html.escape(value or "", quote=True)}"' for name, value in event[2])
            parts.append(f"<{event[1]}{attrs}>")
    return "".join(parts)


def _nested(events: Iterable[Event]) -> Iterator[Event]:
    open_tags: list[tuple[str, bool]] = []  # (tag, kept)
    open_counts: dict[str, int] = {}
    kept_depth = 0
    for event in events:
        kind, tag = event[0], event[1]
        if kind == "text" or tag in VOID:
            yield event
            continue
        closing = kind == "end" and open_counts.get(tag)
        while closing:  # each element is closed once: linear over the whole fragment
            name, kept = open_tags.pop()
            open_counts[name] -= 1
            if kept:
                kept_depth -= 1
                yield ("end", name)
            closing = name != tag
        if kind == "start":
            kept = kept_depth < MAX_NESTING
            open_tags.append((tag, kept))
            open_counts[tag] = open_counts.get(tag, 0) + 1
            if kept:
                kept_depth += 1
                yield event
    for name, kept in reversed(open_tags):
        if kept:
            yield ("end", name)
