"""Whole-account backup in one file, and its restore into an empty account or instance.

The backup is a zip: ``quizzer-backup.json`` (the account, its decks with every
note and card, retired ones included, the shared decks it has progress on, its
card states, its review log and its decks' options, all keyed by deck/card ids rather
than database ids) plus ``media/own/`` and ``media/shared/`` with the images the cards show.

Two restores: ``restore_backup`` (the CLI, an administrator's) makes the account, or
fills an empty one, and recreates missing shared decks as shared; ``restore_into``
(the web page) fills the signed-in user's empty account and makes any shared deck
this instance lacks one of the user's own decks, so an upload never changes what
other users see. Both are all or nothing.
"""
from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from quizzer.importers import MediaFile
from quizzer.importers.archive import Limits, SafeZip, problem
from quizzer.importers.names import Taken, unique
from quizzer.services import passwords, users
from quizzer.services.backup_checks import CheckedDeck, check_document
from quizzer.services.errors import Conflict, InvalidInput
from quizzer.services.media import find_media, referenced_media, store_media
from quizzer.store import account_backup as store
from quizzer.store.card_states import BURIED_SIBLINGS
from quizzer.store.columns import own_values
from quizzer.store.db import IntegrityError, transaction
from quizzer.store.decks import create_deck, find_deck, own_deck_slugs
from quizzer.store.models import DAY_RULE_COLUMNS, Deck, User
from quizzer.store.users import create_user, has_decks_or_progress, update_user

MANIFEST = "quizzer-backup.json"
FORMAT, VERSION = "quizzer-account-backup", 1


@dataclass(frozen=True)
class BackupContents:
    """What a backup holds, for the page that asks before restoring it."""

    username: str
    exported_at: str
    own_decks: int
    shared_decks: int
    cards: int
    card_states: int
    reviews: int
    media: int


def _dump(row, skip: tuple[str, ...] = ()) -> dict:
    """A row's own columns (no id, no foreign keys) as JSON-ready values."""
    return {name: value.isoformat() if isinstance(value, (date, datetime)) else value
            for name, value in own_values(row, skip).items()}


def _card_key(deck: Deck, note_slug: str, key: str) -> list:
    return [deck.is_shared, deck.slug, note_slug, key]


def _faces(before: dict | None, by_card: dict[int, list]) -> dict | None:
    """An undo snapshot with the siblings its answer buried by card face (they share its note) instead
    of this server's card ids."""
    if not before or BURIED_SIBLINGS not in before:
        return before
    return {**before, BURIED_SIBLINGS: [[by_card[entry[0]][3], *entry[1:]] for entry in before[BURIED_SIBLINGS]]}


def _sibling_ids(archive: SafeZip, cards: dict[tuple, tuple[int, int]], key: Sequence[Any],
                 before: dict | None) -> dict | None:
    """``_faces`` undone: the buried siblings' card ids here."""
    if not before or BURIED_SIBLINGS not in before:
        return before
    buried = [[_card_here(archive, cards, (*key[:3], entry[0]))[0], *entry[1:]] for entry in before[BURIED_SIBLINGS]]
    return {**before, BURIED_SIBLINGS: buried}


def _deck_entry(deck: Deck, media: set[str]) -> dict:
    notes = []
    for note, cards in store.notes_with_cards(deck.id):
        media.update(referenced_media([note.explanation_html] + [c.prompt_html + c.answer_html for c in cards]))
        notes.append({**_dump(note), "cards": [_dump(card) for card in cards]})
    return {"shared": deck.is_shared, **_dump(deck), "notes": notes}


def backup_document(user: User, with_password_hash: bool = False) -> tuple[dict, set[str], set[str]]:
    """The backup's JSON document, and the media names of own and shared decks. The account's
    password hash only when asked for; its admin rights and session version never."""
    decks = store.decks_in_backup(user.id)
    own_media: set[str] = set()
    shared_media: set[str] = set()
    entries = [_deck_entry(deck, shared_media if deck.is_shared else own_media) for deck in decks]
    by_card = {card_id: _card_key(deck, note_slug, key)
               for card_id, (deck, note_slug, key) in store.card_addresses([d.id for d in decks]).items()}
    states = [{"card": by_card[s.card_id], **_dump(s)} for s in store.card_states_of(user.id)]
    logs = [{"card": by_card[log.card_id], **_dump(log), "state_before": _faces(log.state_before, by_card)}
            for log in store.review_log_of(user.id)]
    options = [{"deck": [row.deck.is_shared, row.deck.slug], **_dump(row)} for row in store.deck_options_of(user.id)]
    document = {"format": FORMAT, "version": VERSION, "exported_at": datetime.now(UTC).isoformat(),
                # A pending time zone change is not kept: a restored account takes the chosen zone at once.
                "user": _dump(user, skip=("session_version", "is_admin", *DAY_RULE_COLUMNS)
                              + (() if with_password_hash else ("password_hash",))), "decks": entries,
                "card_states": states, "review_log": logs, "deck_options": options}
    return document, own_media, shared_media


def export_backup(user: User, media_root: Path, with_password_hash: bool = False) -> bytes:
    """The account as one zip file (with its password hash only when asked for)."""
    document, own_media, shared_media = backup_document(user, with_password_hash)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, json.dumps(document, ensure_ascii=False, indent=1))
        for folder, names in (("own", own_media), ("shared", shared_media)):
            for name in sorted(names):
                path = find_media(media_root, user.id, name)
                if path is not None:
                    archive.write(path, f"media/{folder}/{name}")
    return out.getvalue()


def is_backup(data: bytes) -> bool:
    try:
        return MANIFEST in zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, OSError, EOFError):
        return False


def _read_document(archive: SafeZip) -> dict:
    if MANIFEST not in archive:
        raise problem(archive.filename, f"not a Quizzer account backup (no {MANIFEST})")
    try:
        document = json.loads(archive.read(MANIFEST))
    except (ValueError, RecursionError) as exc:  # RecursionError: JSON nested thousands deep
        raise problem(archive.where(MANIFEST), f"unreadable backup ({str(exc)[:100]})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise problem(archive.where(MANIFEST), "not a Quizzer account backup")
    if document.get("version") != VERSION:
        raise problem(archive.where(MANIFEST), f"backup version {document.get('version')!r} is not supported")
    return document


def _target_user(values: dict, username: str | None, password: str | None) -> User:
    """A new account from the backup (never an admin), or an existing one without any data of its own.
    A new account takes the backup's password hash, or ``password`` when the backup has none."""
    name = users.check_username(username) if username else values["username"]
    user = users.find_user(name)
    if user is not None:
        return _fill_settings(user, values)
    if "password_hash" not in values:
        if not password:
            raise InvalidInput("user.password_hash: the backup carries no password hash (it was exported "
                               "without one): give the new account a password (QUIZZER_PASSWORD for the CLI)")
        passwords.check_strength(password, name)
        values = {**values, "password_hash": passwords.hash_password(password)}
    return create_user({**values, "username": name, "is_admin": False})


def is_empty(user: User) -> bool:
    """Whether the account has no decks and no progress (a backup restores only into such a one)."""
    return not has_decks_or_progress(user.id)


def _fill_settings(user: User, values: dict) -> User:
    """The backup's settings on an account that has no decks or progress (Conflict otherwise);
    its name, password and role stay as they are."""
    if not is_empty(user):
        raise Conflict(f"user {user.username!r} already has decks or progress: restore into a new or empty account")
    settings = {k: v for k, v in values.items() if k not in ("username", "password_hash")}
    return update_user(user.id, settings)


def _restore_deck(entry: CheckedDeck, owner_id: int | None, cards: dict[tuple, tuple[int, int]], *,
                  shared_as_own: User | None = None) -> int:
    """Create the deck with its notes and cards (a shared deck that exists is only mapped): its id here.

    With ``shared_as_own``, a shared deck this instance lacks becomes that user's own deck.
    ``cards`` maps the backup's card keys to (card id, deck id) here."""
    slug, shared = entry.values["slug"], owner_id is None
    deck = find_deck(None, slug) if shared else None
    if deck is None:
        values = dict(entry.values)
        if shared and shared_as_own is not None:
            owner_id = shared_as_own.id
            values["slug"] = unique(slug, Taken(own_deck_slugs(owner_id)))
        deck = create_deck(owner_id, values)
        store.insert_deck_content(deck.id, [(note.values, note.cards) for note in entry.notes])
    for card_id, key, note_slug in store.card_ids_by_face(deck.id):
        cards[(shared, slug, note_slug, key)] = (card_id, deck.id)
    return deck.id


def _restore(archive: SafeZip, document: dict, target, shared_as_own: bool) -> User:
    """Write the document's account (``target(user values)`` gives the account) in one transaction,
    once every value in it is checked (DeckError listing the problems otherwise, nothing written)."""
    checked = check_document(document, archive.where(MANIFEST))
    try:
        with transaction():
            user = target(checked.user)
            cards: dict[tuple, tuple[int, int]] = {}
            decks = {(entry.shared, entry.values["slug"]): _restore_deck(
                entry, None if entry.shared else user.id, cards, shared_as_own=user if shared_as_own else None)
                for entry in checked.decks}
            progress = []
            for rows in (checked.card_states, checked.review_log):
                values = []
                for key, row in rows:
                    card_id, deck_id = _card_here(archive, cards, key)
                    values.append({**row, "user": user.id, "card": card_id, "deck": deck_id})
                    if "state_before" in row:
                        values[-1]["state_before"] = _sibling_ids(archive, cards, key, row["state_before"])
                progress.append(values)
            options = [{**row, "user": user.id, "deck": _deck_here(archive, decks, key)}
                       for key, row in checked.deck_options]
            store.insert_progress(progress[0], progress[1], options)
    except (KeyError, IntegrityError) as exc:  # e.g. two notes with one id, progress twice on one card
        raise problem(archive.where(MANIFEST), f"inconsistent backup ({type(exc).__name__}: {exc})") from None
    return user


def _card_here(archive: SafeZip, cards: dict[tuple, tuple[int, int]], key: Sequence[Any]) -> tuple[int, int]:
    """(card id, deck id) here of a card the backup's progress names; DeckError if this server's copy
    of a shared deck does not have it."""
    found = cards.get(tuple(key))
    if found is None:
        shared, deck, note, face = key
        where = "shared deck" if shared else "deck"
        raise problem(archive.where(MANIFEST), f"the backup has progress on card '{note}' ({face}) of the {where} "
                                               f"'{deck}', which this server's '{deck}' does not have")
    return found


def _deck_here(archive: SafeZip, decks: dict[tuple, int], key: Sequence[Any]) -> int:
    """The deck id here of a deck the backup's options name; DeckError if the backup lacks that deck."""
    found = decks.get(tuple(key))
    if found is None:
        raise problem(archive.where(MANIFEST), f"the backup has options for the {'shared ' if key[0] else ''}deck "
                                               f"'{key[1]}', which it does not hold")
    return found


def _media(archive: SafeZip, folder: str) -> list[MediaFile]:
    return [MediaFile(n, n.rsplit("/", 1)[1], archive.read(n)) for n in archive.names
            if n.startswith(f"media/{folder}/")]


def restore_backup(data: bytes, filename: str, media_root: Path, username: str | None = None,
                   limits: Limits = Limits(), password: str | None = None) -> User:
    """Restore a backup into a new (or empty) account, all or nothing; returns the account.
    ``password`` is the new account's when the backup carries no password hash."""
    archive = SafeZip(data, filename, limits)
    user = _restore(archive, _read_document(archive), lambda found: _target_user(found, username, password), False)
    for folder, owner in (("own", user.id), ("shared", None)):
        store_media(media_root, owner, _media(archive, folder))
    return user


def restore_into(user: User, data: bytes, filename: str, media_root: Path, limits: Limits = Limits()) -> User:
    """Restore a backup into ``user``'s account, which must have no decks or progress yet;
    shared decks missing here become the user's own, and every image goes to the user's folder."""
    archive = SafeZip(data, filename, limits)
    restored = _restore(archive, _read_document(archive), lambda found: _fill_settings(user, found), True)
    store_media(media_root, user.id, _media(archive, "own") + _media(archive, "shared"))
    return restored


def describe_backup(data: bytes, filename: str, limits: Limits = Limits()) -> BackupContents:
    """What the backup holds; DeckError naming the file (and member) if it is not a usable backup,
    or listing every value in it that a restore would refuse."""
    archive = SafeZip(data, filename, limits)
    document = _read_document(archive)
    check_document(document, archive.where(MANIFEST))
    try:
        decks = document["decks"]
        return BackupContents(
            username=str(document["user"]["username"]), exported_at=str(document.get("exported_at", ""))[:10],
            own_decks=sum(1 for d in decks if not d["shared"]), shared_decks=sum(1 for d in decks if d["shared"]),
            cards=sum(len(n["cards"]) for d in decks for n in d["notes"]),
            card_states=len(document["card_states"]), reviews=len(document["review_log"]),
            media=sum(1 for n in archive.names if n.startswith("media/")))
    except (KeyError, TypeError, AttributeError) as exc:
        raise problem(archive.where(MANIFEST), f"inconsistent backup ({type(exc).__name__}: {exc})") from None
