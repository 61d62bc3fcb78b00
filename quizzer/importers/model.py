"""Neutral import data: what every reader produces and the one writer applies.

Readers turn a file into an ImportBundle of decks in our own format (DeckSpec),
the media files their cards show, and (for Anki packages) each card's
scheduling state. Nothing here knows about the database or the web.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from quizzer.deck_format import DeckSpec, Problem

MEDIA_URL = "/media/"  # where the web app serves stored media; card HTML points here
STORED_NAME = re.compile(r"[0-9a-f]{64}\.[a-z0-9]{1,8}")  # a stored media file: sha256 of its content + extension


@dataclass(frozen=True)
class MediaFile:
    """One image a card shows, stored under a content-addressed name."""

    name: str  # as in the package
    stored_name: str  # sha256 of the content + a lowercase extension
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class CardProgress:
    """One card's scheduling state carried over from another program."""

    deck_id: str
    note_id: str
    card_key: str
    interval: int  # days; 0 for a card never reviewed
    due: date | None  # None: not scheduled (new)
    easiness_x100: int
    reviews: int
    lapses: int
    suspended: bool


def _frozen(mapping: Mapping[str, str] | None = None) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class ImportBundle:
    """Everything one upload holds. ``rendered`` maps markdown the reader wrote to the
    exact HTML ``render_markdown`` gives for it, so the writer can skip rendering it.

    ``origins`` names where each deck from another program came from (deck id ->
    "anki:Parent::Child", "quizlet:Name", "csv:Name"): such a deck goes to the deck that
    came from the same place, never to one that merely has the same id. Decks in our own
    formats (YAML, our .apkg export) have no origin: their id is their identity.
    ``unkeyed`` lists, per deck id, the cards whose file gave no id (their id was derived from
    their text): the writer may match them to stored cards by their first field."""

    source: str
    decks: tuple[DeckSpec, ...] = ()
    media: tuple[MediaFile, ...] = ()
    progress: tuple[CardProgress, ...] = ()
    warnings: tuple[Problem, ...] = ()
    rendered: Mapping[str, str] = field(default_factory=_frozen, hash=False, repr=False)
    origins: Mapping[str, str] = field(default_factory=_frozen, hash=False)
    unkeyed: Mapping[str, frozenset[str]] = field(default_factory=lambda: MappingProxyType({}), hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rendered", _frozen(self.rendered))
        object.__setattr__(self, "origins", _frozen(self.origins))
        object.__setattr__(self, "unkeyed", MappingProxyType(dict(self.unkeyed)))


def merge(bundles: list[ImportBundle], source: str) -> ImportBundle:
    """Several bundles as one, applied together."""
    rendered: dict[str, str] = {}
    origins: dict[str, str] = {}
    unkeyed: dict[str, frozenset[str]] = {}
    for bundle in bundles:
        rendered.update(bundle.rendered)
        origins.update(bundle.origins)
        unkeyed.update(bundle.unkeyed)
    return ImportBundle(
        source=source,
        decks=tuple(d for b in bundles for d in b.decks),
        media=tuple({m.stored_name: m for b in bundles for m in b.media}.values()),
        progress=tuple(p for b in bundles for p in b.progress),
        warnings=tuple(w for b in bundles for w in b.warnings),
        rendered=rendered,
        origins=origins,
        unkeyed=unkeyed,
    )
