"""Which stored deck each imported deck goes to, decided before anything is compared or written.

A deck in our own format (YAML, our .apkg export) goes to the deck with its id: the id is its
identity. A deck from another program goes to the deck that came from the same place
(``Deck.origin``: the same Anki deck, Quizlet set or CSV file name), never to a deck that only
has the same id; when its id is taken by another deck it gets a free one (``spanish-2``). The
user may pick the target instead (``into``) for a file that holds one deck.

Cards a text file gave no id (Anki's minimal text export, Quizlet, CSV without an id column)
have ids made from their text; in a deck that is stored already they take the id of the stored
card with the same first field (question, or cloze text), so importing such a file again, or
after the package it came from, does not add every card a second time.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from quizzer.deck_format import DeckSpec
from quizzer.deck_format.parser import SLUG_RULE, is_slug
from quizzer.importers import ImportBundle
from quizzer.importers.names import Taken, unique
from quizzer.services.errors import InvalidInput
from quizzer.store.cards import note_first_fields
from quizzer.store.decks import deck_origins

_KINDS = {"anki": "Anki deck", "quizlet": "Quizlet set", "csv": "CSV deck"}


@dataclass(frozen=True)
class DeckTarget:
    slug: str  # the deck it goes to
    origin: str | None  # written to the deck; None leaves the stored one
    why: str  # for the dry run: where it came from and why it goes there ("" for our own format)


def describe_origin(origin: str) -> str:
    """"anki:Spanish" as "Anki deck 'Spanish'"."""
    kind, _, name = origin.partition(":")
    return f"{_KINDS.get(kind, kind)} '{name}'"


def match_decks(bundle: ImportBundle, owner_id: int | None,
                into: str | None = None) -> tuple[ImportBundle, dict[str, DeckTarget]]:
    """The bundle with each deck (and its carried-over progress) under the id it is stored at, and
    each deck's target by that id. InvalidInput for an ``into`` that is not a deck id, or a file
    with more than one deck."""
    stored = deck_origins(owner_id)
    if into is not None:
        targets = {spec.id: _chosen(bundle, spec.id, into, into in stored) for spec in bundle.decks}
    else:
        by_origin = {origin: slug for slug, origin in stored.items() if origin}
        taken = Taken(set(stored) | {spec.id for spec in bundle.decks})  # free ids come from neither
        targets = {spec.id: _target(spec.id, bundle.origins.get(spec.id), stored, by_origin, taken)
                   for spec in bundle.decks}
    renamed = {old: target.slug for old, target in targets.items() if old != target.slug}
    decks = tuple(_by_first_field(replace(d, id=renamed.get(d.id, d.id)), bundle.unkeyed.get(d.id), owner_id)
                  for d in bundle.decks)
    progress = tuple(replace(p, deck_id=renamed.get(p.deck_id, p.deck_id)) for p in bundle.progress) \
        if renamed else bundle.progress
    bundle = replace(bundle, decks=decks, progress=progress)
    return bundle, {target.slug: target for target in targets.values()}


def _first_field(question: str | None, cloze: str | None) -> str:
    return (question if question is not None else cloze) or ""


def _by_first_field(spec: DeckSpec, unkeyed: frozenset[str] | None, owner_id: int | None) -> DeckSpec:
    """The deck with its cards that had no id under the id of the stored card with the same first field."""
    if not unkeyed:
        return spec
    stored: dict[str, str] = {}
    for slug, question, cloze in note_first_fields(owner_id, spec.id):
        stored.setdefault(_first_field(question, cloze), slug)
    used = {note.id for note in spec.notes if note.id not in unkeyed}
    notes = []
    for note in spec.notes:
        slug = stored.get(_first_field(note.question, note.cloze)) if note.id in unkeyed else None
        if slug is not None and slug not in used:
            note = note._replace(id=slug)
        used.add(note.id)
        notes.append(note)
    return replace(spec, notes=tuple(notes))


def _chosen(bundle: ImportBundle, deck_id: str, into: str, exists: bool) -> DeckTarget:
    if len(bundle.decks) != 1:
        raise InvalidInput(f"{bundle.source} holds {len(bundle.decks)} decks: a target deck can be chosen "
                           "only for a file with one deck")
    if not is_slug(into):
        raise InvalidInput(f"'{into}' is not a deck id: {SLUG_RULE}")
    origin = bundle.origins.get(deck_id)
    source = describe_origin(origin) if origin else f"deck '{deck_id}'"
    return DeckTarget(into, origin, f"{source}, into the deck you chose" + ("" if exists else " (a new deck)"))


def _target(deck_id: str, origin: str | None, stored: dict[str, str], by_origin: dict[str, str],
            taken: Taken) -> DeckTarget:
    if origin is None:  # our own format: the id is the identity
        came_from = stored.get(deck_id)
        return DeckTarget(deck_id, None, f"by id; the deck came from {describe_origin(came_from)}"
                          if came_from else "")
    source = describe_origin(origin)
    if origin in by_origin:
        return DeckTarget(by_origin[origin], origin, f"{source}, imported before")
    if deck_id not in stored:
        return DeckTarget(deck_id, origin, source)
    free = unique(deck_id, taken)
    return DeckTarget(free, origin, f"{source}; the deck '{deck_id}' is another deck and is left alone")
