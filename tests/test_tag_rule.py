"""One tag syntax (deck_format.tags) at every entrance: deck files, Anki packages, the quiz form and API,
the dashboard's drill form, and docs/deck.schema.json. Tags with ':' (``ml:basics``, Anki's ``ML::LoRA``)
were valid in decks and imports but refused by the quiz filter."""
from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest
from anki.collection import Collection
from hypothesis import given
from hypothesis import strategies as st

from quizzer.deck_format import DeckError, parse_deck
from quizzer.deck_format.tags import TAG_MAX_LENGTH, TAG_PATTERN, is_tag, normalise_tag
from quizzer.importers import read_file
from quizzer.services.errors import InvalidInput
from quizzer.services.imports import apply_bundle
from quizzer.services.quiz_pool import clean_tags
from quizzer.store.models import Deck, Note, User
from quizzer.store.quiz_models import Quiz
from tests.anki_factory import export_package
from tests.conftest import parse
from tests.quiz_fixtures import load

SCHEMA_TAG = json.loads((Path(__file__).resolve().parents[1] / "docs" / "deck.schema.json")
                        .read_text(encoding="utf-8"))["$defs"]["tag"]

ML_DECK = """
id: ml
title: Machine learning
cards:
  - id: underfit
    question: What does high bias cause?
    answer: Underfitting
    tags: [ml:basics]
  - id: overfit
    question: What does high variance cause?
    answer: Overfitting
    tags: [ml:basics]
  - id: split
    question: Which data set tunes hyperparameters?
    answer: Validation
    tags: [ml:basics]
  - id: lora-rank
    question: What does LoRA train instead of the full weights?
    answer: Low-rank adapters
    tags: [ml::lora]
  - id: dropout
    question: Which layer zeroes random activations in training?
    answer: Dropout
"""
BASICS = {"What does high bias cause?", "What does high variance cause?", "Which data set tunes hyperparameters?"}
TAG_TEXT = st.text(alphabet=string.ascii_letters + string.digits + ":_-. é\t", max_size=80)


# --- The rule itself ---------------------------------------------------------------------------------

def test_the_schema_states_the_core_rule():
    assert SCHEMA_TAG["pattern"] == f"^{TAG_PATTERN}$"
    assert SCHEMA_TAG["maxLength"] == TAG_MAX_LENGTH


@pytest.mark.parametrize("tag", ["ml:basics", "ml::lora", "a", "kv-cache", "x_1", "9" * TAG_MAX_LENGTH])
def test_tags_decks_and_anki_produce_are_tags(tag):
    assert is_tag(tag)


@pytest.mark.parametrize("text", ["", "ML", "-a", ":a", "_a", "a b", "a.b", "c++", "é", "x" * (TAG_MAX_LENGTH + 1),
                                  "a" * 100_000, None, 7])
def test_anything_else_is_not(text):
    assert not is_tag(text)


@given(TAG_TEXT)
def test_is_tag_agrees_with_the_schema(text):
    by_schema = len(text) <= SCHEMA_TAG["maxLength"] and re.search(SCHEMA_TAG["pattern"], text) is not None
    assert is_tag(text) == by_schema


@given(TAG_TEXT)
def test_normalising_gives_a_tag_or_nothing_and_keeps_tags_as_they_are(text):
    tag = normalise_tag(text)
    assert tag is None or (is_tag(tag) and normalise_tag(tag) == tag)
    if is_tag(text):
        assert tag == text


def test_the_quiz_filter_takes_colon_tags_and_names_the_field_when_refusing():
    assert clean_tags(["ml:basics", " ML::LoRA ", "ml:basics", ""]) == ["ml:basics", "ml::lora"]
    with pytest.raises(InvalidInput, match=r"^tags: 'c\+\+' is not a tag: use lowercase letters"):
        clean_tags(["c++"])


def test_a_deck_file_refuses_a_bad_tag_at_its_line_and_field():
    text = "id: d\ntitle: D\ncards:\n  - id: c\n    question: Q?\n    answer: A\n    tags: [ml:basics, ML basics]\n"
    with pytest.raises(DeckError) as caught:
        parse_deck(text, "d.yaml")
    problem, = caught.value.problems
    assert (problem.line, problem.path) == (7, "cards[0].tags[1]")
    assert "'ML basics' is not valid: use lowercase letters, digits, '-', '_' and ':'" in problem.message


# --- End to end, on both engines ---------------------------------------------------------------------

@pytest.fixture
def app(make_app, db_url):
    return make_app(db_url)


@pytest.fixture
def alice(app, logged_in):
    return logged_in("alice")


def _last_quiz() -> Quiz:
    return Quiz.select().order_by(Quiz.id.desc()).first()


def test_a_deck_file_tag_is_searchable_and_quizzable(alice, write_deck):
    deck = load(write_deck, ML_DECK)
    listed = alice.get(f"/decks/{deck.id}?tag=ml:basics").get_data(as_text=True)
    assert [attrs["value"] for _, attrs, _ in parse(listed).find_all("option")][1:] == ["ml::lora", "ml:basics"]
    assert all(question in listed for question in BASICS) and "LoRA" not in listed

    response = alice.form("/quiz", {"mode": "typed", "tags": "ml:basics", "count": "5"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _last_quiz().tags == ["ml:basics"]
    api = alice.api("/api/quiz", {"mode": "choice", "tags": ["ML::LoRA"], "count": 1})
    assert api.status_code == 201, api.get_json()
    assert _last_quiz().tags == ["ml::lora"]


def test_the_quiz_form_and_api_refuse_a_bad_tag_naming_the_field(alice, write_deck):
    load(write_deck, ML_DECK)
    response = alice.form("/quiz", {"mode": "typed", "tags": "ml:basics c++", "count": "3"})
    assert response.status_code == 400
    assert "tags: 'c++' is not a tag" in parse(response).find_all("p", class_="error")[0][2]
    api = alice.api("/api/quiz", {"mode": "typed", "tags": ["ml.basics"], "count": 1})
    assert api.status_code == 400 and api.get_json()["error"]["message"].startswith("tags: 'ml.basics'")
    assert Quiz.select().count() == 0


def test_the_dashboard_drill_form_posts_a_colon_tag_that_starts_a_quiz(alice, write_deck):
    deck = load(write_deck, ML_DECK)
    quiz = alice.api("/api/quiz", {"mode": "typed", "tags": ["ml:basics"], "count": 1}).get_json()
    alice.api(f"/api/quiz/{quiz['id']}/questions/1/answer", {"answer_id": "z", "answer": "nope"})

    page = parse(alice.get("/"))
    assert "#ml:basics" in [text for _, _, text in page.find_all("strong", class_="weak-topic")]
    drill = [(attrs["name"], attrs["value"]) for _, attrs, _ in page.find_all("input")
             if attrs.get("name") in ("deck", "tag", "mode")]
    assert ("tag", "ml:basics") in drill
    response = alice.form("/quiz", _multi(drill))
    assert response.status_code == 302, response.get_data(as_text=True)
    drilled = _last_quiz()
    assert (drilled.mode, drilled.deck_ids, drilled.tags) == ("interview", [deck.id], ["ml:basics"])


def _multi(pairs):
    """Form fields as the browser posts them: a name given twice is a list."""
    fields: dict[str, list[str]] = {}
    for name, value in pairs:
        fields.setdefault(name, []).append(value)
    return fields


def _anki_package(folder: Path) -> Path:
    """A real Anki package: three notes tagged ``ML::LoRA`` (Anki's hierarchy) in deck "ML"."""
    col = Collection(str(folder / "ml.anki2"))
    for front, back in (("LoRA rank?", "r"), ("LoRA alpha?", "a"), ("LoRA merges into?", "weights")):
        note = col.new_note(col.models.by_name("Basic"))
        note.fields[0], note.fields[1] = front, back
        note.tags = ["ML::LoRA"]
        col.add_note(note, col.decks.id("ML"))
    path = export_package(col, folder / "ml.apkg", legacy=False)
    col.close()
    return path


def test_an_anki_hierarchical_tag_imports_and_starts_a_quiz(alice, tmp_path):
    path = _anki_package(tmp_path)
    user = User.get(User.username == "alice")
    apply_bundle(read_file(path.read_bytes(), path.name), user.id, media_root=tmp_path / "media", user=user)
    deck = Deck.get(Deck.owner == user.id)
    assert {n.tags.strip() for n in Note.select().where(Note.deck == deck.id)} == {"ml::lora"}

    listed = alice.get(f"/decks/{deck.id}?tag=ml::lora").get_data(as_text=True)
    assert "LoRA rank?" in listed and "LoRA merges into?" in listed
    response = alice.form("/quiz", {"mode": "typed", "tags": "ML::LoRA", "count": "3"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _last_quiz().tags == ["ml::lora"]
