"""Anki packages (.apkg) to an ImportBundle.

The collection member is chosen newest first: ``collection.anki21b`` (zstd, schema
18; its media map and media files are zstd too), ``collection.anki21``, then
``collection.anki2`` (packages made by Anki also hold a dummy ``collection.anki2``).
Each Anki deck that holds notes becomes one of our decks titled with its full
path (``Parent::Child``); a note goes to the deck of its first card. Notes from our
own export carry guids that name our deck and card (``names.quizzer_guid``): their
deck keeps its id and they keep theirs, so an export comes back card for card. Our
export also carries the deck in our own format (``OUR_DECK``) and a digest of each
note's fields as written (``OUR_FIELDS``): a note whose fields are as exported comes
back exactly as it was (choices, accepted answers, sources...), one edited in Anki
is read from its fields like any other note.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from operator import itemgetter
from os import PathLike
from urllib.parse import unquote

from quizzer.deck_format import MAX_DECK_BYTES, DeckError, DeckSpec, NoteSpec, Problem, cloze_numbers, parse_deck
from quizzer.importers.anki_collection import Collection, NoteType, read_collection
from quizzer.importers.archive import ArchiveTooLarge, Limits, SafeZip, problem
from quizzer.importers.html_md import Converted, html_to_markdown
from quizzer.importers.model import MEDIA_URL, CardProgress, ImportBundle, MediaFile
from quizzer.importers.names import Taken, ids_from_guid, note_id_from_guid, slugify, tag_names, unique
from quizzer.importers.protobuf import ProtobufError, field_value, fields, message
from quizzer.srs.limits import MAX_INTERVAL_DAYS, MIN_EASINESS_X100, START_EASINESS_X100

COLLECTION_MEMBERS = ("collection.anki21b", "collection.anki21", "collection.anki2")
IMAGE_TYPES = {"png", "jpg", "jpeg", "gif", "webp", "bmp", "avif"}  # no SVG: it can carry script
SOUND_TYPES = {"mp3", "ogg", "oga", "opus", "wav", "m4a", "aac", "flac", "webm"}
_EXTENSION = re.compile(r"\.([A-Za-z0-9]{1,8})$")
_ORD = itemgetter(2)  # a card row's ord
OUR_DECK = "quizzer-deck.yaml"  # members our .apkg export adds (Anki reads only its own)
OUR_FIELDS = "quizzer-fields.json"  # {card id: fields_digest of the note's fields as exported}


def fields_digest(fields: str) -> str:
    """A digest of a note's fields (Anki's ``flds``: the fields joined by U+001F)."""
    return hashlib.sha256(fields.encode("utf-8")).hexdigest()[:32]


def read_apkg(source: bytes | str | PathLike[str], filename: str, limits: Limits = Limits()) -> ImportBundle:
    """Read a package; DeckError (naming the file and member) if it cannot be used."""
    archive = SafeZip(source, filename, limits)
    member = next((name for name in COLLECTION_MEMBERS if name in archive), None)
    if member is None:
        raise problem(filename, "no Anki collection in the package (expected collection.anki21b, "
                                "collection.anki21 or collection.anki2)")
    modern = _package_version(archive) >= 3
    # Streamed to disk and read there by SQLite: a collection may expand to hundreds of megabytes.
    with tempfile.TemporaryDirectory(prefix="quizzer-anki-") as folder:
        path = os.path.join(folder, "collection.sqlite")
        with open(path, "wb") as file:
            archive.extract(member, file, zstd=modern)
        collection = read_collection(path, archive.where(member))
    media = _Media(archive, _media_map(archive, modern), modern)
    try:
        copy, unread = _our_copy(archive), None
    except ArchiveTooLarge:
        raise
    except DeckError as err:  # the fields still carry every card: read them instead
        copy, unread = None, err.problems[0]
    builder = _Builder(filename, collection, media, copy)
    if unread is not None:
        builder.warn(f"our copy of the deck is unreadable ({unread}): its cards are read from their Anki fields")
    return builder.bundle()


def _our_copy(archive: SafeZip) -> tuple[DeckSpec, dict[str, str]] | None:
    """The deck and field digests our export carries, None in other packages; DeckError if unreadable."""
    if OUR_DECK not in archive or OUR_FIELDS not in archive:
        return None
    spec = parse_deck(archive.read(OUR_DECK, first=MAX_DECK_BYTES + 1), archive.where(OUR_DECK))
    try:
        digests = json.loads(archive.read(OUR_FIELDS, first=MAX_DECK_BYTES))
    except ValueError as exc:
        raise problem(archive.where(OUR_FIELDS), f"unreadable field digests ({exc})") from None
    if not isinstance(digests, dict) or not all(isinstance(v, str) for v in digests.values()):
        raise problem(archive.where(OUR_FIELDS), "unreadable field digests (expected card id: digest)")
    return spec, digests


def _package_version(archive: SafeZip) -> int:
    """PackageMetadata.version (1-2 legacy, 3 current); packages without ``meta`` are legacy."""
    if "meta" not in archive:
        return 3 if "collection.anki21b" in archive else 1
    try:
        return field_value(archive.read("meta"), 1, 1)
    except ProtobufError as exc:
        raise problem(archive.where("meta"), f"unreadable package metadata ({exc})") from None


def _media_map(archive: SafeZip, modern: bool) -> dict[str, str]:
    """Media file name -> zip member. Modern: MediaEntries {repeated MediaEntry entries = 1},
    MediaEntry {name = 1, size = 2, sha1 = 3, legacy_zip_filename = 255}; the member is the
    entry's index unless legacy_zip_filename is set. Legacy: JSON {"0": "name", ...}."""
    if "media" not in archive:
        raise problem(archive.filename, "missing media map: the package has no 'media' member")
    try:
        if not modern:
            return {str(name): str(index) for index, name in json.loads(archive.read("media")).items()}
        entries = [message(value) for number, _, value in fields(archive.read_zstd("media")) if number == 1]
        return {field_value(entry, 1, b"").decode("utf-8"): str(field_value(entry, 255, index))
                for index, entry in enumerate(entries)}
    except (ProtobufError, ValueError, AttributeError, TypeError) as exc:
        raise problem(archive.where("media"), f"unreadable media map ({exc})") from None


class _Media:
    """Images and sounds stored on first use, named by their content's sha256."""

    def __init__(self, archive: SafeZip, members: dict[str, str], modern: bool):
        self.archive, self.members, self.modern = archive, members, modern
        self.files: dict[str, MediaFile] = {}
        self.missing: dict[str, str] = {}  # src -> "image" or "sound"

    def url(self, src: str) -> str | None:
        """The URL of a stored image, None if the package lacks it or it is not a supported image."""
        return self._stored(src, IMAGE_TYPES, "image")

    def sound_url(self, src: str) -> str | None:
        return self._stored(src, SOUND_TYPES, "sound")

    def _stored(self, src: str, types: set[str], kind: str) -> str | None:
        name = src if src in self.members else unquote(src)
        extension = _EXTENSION.search(name)
        if name not in self.members or not extension or extension.group(1).lower() not in types:
            self.missing[src] = kind
            return None
        if name not in self.files:
            member = self.members[name]
            if member not in self.archive:
                self.missing[src] = kind
                return None
            data = self.archive.read_zstd(member) if self.modern else self.archive.read(member)
            stored = f"{hashlib.sha256(data).hexdigest()}.{extension.group(1).lower()}"
            self.files[name] = MediaFile(name, stored, data)
        return MEDIA_URL + self.files[name].stored_name


def _day(crt: int, due: int) -> date:
    """A card's due date: a day number counted from the collection's creation, or a timestamp."""
    if abs(due) > 1_000_000:  # learning cards store seconds since the epoch
        return datetime.fromtimestamp(due, UTC).date()
    days = max(-MAX_INTERVAL_DAYS, min(due, MAX_INTERVAL_DAYS))
    return datetime.fromtimestamp(crt, UTC).date() + timedelta(days=days)


def card_progress(schedule: tuple, crt: int) -> tuple[int, date | None, int, bool] | None:
    """(interval, due, easiness x100, suspended) of an Anki card's schedule (see
    ``Collection.schedules``), or None for a card that is new after all.

    Review and relearning cards keep interval and due date, and their ease factor
    (permille) becomes the SM-2 easiness, at least 1.3; learning cards count as new.
    """
    card_type, queue, due, interval, factor, _, _, original_due, original_deck = schedule
    due = original_due if original_deck else due
    suspended = queue == -1
    easiness = max(MIN_EASINESS_X100, round(factor / 10)) if factor else START_EASINESS_X100
    if card_type in (2, 3) and interval > 0:
        return min(interval, MAX_INTERVAL_DAYS), _day(crt, due), easiness, suspended
    return (0, None, easiness, True) if suspended else None


class _Builder:
    def __init__(self, source: str, collection: Collection, media: _Media,
                 our_copy: tuple[DeckSpec, dict[str, str]] | None = None):
        self.source, self.col, self.media, self.our_copy = source, collection, media, our_copy
        self.rendered: dict[str, str] = {}
        self.warnings: list[Problem] = []
        self.cards_by_note: dict[int, list[tuple]] = {}
        self.tags: dict[str, tuple[str, ...]] = {}  # Anki's tags string -> ours: notes repeat a few
        # note id -> (our deck id, our card id, digest of its fields) for notes with our guids
        self.ours: dict[str, tuple[str, str, str]] = {}
        for card in collection.cards:
            self.cards_by_note.setdefault(card[0], []).append(card)
        for cards in self.cards_by_note.values():
            if len(cards) > 1:
                cards.sort(key=_ORD)  # each note's cards in template (or cloze number) order

    def warn(self, message: str) -> None:
        self.warnings.append(Problem(self.source, 1, 1, "", message))

    def convert(self, field_html: str) -> Converted:
        converted = html_to_markdown(field_html, self.media.url, self.media.sound_url)
        if converted.html is not None:
            self.rendered[converted.markdown] = converted.html
        return converted

    def bundle(self) -> ImportBundle:
        by_deck: dict[int, list[tuple[NoteSpec, dict[str, tuple]]]] = {}
        for note in self.col.notes:
            cards = self.cards_by_note.get(note[0])
            made = self.note(note, cards) if cards else None
            if cards and made is not None:
                first = cards[0]
                by_deck.setdefault(first[3] or first[1], []).append(made)
        decks, progress, taken, origins = [], [], Taken(), {}
        for deck_id in sorted(by_deck, key=lambda d: self.col.decks.get(d, "")):
            name = self.col.decks.get(deck_id) or f"Anki deck {deck_id}"
            notes = by_deck[deck_id]
            ours = {self.ours[n.id][0] for n, _ in notes if n.id in self.ours}
            if len(ours) == 1 and not ours & taken:  # our export: its deck id and card ids come back
                slug = unique(ours.pop(), taken)
                deck, notes = self.our_deck(slug, name, notes)
            else:
                slug = unique(slugify(name), taken)
                origins[slug] = "anki:" + name
                deck = DeckSpec(slug, name[:200])
            decks.append(replace(deck, notes=tuple(n for n, _ in notes)))
            progress += self.progress(slug, notes)
        for src, kind in sorted(self.media.missing.items()):
            self.warn(f"{kind} '{src}' is not in the package (or is not a supported {kind} type): left out")
        return ImportBundle(self.source, tuple(decks), tuple(self.media.files.values()), tuple(progress),
                            tuple(self.warnings), self.rendered, origins)

    def our_deck(self, slug: str, name: str, notes: list) -> tuple[DeckSpec, list]:
        """The deck our export wrote, with its notes back under their ids; notes whose fields are
        as exported come from the copy of the deck in our format, when the package has it."""
        copy, digests = self.our_copy or (DeckSpec(slug, name[:200]), {})
        if copy.id != slug:
            copy, digests = DeckSpec(slug, name[:200]), {}
        kept = {note.id: note for note in copy.notes}
        back = []
        for note, cards in notes:
            if note.id in self.ours:
                _, our_id, digest = self.ours[note.id]
                exact = kept.get(our_id) if digests.get(our_id) == digest else None
                note = exact or note._replace(id=our_id)
            back.append((note, cards))
        return replace(copy, notes=()), back

    def progress(self, slug: str, notes) -> list[CardProgress]:
        out: list[CardProgress] = []
        schedules = self.col.schedules
        if not schedules:
            return out
        for note, cards in notes:
            for key, card in cards.items():
                schedule = schedules.get((card[0], card[2]))
                state = None if schedule is None else card_progress(schedule, self.col.crt)
                if schedule is not None and state is not None:
                    out.append(CardProgress(slug, note.id, key, state[0], state[1], state[2],
                                            reviews=schedule[5], lapses=schedule[6], suspended=state[3]))
        return out

    def note(self, note: tuple, cards: list[tuple]) -> tuple[NoteSpec, dict[str, tuple]] | None:
        note_id, guid, mid, tags, flds = note
        note_type = self.col.note_types.get(mid)
        if note_type is None:
            self.warn(f"note {note_id}: unknown note type {mid}: left out")
            return None
        values = flds.split("\x1f")
        ours = ids_from_guid(guid)
        if ours is not None:
            self.ours[note_id_from_guid(guid)] = (*ours, fields_digest(flds))
        our_tags = self.tags.get(tags)
        if our_tags is None:
            our_tags = self.tags[tags] = tag_names(tags.split())
        if note_type.is_cloze:
            return self.cloze_note(note_id, note_id_from_guid(guid), our_tags, values, cards)
        return self.basic_note(note_id, note_id_from_guid(guid), our_tags, note_type, values, cards)

    def cloze_note(self, note_id: int, our_id: str, tags: tuple[str, ...], values: list[str], cards: list[tuple]):
        text = self.convert(values[0]).markdown
        if not cloze_numbers(text):
            self.warn(f"note {note_id}: cloze note without deletions: left out")
            return None
        extra = self.convert(values[1]).markdown if len(values) > 1 else ""
        spec = NoteSpec(our_id, 0, cloze=text, explanation=extra or None, tags=tags)
        return spec, {f"c{card[2] + 1}": card for card in cards}

    def basic_note(self, note_id: int, our_id: str, tags: tuple[str, ...], note_type: NoteType,
                   values: list[str], cards: list[tuple]):
        question = self.convert(values[0]).markdown
        answer = self.convert(values[1]).markdown if len(values) > 1 else ""
        if not question or not answer:
            self.warn(f"note {note_id} ({note_type.name}): empty {'question' if not question else 'answer'}"
                      ": left out")
            return None
        if len(cards) == 1 and cards[0][2] == 0:  # the usual Basic note
            return NoteSpec(our_id, 0, question, answer, tags=tags), {"front": cards[0]}
        by_ord = {card[2]: card for card in cards}
        reverse = 1 in by_ord and len(note_type.fronts) > 1 and note_type.fields[1] in note_type.fronts[1]
        keyed = {"front": by_ord[0]} if 0 in by_ord else {}
        if reverse:
            keyed["reverse"] = by_ord[1]
        return NoteSpec(our_id, 0, question, answer, tags=tags, reverse=reverse), keyed
