"""Read an Anki collection (SQLite) of either schema into plain rows.

Schema 11 (``collection.anki2``/``.anki21``, genanki) keeps note types and decks as
JSON in the ``col`` table; schema 18 (``collection.anki21b``) has ``notetypes``,
``fields``, ``templates`` and ``decks`` tables whose configs are protobuf messages
(note type config field 1 is the kind, 1 = cloze; template config field 1 is the
question format) and deck names separated by U+001F instead of ``::``.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from quizzer.deck_format import DeckError, Problem
from quizzer.importers.protobuf import ProtobufError, field_value


@dataclass(frozen=True)
class NoteType:
    name: str
    is_cloze: bool
    fields: tuple[str, ...]
    fronts: tuple[str, ...]  # each card template's question format, by ord


@dataclass(frozen=True)
class Collection:
    crt: int  # creation time: day numbers in ``cards.due`` count from its date
    note_types: dict[int, NoteType]
    decks: dict[int, str]  # id -> "Parent::Child"
    notes: list[tuple]  # (id, guid, mid, tags, flds)
    cards: list[tuple]  # (nid, did, ord, odid), any order
    # (nid, ord) -> (type, queue, due, ivl, factor, reps, lapses, odue, odid) of the cards that have a
    # schedule to carry over: review and relearning cards, and suspended ones.
    schedules: dict[tuple[int, int], tuple]


def _unicase(a: str, b: str) -> int:  # Anki's collation, needed to read its tables
    a, b = a.casefold(), b.casefold()
    return (a > b) - (a < b)


def read_collection(path: str, where: str) -> Collection:
    """Read the collection file at ``path``; DeckError naming ``where`` if it is not a readable collection."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        conn.create_collation("unicase", _unicase)
        conn.execute("PRAGMA query_only = 1")
        conn.execute("PRAGMA trusted_schema = 0")
        return _read(conn)
    except (sqlite3.DatabaseError, ProtobufError, ValueError, KeyError, TypeError) as exc:
        message = f"not a readable Anki collection ({exc})"
        raise DeckError([Problem(where, 1, 1, "", message)]) from None
    finally:
        conn.close()


def _read(conn: sqlite3.Connection) -> Collection:
    crt, models, decks = conn.execute("SELECT crt, models, decks FROM col").fetchone()
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "notetypes" in tables:
        note_types, deck_names = _note_types_v18(conn), _decks_v18(conn)
    else:
        note_types, deck_names = _note_types_v11(models), _decks_v11(decks)
    notes = conn.execute("SELECT id, guid, mid, tags, flds FROM notes ORDER BY id").fetchall()
    # In table order (an ORDER BY would walk Anki's nid index and fetch each row from it).
    cards = conn.execute("SELECT nid, did, ord, odid FROM cards").fetchall()
    schedules = {(nid, ord_): schedule for nid, ord_, *schedule in conn.execute(
        "SELECT nid, ord, type, queue, due, ivl, factor, reps, lapses, odue, odid FROM cards "
        "WHERE type IN (2, 3) OR queue = -1")}
    return Collection(int(crt), note_types, deck_names, notes, cards, schedules)


def _note_types_v11(models_json: str) -> dict[int, NoteType]:
    models = json.loads(models_json)
    return {
        int(mid): NoteType(
            name=model["name"], is_cloze=model.get("type") == 1,
            fields=tuple(f["name"] for f in sorted(model["flds"], key=lambda f: f["ord"])),
            fronts=tuple(t["qfmt"] for t in sorted(model["tmpls"], key=lambda t: t["ord"])))
        for mid, model in models.items()
    }


def _decks_v11(decks_json: str) -> dict[int, str]:
    return {int(did): deck["name"] for did, deck in json.loads(decks_json).items()}


def _note_types_v18(conn: sqlite3.Connection) -> dict[int, NoteType]:
    fields: dict[int, list[str]] = {}
    for ntid, name in conn.execute("SELECT ntid, name FROM fields ORDER BY ntid, ord"):
        fields.setdefault(ntid, []).append(name)
    fronts: dict[int, list[str]] = {}
    for ntid, config in conn.execute("SELECT ntid, config FROM templates ORDER BY ntid, ord"):
        fronts.setdefault(ntid, []).append(field_value(config, 1, b"").decode("utf-8", "replace"))
    return {
        ntid: NoteType(name, field_value(config, 1, 0) == 1, tuple(fields.get(ntid, ())),
                       tuple(fronts.get(ntid, ())))
        for ntid, name, config in conn.execute("SELECT id, name, config FROM notetypes")
    }


def _decks_v18(conn: sqlite3.Connection) -> dict[int, str]:
    return {did: name.replace("\x1f", "::") for did, name in conn.execute("SELECT id, name FROM decks")}
