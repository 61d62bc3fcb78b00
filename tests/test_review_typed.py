"""Typed answers in the daily review: cards with accept entries ask to type, the verdict preselects a
grade (nothing is graded until the user picks one), and a setting turns it off."""
from __future__ import annotations

import pytest

from quizzer.store.models import Card, ReviewLog, User
from tests.conftest import parse

DECK = """
id: typed
title: Typed
cards:
  - id: lora
    question: How many trainable parameters does LoRA with r = 8 add to one 4096 x 4096 matrix?
    answer: "65,536"
    accept: ["2^16"]
  - id: kv
    cloze: "One token of Llama-3-70B takes about {{c1::0.33 MB}} of KV cache in {{c2::fp16}}."
    accept: {c1: ["327,680 bytes"]}
  - id: gqa
    question: Which attention shares each key and value head among a group of query heads?
    answer: Grouped-query attention
    accept: [GQA]
  - id: plain
    question: What does TTFT stand for?
    answer: Time to first token
"""


@pytest.fixture
def alice(logged_in, load_deck):
    load_deck(DECK)
    return logged_in("alice")


def card(note: str, key: str = "front") -> int:
    return Card.select().join_from(Card, Card.note.rel_model).where(
        (Card.note.rel_model.slug == note) & (Card.key == key)).get().id


def check(client, note: str, answer: str, key: str = "front"):
    return client.api("/api/review/check", {"card_id": card(note, key), "answer": answer})


@pytest.mark.parametrize("note, key, typed, outcome, suggested", [
    ("lora", "front", "65536 parameters", "right", 4),
    ("lora", "front", "65535", "wrong", 2),
    ("lora", "front", "32.768 KB", "wrong", 2),
    ("kv", "c1", "327.68 KB", "right", 4),
    ("kv", "c1", "0.5 MB", "wrong", 2),
])
def test_check_judges_and_suggests_a_grade_without_grading(alice, note, key, typed, outcome, suggested):
    response = check(alice, note, typed, key)
    assert response.status_code == 200
    body = response.get_json()
    assert (body["outcome"], body["suggested"]) == (outcome, suggested)
    assert ReviewLog.select().count() == 0


def test_a_near_miss_carries_the_difference_and_suggests_again(alice):
    body = check(alice, "gqa", "grouped attention").get_json()
    assert (body["outcome"], body["suggested"], body["expected"]) == ("near", 2, "Grouped-query attention")
    assert body["diff"] == [{"op": "equal", "given": "grouped", "expected": "grouped"},
                            {"op": "insert", "given": "", "expected": " query"},
                            {"op": "equal", "given": " attention", "expected": " attention"}]
    assert check(alice, "gqa", "gqa").get_json()["outcome"] == "right"


def test_only_faces_with_accept_entries_are_typed(alice):
    typed = {f"{note}:{key}": alice.get(f"/api/cards/{card(note, key)}").get_json()["typed"]
             for note, key in (("lora", "front"), ("kv", "c1"), ("kv", "c2"), ("plain", "front"))}
    assert typed == {"lora:front": True, "kv:c1": True, "kv:c2": False, "plain:front": False}
    response = check(alice, "plain", "time to first token")
    assert response.status_code == 400 and "is not typed in the review" in response.get_json()["error"]["message"]


def test_the_setting_turns_typing_off(alice):
    alice.form("/settings", {"timezone": "UTC", "rollover_hour": "4", "new_per_day": "20",
                             "reviews_per_day": "200", "grade_scale": "buttons"})
    assert User.get(User.username == "alice").typed_answers is False
    assert alice.get(f"/api/cards/{card('lora')}").get_json()["typed"] is False
    alice.form("/settings", {"timezone": "UTC", "rollover_hour": "4", "new_per_day": "20",
                             "reviews_per_day": "200", "grade_scale": "buttons", "typed_answers": "on"})
    assert User.get(User.username == "alice").typed_answers is True


def test_without_javascript_the_page_shows_the_verdict_and_preselects_the_grade(alice):
    page = alice.get(f"/study?card={card('lora')}&reveal=1&typed=65535")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    dom = parse(html)
    assert "Not quite" in dom.by_id("typed-outcome")[2]
    suggested = [attrs for _, attrs, _ in dom.find_all("button") if "suggested" in attrs.get("class", "")]
    assert [b["value"] for b in suggested] == ["2"] and "autofocus" in suggested[0]
    page = alice.get(f"/study?card={card('lora')}")
    assert 'id="typed-box"' in page.get_data(as_text=True) and 'name="typed"' in page.get_data(as_text=True)


def test_bad_check_input_is_refused(alice):
    assert alice.api("/api/review/check", {"card_id": card("lora"), "answer": 5}).status_code == 400
    assert alice.api("/api/review/check", {"card_id": card("lora"), "answer": "x" * 501}).status_code == 400
    assert alice.api("/api/review/check", {"answer": "x"}).status_code == 400
