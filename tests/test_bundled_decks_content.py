"""Content rules for every deck in decks/ (issue 23): short answers, no near-duplicate questions,
unbiased choices, topic tags that group cards, short cloze blanks and sources a reader can find.

Every rule runs over whatever ``decks/*.yaml`` holds, so a deck added later is checked the same way.
"""
from __future__ import annotations

import re
import statistics
from itertools import combinations

import pytest
from rapidfuzz import fuzz

from quizzer.deck_format import cloze_deletions, parse_deck_file, plain_cloze
from quizzer.deck_format.lint import choice_bias
from tests.conftest import BUNDLED_DECKS

# Interview recall works on short answers; the detail belongs in the explanation.
MAX_MEDIAN_BASIC_ANSWER = 150
# Two questions this similar (rapidfuzz token_set_ratio) ask the same thing twice.
NEAR_DUPLICATE_SCORE = 85
# A tag that groups fewer cards than this is not a topic worth filtering by.
MIN_CARDS_PER_TAG = 5
# A cloze blank is a term or a number, not a phrase to recite.
MAX_BLANK_WORDS = 3

# Question pairs that score as near duplicates but ask different things: ("deck/card", "deck/card"),
# sorted, with the reason. Empty today: every flagged pair so far was merged instead.
ALLOWED_NEAR_DUPLICATES: dict[tuple[str, str], str] = {}

PATHS = sorted(BUNDLED_DECKS.glob("*.yaml"))
DECKS = [parse_deck_file(path) for path in PATHS]
# A seed document named by its number or file name ("seed 002", "002_f8422940f915e452.txt") ...
SEED = re.compile(r"\bseed \d{3}\b|\b\d{3}_[0-9a-f]{16}\.txt\b")
# ... or a public source: a quoted title and a URL (papers add authors and year; documentation has none).
QUOTED_TITLE = re.compile(r"'[^']{8,}'|\"[^\"]{8,}\"|“[^”]{8,}”")
URL = re.compile(r"https?://\S+\.\S+")


def _prompt(note) -> str:
    """What the learner reads: the question, or the cloze text with its blanks filled in."""
    return plain_cloze(note.cloze) if note.cloze is not None else note.question


def test_there_are_decks_to_check():
    assert len(DECKS) >= 12


@pytest.mark.parametrize("deck", DECKS, ids=lambda d: d.id)
def test_median_basic_answer_is_short(deck):
    lengths = [len(note.answer) for note in deck.notes if note.kind == "basic"]
    assert lengths, f"{deck.id} has no basic cards"
    median = statistics.median(lengths)
    assert median <= MAX_MEDIAN_BASIC_ANSWER, f"{deck.id}: median basic answer is {median} characters"


def test_no_two_questions_are_near_duplicates_across_all_decks():
    prompts = [(f"{deck.id}/{note.id}", _prompt(note)) for deck in DECKS for note in deck.notes]
    found = []
    for (key_a, text_a), (key_b, text_b) in combinations(prompts, 2):
        score = fuzz.token_set_ratio(text_a, text_b)
        if score >= NEAR_DUPLICATE_SCORE and tuple(sorted((key_a, key_b))) not in ALLOWED_NEAR_DUPLICATES:
            found.append(f"{key_a} ~ {key_b} ({score:.0f})")
    assert not found, "near-duplicate questions (merge them or allow-list the pair with a reason):\n" + \
        "\n".join(found)


def test_allow_listed_pairs_still_exist_and_give_a_reason():
    keys = {f"{deck.id}/{note.id}" for deck in DECKS for note in deck.notes}
    for pair, reason in ALLOWED_NEAR_DUPLICATES.items():
        assert set(pair) <= keys and reason.strip(), pair


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_choice_lint_is_clean(path):
    deck = parse_deck_file(path)
    warnings = choice_bias(deck, str(path))
    assert not warnings, "\n".join(str(warning) for warning in warnings)


@pytest.mark.parametrize("deck", DECKS, ids=lambda d: d.id)
def test_every_card_has_a_topic_tag_and_every_tag_groups_enough_cards(deck):
    untagged = [note.id for note in deck.notes if not set(note.tags) - set(deck.tags)]
    assert not untagged, f"{deck.id}: cards with no tag beyond the deck's: {untagged}"
    counts = {tag: sum(tag in note.tags for note in deck.notes)
              for tag in {tag for note in deck.notes for tag in note.tags}}
    thin = {tag: count for tag, count in counts.items() if count < MIN_CARDS_PER_TAG}
    assert not thin, f"{deck.id}: tags on fewer than {MIN_CARDS_PER_TAG} cards: {thin}"


@pytest.mark.parametrize("deck", DECKS, ids=lambda d: d.id)
def test_cloze_blanks_are_a_term_or_a_number(deck):
    long_blanks = [(note.id, deleted) for note in deck.notes if note.cloze is not None
                   for _, deleted, _ in cloze_deletions(note.cloze) if len(deleted.split()) > MAX_BLANK_WORDS]
    assert not long_blanks, f"{deck.id}: blanks longer than {MAX_BLANK_WORDS} words: {long_blanks}"


@pytest.mark.parametrize("deck", DECKS, ids=lambda d: d.id)
def test_every_source_names_a_seed_section_or_a_public_source(deck):
    assert deck.sources, f"{deck.id} has no sources"
    for key, text in deck.sources.items():
        if SEED.search(text):
            section = SEED.sub("", text)
            assert QUOTED_TITLE.search(section) or len(re.findall(r"\w+", section)) >= 4, \
                f"{deck.id}: source {key!r} names a seed but no section: {text!r}"
        else:
            assert QUOTED_TITLE.search(text) and URL.search(text), \
                f"{deck.id}: source {key!r} is neither a seed section nor a public source with a quoted " \
                f"title and a URL: {text!r}"


@pytest.mark.parametrize("deck", DECKS, ids=lambda d: d.id)
def test_every_card_cites_one_of_its_decks_sources(deck):
    unsourced = [note.id for note in deck.notes if note.source not in deck.sources]
    assert not unsourced, f"{deck.id}: cards citing no source of the deck: {unsourced}"
