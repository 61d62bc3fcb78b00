"""Account backups are files anyone can edit: every hostile value is refused, naming its field,
with nothing written; admin rights never come from a file; the password hash leaves only on request."""
from __future__ import annotations

import io
import json
import zipfile

import pytest

from quizzer.deck_format import DeckError
from quizzer.services import account_backup, deck_options, review, users
from quizzer.services.errors import InvalidInput
from quizzer.store.models import Card, CardState, Deck, Note, ReviewLog, User
from tests.conftest import card_id

SHARED = """id: shared
title: Shared
cards:
  - {id: one, question: One?, answer: "1"}
"""
OWN = """id: mine
title: Mine
cards:
  - {id: kept, question: Kept?, answer: Yes.}
"""


@pytest.fixture
def backup(db, user, load_deck, tmp_path) -> bytes:
    """Alice's backup (with her password hash): a shared deck she studied and a deck of her own."""
    load_deck(SHARED, name="shared.yaml")
    load_deck(OWN, owner=user, name="mine.yaml")
    review.answer(user, card_id("shared", "one"), 4, answer_id="a1")
    review.answer(user, card_id("mine", "kept", owner=user), 2, answer_id="a2")
    deck_options.update_deck_options(user, Deck.get(Deck.slug == "mine").id, new_per_day=5, new_order="deck")
    return account_backup.export_backup(User.get_by_id(user.id), tmp_path / "media", with_password_hash=True)


def _edited(data: bytes, edit) -> bytes:
    """The backup with its JSON document changed by ``edit(document)``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    document = json.loads(source.read(account_backup.MANIFEST))
    edit(document)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in source.namelist():
            text = json.dumps(document) if name == account_backup.MANIFEST else source.read(name)
            archive.writestr(name, text)
    return out.getvalue()


def _setter(path: str, value):
    """edit(document) setting the value at a dotted path ("decks.1.notes.0.kind")."""
    def edit(document):
        *parents, last = path.split(".")
        target = document
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value
    return edit


def _counts() -> tuple:
    return tuple(m.select().count() for m in (User, Deck, Note, Card, CardState, ReviewLog))


HOSTILE = [
    ("user.username", 'ali"ce', "user.username"),
    ("user.username", "ali\nce", "user.username"),
    ("user.username", "a" * 100, "user.username"),
    ("user.username", 7, "user.username"),
    ("user.timezone", "Nowhere/Nope", "user.timezone"),
    ("user.timezone", "localtime", "user.timezone"),
    ("user.timezone", "Factory", "user.timezone"),
    ("user.timezone", ["UTC"], "user.timezone"),
    ("user.rollover_hour", 99, "user.rollover_hour"),
    ("user.rollover_hour", True, "user.rollover_hour"),
    ("user.rollover_hour", 4.5, "user.rollover_hour"),
    ("user.new_per_day", -1, "user.new_per_day"),
    ("user.reviews_per_day", 10**9, "user.reviews_per_day"),
    ("user.grade_scale", "stars", "user.grade_scale"),
    ("user.suspend_leeches", "yes", "user.suspend_leeches"),
    ("user.password_hash", "scrypt:1048576:8:1$salt$" + "0" * 64, "user.password_hash"),
    ("user.password_hash", "plain text password", "user.password_hash"),
    ("user.created_at", "yesterday", "user.created_at"),
    ("decks.0.slug", "../../etc", "decks[0].slug"),
    ("decks.0.slug", 'x"\r\nSet-Cookie: a=b', "decks[0].slug"),
    ("decks.0.title", "t" * 201, "decks[0].title"),
    ("decks.0.title", "a\x00b", "decks[0].title"),
    ("decks.0.tags", "not a list", "decks[0].tags"),
    ("decks.0.tags", ["ML basics"], "decks[0].tags"),
    ("decks.0.notes.0.tags", " ml:basics  ML::LoRA ", "decks[0].notes[0].tags"),
    ("decks.0.card_count", 2**40, "decks[0].card_count"),
    ("decks.0.shared", "no", "decks[0].shared"),
    ("decks.0.notes", {"a": 1}, "decks[0].notes"),
    ("decks.0.notes.0.kind", "script", "decks[0].notes[0].kind"),
    ("decks.0.notes.0.choices", [1, 2], "decks[0].notes[0].choices"),
    ("decks.0.notes.0.cards.0.key", "back door", "decks[0].notes[0].cards[0].key"),
    ("decks.0.notes.0.cards.0.position", "first", "decks[0].notes[0].cards[0].position"),
    ("card_states.0.interval", -5, "card_states[0].interval"),
    ("card_states.0.easiness_x100", 10**12, "card_states[0].easiness_x100"),
    ("card_states.0.due", "someday", "card_states[0].due"),
    ("card_states.0.card", "x", "card_states[0].card"),
    ("review_log.0.quality", 9, "review_log[0].quality"),
    ("review_log.0.kind", "other", "review_log[0].kind"),
    ("review_log.0.state_before", {"interval": 1}, "review_log[0].state_before.repetitions"),
    ("review_log.0.applied", None, "review_log[0].applied"),
    ("deck_options.0.new_per_day", 10**6, "deck_options[0].new_per_day"),
    ("deck_options.0.reviews_per_day", -1, "deck_options[0].reviews_per_day"),
    ("deck_options.0.new_per_day", "5", "deck_options[0].new_per_day"),
    ("deck_options.0.new_order", "alphabetical", "deck_options[0].new_order"),
    ("deck_options.0.bury_siblings", "yes", "deck_options[0].bury_siblings"),
    ("deck_options.0.extra_new_day", "today", "deck_options[0].extra_new_day"),
    ("deck_options.0.deck", "mine", "deck_options[0].deck"),
    ("deck_options", {"mine": {}}, "deck_options"),
    ("review_log.0.state_before", {"buried_siblings": [[7]]}, "review_log[0].state_before.buried_siblings"),
    ("review_log.0.state_before", {"buried_siblings": [["front", "soon"]]},
     "review_log[0].state_before.buried_siblings"),
]


@pytest.mark.parametrize("path, value, field", HOSTILE)
def test_each_hostile_value_is_refused_naming_the_field_and_nothing_is_written(db, backup, tmp_path, path, value,
                                                                               field):
    User.delete().where(User.username == "alice").execute()  # restore into an instance without alice
    before = _counts()
    with pytest.raises(DeckError) as caught:
        account_backup.restore_backup(_edited(backup, _setter(path, value)), "b.zip", tmp_path / "media")
    assert any(p.path == field for p in caught.value.problems), caught.value
    assert str(caught.value).startswith(f"b.zip:{account_backup.MANIFEST}:1:1: ")
    assert _counts() == before


def test_options_of_a_deck_the_backup_lacks_are_a_clear_error(db, backup, tmp_path):
    User.delete().where(User.username == "alice").execute()
    before = _counts()
    with pytest.raises(DeckError, match="the backup has options for the deck 'gone', which it does not hold"):
        account_backup.restore_backup(_edited(backup, _setter("deck_options.0.deck", [False, "gone"])), "b.zip",
                                      tmp_path / "media")
    assert _counts() == before


def test_the_web_restore_refuses_them_too(db, backup, tmp_path):
    bob = users.create_user("bob", "another long password")
    before = _counts()
    hostile = _edited(backup, _setter("user.timezone", "Nowhere/Nope"))
    with pytest.raises(DeckError, match="user.timezone: unknown time zone 'Nowhere/Nope'"):
        account_backup.restore_into(bob, hostile, "b.zip", tmp_path / "media")
    assert _counts() == before and User.get_by_id(bob.id).timezone == "UTC"


def test_every_problem_is_listed_at_once(db, backup, tmp_path):
    def edit(document):
        document["user"]["rollover_hour"] = 99
        document["user"]["timezone"] = "Nowhere/Nope"
        document["review_log"][0]["quality"] = 9
    with pytest.raises(DeckError) as caught:
        account_backup.restore_backup(_edited(backup, edit), "b.zip", tmp_path / "media", username="carol")
    assert {p.path for p in caught.value.problems} == {"user.rollover_hour", "user.timezone", "review_log[0].quality"}


def test_admin_rights_never_come_from_a_file(db, backup, tmp_path):
    hostile = _edited(backup, _setter("user.is_admin", True))
    restored = account_backup.restore_backup(hostile, "b.zip", tmp_path / "media", username="mallory")
    assert restored.is_admin is False and User.get_by_id(restored.id).is_admin is False


def test_an_admin_restoring_into_their_empty_account_stays_admin(db, backup, tmp_path):
    admin = users.create_user("root", "another long password", is_admin=True)
    account_backup.restore_into(admin, _edited(backup, _setter("user.is_admin", False)), "b.zip", tmp_path / "m")
    assert User.get_by_id(admin.id).is_admin is True


def test_the_backup_carries_no_password_hash_or_admin_flag_unless_asked(db, user, tmp_path):
    users.create_user("root", "another long password", is_admin=True)
    root = User.get(User.username == "root")
    plain, _, _ = account_backup.backup_document(root)
    with_hash, _, _ = account_backup.backup_document(root, with_password_hash=True)
    assert "password_hash" not in plain["user"] and "is_admin" not in plain["user"]
    assert with_hash["user"]["password_hash"] == root.password_hash and "is_admin" not in with_hash["user"]


def test_a_backup_without_a_hash_needs_a_password_for_a_new_account(db, user, tmp_path):
    data = account_backup.export_backup(user, tmp_path / "media")
    before = _counts()
    with pytest.raises(InvalidInput, match="user.password_hash: the backup carries no password hash"):
        account_backup.restore_backup(data, "b.zip", tmp_path / "media", username="dave")
    assert _counts() == before
    dave = account_backup.restore_backup(data, "b.zip", tmp_path / "media", username="dave",
                                         password="daves long password")
    assert users.authenticate("dave", "daves long password").id == dave.id


def test_json_nested_thousands_deep_is_an_unreadable_backup(db, backup, tmp_path):
    source = zipfile.ZipFile(io.BytesIO(backup))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(account_backup.MANIFEST, "[" * 100_000 + "]" * 100_000)
        for name in source.namelist()[1:]:
            archive.writestr(name, source.read(name))
    with pytest.raises(DeckError, match="unreadable backup"):
        account_backup.restore_backup(out.getvalue(), "b.zip", tmp_path / "media")


def test_the_export_page_says_what_the_backup_holds_and_offers_the_hash(logged_in):
    client = logged_in("alice")
    page = client.get("/export").get_data(as_text=True)
    assert "does <strong>not</strong> carry your password" in page and "password_hash=1" in page
    plain = zipfile.ZipFile(io.BytesIO(client.get("/export/backup.zip").data))
    assert "password_hash" not in json.loads(plain.read(account_backup.MANIFEST))["user"]
    hashed = zipfile.ZipFile(io.BytesIO(client.get("/export/backup.zip?password_hash=1").data))
    assert json.loads(hashed.read(account_backup.MANIFEST))["user"]["password_hash"].startswith("$argon2id$")


def test_the_import_page_refuses_a_hostile_backup_at_the_preview(logged_in, load_deck, tmp_path):
    load_deck(OWN.replace("id: mine", "id: theirs"), name="theirs.yaml")
    client = logged_in("erin")
    erin = User.get(User.username == "erin")
    load_deck(OWN, owner=erin, name="mine.yaml")
    data = account_backup.export_backup(erin, tmp_path / "media", with_password_hash=True)
    Deck.delete().where(Deck.owner == erin.id).execute()  # an empty account again
    hostile = _edited(data, _setter("user.rollover_hour", 99))
    client.refresh_csrf("/import")
    response = client.post("/import", data={"csrf_token": client.csrf, "file": (io.BytesIO(hostile), "b.zip")})
    assert response.status_code == 400
    assert "user.rollover_hour: between 0 and 23" in response.get_data(as_text=True)
    assert User.get_by_id(erin.id).rollover_hour == 4


def test_thousands_of_bad_values_list_the_first_hundred_and_count_the_rest(db, backup, tmp_path):
    def edit(document):
        document["review_log"] = [{"card": "x"}] * 1000
    with pytest.raises(DeckError) as caught:
        account_backup.restore_backup(_edited(backup, edit), "b.zip", tmp_path / "media", username="carol")
    problems = caught.value.problems
    assert len(problems) == 101 and problems[-1].message.startswith("and ") and "more problems" in str(problems[-1])
