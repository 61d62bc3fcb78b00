"""Anki's field HTML to our markdown, and the HTML that markdown renders to.

Three cases, from the tags a field uses:

* simple (b/strong, i/em, br, div, p, img, attribute-less span): plain markdown, and
  because the markdown is written to a strict pattern (every special character
  escaped, ``**``/``*`` only around text that starts and ends with a letter or
  digit) its rendering is known exactly; ``Converted.html`` holds it so a large
  import need not run the markdown renderer (a test checks it equals
  ``render_markdown`` for generated input);
* other inline tags (u, sub, sup, a, code, styled spans...): the same lines, with
  those tags kept as inline HTML for the sanitiser to clean when rendered;
* block tags (tables, lists, pre...): the sanitised HTML in one ``<div>`` block.
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser

from quizzer.deck_format.render import sanitize
from quizzer.importers.names import printable

SIMPLE = {"b", "strong", "i", "em", "br", "div", "p", "img", "span"}
BLOCK = {"table", "thead", "tbody", "tr", "td", "th", "ul", "ol", "li", "pre", "blockquote",
         "h1", "h2", "h3", "h4", "h5", "h6", "hr"}
_BOLD, _ITALIC = {"b", "strong"}, {"i", "em"}
_VOID = {"br", "img", "hr", "wbr"}
_SKIP = {"script", "style", "title", "head"}  # their text is not shown
_MD_SPECIAL = re.compile(r"[\\`*_\[\]<>&$~|]")
_HTML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
# The tags of a simple field, as Anki writes them: when a whole field is made of these tokens
# it is split by this one expression instead of the (much slower) general HTML parser.
_SIMPLE_TOKEN = re.compile(r'([^<]+)|<(/?)(b|strong|i|em|br|div|p|span)\s*(/?)>|<img\s+src="([^"<>]*)"\s*/?>')
_ORDERED = re.compile(r"(\d{1,9})([.)])")
_SPACE = re.compile(r"\s+")
ImageUrl = Callable[[str], "str | None"]


@dataclass(frozen=True)
class Converted:
    markdown: str
    html: str | None  # exactly what render_markdown(markdown) returns, when known


class _Events(HTMLParser):
    """The fragment as a flat list of ("start", tag, attrs) / ("end", tag) / ("text", data)."""

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
            if tag not in _VOID:
                self.events.append(("end", tag))

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif not self._skipping and tag not in _VOID:
            self.events.append(("end", tag))

    def handle_data(self, data):
        if not self._skipping:
            self.events.append(("text", printable(data)))


def escape_markdown(text: str) -> str:
    """Text whose every markdown-special character is taken literally."""
    # Searching first: most text has nothing to escape, and a search is much cheaper than a rewrite.
    return _MD_SPECIAL.sub(r"\\\g<0>", text) if _MD_SPECIAL.search(text) else text


def _collapse(text: str) -> str:
    """Runs of whitespace as one space (as HTML shows them)."""
    return _SPACE.sub(" ", text) if "  " in text or not text.isprintable() else text


def _escape_line_start(line: str) -> str:
    if not line:
        return line
    if line[0] in "#>+=-":
        return "\\" + line
    return _ORDERED.sub(r"\1\\\2", line, count=1) if line[0].isdigit() else line


def _esc_html(text: str) -> str:
    return text.translate(_HTML_ESCAPES) if "&" in text or "<" in text or ">" in text else text


def html_to_markdown(fragment: str, image_url: ImageUrl) -> Converted:
    """Convert one field. ``image_url(src)`` gives the URL of a stored image (None: drop it)."""
    lines = _simple_lines(fragment, image_url)
    if lines is not None:
        return _from_lines(lines, True)
    parser = _Events()
    parser.feed(fragment)
    parser.close()
    events = parser.events
    tags = {event[1] for event in events if event[0] == "start"}
    if tags & BLOCK:
        return _block_html(events, image_url)
    simple = tags <= SIMPLE and not any(e[0] == "start" and e[1] == "span" and e[2] for e in events)
    return _from_lines(_lines(events, image_url, simple), simple)


def _simple_lines(fragment: str, image_url: ImageUrl) -> list[list[tuple]] | None:
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


def text_to_markdown(text: str) -> Converted:
    """Plain text (no HTML): every line kept, every special character literal."""
    lines = [[("text", _SPACE.sub(" ", printable(line)).strip(), 0, 0)] for line in text.splitlines()]
    return _from_lines([line if line[0][1] else [] for line in lines], True)


def _lines(events, image_url: ImageUrl, simple: bool) -> list[list[tuple]]:
    """Lines of items: ("text", text, bold, italic), ("img", url) or ("raw", html).

    Bold and italic tags become styles; in a simple field spans vanish, otherwise every
    other inline tag is kept as raw HTML.
    """
    lines: list[list[tuple]] = [[]]
    bold = italic = 0
    for event in events:
        kind, tag = event[0], event[1]
        if kind == "text":
            lines[-1].append(("text", _collapse(tag), bold, italic))
        elif tag == "br":
            lines.append([])
        elif tag in ("div", "p"):
            if lines[-1]:
                lines.append([])
        elif tag == "img":
            url = image_url(dict(event[2]).get("src") or "")
            if url:
                lines[-1].append(("img", url))
        elif tag in _BOLD or tag in _ITALIC:
            step = 1 if kind == "start" else -1
            if tag in _BOLD:
                bold = max(0, bold + step)
            else:
                italic = max(0, italic + step)
        elif not simple:
            lines[-1].append(("raw", _raw_tag(event)))
    return [_trim(line) for line in lines]


def _raw_tag(event) -> str:
    if event[0] == "end":
        return f"</{event[1]}>"
    attrs = "".join(f' {name}="{html.escape(value or "", quote=True)}"' for name, value in event[2])
    return f"<{event[1]}{attrs}>"


def _trim(line: list[tuple]) -> list[tuple]:
    """Collapse spaces across items and strip both ends; [] when nothing but spaces is left."""
    out, last_space = [], True
    for item in line:
        if item[0] == "text":
            text = item[1]
            if last_space and text[:1] == " ":
                text = text.lstrip(" ")
                if not text:
                    continue
                item = ("text", text, item[2], item[3])
            elif not text:
                continue
            last_space = text[-1] == " "
        elif item[0] == "img":
            last_space = False
        out.append(item)
    while out and out[-1][0] == "text" and out[-1][1][-1] == " ":
        text = out[-1][1].rstrip(" ")
        out[-1:] = [("text", text, *out[-1][2:])] if text else []
    return out if any(item[0] != "raw" for item in out) else []


def _from_lines(lines: list[list[tuple]], predictable: bool) -> Converted:
    """Join lines into paragraphs (an empty line separates them), as markdown and as HTML."""
    md_paragraphs, html_paragraphs, md_lines, html_lines = [], [], [], []
    for line in lines + [[]]:
        if line:
            md, out = _line(line)
            md_lines.append(md)
            html_lines.append(out)
        elif md_lines:
            md_paragraphs.append("\\\n".join(md_lines))
            html_paragraphs.append("<p>" + "<br>\n".join(html_lines) + "</p>\n")
            md_lines, html_lines = [], []
    return Converted("\n\n".join(md_paragraphs), "".join(html_paragraphs) if predictable else None)


def _line(items: list[tuple]) -> tuple[str, str]:
    """One line's markdown and its rendering."""
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
            text_md, text_html = _styled(item[1], item[2], item[3], md[-1] if md else "")
            if index == 0 and not (item[2] or item[3]):
                text_md = _escape_line_start(text_md)
            md.append(text_md)
            out.append(text_html)
    return "".join(md), "".join(out)


def _styled(text: str, bold: int, italic: int, before: str) -> tuple[str, str]:
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


def _block_html(events, image_url: ImageUrl) -> Converted:
    parts = []
    for event in events:
        if event[0] == "text":
            parts.append(_esc_html(event[1]))
        elif event[1] == "img" and event[0] == "start":
            url = image_url(dict(event[2]).get("src") or "")
            parts.append(f'<img src="{url}" alt="">' if url else "")
        else:
            parts.append(_raw_tag(event))
    cleaned = _SPACE.sub(" ", sanitize("".join(parts))).strip()
    return Converted(f"<div>{cleaned}</div>" if cleaned else "", None)
