"""Anki packages made by the real Anki library (current and legacy format) and by genanki."""
from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest

from quizzer.deck_format import DeckError
from quizzer.deck_format.render import render_markdown
from quizzer.importers import read_file
from quizzer.services.imports import apply_bundle
from quizzer.store.models import Card, CardState, Deck, Note
from tests.anki_factory import EXPECTED, PNG, build_collection, export_package, genanki_package


@pytest.fixture(scope="session")
def packages(tmp_path_factory):
    """{"modern", "legacy", "genanki", "colpkg"}: package paths, plus the Anki collection's creation date."""
    folder = tmp_path_factory.mktemp("anki")
    col = build_collection(folder / "source.anki2")
    made = {
        "modern": export_package(col, folder / "modern.apkg", legacy=False),
        "legacy": export_package(col, folder / "legacy.apkg", legacy=True),
        "genanki": genanki_package(folder / "genanki.apkg", folder / "genanki-media"),
        "today": datetime.fromtimestamp(col.crt, UTC).date() + timedelta(days=col.sched.today),
        "colpkg": folder / "whole.colpkg",  # File > Export > Anki Collection Package: the whole collection
    }
    col.export_collection_package(str(made["colpkg"]), include_media=True, legacy=False)  # closes it
    return made


def load(path, user, tmp_path, **options):
    bundle = read_file(path.read_bytes(), path.name)
    return apply_bundle(bundle, user.id, media_root=tmp_path / "media", user=user, **options)


def _stored(user) -> dict:
    decks = {d.slug: d for d in Deck.select().where(Deck.owner == user.id)}
    notes = {slug: list(Note.select().where(Note.deck == d.id).order_by(Note.position)) for slug, d in decks.items()}
    cards = {slug: list(Card.select().where(Card.deck == d.id).order_by(Card.position)) for slug, d in decks.items()}
    return {"decks": decks, "notes": notes, "cards": cards}


def test_the_member_read_is_the_newest(packages):
    modern = zipfile.ZipFile(packages["modern"]).namelist()
    legacy = zipfile.ZipFile(packages["legacy"]).namelist()
    assert {"collection.anki21b", "collection.anki2"} <= set(modern)  # the dummy anki2 must be ignored
    assert "collection.anki21" in legacy and "collection.anki21b" not in legacy


@pytest.mark.parametrize("kind", ["modern", "legacy", "colpkg"])
def test_anki_package_imports_every_note_card_tag_deck_and_image(kind, packages, db, user, tmp_path):
    result = load(packages[kind], user, tmp_path)
    stored = _stored(user)
    assert {slug: d.title for slug, d in stored["decks"].items()} == EXPECTED["decks"]
    assert {slug: len(n) for slug, n in stored["notes"].items()} == EXPECTED["notes"]
    assert {slug: len(c) for slug, c in stored["cards"].items()} == EXPECTED["cards"]
    french = stored["notes"]["languages-french"]
    assert [n.kind for n in french].count("cloze") == 2
    cloze_keys = [[c.key for c in Card.select().where(Card.note == n.id).order_by(Card.key)]
                  for n in french if n.kind == "cloze"]
    assert cloze_keys == EXPECTED["cloze_keys"]
    paris = next(n for n in french if n.kind == "cloze" and "Paris" in n.cloze)
    assert paris.cloze == "{{c1::Paris}} is the capital of {{c2::France::country}}"  # the hint is kept
    assert paris.explanation == "extra"
    c2 = Card.get((Card.note == paris.id) & (Card.key == "c2"))
    assert "<strong>[country]</strong>" in c2.prompt_html
    reversed_keys = {n.question: [c.key for c in n.cards] for n in french if n.reverse}
    assert reversed_keys == {"rouge": ["front", "reverse"], "bleu": ["front", "reverse"]}
    tags = {t for notes in stored["notes"].values() for n in notes for t in n.tag_list}
    assert tags == EXPECTED["tags"]
    assert [n.question for n in french[:3]] == ["**chat**", "chien", "maison"]
    assert french[2].answer == "house\\\nhome"
    assert result.media == EXPECTED["media"]
    dog = Card.get(Card.answer.contains("dog"))
    stored_file = next((tmp_path / "media" / str(user.id)).iterdir())
    assert stored_file.read_bytes() == PNG
    assert f'<img src="/media/{stored_file.name}" alt="">' in dog.answer_html
    science = {n.question: n.answer for n in stored["notes"]["science"]}
    assert science == {"H2O is": "water", "2 \\* 3 = ?": "6"}  # "type in the answer": first two fields
    assert CardState.select().count() == 0  # no progress unless asked
    # The HTML the importer predicted (to skip rendering) is exactly what rendering gives.
    assert all(c.prompt_html == render_markdown(c.prompt) and c.answer_html == render_markdown(c.answer)
               for c in Card.select())


def test_genanki_package(packages, db, user, tmp_path):
    result = load(packages["genanki"], user, tmp_path)
    stored = _stored(user)
    assert {slug: d.title for slug, d in stored["decks"].items()} == {"capitals-europe": "Capitals::Europe"}
    assert len(stored["notes"]["capitals-europe"]) == 4
    assert sorted(c.key for c in stored["cards"]["capitals-europe"]) == ["c1", "c2", "front", "front", "front",
                                                                         "reverse"]
    assert result.media == 1
    assert {t for n in stored["notes"]["capitals-europe"] for t in n.tag_list} == {"geo", "spain"}


@pytest.mark.parametrize("kind", ["modern", "legacy"])
def test_with_progress_carries_intervals_due_dates_ease_and_suspension(kind, packages, db, user, tmp_path):
    result = load(packages[kind], user, tmp_path, with_progress=True)
    assert (result.progress, result.progress_kept) == (3, 0)
    states = {(s.card.note.question, s.card.key): s for s in CardState.select()}
    review = states[("**chat**", "front")]
    expected = EXPECTED["review"]
    assert (review.interval, review.easiness) == (expected["interval"], expected["easiness"])
    assert review.due == packages["today"] + timedelta(days=expected["days_ahead"])
    assert review.repetitions == 2 and review.reviews == 5 and review.lapses == 1 and not review.suspended
    low = states[("rouge", "reverse")]
    assert (low.interval, low.easiness) == (4, EXPECTED["clamped_easiness"])
    suspended = states[("maison", "front")]
    assert suspended.suspended and suspended.interval == 0 and suspended.reviews == 0


def test_reimport_keeps_progress_and_reports_nothing_changed(packages, db, user, tmp_path):
    load(packages["modern"], user, tmp_path, with_progress=True)
    before = {s.card_id: (s.interval, s.due, s.easiness_x100) for s in CardState.select()}
    again = load(packages["legacy"], user, tmp_path, with_progress=True)
    assert all(not p.added and not p.changed and not p.retired for p in again.plans)
    assert (again.progress, again.progress_kept) == (0, 3)
    assert {s.card_id: (s.interval, s.due, s.easiness_x100) for s in CardState.select()} == before


def _rezip(source, replace: dict[str, bytes | None]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(out, "w") as new:
        for name in old.namelist():
            if name in replace:
                if replace[name] is not None:
                    new.writestr(name, replace[name])
            else:
                new.writestr(name, old.read(name))
    return out.getvalue()


@pytest.mark.parametrize("replace, message", [
    ({"collection.anki21": b"not a database at all" * 100}, "legacy.apkg:collection.anki21:1:1: not a readable "
                                                            "Anki collection (file is not a database)"),
    ({"media": None}, "legacy.apkg:1:1: missing media map"),
    ({"media": b"{not json"}, "legacy.apkg:media:1:1: unreadable media map"),
    ({"collection.anki21": None, "collection.anki2": None}, "no Anki collection in the package"),
])
def test_damaged_packages_are_refused_with_the_member_named(packages, db, user, tmp_path, replace, message):
    data = _rezip(packages["legacy"], replace)
    with pytest.raises(DeckError) as caught:
        read_file(data, "legacy.apkg")
    assert message in str(caught.value)
    assert Deck.select().count() == 0


def test_a_corrupt_modern_collection_is_refused(packages):
    data = _rezip(packages["modern"], {"collection.anki21b": b"\x28\xb5\x2f\xfd garbage"})
    with pytest.raises(DeckError, match=r"modern.apkg:collection.anki21b:1:1: not valid zstd data"):
        read_file(data, "modern.apkg")


def test_a_file_that_is_not_a_zip_is_refused():
    with pytest.raises(DeckError, match=r"deck.apkg:1:1: not a zip archive"):
        read_file(b"SQLite format 3\x00" + bytes(100), "deck.apkg")


def test_due_dates_count_from_the_collection_creation(packages):
    bundle = read_file(packages["modern"].read_bytes(), "modern.apkg")
    review = next(p for p in bundle.progress if p.interval == 15)
    assert review.due == packages["today"] + timedelta(days=3)
    assert isinstance(review.due, date)
