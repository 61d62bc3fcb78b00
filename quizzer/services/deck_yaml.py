"""A deck in our YAML deck format, as the parser reads it back (the YAML export, and the copy our
.apkg export carries so that it comes back exactly)."""
from __future__ import annotations

import yaml

from quizzer.store.cards import active_notes
from quizzer.store.models import Deck


class _DeckDumper(yaml.SafeDumper):
    """Multi-line texts as literal blocks, so an exported deck reads like a hand-written one."""


def _text(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_DeckDumper.add_representer(str, _text)


def deck_document(deck: Deck) -> dict:
    """The deck's active cards as a deck-format mapping (what the YAML parser reads back)."""
    deck_tags = list(deck.tags or [])
    key_of_label = {label: key for key, label in reversed(list((deck.sources or {}).items()))}
    cards = []
    for note in active_notes(deck.id):
        card: dict = {"id": note.slug}
        if note.kind == "cloze":
            card["cloze"] = note.cloze
        else:
            card.update(question=note.question, answer=note.answer)
        if note.explanation:
            card["explanation"] = note.explanation
        own_tags = [tag for tag in note.tag_list if tag not in deck_tags]
        if own_tags:
            card["tags"] = own_tags
        if note.source and note.source in key_of_label:
            card["source"] = key_of_label[note.source]
        if note.reverse:
            card["reverse"] = True
        if note.choices:
            card["choices"] = list(note.choices)
            if not note.shuffle:
                card["shuffle"] = False
        if note.accept:
            card["accept"] = dict(note.accept) if isinstance(note.accept, dict) else list(note.accept)
        if note.reverse_answer:
            card["reverse_answer"] = note.reverse_answer
        if note.tolerance:
            card["tolerance"] = note.tolerance
        cards.append(card)
    document = {"id": deck.slug, "title": deck.title}
    if deck.description:
        document["description"] = deck.description
    if deck_tags:
        document["tags"] = deck_tags
    if deck.sources:
        document["sources"] = dict(deck.sources)
    document["cards"] = cards
    return document


def deck_text(deck: Deck) -> str:
    """The deck's active cards as a deck file."""
    return yaml.dump(deck_document(deck), Dumper=_DeckDumper, sort_keys=False, allow_unicode=True, width=100)
