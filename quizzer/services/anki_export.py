"""A deck as an Anki package (.apkg), written with genanki; images go along.

Each note's guid names our deck and card, and the package also carries the deck in our
format with a digest of each note's fields, so importing it back gives the same deck card
for card (see ``quizzer.importers.apkg``); Anki reads only its own members."""
from __future__ import annotations

import hashlib
import json
import re
import tempfile
import zipfile
from pathlib import Path

import genanki

from quizzer.deck_format import MAX_DECK_BYTES
from quizzer.deck_format.render import render_markdown
from quizzer.importers.apkg import OUR_DECK, OUR_FIELDS, fields_digest
from quizzer.importers.names import quizzer_guid
from quizzer.services.deck_yaml import deck_text
from quizzer.services.media import find_media
from quizzer.services.study import get_visible_deck
from quizzer.store.cards import active_notes
from quizzer.store.models import Deck, Note, User

_CSS = ".card { font-family: system-ui, sans-serif; font-size: 20px; text-align: left; }"
_BACK = "{{FrontSide}}<hr id=answer>{{Back}}{{#Explanation}}<hr>{{Explanation}}{{/Explanation}}"
_FIELDS = [{"name": "Front"}, {"name": "Back"}, {"name": "Explanation"}]
# Fixed ids: every export uses the same note types, so Anki merges them on import.
BASIC = genanki.Model(1_724_000_001, "Quizzer Basic", fields=_FIELDS, css=_CSS, templates=[
    {"name": "Card 1", "qfmt": "{{Front}}", "afmt": _BACK}])
REVERSED = genanki.Model(1_724_000_002, "Quizzer Basic (and reversed card)", fields=_FIELDS, css=_CSS, templates=[
    {"name": "Card 1", "qfmt": "{{Front}}", "afmt": _BACK},
    {"name": "Card 2", "qfmt": "{{Back}}", "afmt": "{{FrontSide}}<hr id=answer>{{Front}}"}])
CLOZE = genanki.Model(1_724_000_003, "Quizzer Cloze", model_type=genanki.Model.CLOZE, css=_CSS,
                      fields=[{"name": "Text"}, {"name": "Back Extra"}],
                      templates=[{"name": "Cloze", "qfmt": "{{cloze:Text}}",
                                  "afmt": "{{cloze:Text}}<br>{{Back Extra}}"}])
_MEDIA_SRC = re.compile(r'src="/media/([0-9a-f]{64}\.[a-z0-9]{1,8})"')
# "[^<>]": an "<audio" left open is scanned to the next tag, not to the end of the text.
_AUDIO = re.compile(r'<audio\b[^<>]*\ssrc="/media/([0-9a-f]{64}\.[a-z0-9]{1,8})"[^<>]*>\s*</audio>')


def _html(markdown: str, media: set[str]) -> str:
    """Card HTML with our media URLs turned into package file names, and players into Anki's
    ``[sound:name]`` (which Anki plays itself)."""
    rendered = render_markdown(markdown or "")
    media.update(_MEDIA_SRC.findall(rendered))
    return _MEDIA_SRC.sub(r'src="\1"', _AUDIO.sub(r"[sound:\1]", rendered))


def _note(deck: Deck, note: Note, media: set[str]) -> genanki.Note:
    tags = note.tag_list
    guid = quizzer_guid(deck.slug, note.slug)  # names the deck and card: our importer brings it back to them
    explanation = _html(note.explanation, media) if note.explanation else ""
    if note.kind == "cloze":
        return genanki.Note(CLOZE, [_html(note.cloze, media), explanation], tags=tags, guid=guid)
    front = _html(note.question, media)
    if note.choices:
        front += "<ol>" + "".join(f"<li>{html}</li>" for html in note.choices_html) + "</ol>"
    model = REVERSED if note.reverse else BASIC
    return genanki.Note(model, [front, _html(note.answer, media), explanation], tags=tags, guid=guid)


def deck_apkg(user: User, deck_id: int, media_root: Path) -> tuple[Deck, bytes]:
    """A visible deck's active cards as .apkg bytes (NotFound otherwise)."""
    deck = get_visible_deck(user, deck_id)
    anki_id = int.from_bytes(hashlib.sha256(f"quizzer:{deck.owner_id}:{deck.slug}".encode()).digest()[:4], "big")
    package_deck = genanki.Deck(anki_id or 1, deck.title)
    media: set[str] = set()
    digests = {}
    for note in active_notes(deck.id):
        package_note = _note(deck, note, media)
        package_deck.add_note(package_note)
        digests[note.slug] = fields_digest("\x1f".join(package_note.fields))
    files = [str(path) for path in (find_media(media_root, user.id, name) for name in sorted(media)) if path]
    with tempfile.TemporaryDirectory(prefix="quizzer-apkg-") as folder:
        target = Path(folder) / "deck.apkg"
        genanki.Package(package_deck, media_files=files).write_to_file(str(target))
        text = deck_text(deck)
        if len(text.encode("utf-8")) <= MAX_DECK_BYTES:  # a larger copy could not be read back
            with zipfile.ZipFile(target, "a", zipfile.ZIP_DEFLATED) as package:
                package.writestr(OUR_DECK, text)
                package.writestr(OUR_FIELDS, json.dumps(digests, sort_keys=True))
        return deck, target.read_bytes()
