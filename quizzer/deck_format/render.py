"""Card markdown to safe HTML: CommonMark + tables, Pygments code, KaTeX-ready math.

Raw HTML in a deck is allowed through markdown but every result passes the
nh3 (Ammonia) sanitiser: scripts, event handlers and javascript: URLs never
survive. Math is left as TeX inside ``.math.inline`` / ``.math.block`` for KaTeX to draw
in the browser (vendored, no CDN).
"""
from __future__ import annotations

import html
import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "div", "em", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "kbd", "li", "mark", "ol", "p", "pre", "s", "span", "strong",
    "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
}
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "span": {"class"},
    "div": {"class"},
    "code": {"class"},
    "pre": {"class"},
    "td": {"align"},
    "th": {"align"},
}
_FORMATTER = HtmlFormatter(nowrap=True)


def _highlight(code: str, lang: str, _attrs: str) -> str:
    try:
        lexer = get_lexer_by_name(lang.strip()) if lang.strip() else None
    except ClassNotFound:
        lexer = None
    if lexer is None:
        return ""  # markdown-it falls back to a plain escaped <pre><code>
    return highlight(code, lexer, _FORMATTER)


def _math(content: str, _options: dict) -> str:
    # dollarmath wraps this in <span class="math inline"> or <div class="math block">.
    return html.escape(content)


def _build() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "highlight": _highlight, "linkify": False})
    md.enable("table").enable("strikethrough")
    dollarmath_plugin(md, allow_space=False, allow_digits=False, renderer=_math)
    return md


_MD = _build()


# Built once: passing the rule sets to nh3.clean on every call costs five times the cleaning.
_CLEANER = nh3.Cleaner(tags=_TAGS, attributes=_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                       link_rel="noopener noreferrer")


def sanitize(fragment: str) -> str:
    """Keep only safe tags and attributes of an HTML fragment."""
    return _CLEANER.clean(fragment)


# One line of words and plain punctuation: no markdown, no HTML, no math. Most card texts are
# like this, and their rendering is known without running the parser and the sanitiser.
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 ,.;:?'()/%-]*\Z")

# One line of such words with a few simple spans: **strong**, `code` and $math$ (cloze faces
# and most answers). Each span is set off by a space, "(" or the start before it and by a space,
# plain punctuation or the end after it, and holds no markup itself, so CommonMark (emphasis
# flanking rules, code spans, dollarmath with allow_space=False, allow_digits=False) reads
# it exactly one way; anything else goes to the full renderer. tests/test_deck_load_speedups.py
# checks this against markdown-it + nh3.
_SPAN = re.compile(
    r"\*\*([A-Za-z0-9,.;:?'()/%\[\]-](?:[A-Za-z0-9 ,.;:?'()/%\[\]-]*[A-Za-z0-9,.;:?'()/%\[\]-])?)\*\*"
    r"|`([A-Za-z0-9,.;:?'()/%_{}^+=*#!~|-](?:[A-Za-z0-9 ,.;:?'()/%_{}^+=*#!~|-]*[A-Za-z0-9,.;:?'()/%_{}^+=*#!~|-])?)`"
    r"|\$((?:[A-Za-z0-9,.;:()/_{}^+=|-]|\\[A-Za-z])(?:(?:[A-Za-z0-9 ,.;:()/_{}^+=|-]|\\[A-Za-z])*"
    r"(?:[A-Za-z0-9,.;:()/_{}^+=|-]|\\[A-Za-z]))?)\$"
)
_GAP = re.compile(r"[A-Za-z0-9 ,.;:?'()/%-]*\Z")
_BEFORE = ("", " ", "(")
_AFTER = ("", " ", ".", ",", ";", ":", "?", ")")


def _simple_inline(text: str) -> str | None:
    """The HTML of a one-line text of plain words and simple spans, or None if it is not one."""
    if "  " in text or text.endswith(" ") or "](" in text:
        return None
    out, pos, end = [], 0, len(text)
    for match in _SPAN.finditer(text):
        start, stop = match.span()
        gap = text[pos:start]
        if gap and not _GAP.match(gap):
            return None
        before = text[start - 1] if start else ""
        after = text[stop] if stop < end else ""
        if before not in _BEFORE or after not in _AFTER:
            return None
        strong, code, math = match.groups()
        if strong is not None:
            out.append(f"{gap}<strong>{strong}</strong>")
        elif code is not None:
            out.append(f"{gap}<code>{code}</code>")
        elif start:  # $ at the very start: dollarmath looks at the text's last character
            out.append(f'{gap}<span class="math inline">{math}</span>')
        else:
            return None
        pos = stop
    if not out:
        return None
    gap = text[pos:]
    if gap and not _GAP.match(gap):
        return None
    if not (text[0].isascii() and text[0].isalpha()) and text[0] not in "*`":
        return None
    out.append(gap)
    return "".join(out)


@lru_cache(maxsize=4096)
def render_markdown(text: str) -> str:
    """Render card markdown to sanitised HTML (block level)."""
    if _PLAIN.match(text or "") and "  " not in text and not text.endswith(" "):
        return f"<p>{text}</p>\n"
    if text and (simple := _simple_inline(text)) is not None:
        return f"<p>{simple}</p>\n"
    return sanitize(_MD.render(text or ""))


@lru_cache(maxsize=4096)
def render_inline(text: str) -> str:
    """Render a short piece of markdown (a choice, a tag) without a wrapping <p>."""
    if _PLAIN.match(text or "") and "  " not in text and not text.endswith(" "):
        return text
    if text and (simple := _simple_inline(text)) is not None:
        return simple
    return sanitize(_MD.renderInline(text or ""))
