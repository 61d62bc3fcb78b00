"""docs/deck.schema.json agrees with the parser, and every bundled deck passes both."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from quizzer.deck_format import DeckError, parse_deck_file
from quizzer.deck_format.parser import CARD_KEYS, DECK_KEYS

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "docs" / "deck.schema.json").read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA)

SAMPLE = yaml.safe_load("""
id: llm-inference
title: "LLM inference: KV caching, decoding, bandwidth"
description: Markdown text shown on the deck page.
tags: [llm, inference]
sources:
  kv-post: "Explain KV caching in LLMs (LinkedIn post 3, seed 002)"
cards:
  - id: kv-cache-what
    question: What does the KV cache store during generation, and why can it be reused?
    answer: The key and value vectors of every earlier token.
    explanation: Optional longer markdown shown after the answer.
    tags: [kv-cache]
    source: kv-post
  - id: kv-cache-reverse
    question: What does TTFT stand for?
    answer: Time to first token
    reverse: true
  - id: kv-cache-size
    cloze: "Llama-3-70B has {{c1::80}} layers; about {{c2::2.5 MB::size}} per token."
  - id: react-pattern
    question: Which agentic pattern interleaves reasoning with tool calls?
    choices: [Reflection, ReAct, Planning, Multi-agent]
    answer: ReAct
  - id: group-split
    question: Which splitting strategy prevents the same patient appearing in train and validation?
    answer: Group shuffle split
    accept: ["GroupShuffleSplit", "group split"]
  - id: layers
    question: How many layers does Llama-3-70B have?
    answer: 80
""")


def errors_of(deck: dict) -> list[str]:
    return [error.message for error in VALIDATOR.iter_errors(deck)]


def test_schema_is_a_valid_draft_2020_12_schema():
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_valid_sample_deck_validates():
    assert errors_of(SAMPLE) == []


def mutated(change) -> dict:
    deck = copy.deepcopy(SAMPLE)
    change(deck)
    return deck


@pytest.mark.parametrize("change", [
    lambda d: d.update(author="me"),
    lambda d: d["cards"][0].update(anwser="typo"),
    lambda d: d["cards"][2].update(answer="a cloze card has no answer"),
    lambda d: d["cards"][1].pop("answer"),
    lambda d: d["cards"][0].pop("id"),
    lambda d: d.update(id="Not A Slug"),
    lambda d: d.update(tags="llm"),
    lambda d: d["cards"][1].update(reverse="yes please"),
    lambda d: d["cards"][3].update(choices=["ReAct"]),
    lambda d: d["cards"][2].update(cloze="no deletions here"),
    lambda d: d.update(cards=[]),
], ids=["deck unknown key", "card unknown key", "cloze with answer", "missing answer",
        "missing card id", "bad deck id", "tags not a list", "reverse not boolean",
        "one choice", "cloze without deletion", "no cards"])
def test_invalid_decks_do_not_validate(change):
    assert errors_of(mutated(change)) != []


def test_schema_keys_are_the_parser_keys():
    assert set(SCHEMA["properties"]) == set(DECK_KEYS)
    question_keys = set(SCHEMA["$defs"]["questionCard"]["properties"])
    cloze_keys = set(SCHEMA["$defs"]["clozeCard"]["properties"])
    assert question_keys | cloze_keys == set(CARD_KEYS)
    assert question_keys & cloze_keys == {"id", "explanation", "tags", "source", "accept", "tolerance"}


def test_every_property_has_a_description():
    def described(spec: dict) -> bool:
        referenced = SCHEMA["$defs"].get(spec.get("$ref", "").split("/")[-1], {})
        return "description" in spec or "description" in referenced

    def undocumented(properties: dict) -> list[str]:
        return [name for name, spec in properties.items() if not described(spec)]
    assert undocumented(SCHEMA["properties"]) == []
    for shape in ("questionCard", "clozeCard"):
        assert undocumented(SCHEMA["$defs"][shape]["properties"]) == []


def test_every_bundled_deck_passes_the_schema_and_the_parser():
    """Passes when decks/ is empty too: there is then nothing to check."""
    failures = []
    for path in sorted((ROOT / "decks").glob("*.yaml")):
        try:
            parse_deck_file(path)
        except DeckError as error:
            failures.append(str(error))
        with path.open(encoding="utf-8-sig") as file:
            deck = yaml.safe_load(file)
        failures += [f"{path}: schema: {message}" for message in errors_of(deck)]
    assert failures == [], "\n".join(failures)
