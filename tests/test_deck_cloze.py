"""Cloze deletions: numbering and markdown rendering, examples plus properties."""
from __future__ import annotations

import time

from hypothesis import assume, given
from hypothesis import strategies as st

from quizzer.deck_format import cloze_deletions, cloze_numbers, plain_cloze, render_cloze

TEXT = "{{c1::Paris}} is the capital of {{c2::France::country}}; {{c1::Lyon}} is not."


def test_cloze_numbers_are_sorted_and_unique():
    assert cloze_numbers("{{c3::a}} {{c1::b}} {{c3::c}} {{c10::d::hint}}") == [1, 3, 10]


def test_cloze_numbers_ignore_what_is_not_a_deletion():
    assert cloze_numbers("") == []
    assert cloze_numbers("{{c0::zero}} {{c1::}} {{x1::a}} {c1::a} {{c1:a}} {{ c1::a }}") == []


def test_hidden_deletion_shows_ellipsis_or_hint_and_others_plain():
    assert render_cloze(TEXT, 1, reveal=False) == (
        "**[...]** is the capital of France; **[...]** is not.")
    assert render_cloze(TEXT, 2, reveal=False) == (
        "Paris is the capital of **[country]**; Lyon is not.")


def test_revealed_deletion_is_bold_and_others_plain():
    assert render_cloze(TEXT, 1, reveal=True) == (
        "**Paris** is the capital of France; **Lyon** is not.")
    assert render_cloze(TEXT, 2, reveal=True) == (
        "Paris is the capital of **France**; Lyon is not.")


def test_unused_number_shows_all_plain_text():
    assert render_cloze(TEXT, 3, reveal=False) == "Paris is the capital of France; Lyon is not."


def test_empty_hint_counts_as_none_and_markdown_inside_is_kept():
    assert render_cloze("{{c1::`kv_cache`::}} grows", 1, reveal=False) == "**[...]** grows"
    assert render_cloze("{{c1::$O(n^2)$}} cost", 1, reveal=True) == "**$O(n^2)$** cost"


def test_tex_braces_fit_and_empty_deletions_are_left_alone():
    text = "{{c1::$\\frac{a}{b}$}} and {{c2::}} and {{c3::::hint}}"
    assert cloze_numbers(text) == [1]
    assert render_cloze(text, 1, reveal=True) == (
        "**$\\frac{a}{b}$** and {{c2::}} and {{c3::::hint}}")


def test_unclosed_deletions_take_linear_time():
    # A backtracking pattern takes hours on these; a linear one, milliseconds.
    started = time.perf_counter()
    for text in ("{{c1::" * 50_000, "{{c1::" + "::" * 100_000, "{{c1::x::" + ":" * 100_000):
        assert cloze_numbers(text) == []
        assert render_cloze(text, 1, reveal=False) == text
    assert time.perf_counter() - started < 5


def test_deletion_may_span_lines():
    assert render_cloze("a {{c1::two\nlines}} b", 1, reveal=True) == "a **two\nlines** b"


# Disjoint alphabets: plain text is lowercase, deletion text uppercase, hints digits, so
# the only place a deletion's text can reappear is inside another deletion's text.
plain = st.text(alphabet="abcxyz .,!", min_size=1, max_size=8)
deletion_text = st.text(alphabet="ABCXYZ$^_", min_size=1, max_size=8)
hint = st.one_of(st.none(), st.text(alphabet="0123456789", min_size=1, max_size=4))
deletion = st.tuples(st.integers(1, 4), deletion_text, hint)


def cloze_of(parts: list[tuple[str, tuple[int, str, str | None]]]) -> str:
    return "".join(
        f"{before}{{{{c{n}::{text}{'::' + h if h else ''}}}}}" for before, (n, text, h) in parts)


@given(st.lists(st.tuples(plain, deletion), min_size=1, max_size=6), st.data())
def test_reveal_contains_every_deletion_and_hiding_removes_the_active_one(parts, data):
    text = cloze_of(parts)
    numbers = cloze_numbers(text)
    assert numbers == sorted({n for _, (n, _, _) in parts})
    active = data.draw(st.sampled_from(numbers))
    revealed = render_cloze(text, active, reveal=True)
    hidden = render_cloze(text, active, reveal=False)
    for _, (n, deleted, _) in parts:
        assert deleted in revealed
        if n != active:
            assert deleted in hidden
    for _, (n, deleted, _) in parts:
        if n == active:
            assume(not any(deleted in other for _, (m, other, _) in parts if m != active))
            assert deleted not in hidden
    assert "{{" not in revealed and "{{" not in hidden


def test_cloze_deletions_and_plain_text():
    text = "A {{c1::KV cache::store}} holds {{c2::keys}} and {{c2::values}}; {{c3::}} stays."
    assert cloze_deletions(text) == [(1, "KV cache", "store"), (2, "keys", ""), (2, "values", "")]
    assert plain_cloze(text) == "A KV cache holds keys and values; {{c3::}} stays."
