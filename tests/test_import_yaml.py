"""YAML decks through `quizzer import`: one file, several, a zip of a folder; dry-run diffs; bad input."""
from __future__ import annotations

import io
import zipfile

import pytest
from click.testing import CliRunner

from quizzer.cli import main
from quizzer.services import review
from quizzer.store.models import Card, CardState, Deck, Note
from tests.conftest import card_id

DECK = """id: ml
title: ML basics
cards:
  - id: bias
    question: What is bias?
    answer: Error from wrong assumptions.
  - id: variance
    question: What is variance?
    answer: Error from sensitivity to the training set.
  - id: overfit
    question: What is overfitting?
    answer: Fitting noise.
"""
EDITED = DECK.replace("Fitting noise.", "Fitting the noise, not the signal.").replace(
    """  - id: variance
    question: What is variance?
    answer: Error from sensitivity to the training set.
""", "") + "  - id: new-card\n    question: New?\n    answer: Yes.\n"


@pytest.fixture
def cli(db_url, tmp_path, db, user):
    """Run `quizzer ...` against the test database; returns (exit code, stdout, stderr)."""
    env = {"QUIZZER_DATABASE_URL": db_url, "QUIZZER_INSTANCE_DIR": str(tmp_path / "instance")}

    def run(*args: str):
        result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr
    return run


def test_dry_run_shows_the_diff_and_writes_nothing(cli, write_deck, user):
    path = write_deck(DECK, "ml.yaml")
    code, out, _ = cli("import", "--user", "alice", str(path))
    assert code == 0 and out == "loaded ml: new deck, 3 added, 0 changed, 0 restored, 0 retired, 0 unchanged\n"
    review.answer(user, card_id("ml", "overfit", owner=user), 4)
    path.write_text(EDITED)
    code, out, _ = cli("import", "--user", "alice", "--dry-run", str(path))
    assert out == "would load ml: 1 added, 1 changed, 0 restored, 1 retired, 1 unchanged\n  would retire: variance\n"
    assert Note.get(Note.slug == "overfit").answer == "Fitting noise."
    code, out, _ = cli("import", "--user", "alice", str(path))
    assert out == "loaded ml: 1 added, 1 changed, 0 restored, 1 retired, 1 unchanged\n"
    assert Note.get(Note.slug == "variance").retired and Card.get(Card.key == "front", Card.note ==
                                                                  Note.get(Note.slug == "variance")).retired
    state = CardState.get(CardState.card == card_id("ml", "overfit", owner=user))
    assert state.interval == 1 and state.reviews == 1  # the changed card kept its schedule


def test_several_files_and_a_zip_of_a_folder(cli, tmp_path, write_deck):
    first = write_deck(DECK, "ml.yaml")
    second = write_deck(DECK.replace("id: ml", "id: stats").replace("ML basics", "Stats"), "stats.yaml")
    code, out, _ = cli("import", "--user", "alice", str(first), str(second))
    assert code == 0 and out.count("new deck, 3 added") == 2
    archive = tmp_path / "decks.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("decks/ml.yaml", EDITED)
        z.writestr("decks/more/other.yaml", DECK.replace("id: ml", "id: other"))
    code, out, _ = cli("import", "--user", "alice", "--dry-run", str(archive))
    assert out.splitlines() == ["would load ml: 1 added, 1 changed, 0 restored, 1 retired, 1 unchanged",
                                "  would retire: variance",
                                "would load other: new deck, 3 added, 0 changed, 0 restored, 0 retired, 0 unchanged"]
    assert Deck.select().count() == 2


ALIAS_BOMB = "id: bomb\ntitle: b\nx: &a [1, 1]\ny: &b [*a, *a]\nz: &c [*b, *b]\ncards: [*c]\n"


@pytest.mark.parametrize("text, expected", [
    (ALIAS_BOMB, "bad.yaml:4:8: y[0]: aliases are not allowed in decks"),
    ("id: bad\ntitle: [unclosed\n", "bad.yaml:3:1: invalid YAML"),
    ("id: bad\ntitle: t\ncards:\n  - id: a\n    question: q\n    answer: a\n    reverse: maybe\n",
     "bad.yaml:7:14: cards[0].reverse: must be true or false, not 'maybe'"),
    ("id: bad\ntitle: t\ncards:\n  - {id: a, question: q, answer: a}\n  - {id: a, question: r, answer: b}\n",
     "bad.yaml:5:10: cards[1].id: duplicate card id 'a' (first at line 4)"),
])
def test_bad_yaml_is_refused_whole_with_positions(cli, write_deck, text, expected):
    good = write_deck(DECK, "good.yaml")
    bad = write_deck(text, "bad.yaml")
    code, out, err = cli("import", "--user", "alice", str(good), str(bad))
    assert code == 1 and out == ""
    assert expected in err and str(bad.parent) in err
    assert "nothing was imported" in err and "Traceback" not in err
    assert Deck.select().count() == 0  # the good file was not loaded either


def test_a_bad_zip_member_is_named(cli, tmp_path):
    archive = tmp_path / "decks.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("decks/broken.yaml", "id: x\ntitle: [\n")
    code, _, err = cli("import", "--user", "alice", str(archive))
    assert code == 1 and f"{archive}:decks/broken.yaml:3:1: invalid YAML" in err


def test_cards_without_ids_get_derived_ids_with_a_warning(cli, write_deck):
    path = write_deck("id: d\ntitle: t\ncards:\n  - question: Why?\n    answer: Because.\n", "d.yaml")
    code, out, err = cli("import", "--user", "alice", str(path))
    assert code == 0 and "1 added" in out
    assert Note.get().slug.startswith("why-")


def test_an_apkg_with_a_bad_yaml_in_the_same_command_writes_nothing(cli, write_deck, tmp_path):
    good = write_deck(DECK, "good.yaml")
    not_zip = tmp_path / "deck.apkg"
    not_zip.write_bytes(b"plain text")
    code, _, err = cli("import", "--user", "alice", str(good), str(not_zip))
    assert code == 1 and f"{not_zip}:1:1: not a zip archive" in err
    assert Deck.select().count() == 0


def test_zip_bytes_with_traversal_are_refused_by_the_cli(cli, tmp_path):
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as z:
        z.writestr("../../escape.yaml", DECK)
    archive = tmp_path / "evil.zip"
    archive.write_bytes(data.getvalue())
    code, _, err = cli("import", "--user", "alice", str(archive))
    assert code == 1 and "evil.zip:../../escape.yaml:1:1: unsafe member path" in err
    assert not (tmp_path.parent / "escape.yaml").exists()


def test_cli_reads_quizlet_with_named_separators_and_a_deck_name(cli, tmp_path):
    words = tmp_path / "words.txt"
    words.write_text("chat, cat;chien, dog, a pet;")
    code, out, _ = cli("import", "--user", "alice", "--format", "quizlet", "--separator", "comma",
                       "--row-separator", "semicolon", "--deck", "French Words", str(words))
    assert code == 0 and out == ("loaded french-words (Quizlet set 'French Words'): new deck, 2 added, 0 changed, "
                                 "0 restored, 0 retired, 0 unchanged\n")
    assert [(n.question, n.answer) for n in Note.select().order_by(Note.position)] == [
        ("chat", "cat"), ("chien", "dog, a pet")]
    assert Deck.get().title == "French Words"
