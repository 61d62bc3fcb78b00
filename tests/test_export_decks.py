"""Deck exports: YAML that re-imports to the same deck, and .apkg that the real Anki opens."""
from __future__ import annotations

from dataclasses import replace

import pytest
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

from quizzer.deck_format import parse_deck
from quizzer.importers import read_file
from quizzer.services import exports
from quizzer.services.anki_export import deck_apkg
from quizzer.services.decks import plan_import
from quizzer.services.errors import NotFound
from quizzer.services.imports import apply_bundle
from quizzer.services.users import create_user
from quizzer.store.models import Card, Deck, Note
from tests.anki_factory import PNG, build_collection, export_package

RICH_DECK = """id: rich
title: "Rich: every feature"
description: |
  A deck with **markdown**.
tags: [base, shared-tag]
sources:
  book: "The Book, chapter 2"
  post: A blog post
cards:
  - id: plain
    question: What is 2 + 2?
    answer: "4"
  - id: multi
    question: |
      Two lines,
      with `code`:

      ```python
      print("hi")
      ```
    answer: "Trailing: colon and # hash"
    explanation: Because $x^2$ grows.
    tags: [extra]
    source: book
  - id: flip
    question: Front
    answer: Back
    reverse: true
    reverse_answer: Front side
    source: post
  - id: pick
    question: Which one?
    choices: [Alpha, "Beta: b", Gamma, All of them]
    answer: "Beta: b"
    shuffle: false
  - id: typed
    question: Say yes
    answer: "yes"
    accept: ["y", "yeah"]
  - id: size
    question: How big?
    answer: 0.33 MB
    tolerance: 2%
  - id: gap
    cloze: "{{c1::Rome}} is in {{c2::Italy::country}}"
    accept: {c2: [Italia]}
    tolerance: "0.5"
    tags: [geo]
"""


def test_yaml_export_reimports_to_the_same_deck(db, user, load_deck):
    load_deck(RICH_DECK, owner=user, name="rich.yaml")
    deck = Deck.get(Deck.slug == "rich")
    _, text = exports.deck_yaml(user, deck.id)
    spec = parse_deck(text, "exported.yaml")
    plan = plan_import(spec, user.id)
    assert not plan.new_deck and not (plan.added or plan.changed or plan.retired or plan.restored)
    assert plan.unchanged == ["plain", "multi", "flip", "pick", "typed", "size", "gap"]
    original = parse_deck(RICH_DECK, "rich.yaml")
    without_lines = lambda deck: [note._replace(line=0) for note in deck.notes]  # noqa: E731
    assert without_lines(spec) == without_lines(original)  # every field of every card, in order
    assert replace(spec, notes=()) == replace(original, notes=())
    assert "question: |-\n    Two lines,\n    with `code`:" in text  # multi-line text stays readable


def test_yaml_export_leaves_out_retired_cards_and_only_shows_visible_decks(db, user, load_deck):
    load_deck(RICH_DECK, owner=user, name="rich.yaml")
    load_deck(RICH_DECK.replace("  - id: plain\n    question: What is 2 + 2?\n    answer: \"4\"\n", ""),
              owner=user, name="rich.yaml")
    deck = Deck.get(Deck.slug == "rich")
    assert "id: plain" not in exports.deck_yaml(user, deck.id)[1]
    other = create_user("mallory", "correct horse battery")
    with pytest.raises(NotFound):
        exports.deck_yaml(other, deck.id)


def test_apkg_export_opens_in_anki_with_the_same_notes_cards_and_tags(db, user, load_deck, tmp_path):
    load_deck(RICH_DECK, owner=user, name="rich.yaml")
    deck, data = deck_apkg(user, Deck.get(Deck.slug == "rich").id, tmp_path / "media")
    package = tmp_path / "rich.apkg"
    package.write_bytes(data)
    col = Collection(str(tmp_path / "check.anki2"))
    try:
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package),
                                                         options=ImportAnkiPackageOptions()))
        note_ids = col.find_notes('"deck:Rich: every feature"')
        notes = [col.get_note(nid) for nid in note_ids]
        assert len(notes) == Note.select().where(Note.deck == deck.id).count() == 7
        stored = Card.select().where(Card.deck == deck.id).count()
        assert len(col.find_cards('"deck:Rich: every feature"')) == stored == 9
        assert sorted(tuple(sorted(n.tags)) for n in notes) == sorted(
            tuple(sorted(n.tag_list)) for n in Note.select().where(Note.deck == deck.id))
        fronts = {n.fields[0] for n in notes}
        assert "<p>What is 2 + 2?</p>\n" in fronts
        gap = next(n for n in notes if "Rome" in n.fields[0])
        assert {c.ord for c in gap.cards()} == {0, 1}
    finally:
        col.close()


def test_apkg_round_trip_through_our_own_importer_keeps_images(db, user, tmp_path):
    source = build_collection(tmp_path / "source.anki2")
    package = export_package(source, tmp_path / "in.apkg", legacy=False)
    source.close()
    media_root = tmp_path / "media"
    apply_bundle(read_file(package.read_bytes(), "in.apkg"), user.id, media_root=media_root)
    _, data = deck_apkg(user, Deck.get(Deck.slug == "languages-french").id, media_root)
    again = read_file(data, "out.apkg")
    french, = again.decks
    assert len(french.notes) == 7 and sum(len(n.tags) for n in french.notes) == 9
    assert [m.data for m in again.media] == [PNG]
