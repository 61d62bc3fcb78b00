"""Deck parser: exact specs for valid decks, positioned problems for bad ones, faces."""
from __future__ import annotations

import codecs
import re
import textwrap
import time
from types import MappingProxyType

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from quizzer.deck_format import (
    MAX_DECK_BYTES,
    DeckError,
    DeckSpec,
    Face,
    NoteSpec,
    Problem,
    faces,
    parse_deck,
    parse_deck_file,
    parser,
)
from quizzer.deck_format.flow_depth import first_too_deep
from quizzer.deck_format.parser import MAX_DEPTH

VALID_DECK = textwrap.dedent("""\
    # yaml-language-server: $schema=../docs/deck.schema.json
    id: llm-inference
    title: "LLM inference: KV caching, decoding, bandwidth"
    description: Markdown text shown on the deck page.
    tags: [llm, inference]
    sources:
      kv-post: "Explain KV caching in LLMs (LinkedIn post 3, seed 002)"
    cards:
      - id: kv-cache-what
        question: What does the KV cache store during generation?
        answer: |
          The key and value vectors of every earlier token.
        explanation: Optional longer markdown.
        tags: [kv-cache, llm]
        source: kv-post
      - id: ttft-term
        question: What does TTFT stand for?
        answer: Time to first token
        reverse: true
      - id: kv-cache-size
        cloze: "Llama-3-70B has {{c1::80}} layers, {{c2::2.5 MB::size}} per token."
        source: kv-post
      - id: react-pattern
        question: Which agentic pattern interleaves reasoning with tool calls?
        choices: [Reflection, ReAct, Planning, Multi-agent]
        answer: ReAct
      - id: group-split
        question: Which split keeps a patient out of both train and validation?
        answer: Group shuffle split
        accept: ["GroupShuffleSplit", "group split"]
      - id: layers
        question: How many layers does Llama-3-70B have?
        answer: 80
    """)

EXPECTED_DECK = DeckSpec(
    id="llm-inference",
    title="LLM inference: KV caching, decoding, bandwidth",
    description="Markdown text shown on the deck page.",
    tags=("llm", "inference"),
    sources=MappingProxyType({"kv-post": "Explain KV caching in LLMs (LinkedIn post 3, seed 002)"}),
    notes=(
        NoteSpec(id="kv-cache-what", line=9,
                 question="What does the KV cache store during generation?",
                 answer="The key and value vectors of every earlier token.",
                 explanation="Optional longer markdown.",
                 tags=("llm", "inference", "kv-cache"), source="kv-post"),
        NoteSpec(id="ttft-term", line=16, question="What does TTFT stand for?",
                 answer="Time to first token", tags=("llm", "inference"), reverse=True),
        NoteSpec(id="kv-cache-size", line=20,
                 cloze="Llama-3-70B has {{c1::80}} layers, {{c2::2.5 MB::size}} per token.",
                 tags=("llm", "inference"), source="kv-post"),
        NoteSpec(id="react-pattern", line=23,
                 question="Which agentic pattern interleaves reasoning with tool calls?",
                 answer="ReAct", tags=("llm", "inference"),
                 choices=("Reflection", "ReAct", "Planning", "Multi-agent")),
        NoteSpec(id="group-split", line=27,
                 question="Which split keeps a patient out of both train and validation?",
                 answer="Group shuffle split", tags=("llm", "inference"),
                 accept=("GroupShuffleSplit", "group split")),
        NoteSpec(id="layers", line=31, question="How many layers does Llama-3-70B have?",
                 answer="80", tags=("llm", "inference")),
    ),
)

HEADER = "id: d\ntitle: T\n"


def problems_of(data: str | bytes, **kwargs) -> list[tuple[int, int, str, str]]:
    """(line, column, path, message) of every problem; fails if the deck parses."""
    with pytest.raises(DeckError) as caught:
        parse_deck(data, "deck.yaml", **kwargs)
    return [(p.line, p.column, p.path, p.message) for p in caught.value.problems]


def only_problem(data: str | bytes, **kwargs) -> tuple[int, int, str, str]:
    problems = problems_of(data, **kwargs)
    assert len(problems) == 1, problems
    return problems[0]


# --- valid decks -------------------------------------------------------------------------

def test_valid_deck_of_every_kind_parses_to_exact_specs():
    deck = parse_deck(VALID_DECK, "decks/llm-inference.yaml")
    assert deck == EXPECTED_DECK
    assert [note.kind for note in deck.notes] == ["basic", "basic", "cloze", "choice", "basic",
                                                  "basic"]
    assert deck.warnings == ()


def test_parse_deck_file_reads_bytes_and_names_the_file(tmp_path):
    path = tmp_path / "deck.yaml"
    path.write_bytes(VALID_DECK.encode())
    assert parse_deck_file(path) == EXPECTED_DECK
    path.write_bytes(b"id: d\ntitle: T\ncards: []\n")
    with pytest.raises(DeckError) as caught:
        parse_deck_file(path)
    assert str(caught.value) == f"{path}:3:8: cards: needs at least one card"


def test_utf8_bom_is_accepted_and_does_not_shift_columns():
    deck = parse_deck(codecs.BOM_UTF8 + VALID_DECK.encode(), "deck.yaml")
    assert deck == EXPECTED_DECK
    bad_id = b"id: Bad\ntitle: T\ncards: [{id: a, cloze: '{{c1::x}}'}]"
    assert only_problem(codecs.BOM_UTF8 + bad_id)[:3] == (1, 5, "id")


def test_deck_spec_is_frozen_and_hashable():
    deck = parse_deck(VALID_DECK, "deck.yaml")
    assert hash(deck) == hash(parse_deck(VALID_DECK, "deck.yaml"))
    with pytest.raises(TypeError):
        deck.sources["new"] = "x"  # type: ignore[index]


def test_text_values_are_kept_as_written_and_right_stripped():
    deck = parse_deck(HEADER + textwrap.dedent("""\
        cards:
          - id: a
            question: "Ratio?   "
            answer: 1e3
            choices: [1e3, 0x10, yes]
          - id: b
            question: Block
            answer: |
              line one
              line two

            explanation:
        """), "deck.yaml")
    assert deck.notes[0].question == "Ratio?"
    assert deck.notes[0].answer == "1e3"
    assert deck.notes[0].choices == ("1e3", "0x10", "yes")
    assert deck.notes[1].answer == "line one\nline two"
    assert deck.notes[1].explanation is None


def test_tags_merge_deck_first_without_duplicates():
    deck = parse_deck("id: d\ntitle: T\ntags: [llm, b]\ncards:\n"
                      "  - {id: a, cloze: '{{c1::x}}', tags: [c, llm, c]}\n", "deck.yaml")
    assert deck.notes[0].tags == ("llm", "b", "c")


# --- problems, one at a time --------------------------------------------------------------

BAD_CASES = {
    "unknown card key with suggestion": (
        "cards:\n  - id: a\n    question: q\n    answer: a\n    explantion: e\n",
        (7, 5, "cards[0].explantion", "unknown key 'explantion'; did you mean 'explanation'?")),
    "unknown deck key lists allowed keys": (
        "cards: [{id: a, cloze: '{{c1::x}}'}]\nzzz: 1\n",
        (4, 1, "zzz", "unknown key 'zzz'; allowed keys: id, title, description, tags, sources, "
                      "cards")),
    "duplicate key": (
        "cards:\n  - id: a\n    question: q\n    answer: a\n    answer: b\n",
        (7, 5, "cards[0].answer", "duplicate key 'answer' (first at line 6)")),
    "duplicate card id": (
        "cards:\n  - {id: a, cloze: '{{c1::x}}'}\n  - id: a\n    cloze: '{{c1::y}}'\n",
        (5, 9, "cards[1].id", "duplicate card id 'a' (first at line 4)")),
    "answer not among choices": (
        "cards:\n  - id: a\n    question: q\n    choices: [ReAct, Planning]\n    answer: React\n",
        (7, 13, "cards[0].answer", "'React' is not one of the choices")),
    "choices fewer than two": (
        "cards:\n  - id: a\n    question: q\n    choices: [a]\n    answer: a\n",
        (6, 14, "cards[0].choices", "needs at least 2 choices")),
    "duplicate choice": (
        "cards:\n  - id: a\n    question: q\n    choices: [a, b, a]\n    answer: a\n",
        (6, 21, "cards[0].choices[2]", "duplicate choice 'a'")),
    "unresolved source with suggestion": (
        "sources: {kv-post: KV post}\ncards:\n  - {id: a, cloze: '{{c1::x}}', source: kv-pots}\n",
        (5, 41, "cards[0].source", "unknown source 'kv-pots'; did you mean 'kv-post'?")),
    "source without sources": (
        "cards:\n  - {id: a, cloze: '{{c1::x}}', source: kv}\n",
        (4, 41, "cards[0].source", "unknown source 'kv'; the deck has no sources")),
    "cloze without deletions": (
        "cards:\n  - id: a\n    cloze: Paris is in {{France}}\n",
        (5, 12, "cards[0].cloze",
         "no deletions: mark each as {{c1::text}} or {{c1::text::hint}}")),
    "cloze with a question key": (
        "cards:\n  - id: a\n    cloze: '{{c1::x}}'\n    question: q\n",
        (6, 5, "cards[0].question", "a cloze card cannot have 'question'")),
    "missing answer": (
        "cards:\n  - id: a\n    question: q\n",
        (4, 5, "cards[0].answer", "missing required key 'answer'")),
    "neither question nor cloze": (
        "cards:\n  - id: a\n    explanation: e\n",
        (4, 5, "cards[0]", "a card needs 'question' and 'answer', or 'cloze'")),
    "missing card id": (
        "cards:\n  - cloze: '{{c1::x}}'\n",
        (4, 5, "cards[0].id", "missing required key 'id'")),
    "card id not a slug": (
        "cards:\n  - {id: Card_1, cloze: '{{c1::x}}'}\n",
        (4, 10, "cards[0].id", "'Card_1' is not valid: use lowercase letters, digits and '-', "
                               "starting with a letter or digit, at most 64 characters")),
    "card id too long": (
        f"cards:\n  - {{id: {'a' * 65}, cloze: '{{{{c1::x}}}}'}}\n",
        (4, 10, "cards[0].id", f"'{'a' * 57}...' is not valid: use lowercase letters, digits "
                               "and '-', starting with a letter or digit, at most 64 characters")),
    "tag with capitals": (
        "cards:\n  - {id: a, cloze: '{{c1::x}}', tags: [ok, Bad]}\n",
        (4, 44, "cards[0].tags[1]", "'Bad' is not valid: use lowercase letters, digits, '-', '_' "
                                    "and ':', starting with a letter or digit, at most 64 "
                                    "characters")),
    "tags not a list": (
        "tags: llm\ncards: [{id: a, cloze: '{{c1::x}}'}]\n",
        (3, 7, "tags", "must be a list, not 'llm'")),
    "reverse not a boolean": (
        "cards:\n  - id: a\n    question: q\n    answer: a\n    reverse: sometimes\n",
        (7, 14, "cards[0].reverse", "must be true or false, not 'sometimes'")),
    "answer is a list": (
        "cards:\n  - id: a\n    question: q\n    answer:\n      - one\n",
        (7, 7, "cards[0].answer", "must be text, not a list")),
    "unquoted cloze read as a mapping": (
        "cards:\n  - id: a\n    cloze: {{c1::Paris}}\n",
        (5, 12, "cards[0].cloze",
         "must be text, not a mapping (put text that starts with '{' or '[' in quotes)")),
    "empty answer": (
        "cards:\n  - id: a\n    question: q\n    answer:\n",
        (6, 12, "cards[0].answer", "must be text, not empty")),
    "blank answer": (
        "cards:\n  - id: a\n    question: q\n    answer: '  '\n",
        (6, 13, "cards[0].answer", "must not be empty")),
    "sources not a mapping": (
        "sources: [a]\ncards: [{id: a, cloze: '{{c1::x}}'}]\n",
        (3, 10, "sources", "must be a mapping, not a list")),
    "cards empty": (
        "cards: []\n",
        (3, 8, "cards", "needs at least one card")),
    "card not a mapping": (
        "cards:\n  - just text\n",
        (4, 5, "cards[0]", "must be a mapping, not 'just text'")),
    "explicit python tag": (
        "cards:\n  - id: a\n    cloze: !!python/object:os.system '{{c1::x}}'\n",
        (5, 12, "cards[0].cloze", "must be text, not a value tagged "
                                  "tag:yaml.org,2002:python/object:os.system")),
    "alias": (
        "cards:\n  - id: a\n    question: &q Why?\n    answer: *q\n",
        (6, 13, "cards[0].answer", "aliases are not allowed in decks "
                                   "(quote text that starts with '*')")),
    "yaml syntax error": (
        "cards:\n  - id: a\n    question: Why: because\n    answer: a\n",
        (5, 18, "", "invalid YAML: mapping values are not allowed in this context; "
                    "put text containing ': ' in quotes")),
    "unquoted markdown bold": (
        "cards:\n  - id: a\n    question: q\n    answer: **bold**\n",
        (6, 14, "", "invalid YAML: did not find expected alphabetic or numeric character "
                    "(while scanning an alias); put text that starts with '*' in quotes")),
    "two documents": (
        "cards: [{id: a, cloze: '{{c1::x}}'}]\n---\nid: e\n",
        (4, 1, "", "invalid YAML: but found another document "
                   "(expected a single document in the stream)")),
    "control character": (
        "cards: [{id: a, cloze: '{{c1::x}}\x07'}]\n",
        (3, 34, "", "character U+0007 is not allowed in a deck")),
}


@pytest.mark.parametrize("body, expected", BAD_CASES.values(), ids=BAD_CASES.keys())
def test_each_bad_case_gives_one_positioned_problem(body, expected):
    assert only_problem(HEADER + body) == expected


def test_root_must_be_a_mapping_with_required_keys():
    assert only_problem("- a\n") == (1, 1, "", "must be a mapping, not a list")
    assert only_problem("") == (1, 1, "", "deck is empty")
    assert problems_of("description: x\n") == [
        (1, 1, "id", "missing required key 'id'"),
        (1, 1, "title", "missing required key 'title'"),
        (1, 1, "cards", "missing required key 'cards'"),
    ]


def test_non_utf8_bytes_name_their_line_and_column():
    data = "id: d\ntitle: Café ".encode() + b"\xff\xfe" + b"\ncards: []\n"
    assert only_problem(data) == (2, 13, "", "invalid UTF-8 byte 0xff: save the deck as UTF-8")


def test_oversize_deck_is_refused_before_parsing():
    data = b"id: d\n" + b"#" * MAX_DECK_BYTES
    assert only_problem(data) == (1, 1, "", "deck is larger than 5 MB")
    assert only_problem(data.decode()) == (1, 1, "", "deck is larger than 5 MB")


def test_parse_deck_file_refuses_oversize_file(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (MAX_DECK_BYTES + 10))
    with pytest.raises(DeckError, match="deck is larger than 5 MB"):
        parse_deck_file(path)


def test_alias_bomb_is_refused_without_expanding():
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    problems = problems_of("\n".join(lines))
    assert len(problems) == 81
    assert problems[0] == (2, 10, "a1[0]", "aliases are not allowed in decks "
                                          "(quote text that starts with '*')")


def test_deep_nesting_is_refused_early():
    depth = 50_000  # libyaml alone would take minutes: its cost grows with depth squared
    assert only_problem("[" * depth + "]" * depth) == (
        1, MAX_DEPTH + 1, "", f"deck is nested more than {MAX_DEPTH} levels deep")
    assert only_problem("a:\n" + "".join(f"{' ' * i}- \n" for i in range(MAX_DEPTH + 1))) \
        == (MAX_DEPTH + 1, MAX_DEPTH, "", f"deck is nested more than {MAX_DEPTH} levels deep")


def test_deep_mappings_in_flow_style_are_refused_with_our_message():
    depth = 5_000  # libyaml's own limit (1,000 levels in recent releases) must not speak first;
    # the root mapping is the first level
    assert only_problem("id: d\ncards: " + "{a: " * depth + "1" + "}" * depth) == (
        2, 8 + 4 * (MAX_DEPTH - 1), "", f"deck is nested more than {MAX_DEPTH} levels deep")


def test_brackets_that_only_look_deep_do_not_refuse_a_deck():
    text = textwrap.dedent("""\
        id: d
        title: T
        cards:
          - id: c
            question: |
        """) + "".join(f"      [{i} an unclosed bracket starting a line of text\n" for i in range(40))
    text += '    answer: "[[[[[[[[[[[[[[[[[[[[ in quotes"\n'
    (note,) = parse_deck(text, "deck.yaml").notes
    assert note.question.count("[") == 40 and note.answer.count("[") == 20


def test_flow_depth_scan_is_linear():
    """The pre-scan runs on every deck: n and 10n adversarial characters, CPU time compared."""
    samples = ["a: [" + '"x\\\\", ' * 2_000 + "]", "x[ " * 6_000, "['a''b" * 3_000,
               "- [" * 5_000, "a: [b # c\n" * 2_000]
    for sample in samples:
        small, large = (cpu_seconds(first_too_deep, sample * k, MAX_DEPTH) for k in (1, 10))
        assert large < 20 * max(small, 0.001), sample[:20]


def cpu_seconds(function, *args) -> float:
    start = time.process_time()
    function(*args)
    return time.process_time() - start


def test_huge_number_of_values_is_refused_early(monkeypatch):
    monkeypatch.setattr(parser, "MAX_NODES", 1000)  # the same path, 500x faster
    text = "id: d\ntitle: T\ncards: [" + "1," * 2000 + "1]"
    # nodes 1-7: the root mapping, "id", "d", "title", "T", "cards" and the list
    assert only_problem(text) == (3, 9 + 2 * (1000 - 7), "", "deck has more than 1,000 values")


def test_several_problems_in_one_file_are_all_reported_in_order():
    text = textwrap.dedent("""\
        id: LLM inference
        title: KV caching
        sources:
          kv-post: "Explain KV caching in LLMs (LinkedIn post 3)"
        cards:
          - id: kv-cache-what
            question: What does the KV cache store?
            anwser: Keys and values of earlier tokens.
          - id: kv-cache-what
            question: Which pattern interleaves reasoning with tool calls?
            choices: [Reflection, ReAct, Planning]
            answer: React
            source: kv-pots
          - id: kv-size
            cloze: Llama-3-70B has 80 layers.
            reverse: true
        """)
    assert [problem[:3] for problem in problems_of(text)] == [
        (1, 5, "id"),
        (6, 5, "cards[0].answer"),
        (8, 5, "cards[0].anwser"),
        (9, 9, "cards[1].id"),
        (12, 13, "cards[1].answer"),
        (13, 13, "cards[1].source"),
        (15, 12, "cards[2].cloze"),
        (16, 5, "cards[2].reverse"),
    ]


def test_problem_and_error_strings():
    with_path = Problem("d.yaml", 3, 7, "cards[3].answer", "must be text, not a list")
    without_path = Problem("d.yaml", 1, 1, "", "deck is empty")
    assert str(with_path) == "d.yaml:3:7: cards[3].answer: must be text, not a list"
    assert str(without_path) == "d.yaml:1:1: deck is empty"
    error = DeckError([with_path, without_path])
    assert isinstance(error, ValueError)
    assert error.problems == [with_path, without_path]
    assert str(error) == f"{with_path}\n{without_path}"


# --- ids derived when not required ----------------------------------------------------------

def test_missing_ids_are_derived_with_a_warning_when_not_required():
    text = HEADER + textwrap.dedent("""\
        cards:
          - question: "Naïve Bayes: why 'naïve'?"
            answer: Independence
          - cloze: "{{c1::Paris}} is the capital of {{c2::France}}"
          - id: kept
            question: q
            answer: a
        """)
    deck = parse_deck(text, "import.yaml", require_ids=False)
    first, second, third = (note.id for note in deck.notes)
    assert re.fullmatch(r"naive-bayes-why-naive-[0-9a-f]{6}", first)
    assert second.startswith("paris-is-the-capital-of-france-")
    assert third == "kept"
    assert [(w.line, w.column, w.path) for w in deck.warnings] == [(4, 5, "cards[0].id"),
                                                                   (6, 5, "cards[1].id")]
    assert f"using '{first}'" in deck.warnings[0].message
    assert parse_deck(text, "again.yaml", require_ids=False).notes == deck.notes


def test_derived_ids_are_short_slugs_and_differ_by_text():
    long_question = "What " * 40 + "?"
    text = HEADER + (f"cards:\n  - {{question: '{long_question}', answer: a}}\n"
                     f"  - {{question: '{long_question}!', answer: a}}\n"
                     "  - {question: 日本語, answer: a}\n")
    ids = [note.id for note in parse_deck(text, "import.yaml", require_ids=False).notes]
    assert len(set(ids)) == 3
    assert all(len(card_id) <= 48 + 7 for card_id in ids)
    assert ids[2].startswith("card-")


def test_identical_questions_without_ids_clash():
    text = HEADER + "cards:\n  - {question: q, answer: a}\n  - {question: q, answer: b}\n"
    problems = problems_of(text, require_ids=False)
    assert len(problems) == 1 and problems[0][:3] == (5, 5, "cards[1].id")
    assert problems[0][3].startswith("duplicate card id 'q-")


# --- robustness ------------------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300)))
def test_any_input_gives_a_deck_or_a_deck_error(data):
    try:
        parse_deck(data, "fuzz.yaml")
    except DeckError as error:
        assert error.problems and all(p.line >= 1 and p.column >= 1 for p in error.problems)


printable = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(printable, printable), min_size=1, max_size=5))
def test_any_text_written_by_a_yaml_dumper_reads_back(pairs):
    pairs = [(q, a) for q, a in pairs if q.rstrip() and a.rstrip()]
    cards = [{"id": f"c{i}", "question": q, "answer": a} for i, (q, a) in enumerate(pairs)]
    if not cards:
        return
    text = yaml.safe_dump({"id": "d", "title": "T", "cards": cards}, allow_unicode=True)
    notes = parse_deck(text, "dumped.yaml").notes
    assert [(n.question, n.answer) for n in notes] == [(q.rstrip(), a.rstrip()) for q, a in pairs]


# --- faces -----------------------------------------------------------------------------------

def test_faces_of_each_kind():
    basic, reverse, cloze, choice, typed, _ = parse_deck(VALID_DECK, "deck.yaml").notes
    assert faces(basic) == [Face("front", basic.question, basic.answer)]
    assert faces(reverse) == [
        Face("front", "What does TTFT stand for?", "Time to first token"),
        Face("reverse", "Time to first token", "What does TTFT stand for?"),
    ]
    assert faces(cloze) == [
        Face("c1", "Llama-3-70B has **[...]** layers, 2.5 MB per token.",
             "Llama-3-70B has **80** layers, 2.5 MB per token."),
        Face("c2", "Llama-3-70B has 80 layers, **[size]** per token.",
             "Llama-3-70B has 80 layers, **2.5 MB** per token."),
    ]
    assert faces(choice) == [Face("front", choice.question, "ReAct")]
    assert faces(typed) == [Face("front", typed.question, "Group shuffle split")]


def test_cloze_faces_follow_numbers_not_order():
    note = NoteSpec(id="n", line=1, cloze="{{c3::c}} {{c1::a}} {{c3::c2}}")
    assert [(f.key, f.prompt) for f in faces(note)] == [("c1", "c **[...]** c2"),
                                                        ("c3", "**[...]** a **[...]**")]


def test_a_nul_character_is_refused_naming_the_field():
    text = 'id: d\ntitle: T\ncards:\n  - {id: a, question: "Q\\0?", answer: A}\n'
    with pytest.raises(DeckError) as caught:
        parse_deck(text, "nul.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "nul.yaml:4:23: cards[0].question: must not contain a NUL character"]
