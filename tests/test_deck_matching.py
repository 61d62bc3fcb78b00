"""Which deck an import goes to: a deck from another program is never taken over by its id alone."""
from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from anki.collection import Collection

from quizzer.importers import read_file
from quizzer.services import review
from quizzer.services.errors import InvalidInput
from quizzer.services.imports import apply_bundle
from quizzer.store.migrate import apply_migrations, migration_names
from quizzer.store.models import CardState, Deck, Note
from tests.anki_factory import build_collection, export_package
from tests.test_cli import QUIZZER, Cli
from tests.test_round_trips import _card
from tests.test_store_migrations import insert, raw_db  # noqa: F401 (a fixture)

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
WORDS = [("uno", "one"), ("dos", "two"), ("tres", "three"), ("cuatro", "four"), ("cinco", "five"),
         ("seis", "six"), ("siete", "seven"), ("ocho", "eight"), ("nueve", "nine"), ("diez", "ten"),
         ("once", "eleven"), ("doce", "twelve")]
SPANISH_YAML = "id: spanish\ntitle: Spanish\ncards:\n" + "".join(
    f"  - id: {es}\n    question: {es}\n    answer: {en}\n" for es, en in WORDS)


def anki_package(tmp_path: Path, deck: str, words: list[tuple[str, str]], name: str = "anki") -> bytes:
    """A package made by the real Anki: one deck of Basic notes."""
    col = Collection(str(tmp_path / f"{name}.anki2"))
    try:
        for front, back in words:
            note = col.new_note(col.models.by_name("Basic"))
            note["Front"], note["Back"] = front, back
            col.add_note(note, col.decks.id(deck))
        return export_package(col, tmp_path / f"{name}.apkg", legacy=False).read_bytes()
    finally:
        col.close()


def _import(data: bytes, name: str, user, tmp_path, **options):
    return apply_bundle(read_file(data, name), user.id, media_root=tmp_path / "media", user=user, **options)


def test_an_anki_deck_named_like_a_yaml_deck_gets_its_own_deck(db, user, load_deck, tmp_path):
    load_deck(SPANISH_YAML, owner=user, name="spanish.yaml")
    review.answer(user, _card("spanish", "uno").id, 4, answer_id="a1", now=NOW)
    package = anki_package(tmp_path, "Spanish", [("hola", "hello"), ("adiós", "bye"), ("uno", "one")])

    dry, = _import(package, "words.apkg", user, tmp_path, dry_run=True).plans
    assert (dry.deck_slug, dry.new_deck, len(dry.added), dry.retired) == ("spanish-2", True, 3, [])
    assert dry.summary().startswith("spanish-2 (Anki deck 'Spanish'; the deck 'spanish' is another deck and "
                                    "is left alone): new deck, 3 added")
    _import(package, "words.apkg", user, tmp_path)
    yaml_deck = Deck.get(Deck.slug == "spanish")
    assert (yaml_deck.title, yaml_deck.origin, yaml_deck.card_count) == ("Spanish", "", 12)
    assert not Note.select().where((Note.deck == yaml_deck) & Note.retired).exists()
    assert CardState.get(CardState.card == _card("spanish", "uno").id).retired is False
    assert Deck.get(Deck.slug == "spanish-2").origin == "anki:Spanish"

    again, = _import(package, "words.apkg", user, tmp_path).plans  # the same package: the same deck
    assert (again.deck_slug, again.new_deck, len(again.unchanged), again.added) == ("spanish-2", False, 3, [])
    assert again.why == "Anki deck 'Spanish', imported before"
    assert Deck.select().count() == 2


def test_a_yaml_deck_over_a_deck_from_anki_says_so(db, user, load_deck, tmp_path):
    _import(anki_package(tmp_path, "Spanish", [("hola", "hello")]), "words.apkg", user, tmp_path)
    plan, = _import(SPANISH_YAML.encode(), "spanish.yaml", user, tmp_path, dry_run=True).plans
    assert plan.deck_slug == "spanish" and plan.why == "by id; the deck came from Anki deck 'Spanish'"


def test_anki_text_export_after_the_package_goes_to_the_same_decks(db, user, tmp_path):
    col = build_collection(tmp_path / "source.anki2")
    package = export_package(col, tmp_path / "all.apkg", legacy=False)
    text = tmp_path / "notes.txt"
    col.export_note_csv(out_path=str(text), limit=None, with_html=True, with_tags=True, with_deck=True,
                        with_notetype=True, with_guid=True)
    col.close()
    _import(package.read_bytes(), "all.apkg", user, tmp_path)
    plans = _import(text.read_bytes(), "notes.txt", user, tmp_path, dry_run=True).plans
    assert sorted(p.deck_slug for p in plans) == ["languages-french", "science"]
    assert all(not p.new_deck and not p.added and not p.retired for p in plans)
    assert {p.why for p in plans} == {"Anki deck 'Languages::French', imported before",
                                      "Anki deck 'Science', imported before"}


def test_the_user_can_choose_the_target_deck(db, user, load_deck, tmp_path):
    load_deck(SPANISH_YAML, owner=user, name="spanish.yaml")
    package = anki_package(tmp_path, "Vocabulary", [("hola", "hello")])
    plan, = _import(package, "words.apkg", user, tmp_path, into="spanish", dry_run=True).plans
    assert (plan.deck_slug, plan.new_deck, len(plan.added), len(plan.retired)) == ("spanish", False, 1, 12)
    assert plan.why == "Anki deck 'Vocabulary', into the deck you chose"
    _import(package, "words.apkg", user, tmp_path, into="spanish")
    assert Deck.get(Deck.slug == "spanish").origin == "anki:Vocabulary"  # the next import finds it
    again, = _import(package, "words.apkg", user, tmp_path, dry_run=True).plans
    assert (again.deck_slug, again.unchanged) == ("spanish", [plan.added[0]])


def test_a_target_deck_needs_one_deck_and_a_valid_id(db, user, tmp_path):
    col = build_collection(tmp_path / "source.anki2")
    two_decks = export_package(col, tmp_path / "two.apkg", legacy=False).read_bytes()
    col.close()
    with pytest.raises(InvalidInput, match="holds 2 decks"):
        _import(two_decks, "two.apkg", user, tmp_path, into="french")
    with pytest.raises(InvalidInput, match="is not a deck id"):
        _import(anki_package(tmp_path, "A", [("a", "b")]), "a.apkg", user, tmp_path, into="Not an id")
    assert Deck.select().count() == 0


def test_cli_asks_before_retiring_more_than_ten_cards(tmp_path):
    cli = Cli(tmp_path)
    deck = tmp_path / "spanish.yaml"
    deck.write_text(SPANISH_YAML)
    assert cli.run("migrate").returncode == 0
    assert cli.run("user", "create", "ann", QUIZZER_PASSWORD="correct horse battery").returncode == 0
    assert cli.run("import", "--user", "ann", str(deck)).returncode == 0
    deck.write_text(SPANISH_YAML.split("  - id: dos")[0])  # only "uno" is left: 11 cards would retire
    refused = cli.run("import", "--user", "ann", str(deck))
    assert refused.returncode == 1
    assert "spanish: would retire 11: cinco, cuatro, diez, doce" in refused.stderr
    assert "this import would retire 11 cards; nothing was imported (--yes to go ahead)" in refused.stderr
    dry = cli.run("import", "--user", "ann", "--dry-run", str(deck))
    assert "1 unchanged" in dry.stdout and "11 retired" in dry.stdout  # nothing was written
    assert "  would retire: cinco, cuatro, diez, doce" in dry.stdout
    declined = _on_a_terminal(cli, "n\n", "import", "--user", "ann", str(deck))
    assert declined.returncode == 1 and "Retire 11 cards? [y/N]" in declined.stderr
    assert "error: nothing was imported" in declined.stderr
    accepted = _on_a_terminal(cli, "y\n", "import", "--user", "ann", str(deck))
    assert accepted.returncode == 0 and "11 retired" in accepted.stdout
    deck.write_text(SPANISH_YAML)
    assert cli.run("import", "--user", "ann", str(deck)).returncode == 0  # 11 restored: nothing retires
    deck.write_text(SPANISH_YAML.split("  - id: dos")[0])
    done = cli.run("import", "--user", "ann", "--yes", str(deck))
    assert done.returncode == 0 and "11 retired" in done.stdout


def _on_a_terminal(cli: Cli, answer: str, *args: str) -> subprocess.CompletedProcess:
    """Run ``quizzer`` with a pseudo-terminal as its standard input, typing ``answer``."""
    main, child = os.openpty()
    try:
        process = subprocess.Popen([str(QUIZZER), *args], env=cli.env, text=True, stdin=child,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        os.write(main, answer.encode())
        out, err = process.communicate(timeout=180)
    finally:
        os.close(main)
        os.close(child)
    return subprocess.CompletedProcess(args, process.returncode, out, err)


def test_decks_imported_before_get_the_origin_of_their_source(raw_db):  # noqa: F811
    target = next(name for name in migration_names() if name.startswith("0011"))
    apply_migrations(raw_db, target=target)
    stamp = "2026-01-04 09:30:00"
    sources = {"yaml": "/decks/x.yaml", "apkg": "French.apkg", "text": "notes.txt", "quizlet": "set.txt",
               "csv": "words.CSV", "none": ""}
    for slug, source_path in sources.items():
        deck = insert(raw_db, "deck", owner_id=None, slug=slug, title=f"Title {slug}", description="", tags="[]",
                      sources="{}", content_hash="", source_path=source_path, card_count=0, created_at=stamp,
                      updated_at=stamp)
        insert(raw_db, "note", deck_id=deck, slug="anki-0123456789abcdef" if slug == "text" else "n1",
               position=0, kind="basic", question="Q", answer="A", cloze=None, explanation="",
               explanation_html="", tags=" ", source="", choices="[]", choices_html="[]", accept="[]",
               reverse=False, retired=False, shuffle=True, tolerance="", reverse_answer="")
    apply_migrations(raw_db)
    origins = dict(raw_db.execute_sql("SELECT slug, origin FROM deck").fetchall())
    assert origins == {"yaml": "", "apkg": "anki:Title apkg", "text": "anki:Title text",
                       "quizlet": "quizlet:Title quizlet", "csv": "csv:Title csv", "none": ""}


def test_cards_without_ids_match_stored_cards_on_their_first_field(db, user, tmp_path):
    """Anki's minimal text export (no guids, no deck column) after the package, then again."""
    col = Collection(str(tmp_path / "minimal.anki2"))
    for front, back in WORDS:
        note = col.new_note(col.models.by_name("Basic"))
        note["Front"], note["Back"] = f"<b>{front}</b>", back
        col.add_note(note, col.decks.id("Spanish"))
    package = export_package(col, tmp_path / "spanish.apkg", legacy=False).read_bytes()
    text = tmp_path / "spanish.txt"
    col.export_note_csv(out_path=str(text), limit=None, with_html=True, with_tags=False, with_deck=False,
                        with_notetype=False, with_guid=False)
    col.close()
    _import(package, "spanish.apkg", user, tmp_path)
    plan, = _import(text.read_bytes(), "spanish.txt", user, tmp_path, into="spanish").plans
    assert (plan.deck_slug, plan.added, plan.retired, len(plan.unchanged)) == ("spanish", [], [], 12)
    assert all(slug.startswith("anki-") for slug in plan.unchanged)  # the package's ids, not new ones
    again, = _import(text.read_bytes(), "spanish.txt", user, tmp_path, dry_run=True).plans
    assert (again.deck_slug, again.added, again.retired, len(again.unchanged)) == ("spanish", [], [], 12)
    assert Note.select().count() == 12
