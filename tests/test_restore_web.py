"""Restoring a whole-account backup from the import page: only into an empty account, nothing lost,
and nothing another user sees changes."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime

import pytest

from quizzer.services import account_backup, review, users
from quizzer.store.models import CardState, Deck, Note, ReviewLog, User
from tests.conftest import card_id, database_url
from tests.test_import_web import apkg, apply, upload  # noqa: F401  (apkg is a fixture)

SHARED = """id: shared
title: Shared
cards:
  - {id: one, question: One?, answer: "1"}
  - {id: two, question: Two?, answer: "2", reverse: true}
"""
NOW = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)


def _alice_with_history(logged_in, load_deck, apkg) -> tuple[bytes, dict, object]:
    """Alice with a shared deck she studied, her own deck (with an image and Anki progress), reviews,
    a suspension and settings; her backup as the export page gives it, its document, her browser."""
    load_deck(SHARED, name="shared.yaml")
    alice = logged_in("alice")
    assert apply(alice, upload(alice, "french.apkg", apkg, with_progress="1").get_data(as_text=True)).status_code == 302
    user = User.get(User.username == "alice")
    review.answer(user, card_id("shared", "one"), 4, answer_id="a1", time_ms=900, now=NOW)
    review.answer(user, card_id("shared", "two", "reverse"), 1, answer_id="a2", now=NOW)
    review.set_suspended(user, card_id("shared", "two"))
    users.update_settings(user, timezone="Europe/Paris", new_per_day=7)
    backup = alice.get("/export/backup.zip")
    assert backup.status_code == 200
    document, _, _ = account_backup.backup_document(User.get_by_id(user.id))
    return backup.data, document, alice


def _cards(document: dict) -> list:
    """Every note and card of the document with its deck's title, whoever owns the deck."""
    return sorted((d["title"], n["slug"], n["question"] or n["cloze"], c["key"], c["prompt_html"])
                  for d in document["decks"] for n in d["notes"] for c in n["cards"])


def _history(document: dict) -> list:
    """Review log and card states by the card's note and key (deck ownership may differ)."""
    def strip(row):
        return {k: v for k, v in row.items() if k != "card"}
    return sorted((tuple(r["card"][2:]), kind, sorted(strip(r).items()))
                  for kind in ("card_states", "review_log") for r in document[kind])


def test_a_backup_restores_into_a_fresh_instance_from_the_page(make_app, logged_in, load_deck, apkg, tmp_path):
    backup, before, _ = _alice_with_history(logged_in, load_deck, apkg)
    fresh = make_app(database_url("sqlite", tmp_path / "fresh"),
                     env={"QUIZZER_INSTANCE_DIR": str(tmp_path / "fresh-instance")})
    carol = logged_in("carol", target_app=fresh)

    page = upload(carol, "alice-backup.zip", backup)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Restore: alice-backup.zip" in html
    assert "backup of <strong>alice</strong>" in html
    counts = dict(re.findall(r'<th scope="row">([^<]+)</th><td class="num">(\d+)</td>', html))
    assert counts == {"Your own decks": "2", "Shared decks you studied": "1", "Cards": "16",
                      "Card schedules": str(len(before["card_states"])),
                      "Reviews in the log": str(len(before["review_log"])), "Images": "1"}
    assert Deck.select().count() == 0  # nothing until restored

    done = apply(carol, html)
    assert done.status_code == 302 and done.headers["Location"].endswith("/")
    carol_user = User.get(User.username == "carol")
    after, own_media, _ = account_backup.backup_document(carol_user)
    assert _cards(after) == _cards(before) and _history(after) == _history(before)
    # The shared deck this server lacked is now one of carol's decks; no shared deck was made.
    assert Deck.select().where(Deck.owner.is_null()).count() == 0
    assert Deck.get(Deck.slug == "shared").owner_id == carol_user.id
    assert (carol_user.timezone, carol_user.new_per_day) == ("Europe/Paris", 7)
    image = re.search(r"(/media/[0-9a-f]{64}\.png)", Note.get(Note.question == "chien").answer).group(1)
    assert carol.get(image).status_code == 200 and carol.get(image).data.startswith(b"\x89PNG")
    assert own_media == {image.rsplit("/", 1)[1]}
    carol.form("/logout")
    assert carol.login("carol").status_code == 302  # her own password still signs her in


def test_shared_decks_the_server_has_keep_their_progress(logged_in, load_deck, apkg):
    backup, before, _ = _alice_with_history(logged_in, load_deck, apkg)
    bob = logged_in("bob")
    assert apply(bob, upload(bob, "alice.zip", backup).get_data(as_text=True)).status_code == 302
    bob_user = User.get(User.username == "bob")
    shared = Deck.get(Deck.owner.is_null() & (Deck.slug == "shared"))
    assert Deck.select().where(Deck.owner.is_null()).count() == 1
    assert CardState.select().where((CardState.user == bob_user.id) & (CardState.deck == shared.id)).count() == 3
    assert ReviewLog.select().where(ReviewLog.user == bob_user.id).count() == len(before["review_log"])
    assert _history(account_backup.backup_document(bob_user)[0]) == _history(before)


def test_an_account_with_decks_or_progress_is_refused_and_nothing_changes(logged_in, load_deck, apkg):
    backup, _, alice = _alice_with_history(logged_in, load_deck, apkg)
    counts = (Deck.select().count(), Note.select().count(), ReviewLog.select().count(), CardState.select().count())
    assert upload(logged_in("alice2"), "mine.zip", backup).status_code == 200  # an empty account: offered
    again = upload(alice, "mine.zip", backup)
    assert again.status_code == 409
    assert "restores only into an account without decks or progress" in again.get_data(as_text=True)
    assert (Deck.select().count(), Note.select().count(), ReviewLog.select().count(),
            CardState.select().count()) == counts


@pytest.mark.parametrize("manifest, message", [
    (b"{", "mine.zip:quizzer-backup.json:1:1: unreadable backup"),
    (b'{"format": "quizzer-account-backup", "version": 9}', "backup version 9 is not supported"),
    (b'{"format": "quizzer-account-backup", "version": 1, "user": {}, "decks": [{"shared": false}]}',
     "mine.zip:quizzer-backup.json:1:1: decks[0].slug: required"),
])
def test_a_broken_backup_is_refused_with_its_file_and_member(logged_in, manifest, message):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("quizzer-backup.json", manifest)
    page = upload(logged_in("dora"), "mine.zip", out.getvalue())
    assert page.status_code == 400 and message in page.get_data(as_text=True)
    assert Deck.select().count() == 0
