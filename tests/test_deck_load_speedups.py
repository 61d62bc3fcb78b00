"""Fast paths of deck loading: each must give exactly what the slow path gives.

- cloze: a note's faces come from one pass over its text (cloze_faces), as render_cloze gives them;
- render: one-line texts with simple **strong**, `code` and $math$ spans skip markdown-it and nh3;
- store.bulk: values are converted column by column (defaults, JSON, plain values); lists of
  strings are written as JSON directly; new rows' ids are taken before their insert;
- services.decks: edited notes are found by comparing the stored fields; stored rows are read as plain tuples.
"""
from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizzer.deck_format import NoteSpec, faces, parse_deck
from quizzer.deck_format.cloze import cloze_faces, cloze_numbers, render_cloze
from quizzer.deck_format.render import _MD, HtmlCache, _simple_inline, render_inline, render_markdown, sanitize
from quizzer.services.decks import load_files, note_content, plan_import, same_content
from quizzer.store.bulk import _values, insert_rows, json_strings, take_ids
from quizzer.store.models import Card, Note, User


def _full(text: str) -> str:
    return sanitize(_MD.render(text))


def _full_inline(text: str) -> str:
    return sanitize(_MD.renderInline(text))


def _check(text: str) -> None:
    assert render_markdown.__wrapped__(text) == _full(text), text
    assert render_inline.__wrapped__(text) == _full_inline(text), text


# Span contents: mostly what the fast path takes, sometimes characters that must send the text
# to the full renderer (markup, spaces at the edges, digits next to $, HTML, escapes).
_SAFE = st.text(alphabet="aZ9 ,.;:?'()/%-[]_{}^+=|", min_size=1, max_size=8) | st.sampled_from(
    ["...", "word", "\\alpha", "x_{1}", "[hint]", "f(x)", "a*b", "k_{3}"])
_ANY = st.text(alphabet="aZ9 ,.;:?'()/%-[]_{}^+=*#!~|\\$`<&\"", max_size=6)
_CONTENT = _SAFE | _ANY
_PIECE = st.one_of(
    st.builds("**{}**".format, _CONTENT),
    st.builds("`{}`".format, _CONTENT),
    st.builds("${}$".format, _CONTENT),
    st.sampled_from(["word", "Word", "a b", "x9", "of the", "Run 1 card 2", "(see", "it)"]),
)
_SEP = st.sampled_from(["", " ", " ", " ", "(", ")", ".", ",", ":", "?", "a", "9", "'", "-",
                        "*", "$", "`", "[", "]", "](", "\\", "_", "  "])


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.tuples(_PIECE, _SEP), min_size=1, max_size=5))
def test_simple_span_fast_path_matches_the_full_renderer(parts):
    _check("".join(piece + sep for piece, sep in parts))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab Z09,.;:?'()/%-*_#<>&$`[]\\{}^", min_size=1, max_size=40))
def test_fast_path_matches_the_full_renderer_on_any_text(text):
    _check(text)


def test_known_texts_take_the_fast_path_and_render_as_before():
    cases = [
        "Run 1 card 1: **[...]** relates to Policy temperature optimizer.",
        "Run 1 card 1: Rate rotary metric window variance relates to **[hint]**.",
        "**Rome** is the capital of Italy, on the Tiber.",
        "Target agent **value** matrix. Like `x12` and $k_{5}$.",
        "Use `a*b` (or **f(x)**) and $\\alpha + 1$, then stop",
        "`code` first",
    ]
    for text in cases:
        assert _simple_inline(text) is not None, text
        _check(text)
    assert render_markdown(cases[0]) == (
        "<p>Run 1 card 1: <strong>[...]</strong> relates to Policy temperature optimizer.</p>\n")


def test_texts_the_fast_path_must_leave_alone():
    cases = [
        "word**[...]** after a letter",  # not left-flanking: literal asterisks
        "**a**b",  # closer followed by a letter
        "$x$ at the start",  # dollarmath reads the last character as "before" here
        "cost 5$ and $6",  # digits next to dollars
        "a $x$1",
        "see [a](b) and **c**",  # a link
        "two  spaces **x**",
        "**x** trailing ",
        "**x *y* z**",
        "- **item**",
        "# **Title**",
        "a <b>tag</b> **x**",
        "a \\**x** escape",
        "**x**\nsecond line",
    ]
    for text in cases:
        assert _simple_inline(text) is None, text
        _check(text)


def _cloze_faces_one_by_one(text: str) -> list[tuple[int, str, str]]:
    return [(n, render_cloze(text, n, reveal=False), render_cloze(text, n, reveal=True)) for n in cloze_numbers(text)]


# Deletions, empty ones, hints, unclosed and nested markup, and what surrounds them.
_CLOZE_PIECE = st.sampled_from(["{{c1::", "{{c2::", "{{c12::", "{{c0::", "{{c", "::", "}}", "}", "{", "{{",
                                "c1", "x", "Word", " ", "<b>", "$x$", "**", "\n", "é"])


@settings(max_examples=1500, deadline=None)
@given(st.lists(_CLOZE_PIECE, max_size=14), st.booleans())
def test_cloze_faces_are_what_render_cloze_gives_each_deletion(pieces, tag_first):
    text = ("<div>" if tag_first else "") + "".join(pieces)
    assert cloze_faces(text) == _cloze_faces_one_by_one(text), text


@pytest.mark.parametrize("text", [
    "{{c1::" * 20_000,  # unclosed, 100 KB
    "{{c1::a}}" * 12_000,  # 100 KB of one deletion
    "".join(f"{{{{c{i % 50 + 1}::w{i}::h}}}} " for i in range(8_000)),  # 50 numbers, hints
    "{{c1::}}" * 12_000 + "{{c2::x}}",  # empty deletions stay as written
    "x" * 100_000 + "{{c1::y}}",
])
def test_cloze_faces_match_render_cloze_on_long_texts(text):
    assert cloze_faces(text) == _cloze_faces_one_by_one(text)


def test_every_face_of_the_sample_deck_renders_as_the_full_renderer_would():
    spec = parse_deck(b"""
id: sample
title: Sample
cards:
  - id: gaps
    cloze: "{{c1::Rome}} is the capital of {{c2::Italy}}, on the {{c3::Tiber::river}}."
  - id: inner
    cloze: "Prefix{{c1::glued}} and ({{c2::paren}}) and {{c3::$x$}}."
  - id: md
    question: What is `x`?
    answer: A **bold** answer with $k_{1}$.
    reverse: true
""", "sample.yaml")
    for note in spec.notes:
        for face in faces(note):
            _check(face.prompt)
            _check(face.answer)


_EDITED_DECK = """
id: edits
title: Edits
sources:
  book: "Büch, ch. 1"
  other: Other book
cards:
  - id: one
    question: "Qué \\"quoted\\" \\u2028 ?"
    answer: "7"
    choices: ["4", "6", "7"]
    explanation: Ünïcode
    tags: [a, b]
    source: book
  - id: typed
    question: Spell it
    answer: seven
    accept: [seven, "7"]
  - id: two
    cloze: "{{c1::x}} y"
  - id: rev
    question: Front
    answer: Back
"""


def _edited(spec, note_id: str, **changes):
    notes = tuple(n._replace(**changes) if n.id == note_id else n for n in spec.notes)
    return dataclasses.replace(spec, notes=notes)


@pytest.mark.parametrize("note_id, changes", [
    ("one", {"question": "Qué?"}), ("one", {"answer": "6"}), ("one", {"choices": ("4", "7", "6")}),
    ("one", {"explanation": None}), ("one", {"tags": ("b", "a")}), ("one", {"source": "other"}),
    ("typed", {"accept": ("seven",)}), ("two", {"cloze": "{{c2::x}} y"}), ("rev", {"reverse": True}),
])
def test_every_field_a_note_shows_counts_as_an_edit(db, tmp_path, note_id, changes):
    path = tmp_path / "edits.yaml"
    path.write_text(_EDITED_DECK, encoding="utf-8")
    load_files([path])
    spec = parse_deck(_EDITED_DECK.encode(), "edits.yaml")
    assert plan_import(spec, None).unchanged == ["one", "typed", "two", "rev"]

    plan = plan_import(_edited(spec, note_id, **changes), None)

    assert plan.changed == [note_id]
    assert len(plan.unchanged) == 3


def test_stored_lists_are_compared_as_values_not_as_json_text():
    note = NoteSpec("n", 1, "Qué?", "sí", choices=("sí", "no"), accept=("sí",))
    content = note_content(note, "")
    escaped = content[:6] + (0, json.dumps(["sí", "no"]), '["s\\u00ed"]')  # ASCII-escaped, reverse as 0/1
    assert escaped != content and same_content(escaped, content)
    assert not same_content(content[:7] + ('["no", "sí"]', content[8]), content)
    assert not same_content(content[:6] + (True,) + content[7:], content)


def test_the_html_cache_renders_what_it_was_not_given_once():
    cache = HtmlCache({"known": "<p>from the reader</p>\n"})
    assert cache["known"] == "<p>from the reader</p>\n"
    assert cache["A **bold** move"] == render_markdown("A **bold** move")
    assert set(cache) == {"known", "A **bold** move"}  # kept for the next card that shows it


_STRINGS = st.text(alphabet=st.characters(codec="utf-8"), max_size=6)


@settings(max_examples=300)
@given(st.lists(_STRINGS, max_size=4))
def test_json_strings_is_what_a_json_field_stores(texts):
    assert json_strings(texts) == Note.choices.db_value(texts) == json.dumps(texts, ensure_ascii=False)
    assert json_strings(tuple(texts)) == json_strings(texts)


def test_ids_taken_before_an_insert_never_collide_with_later_rows(db):
    assert list(take_ids(User, 0)) == []
    first = User.create(username="before")
    ids = list(take_ids(User, 3))
    assert len(set(ids)) == 3 and min(ids) > first.id
    insert_rows(User, ("id", "username", "username_key", "password_hash", "is_admin", "timezone", "rollover_hour",
                       "new_per_day", "reviews_per_day", "grade_scale", "session_version", "created_at",
                       "suspend_leeches", "typed_answers", "new_order", "bury_siblings"),
                [(i, f"taken{i}", f"taken{i}", "", False, "UTC", 4, 20, 200, "buttons", 1, first.created_at, False,
                  True, "deck", True)
                 for i in ids])
    after = User.create(username="after")  # the sequence (PostgreSQL) or the table's maximum (SQLite) moved on
    assert after.id > max(ids) and User.select().count() == 5


def test_bulk_values_match_each_fields_db_value(sqlite_db):
    fields = [f for f in Note._meta.sorted_fields if f.name != "id"]
    rows = [
        {"deck": 1, "slug": "a", "position": 0, "kind": "basic", "question": "Q", "answer": None,
         "choices": ["ä", "b"], "choices_html": [], "accept": [], "reverse": True},
        {"deck": 2, "slug": "b", "position": 1, "kind": "cloze", "cloze": "x", "tags": " t ",
         "choices": [], "accept": ["é"], "retired": 1},  # an int for a boolean: db_value converts it
    ]
    got = _values(fields, rows)
    for row, values in zip(rows, got):
        expected = []
        for f in fields:
            value = row[f.name] if f.name in row else (f.default() if callable(f.default) else f.default)
            expected.append(None if value is None else f.db_value(value))
        assert list(values) == expected
    card_fields = [f for f in Card._meta.sorted_fields if f.name != "id"]
    assert _values(card_fields, []) == []


def test_loading_twice_reuses_the_stored_rows(sqlite_db, write_deck):
    path = write_deck("""
id: twice
title: Twice
cards:
  - id: a
    question: Q **a**?
    answer: A `b`.
    reverse: true
  - id: c
    cloze: "{{c1::x}} and {{c2::y}}"
""")
    first = load_files([path])[0]
    assert first.new_deck and sorted(first.added) == ["a", "c"]
    again = load_files([path])[0]
    assert sorted(again.unchanged) == ["a", "c"] and not again.changed
    note = Note.get(Note.slug == "a")
    html = {c.key: (c.prompt_html, c.answer_html) for c in Card.select().where(Card.note == note)}
    assert html == {"front": ("<p>Q <strong>a</strong>?</p>\n", "<p>A <code>b</code>.</p>\n"),
                    "reverse": ("<p>A <code>b</code>.</p>\n", "<p>Q <strong>a</strong>?</p>\n")}
