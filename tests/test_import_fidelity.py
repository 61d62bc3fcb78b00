"""Fields as current Anki stores them (made with the ``anki`` library) show on our cards as in Anki:
inline markup inside lists, tables and cloze deletions is rendered, and a round trip through our
own .apkg export changes nothing."""
from __future__ import annotations

import pytest
from anki.collection import Collection

from quizzer.importers import read_file
from quizzer.services.anki_export import deck_apkg
from quizzer.services.imports import apply_bundle
from quizzer.store.models import Card, Deck
from tests.anki_factory import PNG, export_package

LIST = "<ul><li><b>Prokaryotes</b> lack a nucleus</li><li>Eukaryotes have <i>one</i></li></ul>"
CLOZE_LIST = "<ul><li>{{c1::<b>Prokaryotes</b>}} lack a <i>nucleus</i></li><li>{{c2::Eukaryotes}} have one</li></ul>"
TABLE = "<table><tbody><tr><td><b>H</b>&nbsp;</td><td>1 &amp; 2</td></tr></tbody></table>"
MIXED = ('<b>bold <i>both</i></b> caf&eacute;&nbsp;&lt;tag&gt;<br>Straße 東京<div>block <img src="pic.png"></div>'
         "<div><br></div><div>last</div>")


@pytest.fixture()
def package(tmp_path):
    col = Collection(str(tmp_path / "source.anki2"))
    col.media.write_data("pic.png", PNG)
    deck = col.decks.id("Biology")
    for notetype, fields in [("Basic", ["Cell types?", LIST]), ("Basic", ["Table", TABLE]),
                             ("Basic", [MIXED, "answer&nbsp;text"]), ("Cloze", [CLOZE_LIST, "<i>extra</i>"])]:
        note = col.new_note(col.models.by_name(notetype))
        for index, value in enumerate(fields):
            note.fields[index] = value
        col.add_note(note, deck)
    path = export_package(col, tmp_path / "biology.apkg", legacy=False)
    col.close()
    return path


def _faces(deck_slug: str) -> list[str]:
    cards = Card.select().join(Deck).where(Deck.slug == deck_slug).order_by(Card.id)
    return [html for card in cards for html in (card.prompt_html, card.answer_html)]


def test_markup_inside_lists_tables_and_cloze_deletions_is_rendered(db, user, package, tmp_path):
    apply_bundle(read_file(package.read_bytes(), package.name), user.id, media_root=tmp_path / "media")
    faces = _faces("biology")
    assert faces and not any("**" in html for html in faces)
    shown = "\n".join(faces)
    assert "<b>Prokaryotes</b> lack a nucleus" in shown  # the list, as Anki shows it
    assert "<strong>[...]</strong> lack a <i>nucleus</i>" in shown  # the cloze front
    assert "<strong><b>Prokaryotes</b></strong>" in shown  # and its back
    assert "<td><b>H</b>&nbsp;</td><td>1 &amp; 2</td>" in shown
    assert "<strong>bold</strong> <strong><em>both</em></strong> café &lt;tag&gt;<br>" in shown
    assert "Straße 東京" in shown and '<img src="/media/' in shown


def test_a_round_trip_through_our_export_changes_no_field(db, user, package, tmp_path):
    media = tmp_path / "media"
    first = read_file(package.read_bytes(), package.name)
    apply_bundle(first, user.id, media_root=media)
    texts = _texts(first)
    for _ in range(2):  # each trip once added one more <div> around list and table fields
        _, data = deck_apkg(user, Deck.get(Deck.slug == "biology").id, media)
        again = read_file(data, "biology.apkg")
        assert _texts(again) == texts
        apply_bundle(again, user.id, media_root=media)
    assert ("Cell types?", f"<div>{LIST}</div>", "", "") in texts


def _texts(bundle) -> list[tuple]:
    deck, = bundle.decks
    return sorted((note.question or "", note.answer or "", note.cloze or "", note.explanation or "")
                  for note in deck.notes)
