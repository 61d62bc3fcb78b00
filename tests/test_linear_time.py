"""No field can freeze an import: every converter and parser of user text takes linear time.

Each guard runs one reader on adversarial fields (long runs of one character, tags left open,
runs of entities, nested markup, each ending in "&", "<", "*" or "&nbsp;") of N and 10 N
characters and compares the CPU time of the two in the same test: linear work takes about ten
times as long, quadratic work a hundred times, and an exponential never ends. This catches a
super-linear algorithm, not a slow machine; the 100 KB field must also take under a second.
"""
from __future__ import annotations

import contextlib
import json
import time
from random import Random

import pytest

from quizzer.deck_format import DeckError, cloze_numbers, deleted_texts, parse_deck, render_cloze
from quizzer.deck_format.render import render_markdown, sanitize
from quizzer.gc_pause import gc_paused
from quizzer.importers import ReadOptions, read_file
from quizzer.importers.html_md import html_to_markdown, text_to_markdown
from quizzer.quiz.matching import match_answer

N = 10_000  # characters; the large field is 10 N = 100 KB
MAX_RATIO = 20
FLOOR = 0.002  # seconds: below this the timer's noise, not the work, sets the ratio
RUNS = ("a", " ", "<", "*", "&", "-", "\u00e9")
OPEN_TAGS = ("<b", '<img src="', "<!--", "<a href='", "<audio", "<span style=", "</b", "<![CDATA[")
ENTITIES = ("&nbsp;", "&amp;", "&#", "&#x1F600;", "&lt;b&gt;")
NESTED = ("<b><i>", "<div><ul><li>", "<table><tr><td>", "<b><div></b>", "**a", "*a", "_a", "`a", "[a](",
          "a<br>", "<b>a</b>", "{{c1::", "{{c1::a::", "{{c1::<b>", "[sound:", "}}", "> - 1. ", "$a")
UNITS = RUNS + OPEN_TAGS + ENTITIES + NESTED
ENDINGS = ("&", "<", "*", "&nbsp;")


def _field(unit: str, ending: str, size: int) -> str:
    return unit * (size // len(unit)) + ending


@gc_paused()  # a collection's cost depends on all the process holds, not on the work timed
def _cpu(function, text, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        with contextlib.suppress(DeckError):  # refusing a field is an answer too: it must come as fast
            function(text)
        best = min(best, time.process_time() - start)
    return best


def assert_linear(function, units=UNITS, endings=ENDINGS):
    """``function`` over every adversarial field: 10 N characters cost at most MAX_RATIO times
    N characters, and under a second. Every slow field is named at once."""
    slow = []
    for unit in units:
        for ending in endings:
            small, large = _field(unit, ending, N), _field(unit, ending, 10 * N)
            small_time = _cpu(function, small, 3)
            large_time = _cpu(function, large, 1)
            if large_time > MAX_RATIO * max(small_time, FLOOR) or large_time >= 1:
                small_time, large_time = _cpu(function, small, 5), _cpu(function, large, 3)  # a second look
            if large_time > MAX_RATIO * max(small_time, FLOOR) or large_time >= 1:
                slow.append(f"{unit!r} + {ending!r}: {small_time:.4f} s for N, {large_time:.4f} s for 10 N")
    assert not slow, "super-linear time:\n" + "\n".join(slow)


def _images(src: str) -> str:
    return f"/media/{'a' * 64}.png"


def test_anki_html_converts_in_linear_time():
    assert_linear(lambda text: html_to_markdown(text, _images, _images))


def test_plain_text_converts_in_linear_time():
    assert_linear(text_to_markdown, endings=("&nbsp;", "*"))


def test_markdown_renders_in_linear_time():
    def render(text):
        render_markdown.cache_clear()
        render_markdown(text)
    assert_linear(render, ("a", "*", "<", "&nbsp;", "<!--", '<img src="', "<b><i>", "<div><ul><li>", "**a",
                           "_a", "`a", "[a](", "$a", "> - 1. ", "{{c1::<b>"), endings=("&nbsp;",))


def test_html_is_sanitised_in_linear_time():
    assert_linear(sanitize, OPEN_TAGS + NESTED, endings=("<",))


def test_cloze_deletions_are_found_in_linear_time():
    def cloze(text):
        cloze_numbers(text)
        deleted_texts(text, 1)
        render_cloze(text, 1, reveal=False)
    assert_linear(cloze)


def test_typed_answers_are_matched_in_linear_time():
    assert_linear(lambda text: match_answer(text, ["mitochondria", "the powerhouse of the cell"]))


def test_typed_numbers_are_read_in_linear_time():
    """Runs of digits, separators and blanks: every position may start a number."""
    assert_linear(lambda text: match_answer(text, ["65,536", "64 KiB"]),
                  units=("1 ", "1,", "999,", "1.", ".1", "1e", "1 ^ ", "- ", " ", "1 kb "), endings=("", "1", " x"))


def test_a_long_near_miss_is_judged_in_linear_time():
    # A deck's accepted answer may be long; a typed answer close to it once took a quadratic diff.
    random = Random(14)
    def near_miss(size: int) -> float:
        expected = "".join(random.choice("abcdefgh ") for _ in range(size))
        given = "".join("z" if random.random() < 0.2 else c for c in expected)
        return _cpu(lambda _: match_answer(given, [expected]), None, 1)
    small, large = near_miss(N), near_miss(10 * N)
    assert large <= MAX_RATIO * max(small, FLOOR) and large < 1, f"{small:.3f} s, then {large:.3f} s"


def test_deck_files_parse_in_linear_time():
    def parse(text):
        question = json.dumps(text)  # a YAML double-quoted string is a JSON string
        parse_deck(f"id: d\ntitle: T\ncards:\n  - id: c1\n    question: {question}\n    answer: a\n"
                   f"  - id: c2\n    cloze: {question}\n", "deck.yaml", require_ids=True)
    assert_linear(parse, endings=("&nbsp;",))


@pytest.mark.parametrize("filename, make", [
    ("notes.txt", lambda text: f"#separator:tab\n#html:true\n{text}\tanswer\n"),
    ("cards.csv", lambda text: "question,answer\n" + '"' + text.replace('"', '""') + '",answer\n'),
    ("set.txt", lambda text: f"{text}\tanswer\n"),
], ids=["anki-text", "csv", "quizlet"])
def test_text_files_import_in_linear_time(filename, make):
    assert_linear(lambda text: read_file(make(text).encode(), filename, ReadOptions()),
                  endings=("&nbsp;", "<"))


@pytest.mark.parametrize("text", ["The quick brown fox jumps over the lazy dog&nbsp;again",
                                  "Bones in the adult body: {{c1::206}}&nbsp;bones.",
                                  "An <b>exponential</b> pattern met a plain run of text before <img src=x.png>"])
def test_everyday_fields_that_once_froze_the_import(text):
    start = time.process_time()
    html_to_markdown(text, _images)
    read_file(f"#separator:tab\n#html:true\n{text}\tanswer\n".encode(), "notes.txt")
    assert time.process_time() - start < 0.1


@pytest.mark.parametrize("filename, header, row", [
    ("notes.txt", "#separator:tab\n#html:true\n", "same question\tanswer\n"),
    ("cards.csv", "question,answer\n", "same question,answer\n"),
    ("set.txt", "", "same question\tanswer\n"),
], ids=["anki-text", "csv", "quizlet"])
def test_many_rows_with_one_text_import_in_linear_time(filename, header, row):
    # Each row's id is derived from its text and made unique with -2, -3...: the n-th once tried n names.
    def read(rows: int) -> float:
        return _cpu(lambda data: read_file(data, filename), (header + row * rows).encode(), 1)
    small, large = read(2_000), read(20_000)
    assert large <= MAX_RATIO * max(small, FLOOR) and large < 2, f"{small:.3f} s, then {large:.3f} s"
