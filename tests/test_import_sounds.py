"""Sounds in Anki packages: stored, played on the card, served to their owner, and written back as
``[sound:...]`` when a deck is exported to Anki. The packages are made by the real Anki library."""
from __future__ import annotations

import hashlib

import pytest
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

from quizzer.importers import read_file
from quizzer.services.anki_export import deck_apkg
from quizzer.services.imports import apply_bundle
from quizzer.store.models import Card, Deck, Note
from tests.anki_factory import export_package

# The first bytes of an MP3 (an ID3 header and one silent MPEG frame header): stored byte for byte.
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + bytes(413)
STORED = hashlib.sha256(MP3).hexdigest() + ".mp3"
PLAYER = f'<audio controls preload="none" src="/media/{STORED}"></audio>'


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sounds")
    col = Collection(str(folder / "c.anki2"))
    col.media.write_data("chien.mp3", MP3)
    deck = col.decks.id("Sounds")
    for front, back in (("chien", "dog [sound:chien.mp3]"), ("listen", "[sound:chien.mp3]"),
                        ("<b>bark</b><br>[sound:chien.mp3]", "woof"), ("chat", "cat [sound:missing.ogg]")):
        note = col.new_note(col.models.by_name("Basic"))
        note["Front"], note["Back"] = front, back
        col.add_note(note, deck)
    path = export_package(col, folder / "sounds.apkg", legacy=False)
    col.close()
    return path.read_bytes()


def test_sounds_are_stored_and_played_on_the_card(db, user, package, tmp_path):
    bundle = read_file(package, "sounds.apkg")
    result = apply_bundle(bundle, user.id, media_root=tmp_path / "media")
    answers = {n.question: n.answer for n in Note.select()}
    assert answers == {"chien": f"dog {PLAYER}", "listen": PLAYER, "**bark**\\\n" + PLAYER: "woof",
                       "chat": "cat"}
    assert [m.stored_name for m in bundle.media] == [STORED]
    assert (tmp_path / "media" / str(user.id) / STORED).read_bytes() == MP3
    assert [str(w) for w in result.warnings] == [
        "sounds.apkg:1:1: sound 'missing.ogg' is not in the package (or is not a supported sound type): left out"]
    shown = Card.get(Card.prompt == "listen").answer_html
    assert shown == f'<p><audio controls="" preload="none" src="/media/{STORED}"></audio></p>\n'


def test_the_owner_is_served_the_sound_as_audio(logged_in, package):
    from tests.test_import_web import apply, upload
    alice = logged_in("alice")
    assert apply(alice, upload(alice, "sounds.apkg", package).get_data(as_text=True)).status_code == 302
    response = alice.get(f"/media/{STORED}")
    assert response.status_code == 200 and response.mimetype == "audio/mpeg" and response.data == MP3
    assert logged_in("bob").get(f"/media/{STORED}").status_code == 404


def test_an_exported_deck_gives_anki_its_sound_back(db, user, package, tmp_path):
    media_root = tmp_path / "media"
    apply_bundle(read_file(package, "sounds.apkg"), user.id, media_root=media_root)
    _, data = deck_apkg(user, Deck.get(Deck.slug == "sounds").id, media_root)
    (tmp_path / "out.apkg").write_bytes(data)
    col = Collection(str(tmp_path / "check.anki2"))
    try:
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(tmp_path / "out.apkg"),
                                                         options=ImportAnkiPackageOptions()))
        backs = {col.get_note(nid).fields[0]: col.get_note(nid).fields[1] for nid in col.find_notes("")}
        assert backs["<p>listen</p>\n"] == f"<p>[sound:{STORED}]</p>\n"
        assert (tmp_path / "check.media" / STORED).read_bytes() == MP3
    finally:
        col.close()
