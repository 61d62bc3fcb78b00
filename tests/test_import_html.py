"""Anki HTML to markdown: readable markdown, sanitised output, and an HTML prediction that is exact."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizzer.deck_format.html_events import html_events
from quizzer.deck_format.render import render_markdown
from quizzer.importers.html_md import _lines, escape_markdown, html_to_markdown, text_to_markdown
from quizzer.importers.names import printable
from tests.html_md_reference import reference_events, simple_lines


def images(src: str) -> str | None:
    return None if src == "missing.png" else f"/media/{'a' * 64}.png"


@pytest.mark.parametrize("html, markdown", [
    ("hello <b>bold</b> and <i>it</i>", "hello **bold** and *it*"),
    ("line<br>next<div>block</div><div><br></div><div>para</div>", "line\\\nnext\\\nblock\n\npara"),
    ("1. not a list<br># nor a heading<br>- nor an item", "1\\. not a list\\\n\\# nor a heading\\\n\\- nor an item"),
    ("*star* _u_ $5 & &lt;tag&gt; [x](y) `code`",
     "\\*star\\* \\_u\\_ \\$5 \\& \\<tag\\> \\[x\\](y) \\`code\\`"),
    ('see <img src="pic.png"> and <img src="missing.png">', f"see ![](/media/{'a' * 64}.png) and"),
    ("<b>(x)</b> <b>bold <i>both</i></b>", "<strong>(x)</strong> **bold** <strong><em>both</em></strong>"),
    ("a&nbsp;&nbsp;b <span>plain</span>", "a b plain"),
    ("<script>alert(1)</script>safe", "safe"),
])
def test_simple_fields_become_markdown_with_their_exact_rendering(html, markdown):
    converted = html_to_markdown(html, images)
    assert converted.markdown == markdown
    assert converted.html == render_markdown(markdown)


def test_other_inline_tags_stay_html_and_are_sanitised_when_rendered():
    converted = html_to_markdown('<u>under</u> <span style="color:red" onclick="x()">red</span> *', images)
    assert converted.markdown == '<u>under</u> <span style="color:red" onclick="x()">red</span> \\*'
    assert converted.html is None
    assert render_markdown(converted.markdown) == "<p><u>under</u> <span>red</span> *</p>\n"


def test_block_tags_keep_the_sanitised_html():
    converted = html_to_markdown('<ul><li>one *</li><li onclick="x()">two</li></ul>'
                                 '<img src="pic.png" onerror="x()">', images)
    image = f'<img src="/media/{"a" * 64}.png" alt="">'
    assert converted.markdown == f'<div><ul><li>one *</li><li>two</li></ul>{image}</div>'
    assert "onclick" not in render_markdown(converted.markdown)


def test_plain_text_keeps_lines_and_takes_every_character_literally():
    converted = text_to_markdown("2 * 3\n# six\n\nend")
    assert converted.markdown == "2 \\* 3\\\n\\# six\n\nend"
    assert converted.html == render_markdown(converted.markdown) == "<p>2 * 3<br>\n# six</p>\n<p>end</p>\n"


_TEXT = st.text(alphabet=st.sampled_from(list("ab1. *_-#>+=`~|$&<>[]!\\(){}:\u00e9\u00a0\t\n")), max_size=12)
_TAGS = st.sampled_from(["b", "strong", "i", "em", "div", "p", "span"])


def _fragment(depth: int = 2):
    leaf = st.one_of(_TEXT.map(lambda t: t.replace("<", "&lt;").replace(">", "&gt;")), st.just("<br>"),
                     st.just('<img src="pic.png">'))
    if depth == 0:
        return leaf
    nested = st.tuples(_TAGS, st.lists(_fragment(depth - 1), max_size=3)).map(
        lambda pair: f"<{pair[0]}>{''.join(pair[1])}</{pair[0]}>")
    return st.one_of(leaf, nested)


@settings(max_examples=400, deadline=None)
@given(st.lists(_fragment(), max_size=5).map("".join))
def test_the_predicted_html_is_what_the_renderer_produces(fragment):
    converted = html_to_markdown(fragment, images)
    assert converted.html is not None
    assert converted.html == render_markdown(converted.markdown)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_escaped_plain_text_renders_as_itself(text):
    converted = text_to_markdown(text)
    assert converted.html == render_markdown(converted.markdown)
    assert escape_markdown("*") == "\\*"


@settings(max_examples=300, deadline=None)
@given(st.lists(_fragment(), max_size=5).map("".join))
def test_the_fast_tokenizer_reads_simple_fields_as_the_html_parser_does(fragment):
    fast = simple_lines(fragment, images)
    assert fast is not None
    events = [("text", printable(e[1])) if e[0] == "text" else e for e in html_events(fragment)]
    assert fast == _lines(events, images, None, True)


# Constructs as Anki's editor and hand-written HTML have them (every one closed), and text around.
_PIECE = st.sampled_from([
    "a", " b ", "a < b", "x<3", "<<", ">", "&amp;", "&nbsp;", "&lt;b&gt;", "&#233;", "&bogus;", "&", "\u00e9",
    "<b>", "</b>", "<I>", "</EM >", "<br>", "<br/>", "<BR />", "<hr>", "</br>", '<img src="p.png">',
    "<img src='a&amp;b.png' alt=x>", '<span style="color: red">', "</span>", '<a href="/x?a=1&amp;b=2">',
    "</a>", "<div>", "</div>", "<ul><li>", "</li></ul>", "<td nowrap>", '<font color="#f00" size=2>',
    "<!-- note -->", "<!DOCTYPE html>", "<?xml x?>", "<script>if (a<b) x()</script>", "<style>b{}</style>",
    "<title>t</title>", "<p/>", "</>", "< p>", "\t", "\n"])


@settings(max_examples=600, deadline=None)
@given(st.lists(_PIECE, max_size=12).map("".join))
def test_the_linear_tokenizer_gives_the_standard_parsers_events(fragment):
    assert html_events(fragment) == _merged(reference_events(fragment))


def _merged(events):
    """HTMLParser may report one run of text in pieces (around a "<" that starts no tag)."""
    out = []
    for event in events:
        if event[0] == "text" and out and out[-1][0] == "text":
            out[-1] = ("text", out[-1][1] + event[1])
        elif event != ("text", ""):
            out.append(event)
    return out
