"""Whole-account backup: restored into an empty instance, nothing is lost."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from quizzer.cli import main
from quizzer.deck_format import DeckError
from quizzer.importers import read_file
from quizzer.services import account_backup, deck_options, review, users
from quizzer.services.errors import Conflict
from quizzer.services.imports import apply_bundle
from quizzer.store import connect
from quizzer.store.models import CardState, Deck, Note, ReviewLog, User
from tests.anki_factory import build_collection, export_package
from tests.conftest import card_id, database_url

SHARED = """id: shared
title: Shared
cards:
  - {id: one, question: One?, answer: "1"}
  - {id: two, question: Two?, answer: "2", reverse: true}
"""
OWN = """id: mine
title: Mine
tags: [personal]
sources: {src: A source}
cards:
  - {id: kept, question: Kept?, answer: Yes., source: src}
  - {id: dropped, question: Dropped?, answer: Later retired.}
  - {id: gap, cloze: "{{c1::a}} {{c2::b::hint}}"}
"""
NOW = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)


def _fill(user, load_deck, tmp_path):
    load_deck(SHARED, name="shared.yaml")
    load_deck(OWN, owner=user, name="mine.yaml")
    review.answer(user, card_id("shared", "one"), 5, answer_id="s1", time_ms=1200, now=NOW)
    review.answer(user, card_id("mine", "dropped", owner=user), 3, answer_id="m1", now=NOW)
    review.answer(user, card_id("mine", "gap", "c2", owner=user), 1, answer_id="m2", now=NOW)
    review.set_suspended(user, card_id("shared", "two", "reverse"))
    load_deck(OWN.replace("  - {id: dropped, question: Dropped?, answer: Later retired.}\n", ""),
              owner=user, name="mine.yaml")  # retired, with its history
    package = export_package(build_collection(tmp_path / "anki.anki2"), tmp_path / "in.apkg", legacy=False)
    apply_bundle(read_file(package.read_bytes(), "in.apkg"), user.id, media_root=tmp_path / "media", user=user,
                 with_progress=True)
    users.update_settings(user, timezone="Europe/Paris", new_per_day=7, grade_scale="full", new_order="random",
                         bury_siblings=False)
    deck_options.update_deck_options(user, Deck.get(Deck.slug == "shared").id, reviews_per_day=50, bury_siblings="on")
    deck_options.update_deck_options(user, Deck.get(Deck.owner == user.id, Deck.slug == "mine").id, new_per_day=3,
                                     new_order="round_robin")


def _comparable(document: dict) -> dict:
    return {key: value for key, value in document.items() if key != "exported_at"}


def test_backup_restores_into_an_empty_instance_with_nothing_lost(db, user, load_deck, tmp_path):
    _fill(user, load_deck, tmp_path)
    before, own_media, _ = account_backup.backup_document(User.get_by_id(user.id), with_password_hash=True)
    data = account_backup.export_backup(User.get_by_id(user.id), tmp_path / "media", with_password_hash=True)
    assert len(own_media) == 1 and before["review_log"] and len(before["decks"]) == 4
    assert [row["deck"] for row in before["deck_options"]] == [[True, "shared"], [False, "mine"]]
    assert any(n["retired"] for d in before["decks"] for n in d["notes"])

    fresh = connect(database_url("sqlite", tmp_path / "fresh"))  # an empty instance
    try:
        restored = account_backup.restore_backup(data, "backup.zip", tmp_path / "fresh-media")
        after, _, _ = account_backup.backup_document(restored, with_password_hash=True)
        assert _comparable(after) == _comparable(before)
        assert users.authenticate("alice", "correct horse battery").id == restored.id
        assert (ReviewLog.select().count(), CardState.select().count()) == (
            len(before["review_log"]), len(before["card_states"]))
        assert Deck.get(Deck.slug == "shared").owner_id is None
        stored = list((tmp_path / "fresh-media" / str(restored.id)).iterdir())
        assert [p.name for p in stored] == sorted(own_media)
        assert stored[0].read_bytes() == next((tmp_path / "media" / str(user.id)).iterdir()).read_bytes()
    finally:
        fresh.close()


def test_restore_refuses_an_account_with_data_and_changes_nothing(db, user, load_deck, tmp_path):
    _fill(user, load_deck, tmp_path)
    data = account_backup.export_backup(user, tmp_path / "media")
    counts = (Deck.select().count(), Note.select().count(), ReviewLog.select().count())
    with pytest.raises(Conflict, match="already has decks or progress"):
        account_backup.restore_backup(data, "backup.zip", tmp_path / "media")
    assert (Deck.select().count(), Note.select().count(), ReviewLog.select().count()) == counts


def test_restore_under_another_name_into_the_same_instance(db, user, load_deck, tmp_path):
    _fill(user, load_deck, tmp_path)
    data = account_backup.export_backup(user, tmp_path / "media")
    copy = account_backup.restore_backup(data, "backup.zip", tmp_path / "media", username="alice2",
                                         password="a new long password")
    assert users.authenticate("alice2", "a new long password").id == copy.id
    assert Deck.select().where(Deck.owner == copy.id).count() == 3  # own decks copied; shared ones reused
    assert Deck.select().where(Deck.owner.is_null()).count() == 1
    assert ReviewLog.select().where(ReviewLog.user == copy.id).count() == 3


def test_not_a_backup(db, tmp_path):
    with pytest.raises(DeckError, match="x.zip:1:1: not a zip archive"):
        account_backup.restore_backup(b"nope", "x.zip", tmp_path)


def test_cli_export_and_restore(db_url, db, user, load_deck, tmp_path):
    _fill(user, load_deck, tmp_path)
    env = {"QUIZZER_DATABASE_URL": db_url, "QUIZZER_INSTANCE_DIR": str(tmp_path)}
    out = tmp_path / "alice.zip"
    result = CliRunner().invoke(main, ["export", "--user", "alice", "--format", "backup", "--with-password-hash",
                                       "-o", str(out)], env=env)
    assert result.exit_code == 0, result.output
    fresh_env = {"QUIZZER_DATABASE_URL": database_url("sqlite", tmp_path / "other"),
                 "QUIZZER_INSTANCE_DIR": str(tmp_path / "other")}
    result = CliRunner().invoke(main, ["import", str(out)], env=fresh_env)
    assert result.exit_code == 0 and result.stdout == "restored account alice\n"
    assert Note.select().count() == 14 and ReviewLog.select().count() == 3


def test_restore_into_an_empty_account_makes_missing_shared_decks_its_own(db, user, load_deck, tmp_path):
    _fill(user, load_deck, tmp_path)
    before, _, _ = account_backup.backup_document(User.get_by_id(user.id))
    data = account_backup.export_backup(User.get_by_id(user.id), tmp_path / "media")
    Deck.delete().where(Deck.owner.is_null()).execute()  # this server no longer has the shared deck
    load_deck("id: shared\ntitle: Other\ncards:\n  - {id: x, question: X?, answer: Y.}\n", owner="alice")
    bob = users.create_user("bob", "another long password")
    restored = account_backup.restore_into(bob, data, "backup.zip", tmp_path / "media")
    assert restored.id == bob.id and restored.timezone == "Europe/Paris"
    assert Deck.select().where(Deck.owner.is_null()).count() == 0
    slugs = sorted(d.slug for d in Deck.select().where(Deck.owner == bob.id))
    assert slugs == sorted(d["slug"] for d in before["decks"])  # bob has no deck of that id yet
    assert ReviewLog.select().where(ReviewLog.user == bob.id).count() == len(before["review_log"])
    with pytest.raises(Conflict):
        account_backup.restore_into(bob, data, "backup.zip", tmp_path / "media")  # not empty any more


def test_a_restored_shared_deck_gets_a_free_id_among_the_users_decks(db, user, load_deck, tmp_path):
    _fill(user, load_deck, tmp_path)
    load_deck("id: shared\ntitle: My own\ncards:\n  - {id: x, question: X?, answer: Y.}\n", owner="alice")
    before, _, _ = account_backup.backup_document(User.get_by_id(user.id))
    data = account_backup.export_backup(User.get_by_id(user.id), tmp_path / "media")
    Deck.delete().where(Deck.owner.is_null()).execute()
    carol = users.create_user("carol", "another long password")
    account_backup.restore_into(carol, data, "backup.zip", tmp_path / "media")
    titles = {d.slug: d.title for d in Deck.select().where(Deck.owner == carol.id)}
    assert titles["shared"] == "My own" and titles["shared-2"] == "Shared"
    assert ReviewLog.select().where(ReviewLog.user == carol.id).count() == len(before["review_log"])


def test_progress_on_cards_a_servers_shared_deck_lacks_is_a_clear_error(db, user, load_deck, tmp_path):
    _fill(user, load_deck, tmp_path)
    data = account_backup.export_backup(User.get_by_id(user.id), tmp_path / "media")
    load_deck("id: shared\ntitle: Not the same\ncards:\n  - {id: other, question: O?, answer: O.}\n",
              name="shared.yaml")  # this server's "shared" deck has other cards now
    Note.delete().where(Note.slug == "one").execute()
    bob = users.create_user("bob", "another long password")
    with pytest.raises(DeckError, match="backup.zip:quizzer-backup.json:1:1: the backup has progress on card "
                                        "'one' \\(front\\) of the shared deck 'shared'"):
        account_backup.restore_into(bob, data, "backup.zip", tmp_path / "media")
    assert Deck.select().where(Deck.owner == bob.id).count() == 0  # nothing was written


def _without_deck_options(data: bytes) -> bytes:
    """The backup as made before deck options existed."""
    source = zipfile.ZipFile(io.BytesIO(data))
    document = json.loads(source.read(account_backup.MANIFEST))
    del document["deck_options"]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(account_backup.MANIFEST, json.dumps(document))
    return out.getvalue()


def test_deck_options_come_back_keyed_by_deck_and_an_older_backup_restores_without_them(db, user, load_deck,
                                                                                        tmp_path):
    load_deck(SHARED, name="shared.yaml")  # never studied: in the backup for its options
    mine = load_deck(OWN, owner=user, name="mine.yaml")
    deck_options.update_deck_options(user, Deck.get(Deck.slug == "shared").id, new_order="random")
    deck_options.update_deck_options(user, mine.id, new_per_day=0, reviews_per_day=9, bury_siblings="off")
    data = account_backup.export_backup(User.get_by_id(user.id), tmp_path / "media")

    bob = users.create_user("bob", "another long password")
    account_backup.restore_into(bob, data, "backup.zip", tmp_path / "media")
    bobs = Deck.get((Deck.owner == bob.id) & (Deck.slug == "mine"))
    own = deck_options.options_for_deck(bob, bobs.id, NOW.date()).own
    assert (own.new_per_day, own.reviews_per_day, own.new_order, own.bury_siblings) == (0, 9, None, False)
    shared = deck_options.options_for_deck(bob, Deck.get(Deck.slug == "shared").id, NOW.date()).own
    assert shared.new_order == "random" and shared.new_per_day is None

    carol = users.create_user("carol", "another long password")
    account_backup.restore_into(carol, _without_deck_options(data), "backup.zip", tmp_path / "media")
    carols = Deck.get((Deck.owner == carol.id) & (Deck.slug == "mine"))
    assert deck_options.options_for_deck(carol, carols.id, NOW.date()).own.new_per_day is None
