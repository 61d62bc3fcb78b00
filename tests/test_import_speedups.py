"""The importer's fast paths give exactly what the plain code they replace gives."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizzer.importers.html_md import _easy_convert, _from_lines, _line, _simple_convert
from tests.html_md_reference import line_reference, simple_lines
from tests.test_import_html import _TEXT, _fragment, images

_ODD = st.sampled_from(["<u>x</u>", "<b/>", "<i />", "<br/>", '<img src="">', '<img  src="pic.png" />',
                        "<span>s</span>", "< b>", "<", "a < b", "<B>up</B>", '<img src="x.gif">', "&amp;",
                        "  ", " ", "\x01", "<strong >s</strong >", "</b>", "</i>",
                        "<div> </div>", "<p>\x01</p>", "a<div> <img src=\"missing.png\"></div>b"])


def _calls(fragment, function):
    seen = []

    def url(src):
        seen.append(src)
        return images(src)
    return function(fragment, url), seen


# What broke the old replacement pattern (plain runs before "&nbsp;", "<img", "*"...), and the
# other shapes of adversarial fields: runs of one piece, tags left open, runs of entities.
_ADVERSARIAL = st.builds(lambda piece, count: piece * count, st.sampled_from(
    ["a", "The quick brown fox ", " ", "<b>", "</b>", "<b>a</b>", "<br>", "a<br>", "&nbsp;", "&amp;", "&", "<",
     "*", '<img src="', "<img", "<!--", "{{c1::", "206}}", "<b><i>", "<div>", "\u00e9"]), st.integers(1, 40))


@settings(max_examples=600, deadline=None)
@given(st.lists(st.one_of(_fragment(), _ODD, _ADVERSARIAL), max_size=6).map("".join))
def test_the_one_pass_simple_conversion_equals_lines_then_paragraphs(fragment):
    fast, fast_calls = _calls(fragment, _simple_convert)
    lines, slow_calls = _calls(fragment, simple_lines)
    assert (fast is None) == (lines is None)
    assert fast_calls == slow_calls
    if lines is not None:
        assert fast == _from_lines(lines, True)


# Pieces of the fields the replacement path takes, and near misses it must leave to the one-pass path.
_EASY_PIECE = st.sampled_from(["a", "Term", " ", "x y", "?", ":", "(", ")", "'", '"', "<br>", "<b>t</b>",
                               "<i>a b</i>", "<strong>9</strong>", "<em>x.y</em>", "<b>q</b>"])
_NEAR_MISS = st.sampled_from(["  ", "1.", "1", "#", "-", "=", "+", ">", "<b> x</b>", "<i>x </i>", "*", "_",
                              "&amp;", "\u00e9", "\t", "<br/>", "<u>u</u>", "<b><i>n</i></b>", "</b>"])


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.one_of(_EASY_PIECE, _EASY_PIECE, _EASY_PIECE, _NEAR_MISS, _ADVERSARIAL), max_size=10).map("".join))
def test_the_replacement_conversion_equals_the_one_pass_conversion(fragment):
    easy = _easy_convert(fragment)
    if easy is not None:
        assert easy == _simple_convert(fragment, images)


@pytest.mark.parametrize("fragment", ["What does <b>term 5</b> mean in chapter 5?",
                                      "Definition 5: the <i>meaning</i> of it.<br>See <strong>term</strong> 6.",
                                      "plain text only", "a<em>b</em>c"])
def test_the_replacement_conversion_takes_the_common_fields(fragment):
    easy = _easy_convert(fragment)
    assert easy is not None and easy == _simple_convert(fragment, images)


_ITEM = st.one_of(
    st.tuples(st.just("text"), _TEXT | st.sampled_from([" ", "  a ", " b", "c ", "(x)", "x*", "*"]),
              st.integers(0, 2), st.integers(0, 2)),
    st.tuples(st.just("img"), st.just("/media/x.png")),
    st.tuples(st.just("raw"), st.sampled_from(["<u>", "</u>", "<sub>"])))


@settings(max_examples=1000, deadline=None)
@given(st.lists(_ITEM, min_size=1, max_size=6))
def test_the_inlined_line_equals_the_reference(items):
    assert _line(items) == line_reference(items)

