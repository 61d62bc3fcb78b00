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

Anki's sound references (``[sound:name.mp3]``) and ``<audio>`` tags become an ``<audio
controls>`` element playing the stored file, when the caller can store it.
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import NamedTuple

from quizzer.deck_format.html_events import html_events
from quizzer.deck_format.render import sanitize
from quizzer.importers.names import printable

SIMPLE = {"b", "strong", "i", "em", "br", "div", "p", "img", "span"}
BLOCK = {"table", "thead", "tbody", "tr", "td", "th", "ul", "ol", "li", "pre", "blockquote",
         "h1", "h2", "h3", "h4", "h5", "h6", "hr"}
_BOLD, _ITALIC = {"b", "strong"}, {"i", "em"}
_MD_SPECIAL = re.compile(r"[\\`*_\[\]<>&$~|]")
_HTML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
# The tags of a simple field, as Anki writes them: when a whole field is made of these tokens
# it is split by this one expression instead of the (much slower) general HTML parser.
_SIMPLE_TOKEN = re.compile(r'([^<]+)|<(/?)(b|strong|i|em|br|div|p|span)\s*(/?)>|<img\s+src="([^"<>]*)"\s*/?>')
# The same tokens plus a lone "<" (any other tag): one findall splits a field, and a "<" token
# means it is not simple (where the tokens above would not cover the field end to end).
_SIMPLE_SPLIT = re.compile(_SIMPLE_TOKEN.pattern + "|(<)")
# The commonest field of all: one paragraph of plain text with matched, unnested b/strong/i/em
# around text that starts and ends with a letter or digit, lines split by <br>. Its markdown and
# HTML are a few replacements away (``_easy_convert``). The pattern also holds the rules that keep
# that markdown unambiguous: no emphasis right after emphasis (markdown would read the two markers as
# one); a <br> only after text that does not end in a space, never first, last or twice in a row (an
# empty line is a paragraph break), and never before a line that starts like a heading, quote or list
# item (or with a space). Possessive (``++``, ``*+``): a run of plain text is taken whole and never
# split again between iterations, so a field that does not match fails in linear time (the plain
# ``(?:x+|...)*`` backtracked through every split of the run: twice the time per character).
_PLAIN = r"[^<>&\\`*_\[\]$~|]"
_LINE_START = " #>+=-0123456789"  # a line starting with one of these is left to _simple_convert
_EASY = re.compile(
    rf"(?:{_PLAIN}++"
    rf"|(?<!</b>)(?<!</i>)(?<!</em>)(?<!</strong>)<(b|strong|i|em)>[A-Za-z0-9](?:{_PLAIN}*[A-Za-z0-9])?</\1>"
    rf"|(?<=.)(?<! )(?<!<br>)<br>(?=[^ #>+=\-0-9]))*+")
_ORDERED = re.compile(r"(\d{1,9})([.)])")
_SPACE = re.compile(r"\s+")
# No "[" in a name: each "[sound:" scans only to the next one, not to the end of the field.
_SOUND_REF = re.compile(r"\[sound:([^\[\]<>\x1f]+)\]")
ImageUrl = Callable[[str], "str | None"]  # also for sounds: a stored file's URL, None to drop it


class Converted(NamedTuple):
    markdown: str
    html: str | None  # exactly what render_markdown(markdown) returns, when known


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


def audio_html(url: str) -> str:
    """The player a card shows for a stored sound (as markdown keeps it, and as it renders)."""
    return f'<audio controls preload="none" src="{html.escape(url, quote=True)}"></audio>'


def html_to_markdown(fragment: str, image_url: ImageUrl, sound_url: ImageUrl | None = None) -> Converted:
    """Convert one field. ``image_url(src)`` and ``sound_url(name)`` give the URL of a stored image
    or sound (None: drop it); without ``sound_url``, sounds are dropped and ``[sound:...]`` is text."""
    if sound_url is not None and "[sound:" in fragment:
        fragment = _SOUND_REF.sub(lambda m: f'<audio src="{html.escape(m[1], quote=True)}"></audio>', fragment)
    converted = _easy_convert(fragment)
    if converted is None:
        converted = _simple_convert(fragment, image_url)
    if converted is not None:
        return converted
    events = [("text", printable(e[1])) if e[0] == "text" else e for e in html_events(fragment)]
    tags = {event[1] for event in events if event[0] == "start"}
    if tags & BLOCK:
        return _block_html(events, image_url, sound_url)
    simple = tags <= SIMPLE and not any(e[0] == "start" and e[1] == "span" and e[2] for e in events)
    return _from_lines(_lines(events, image_url, sound_url, simple), simple)


def _easy_convert(fragment: str) -> Converted | None:
    """The commonest simple field (see ``_EASY``) by string replacement; None for any other.
    It equals ``_simple_convert``, which tests/test_import_speedups.py checks."""
    if not (fragment and fragment.isascii() and fragment.isprintable()) or fragment[0] in _LINE_START \
            or fragment[-1] == " " or "  " in fragment or not _EASY.fullmatch(fragment):
        return None
    if "<" not in fragment:
        return Converted(fragment, f"<p>{fragment}</p>\n")
    markdown = fragment.replace("<b>", "**").replace("</b>", "**").replace("<i>", "*").replace("</i>", "*")
    rendered = (fragment.replace("<b>", "<strong>").replace("</b>", "</strong>")
                .replace("<i>", "<em>").replace("</i>", "</em>"))
    if "<strong>" in fragment or "<em>" in fragment:
        markdown = (markdown.replace("<strong>", "**").replace("</strong>", "**")
                    .replace("<em>", "*").replace("</em>", "*"))
    if "<br>" in fragment:
        markdown, rendered = markdown.replace("<br>", "\\\n"), rendered.replace("<br>", "<br>\n")
    return Converted(markdown, f"<p>{rendered}</p>\n")


def _simple_convert(fragment: str, image_url: ImageUrl) -> Converted | None:
    """A field made only of simple tags, split into lines in one pass without the HTML parser;
    None for any other field. It equals ``_from_lines`` over the plain ``simple_lines`` of
    tests/html_md_reference.py, which tests/test_import_speedups.py checks."""
    # Lines of items as simple_lines gives them, trimmed as _trim does it while they are
    # collected: ``last_space`` is whether the line so far ends in a space (or is empty), ``raw``
    # whether simple_lines's untrimmed line would hold an item (that decides a div or p break).
    lines: list[list[tuple]] = []
    line: list[tuple] = []
    bold = italic = 0
    last_space, raw = True, False
    for text, closing, tag, self_closing, src, other in _SIMPLE_SPLIT.findall(fragment):
        if text:
            raw = True
            if "&" in text:
                text = html.unescape(text)
            if not (text.isascii() and text.isprintable()) or "  " in text:
                text = _collapse(printable(text))
                if not text:
                    continue
            if last_space and text[0] == " ":
                text = text.lstrip(" ")
                if not text:
                    continue
            last_space = text[-1] == " "
            line.append(("text", text, bold, italic))
        elif tag:
            if tag == "br" or (raw and (tag == "div" or tag == "p")):
                lines.append(line)
                line, last_space, raw = [], True, False
            elif self_closing or tag == "span" or tag == "div" or tag == "p":
                pass
            elif tag == "b" or tag == "strong":
                bold = bold - 1 if closing else bold + 1
                if bold < 0:
                    bold = 0
            else:
                italic = italic - 1 if closing else italic + 1
                if italic < 0:
                    italic = 0
        elif other:
            return None
        else:
            url = image_url(html.unescape(src))
            if url:
                line.append(("img", url))
                last_space, raw = False, True
    lines.append(line)
    for line in lines:
        while line and line[-1][0] == "text" and line[-1][1][-1] == " ":
            text = line[-1][1].rstrip(" ")
            line[-1:] = [("text", text, *line[-1][2:])] if text else []
    return _from_lines(lines, True)


def text_to_markdown(text: str) -> Converted:
    """Plain text (no HTML): every line kept, every special character literal."""
    lines = [[("text", _SPACE.sub(" ", printable(line)).strip(), 0, 0)] for line in text.splitlines()]
    return _from_lines([line if line[0][1] else [] for line in lines], True)


def _sound(event, sound_url: ImageUrl | None) -> str | None:
    """The player for an <audio> start tag's stored sound, None to drop it."""
    url = sound_url(dict(event[2]).get("src") or "") if sound_url is not None else None
    return audio_html(url) if url else None


def _lines(events, image_url: ImageUrl, sound_url: ImageUrl | None, simple: bool) -> list[list[tuple]]:
    """Lines of items: ("text", text, bold, italic), ("img", url), ("audio", html) or ("raw", html).

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
        elif tag == "audio":
            player = _sound(event, sound_url) if kind == "start" else None
            if player:
                lines[-1].append(("audio", player))
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
        elif item[0] == "img" or item[0] == "audio":
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
    """One line's markdown and its rendering (emphasis inlined: this is the hot path;
    tests/test_import_speedups.py checks it against the plain reference in tests/html_md_reference.py)."""
    if len(items) == 1 and items[0][0] == "text" and not (items[0][2] or items[0][3]):
        return _escape_line_start(escape_markdown(items[0][1])), _esc_html(items[0][1])
    md, out = [], []
    special, escapes = _MD_SPECIAL, _HTML_ESCAPES
    for item in items:
        kind = item[0]
        if kind == "img":
            md.append(f"![]({item[1]})")
            out.append(f'<img src="{item[1]}" alt="">')
        elif kind == "raw" or kind == "audio":
            md.append(item[1])
            out.append(item[1])
        else:
            text, bold, italic = item[1], item[2], item[3]
            if not (bold or italic):
                text_md = special.sub(r"\\\g<0>", text) if special.search(text) else text
                if not md:
                    text_md = _escape_line_start(text_md)
                md.append(text_md)
                out.append(text.translate(escapes) if "&" in text or "<" in text or ">" in text else text)
                continue
            inner = text.strip(" ")
            if not inner:
                md.append(text)
                out.append(text)
                continue
            if inner is text or len(inner) == len(text):
                lead = trail = ""
            else:
                lead, trail = text[: len(text) - len(text.lstrip(" "))], text[len(text.rstrip(" ")):]
            inner_html = inner.translate(escapes) if "&" in inner or "<" in inner or ">" in inner else inner
            inner_md = special.sub(r"\\\g<0>", inner) if special.search(inner) else inner
            if bold and italic:
                out.append(f"{lead}<strong><em>{inner_html}</em></strong>{trail}")
                md.append(f"{lead}<strong><em>{inner_md}</em></strong>{trail}")
                continue
            tag = "strong" if bold else "em"
            out.append(f"{lead}<{tag}>{inner_html}</{tag}>{trail}")
            if inner[0].isalnum() and inner[-1].isalnum() and not (not lead and md and md[-1].endswith("*")):
                mark = "**" if bold else "*"
                md.append(f"{lead}{mark}{inner_md}{mark}{trail}")
            else:
                md.append(f"{lead}<{tag}>{inner_md}</{tag}>{trail}")
    return "".join(md), "".join(out)


def _block_html(events, image_url: ImageUrl, sound_url: ImageUrl | None) -> Converted:
    parts = []
    for event in events:
        if event[0] == "text":
            parts.append(_esc_html(event[1]))
        elif event[1] == "img" and event[0] == "start":
            url = image_url(dict(event[2]).get("src") or "")
            parts.append(f'<img src="{url}" alt="">' if url else "")
        elif event[1] == "audio":
            parts.append((_sound(event, sound_url) or "") if event[0] == "start" else "")
        else:
            parts.append(_raw_tag(event))
    cleaned = _SPACE.sub(" ", sanitize("".join(parts))).strip()
    # One <div> makes the field an HTML block in markdown (one line: the block is the whole field);
    # a field that starts with one already is not wrapped again (each round trip added a wrapper).
    return Converted(cleaned if not cleaned or cleaned.startswith("<div>") else f"<div>{cleaned}</div>", None)
