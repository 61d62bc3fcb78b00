"""Round trips that keep identity: our exports come back card for card, with progress."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime

import pytest
from anki.collection import Collection, ExportAnkiPackageOptions, ImportAnkiPackageOptions, ImportAnkiPackageRequest

from quizzer.deck_format import DeckError
from quizzer.importers import read_file
from quizzer.services import review
from quizzer.services.exports import export_bytes
from quizzer.services.imports import apply_bundle, import_paths
from quizzer.services.users import create_user
from quizzer.store.models import Card, CardState, Deck, Note
from tests.anki_factory import PNG, build_collection, export_package
from tests.test_cli import Cli
from tests.test_export_decks import RICH_DECK

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
SIMPLE_DECK = """id: capitals
title: Capitals
cards:
  - id: france
    question: Capital of France?
    answer: Paris
  - id: italy
    question: Capital of Italy?
    answer: Rome
    reverse: true
  - id: gap
    cloze: "{{c1::Madrid}} is in {{c2::Spain}}"
"""


def _card(deck: str, note: str, key: str = "front") -> Card:
    return (Card.select().join(Note, on=(Card.note == Note.id)).join(Deck, on=(Card.deck == Deck.id))
            .where((Deck.slug == deck) & (Note.slug == note) & (Card.key == key)).get())


def _import(data: bytes, name: str, user, tmp_path, **options):
    return apply_bundle(read_file(data, name), user.id, media_root=tmp_path / "media", user=user, **options)


def _counts(plan) -> dict[str, int]:
    return {kind: len(getattr(plan, kind)) for kind in ("added", "changed", "restored", "retired", "unchanged")}


def test_our_apkg_export_imports_back_card_for_card_with_progress(db, user, load_deck, tmp_path):
    load_deck(RICH_DECK, owner=user, name="rich.yaml")
    review.answer(user, _card("rich", "plain").id, 4, answer_id="a1", now=NOW)
    review.answer(user, _card("rich", "flip", "reverse").id, 5, answer_id="a2", now=NOW)
    before = {(s.card_id, s.interval, s.due, s.retired) for s in CardState.select()}
    data = export_bytes(user, "apkg", tmp_path / "media", "rich")

    dry, = _import(data, "rich.apkg", user, tmp_path, dry_run=True).plans
    assert dry.deck_slug == "rich" and not dry.new_deck
    assert _counts(dry) == {"added": 0, "changed": 0, "restored": 0, "retired": 0, "unchanged": 7}
    plan, = _import(data, "rich.apkg", user, tmp_path).plans
    assert _counts(plan) == _counts(dry)
    assert {(s.card_id, s.interval, s.due, s.retired) for s in CardState.select()} == before
    # Nothing lost on the way: choices, accepted answers, sources and tolerances are as they were.
    pick = Note.get(Note.slug == "pick")
    assert pick.choices == ["Alpha", "Beta: b", "Gamma", "All of them"] and pick.shuffle is False
    assert Note.get(Note.slug == "typed").accept == ["y", "yeah"]
    assert Note.get(Note.slug == "multi").source == "The Book, chapter 2"
    assert Deck.select().count() == 1


def test_the_export_opens_in_anki_with_guids_naming_our_deck_and_cards(db, user, load_deck, tmp_path):
    load_deck(SIMPLE_DECK, owner=user, name="capitals.yaml")
    package = tmp_path / "capitals.apkg"
    package.write_bytes(export_bytes(user, "apkg", tmp_path / "media", "capitals"))
    col = Collection(str(tmp_path / "check.anki2"))
    try:
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package),
                                                         options=ImportAnkiPackageOptions()))
        notes = [col.get_note(nid) for nid in col.find_notes("deck:Capitals")]
        assert sorted(n.guid for n in notes) == ["quizzer:capitals:france", "quizzer:capitals:gap",
                                                 "quizzer:capitals:italy"]
        assert len(col.find_cards("deck:Capitals")) == 5  # 1 + 2 reversed + 2 deletions
    finally:
        col.close()


def test_an_export_edited_in_anki_comes_back_to_the_same_cards(db, user, load_deck, tmp_path):
    """Anki keeps our guids: its own export of our deck (without our copy of the deck) still matches
    card for card, and the card edited in Anki is the one that changed."""
    load_deck(SIMPLE_DECK, owner=user, name="capitals.yaml")
    review.answer(user, _card("capitals", "italy", "reverse").id, 4, answer_id="a1", now=NOW)
    ours = tmp_path / "capitals.apkg"
    ours.write_bytes(export_bytes(user, "apkg", tmp_path / "media", "capitals"))
    col = Collection(str(tmp_path / "anki.anki2"))
    try:
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(ours), options=ImportAnkiPackageOptions()))
        france = next(col.get_note(n) for n in col.find_notes("deck:Capitals") if "France" in col.get_note(n)[
            "Front"])
        france["Back"] = "Paris (on the Seine)"
        col.update_note(france)
        again = tmp_path / "from-anki.apkg"
        col.export_anki_package(out_path=str(again), limit=None, options=ExportAnkiPackageOptions(
            with_scheduling=False, with_deck_configs=False, with_media=True, legacy=False))
    finally:
        col.close()
    plan, = _import(again.read_bytes(), "from-anki.apkg", user, tmp_path).plans
    assert plan.deck_slug == "capitals" and not plan.new_deck
    assert (plan.added, plan.changed, plan.retired) == ([], ["france"], [])
    assert Note.get(Note.slug == "france").answer == "Paris (on the Seine)"
    assert CardState.get(CardState.card == _card("capitals", "italy", "reverse").id).retired is False


def test_cli_export_then_dry_run_import_adds_and_retires_nothing(tmp_path):
    cli = Cli(tmp_path)
    deck = tmp_path / "capitals.yaml"
    deck.write_text(SIMPLE_DECK)
    assert cli.run("migrate").returncode == 0
    assert cli.run("user", "create", "ann", QUIZZER_PASSWORD="correct horse battery").returncode == 0
    assert cli.run("import", "--user", "ann", str(deck)).returncode == 0
    out = tmp_path / "capitals.apkg"
    exported = cli.run("export", "--user", "ann", "--deck", "capitals", "--format", "apkg", "-o", str(out))
    assert exported.returncode == 0, exported.stderr
    dry = cli.run("import", "--user", "ann", "--dry-run", str(out))
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.strip() == "would load capitals: 0 added, 0 changed, 0 restored, 0 retired, 3 unchanged"


def test_a_deck_with_images_exports_as_a_zip_that_another_account_imports_whole(db, user, tmp_path):
    col = build_collection(tmp_path / "source.anki2")
    package = export_package(col, tmp_path / "in.apkg", legacy=False)
    col.close()
    media_root = tmp_path / "media"
    apply_bundle(read_file(package.read_bytes(), "in.apkg"), user.id, media_root=media_root)
    image = re.search(r"/media/([0-9a-f]{64}\.png)", Note.get(Note.question == "chien").answer).group(1)
    data = export_bytes(user, "zip", media_root, "languages-french")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sorted(archive.namelist()) == ["languages-french.yaml", f"media/{image}"]
        assert archive.read(f"media/{image}") == PNG

    plan, = apply_bundle(read_file(data, "french.zip"), user.id, media_root=media_root, dry_run=True).plans
    assert (plan.deck_slug, plan.added, plan.changed, plan.retired) == ("languages-french", [], [], [])
    assert plan.why == "by id; the deck came from Anki deck 'Languages::French'"
    bob = create_user("bob", "correct horse battery")
    result = apply_bundle(read_file(data, "french.zip"), bob.id, media_root=media_root)
    assert result.media == 1 and (media_root / str(bob.id) / image).read_bytes() == PNG
    bobs = Deck.get((Deck.owner == bob.id) & (Deck.slug == "languages-french"))
    assert Note.get((Note.deck == bobs) & (Note.question == "chien")).answer.endswith(f"(/media/{image})")
    assert Card.select().where(Card.deck == bobs).count() == 11


def test_a_zip_whose_media_file_is_not_named_by_its_content_is_refused(db, user, tmp_path):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("capitals.yaml", SIMPLE_DECK)
        archive.writestr("media/" + "0" * 64 + ".png", PNG)
        archive.writestr("media/run.exe", b"MZ")
    with pytest.raises(DeckError) as err:
        read_file(out.getvalue(), "capitals.zip")
    assert [str(p) for p in err.value.problems] == [
        f"capitals.zip:media/{'0' * 64}.png:1:1: the content does not match the name (the sha256 of the content)",
        "capitals.zip:media/run.exe:1:1: not a media file of ours: expected media/<sha256 of the content>."
        "<image or sound extension>"]


def test_text_export_after_the_package_keeps_images_the_server_has_and_names_the_others(db, user, tmp_path):
    col = build_collection(tmp_path / "source.anki2")
    package = export_package(col, tmp_path / "in.apkg", legacy=False)
    chien = col.get_note(next(n for n in col.find_notes("chien")))
    chien["Back"] = 'a dog <img src="pic.png">'  # the one card changed after the package was made
    col.update_note(chien)
    maison = col.get_note(next(n for n in col.find_notes("maison")))
    maison["Back"] = 'house <img src="gone.png">'
    col.update_note(maison)
    text = tmp_path / "notes.txt"
    col.export_note_csv(out_path=str(text), limit=None, with_html=True, with_tags=True, with_deck=True,
                        with_notetype=True, with_guid=True)
    col.close()
    media_root = tmp_path / "media"
    _import(package.read_bytes(), "in.apkg", user, tmp_path)
    image = re.search(r"/media/[0-9a-f]{64}\.png", Note.get(Note.question == "chien").answer).group(0)

    result = import_paths([str(text)], user.id, media_root=media_root, user=user)
    french = next(p for p in result.plans if p.deck_slug == "languages-french")
    assert len(french.changed) == 2 and not (french.added or french.retired)
    assert Note.get(Note.question == "chien").answer == f"a dog ![]({image})"
    assert Note.get(Note.question == "maison").answer == "house"
    assert [w.message for w in result.warnings] == [
        "not on this server, left out (a text export carries no media; import the package first): gone.png"]
    assert (media_root / str(user.id) / image.rsplit("/", 1)[1]).read_bytes() == PNG


def test_anki_text_export_of_our_deck_comes_back_to_the_same_cards(db, user, load_deck, tmp_path):
    load_deck(SIMPLE_DECK, owner=user, name="capitals.yaml")
    ours = tmp_path / "capitals.apkg"
    ours.write_bytes(export_bytes(user, "apkg", tmp_path / "media", "capitals"))
    col = Collection(str(tmp_path / "anki.anki2"))
    try:
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(ours), options=ImportAnkiPackageOptions()))
        text = tmp_path / "capitals.txt"
        col.export_note_csv(out_path=str(text), limit=None, with_html=True, with_tags=True, with_deck=True,
                            with_notetype=True, with_guid=True)
    finally:
        col.close()
    plan, = _import(text.read_bytes(), "capitals.txt", user, tmp_path, dry_run=True).plans
    assert (plan.deck_slug, plan.new_deck, plan.added, plan.retired) == ("capitals", False, [], [])
    assert sorted(plan.unchanged) == ["france", "gap", "italy"]


def test_an_unreadable_copy_of_the_deck_falls_back_to_the_anki_fields(db, user, load_deck, tmp_path):
    load_deck(SIMPLE_DECK, owner=user, name="capitals.yaml")
    data = export_bytes(user, "apkg", tmp_path / "media", "capitals")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as damaged:
        for info in source.infolist():
            damaged.writestr(info, b"id: [" if info.filename == "quizzer-deck.yaml" else source.read(info))
    bundle = read_file(out.getvalue(), "capitals.apkg")
    assert [w.message.split(" (")[0] for w in bundle.warnings] == ["our copy of the deck is unreadable"]
    plan, = apply_bundle(bundle, user.id, media_root=tmp_path / "media", dry_run=True).plans
    assert (plan.deck_slug, plan.added, plan.retired, sorted(plan.unchanged)) == (
        "capitals", [], [], ["france", "gap", "italy"])
