"""Load parsed decks into storage: plan the diff, then apply it in one transaction.

Progress is keyed on (owner, deck id, card id). Loading an edited deck updates
texts, adds new cards, retires removed ones (their history stays, and adding
them back restores it) and keeps every user's schedule unless asked to reset
the cards whose text changed.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from quizzer.deck_format import MAX_DECK_BYTES, DeckError, DeckSpec, NoteSpec, Problem, faces, parse_deck
from quizzer.deck_format.render import HtmlCache, render_inline, render_markdown
from quizzer.gc_pause import gc_paused
from quizzer.store import deck_content
from quizzer.store.bulk import json_strings
from quizzer.store.db import transaction
from quizzer.store.decks import count_active_cards, find_deck, save_deck
from quizzer.store.models import Deck, utcnow

ASK_BEFORE_RETIRING = 10  # the CLI asks before an import retires more cards than this (--yes for scripts)


@dataclass
class ImportPlan:
    """What loading a deck would do, by card id."""

    deck_slug: str
    new_deck: bool
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    why: str = ""  # where an imported deck came from and why it goes to this deck (deck_match)

    def summary(self) -> str:
        head = self.deck_slug + (f" ({self.why})" if self.why else "") + ": " + ("new deck, " if self.new_deck else "")
        return head + ", ".join(
            f"{len(getattr(self, k))} {k}"
            for k in ("added", "changed", "restored", "retired", "unchanged")
        )


# _note_row and _card_rows make rows in deck_content.NOTE_COLUMNS and deck_content.CARD_COLUMNS order; a note's
# content (compared with the file's on every load to find edited notes) is deck_content.CONTENT_COLUMNS.
_BOOLEAN_CONTENT = (6, 9)  # indexes into the content of reverse and shuffle (SQLite returns 0/1)
_JSON_CONTENT = (7, 8)  # choices and accept


def note_content(note: NoteSpec, source_label: str) -> tuple:
    """What a note shows, as stored in deck_content.CONTENT_COLUMNS (lists as JSON text)."""
    return (note.question, note.answer, note.cloze, note.explanation or "", " " + " ".join(note.tags) + " ",
            source_label, note.reverse, json_strings(note.choices), _accept_json(note), note.shuffle,
            note.tolerance or "", note.reverse_answer or "")


def _accept_json(note: NoteSpec) -> str:
    """The ``accept`` column: the list, or for a cloze note the mapping of deletion to answers."""
    if note.cloze_accept:
        return json.dumps(dict(note.cloze_accept), ensure_ascii=False, sort_keys=True)
    return json_strings(note.accept)


def same_content(stored: tuple, content: tuple) -> bool:
    """Whether a stored note's deck_content.CONTENT_COLUMNS hold ``content``. Lists are compared as values when
    their JSON text differs (rows written by other code may format or escape it differently)."""
    if stored == content:
        return True
    for index, (old, new) in enumerate(zip(stored, content)):
        if index in _BOOLEAN_CONTENT:
            old = bool(old)
        elif index in _JSON_CONTENT and old != new:
            old, new = json.loads(old), json.loads(new)
        if old != new:
            return False
    return True


def _source_label(sources: dict, note: NoteSpec) -> str:
    """The label of the note's source in the deck's ``sources`` ("" for none)."""
    return sources.get(note.source, "") if note.source else ""


def deck_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def plan_import(spec: DeckSpec, owner_id: int | None) -> ImportPlan:
    """Compare a parsed deck with what is stored, without writing anything."""
    deck = find_deck(owner_id, spec.id)
    plan = ImportPlan(deck_slug=spec.id, new_deck=deck is None)
    stored = {} if deck is None else deck_content.stored_notes(deck.id)
    sources = dict(spec.sources)
    for note in spec.notes:
        old = stored.pop(note.id, None)
        if old is None:
            plan.added.append(note.id)
        elif old[1]:
            plan.restored.append(note.id)
        elif not same_content(old[2:], note_content(note, _source_label(sources, note))):
            plan.changed.append(note.id)
        else:
            plan.unchanged.append(note.id)
    plan.retired = sorted(slug for slug, row in stored.items() if not row[1])
    return plan


def load_deck(spec: DeckSpec, owner_id: int | None = None, *, source_path: str = "",
              content_hash: str = "", reset_changed: bool = False,
              html: HtmlCache | None = None, origin: str | None = None) -> ImportPlan:
    """Apply a parsed deck for ``owner_id`` (None: the shared decks) in one transaction.

    ``html`` renders card markdown (importers pass one filled with the HTML of the markdown
    they wrote, to skip rendering it again); ``origin`` is recorded on the deck (None keeps it)."""
    with transaction():
        plan = plan_import(spec, owner_id)
        deck = _upsert_deck(spec, owner_id, source_path, content_hash, origin)
        _write_notes(spec, deck, plan, reset_changed, HtmlCache() if html is None else html)
        deck.card_count = count_active_cards(deck.id)
        save_deck(deck)
    return plan


def _upsert_deck(spec: DeckSpec, owner_id, source_path: str, content_hash: str, origin: str | None) -> Deck:
    deck = find_deck(owner_id, spec.id) or Deck(owner=owner_id, slug=spec.id)
    if origin is not None:
        deck.origin = origin
    deck.title = spec.title
    deck.description = spec.description
    deck.tags = list(spec.tags)
    deck.sources = dict(spec.sources)
    deck.source_path = source_path or deck.source_path
    deck.content_hash = content_hash
    deck.updated_at = utcnow()
    save_deck(deck)
    return deck


def _note_row(sources: dict, note: NoteSpec, deck_id: int, position: int) -> tuple:
    """The note's values in deck_content.NOTE_COLUMNS order, as the driver takes them."""
    explanation = note.explanation
    return (deck_id, note.id, position, note.kind, *note_content(note, _source_label(sources, note)),
            render_markdown(explanation) if explanation else "",
            json_strings([render_inline(c) for c in note.choices]) if note.choices else "[]", False)


def _write_notes(spec: DeckSpec, deck: Deck, plan: ImportPlan, reset_changed: bool, html: HtmlCache) -> None:
    added, touched = set(plan.added), set(plan.changed) | set(plan.restored)
    sources, deck_id = dict(spec.sources), deck.id
    positions, new, edited = {}, [], []  # new and edited: (position, note); unchanged notes are not rendered
    for position, note in enumerate(spec.notes):
        positions[note.id] = position
        if note.id in added:
            new.append((position, note))
        elif note.id in touched:
            edited.append((position, note))
    # New notes get their ids first, so their cards are built in the same pass.
    note_rows, card_rows = [], []
    for note_id, (position, note) in zip(deck_content.new_note_ids(len(new)), new):
        note_rows.append((note_id, *_note_row(sources, note, deck_id, position)))
        card_rows += _card_rows(deck_id, note_id, note, position, html)
    deck_content.insert_notes(note_rows)
    deck_content.insert_cards(card_rows)
    if plan.retired:
        deck_content.retire_notes(deck_id, plan.retired)
    if not (edited or plan.unchanged):
        return
    deck_content.update_notes([_note_row(sources, note, deck_id, position) for position, note in edited])
    ids, stored = {}, {}
    for slug, note_id, position in deck_content.note_places(deck_id):
        ids[slug], stored[slug] = note_id, position
    # Unchanged notes that moved within the file take their new places in the deck's order.
    deck_content.move_notes(deck_id, {ids[slug]: (stored[slug], positions[slug]) for slug in plan.unchanged
                                 if stored[slug] != positions[slug]})
    restored = set(plan.restored)  # a restored card gets its history back, even with reset_changed
    _sync_cards(deck, [(ids[note.id], note, position, reset_changed and note.id not in restored)
                       for position, note in edited], html)


def _card_rows(deck_id: int, note_id: int, note: NoteSpec, position: int, html: HtmlCache) -> list[tuple]:
    """The note's cards' values in deck_content.CARD_COLUMNS order."""
    return [(note_id, deck_id, face.key, position * 100 + ordinal, face.prompt, face.answer,
             html[face.prompt], html[face.answer], False)
            for ordinal, face in enumerate(faces(note))]


def _sync_cards(deck: Deck, edited: list[tuple[int, NoteSpec, int, bool]], html: HtmlCache) -> None:
    """Update edited and restored notes' cards, (note id, note, position, reset) each: keep keys, add
    new, retire gone; a reset card loses its states, a kept one is active again. A few statements for
    all the notes together (one per card and note was 24 s for 20,000 edited notes on PostgreSQL)."""
    existing = deck_content.card_ids_by_face(deck.id, {note_id for note_id, _, _, _ in edited})
    new: list[tuple] = []
    updates: list[tuple] = []
    reset: list[int] = []
    kept: list[int] = []
    for note_id, note, position, reset_note in edited:
        for values in _card_rows(deck.id, note_id, note, position, html):
            card_id = existing.pop((note_id, values[2]), None)
            if card_id is None:
                new.append(values)
                continue
            updates.append((*values, card_id))
            (reset if reset_note else kept).append(card_id)
    deck_content.insert_cards(new)
    deck_content.update_cards(updates)
    deck_content.reset_card_states(reset)
    deck_content.unretire_card_states(kept)
    deck_content.retire_cards(list(existing.values()))


def deck_files(paths) -> list[Path]:
    """Expand files and folders into the YAML deck files they name, sorted."""
    found = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")))
        elif path.exists():
            found.append(path)
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    return found


@gc_paused()
def load_files(paths, owner_id: int | None = None, *, dry_run: bool = False,
               reset_changed: bool = False, require_ids: bool = True) -> list[ImportPlan]:
    """Parse every file first (all errors at once), then load them all in one transaction.

    Raises DeckError with every problem of every file; nothing is written then.
    """
    parsed, problems = [], []
    for path in deck_files(paths):
        with open(path, "rb") as file:
            raw = file.read(MAX_DECK_BYTES + 1)  # one byte over is enough for the parser to refuse it
        try:
            parsed.append((parse_deck(raw, str(path), require_ids=require_ids), path, raw))
        except DeckError as err:
            problems.extend(err.problems)
    _reject_duplicate_ids(parsed, problems)
    if problems:
        raise DeckError(problems)
    if dry_run:
        return [plan_import(spec, owner_id) for spec, _, _ in parsed]
    with transaction():
        return [load_deck(spec, owner_id, source_path=str(path.resolve()), content_hash=deck_hash(raw),
                          reset_changed=reset_changed) for spec, path, raw in parsed]


def _reject_duplicate_ids(parsed, problems) -> None:
    seen: dict[str, str] = {}  # deck id -> the first file with it
    for spec, path, _ in parsed:
        if spec.id in seen:
            problems.append(Problem(str(path), 1, 1, "id",
                                    f"deck id {spec.id!r} is also used by {seen[spec.id]}"))
        seen.setdefault(spec.id, str(path))
