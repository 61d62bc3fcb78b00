"""Reference versions of the HTML importer's hot-path functions, kept as their specification.

The importer uses one-pass versions (``_simple_convert``, ``_line``); these plain ones are what the
equivalence tests compare them with.
"""
from __future__ import annotations

import html
from html.parser import HTMLParser

from quizzer.deck_format.html_events import VOID
from quizzer.importers.html_md import (
    _BOLD,
    _ITALIC,
    _SIMPLE_TOKEN,
    ImageUrl,
    _collapse,
    _esc_html,
    _escape_line_start,
    _trim,
    escape_markdown,
)
from quizzer.importers.names import printable

_SKIP = {"script", "style", "title", "head"}


class ReferenceEvents(HTMLParser):
    """What ``html_events`` gives for a fragment whose every construct is closed, by the standard
    library's parser (quadratic on constructs left open, hence not used by the importer)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.events: list[tuple] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            self._skipping += 1
        elif not self._skipping:
            self.events.append(("start", tag, attrs))

    def handle_startendtag(self, tag, attrs):
        if tag not in _SKIP and not self._skipping:
            self.events.append(("start", tag, attrs))
            if tag not in VOID:
                self.events.append(("end", tag))

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif not self._skipping and tag not in VOID:
            self.events.append(("end", tag))

    def handle_data(self, data):
        if not self._skipping:
            self.events.append(("text", data))


def reference_events(fragment: str) -> list[tuple]:
    parser = ReferenceEvents()
    parser.feed(fragment)
    parser.close()
    return parser.events


def simple_lines(fragment: str, image_url: ImageUrl) -> list[list[tuple]] | None:
    """The lines of a field made only of simple tags, split without the HTML parser (the
    common case, and the hot path of a large import); None for any other field.
    Gives what ``_lines`` gives for the parser's events."""
    lines: list[list[tuple]] = [[]]
    bold = italic = position = 0
    for match in _SIMPLE_TOKEN.finditer(fragment):
        if match.start() != position:
            return None
        position = match.end()
        text, closing, tag, self_closing, src = match.groups()
        if text is not None:
            if "&" in text:
                text = html.unescape(text)
            if not (text.isascii() and text.isprintable()) or "  " in text:
                text = _collapse(printable(text))
            lines[-1].append(("text", text, bold, italic))
        elif src is not None:
            url = image_url(html.unescape(src))
            if url:
                lines[-1].append(("img", url))
        else:
            if tag == "br":
                lines.append([])
            elif tag in ("div", "p"):
                if lines[-1]:
                    lines.append([])
            elif tag in _BOLD and not self_closing:
                bold = max(0, bold + (-1 if closing else 1))
            elif tag in _ITALIC and not self_closing:
                italic = max(0, italic + (-1 if closing else 1))
    return [_trim(line) for line in lines] if position == len(fragment) else None


def line_reference(items: list[tuple]) -> tuple[str, str]:
    """The plain version of ``_line``, kept as its specification."""
    if len(items) == 1 and items[0][0] == "text" and not (items[0][2] or items[0][3]):
        return _escape_line_start(escape_markdown(items[0][1])), _esc_html(items[0][1])
    md, out = [], []
    for index, item in enumerate(items):
        if item[0] == "img":
            md.append(f"![]({item[1]})")
            out.append(f'<img src="{item[1]}" alt="">')
        elif item[0] == "raw":
            md.append(item[1])
            out.append(item[1])
        else:
            text_md, text_html = styled(item[1], item[2], item[3], md[-1] if md else "")
            if index == 0 and not (item[2] or item[3]):
                text_md = _escape_line_start(text_md)
            md.append(text_md)
            out.append(text_html)
    return "".join(md), "".join(out)


def styled(text: str, bold: int, italic: int, before: str) -> tuple[str, str]:
    """Markdown and HTML for a run of text, emphasised as markdown where that is unambiguous
    (``before`` is the markdown just before it: a ``*`` there would merge delimiter runs)."""
    if not (bold or italic):
        return escape_markdown(text), _esc_html(text)
    inner = text.strip(" ")
    lead, trail = text[: len(text) - len(text.lstrip(" "))], text[len(text.rstrip(" ")):]
    if not inner:
        return text, text
    tags = (["strong"] if bold else []) + (["em"] if italic else [])
    opening, closing = "".join(f"<{t}>" for t in tags), "".join(f"</{t}>" for t in reversed(tags))
    as_html = lead + opening + _esc_html(inner) + closing + trail
    if len(tags) == 1 and inner[0].isalnum() and inner[-1].isalnum() and not (before.endswith("*") and not lead):
        mark = "**" if bold else "*"
        return lead + mark + escape_markdown(inner) + mark + trail, as_html
    return lead + opening + escape_markdown(inner) + closing + trail, as_html
