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
from typing import Any

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from .html_events import MAX_NESTING, balanced

_TAGS = {
    "a", "abbr", "audio", "b", "blockquote", "br", "code", "del", "div", "em", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "kbd", "li", "mark", "ol", "p", "pre", "s", "span", "strong",
    "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
}
_ATTRIBUTES = {
    "a": {"href", "title"},
    "audio": {"src", "controls", "preload"},
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


def _math(content: str, _options: dict[str, Any]) -> str:
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
    """Keep only safe tags and attributes of an HTML fragment (in time linear in its length)."""
    if fragment.count("<") > MAX_NESTING:  # fewer tags cannot nest deeper than that
        fragment = balanced(fragment)
    return _CLEANER.clean(fragment)


# One line of words and plain punctuation: no markdown, no HTML, no math. Most card texts are
# like this, and their rendering is known without running the parser and the sanitiser.
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 ,.;:?'()/%-]*\Z")

# One line of such words with a few simple spans: **strong**, `code` and $math$ (cloze faces
# and most answers). Each span is set off by a space, "(" or the start before it (a space or "("
# for math) and by a space, plain punctuation or the end after it, and holds no markup itself,
# so CommonMark (emphasis flanking rules, code spans) and dollarmath (allow_space=False,
# allow_digits=False) read it exactly one way; anything else goes to the full renderer.
# tests/test_deck_load_speedups.py checks this against markdown-it + nh3.
_STRONG_CHAR = r"[A-Za-z0-9,.;:?'()/%\[\]-]"  # inside **...**; a space too, but not at either end
_CODE_CHAR = r"[A-Za-z0-9,.;:?'()/%_{}^+=*#!~|-]"  # inside `...`; likewise
_STRONG = rf"\*\*(?<![^ (]\*\*)({_STRONG_CHAR}(?:(?:{_STRONG_CHAR}| )*{_STRONG_CHAR})?)\*\*"
_CODE = rf"`(?<![^ (]`)({_CODE_CHAR}(?:(?:{_CODE_CHAR}| )*{_CODE_CHAR})?)`"
_MATH_CHAR = r"(?:[A-Za-z0-9,.;:()/_{}^+=|-]|\\[A-Za-z])"
_MATH = rf"\$(?<=[ (]\$)({_MATH_CHAR}(?:(?:{_MATH_CHAR}| )*{_MATH_CHAR})?)\$"
_AFTER = r"(?=[ .,;:?)]|\Z)"
_SPAN = re.compile(rf"(?:{_STRONG}|{_CODE}|{_MATH}){_AFTER}")
_FIRST = frozenset("*`ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")  # a letter or a span
_GAPS = re.compile(r"[A-Za-z0-9 ,.;:?'()/%-]*\Z")  # what is left once the spans are taken out


def _span_html(match: re.Match[str]) -> str:
    strong, code, math = match.groups()
    if strong is not None:
        return f"<strong>{strong}</strong>"
    if code is not None:
        return f"<code>{code}</code>"
    return f'<span class="math inline">{math}</span>'


def _simple_inline(text: str) -> str | None:
    """The HTML of a one-line text of plain words and simple spans, or None if it is not one."""
    if "  " in text or text.endswith(" ") or "](" in text or text[0] not in _FIRST:
        return None
    if not _GAPS.match(_SPAN.sub("", text)):  # a markup character outside a simple span
        return None
    return _SPAN.sub(_span_html, text)


def _render_markdown(text: str) -> str:
    """Render card markdown to sanitised HTML (block level)."""
    if _PLAIN.match(text or "") and "  " not in text and not text.endswith(" "):
        return f"<p>{text}</p>\n"
    if text and (simple := _simple_inline(text)) is not None:
        return f"<p>{simple}</p>\n"
    return sanitize(_MD.render(text or ""))


render_markdown = lru_cache(maxsize=4096)(_render_markdown)


class HtmlCache(dict[str, str]):
    """Card markdown -> its ``render_markdown`` HTML, each text rendered once, when first asked for.
    A reader that knows the HTML of the markdown it wrote fills it in, so a large import skips the
    renderer; ``cache[text]`` is a plain dict lookup for every text seen before."""

    def __missing__(self, text: str) -> str:
        rendered = self[text] = _render_markdown(text)  # each text once: no use for the LRU cache
        return rendered


@lru_cache(maxsize=4096)
def render_inline(text: str) -> str:
    """Render a short piece of markdown (a choice, a tag) without a wrapping <p>."""
    if _PLAIN.match(text or "") and "  " not in text and not text.endswith(" "):
        return text
    if text and (simple := _simple_inline(text)) is not None:
        return simple
    return sanitize(_MD.renderInline(text or ""))
