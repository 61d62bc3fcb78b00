"""A small deck for the quiz tests, whose answers the tests know, and helpers to load and find it."""
from __future__ import annotations

from quizzer.services.decks import load_files
from quizzer.store.models import Card, Deck, Note

QUIZ_DECK = """
id: quiz-basics
title: Quiz basics
tags: [basics]
cards:
  - id: capital-france
    question: What is the capital of France?
    answer: Paris
    tags: [geo]
  - id: capital-italy
    question: What is the capital of Italy?
    answer: Rome
    tags: [geo]
  - id: capital-spain
    question: What is the capital of Spain?
    answer: Madrid
    tags: [geo]
  - id: capital-germany
    question: What is the capital of Germany?
    answer: Berlin
    tags: [geo]
  - id: group-split
    question: Which scikit-learn splitter keeps all rows of one patient on the same side?
    answer: Group shuffle split
    accept: [GroupShuffleSplit]
    tags: [leakage]
  - id: react
    question: Which agentic pattern interleaves reasoning with tool calls?
    choices: [Reflection, ReAct, Planning, Multi-agent]
    answer: ReAct
    tags: [agents]
  - id: bagging
    cloze: "{{c1::Bagging}} mainly reduces variance."
    tags: [ensembles]
  - id: bias-variance
    question: Explain the bias-variance trade-off in one breath.
    answer: >-
      Simple models miss real structure (high bias); flexible ones chase noise in the training data
      (high variance); the best test error sits between the two.
    explanation: Regularisation and ensembles move a model along this trade-off.
    tags: [theory]
"""

OTHER_DECK = """
id: other-topic
title: Other topic
cards:
  - id: two-plus-two
    question: What is 2 + 2?
    answer: "4"
    tags: [math]
  - id: three-plus-three
    question: What is 3 + 3?
    answer: "6"
    tags: [math]
"""

ANSWERS = {"What is the capital of France?": "Paris", "What is the capital of Italy?": "Rome",
           "What is the capital of Spain?": "Madrid", "What is the capital of Germany?": "Berlin",
           "What is 2 + 2?": "4", "What is 3 + 3?": "6"}


def load(write_deck, text: str = QUIZ_DECK, owner=None, name: str = "quiz-deck.yaml") -> Deck:
    """Load a deck through the real loader (shared, or ``owner``'s) and return it."""
    plan, = load_files([write_deck(text, name)], owner.id if owner else None)
    owner_clause = Deck.owner.is_null() if owner is None else (Deck.owner == owner.id)
    return Deck.get(owner_clause & (Deck.slug == plan.deck_slug))


def card_of(note_slug: str, key: str = "front") -> Card:
    return Card.select().join(Note).where((Note.slug == note_slug) & (Card.key == key)).get()
