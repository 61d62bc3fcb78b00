"""Custom study and deck options over HTTP (Flask's test client): the deck page's forms, the no-JS
custom session and its JSON API, none of which move a card's schedule."""
from __future__ import annotations

from datetime import timedelta

import pytest

from quizzer.services.study import study_day_for
from quizzer.store.deck_options import DeckOption
from quizzer.store.models import Card, CardState, ReviewLog, User
from tests.conftest import SHARED_DECK, parse


@pytest.fixture
def deck(load_deck):
    return load_deck(SHARED_DECK)


def studied(user: User, deck, due_in_days: int) -> list[int]:
    """Every card of the deck answered twice before today, due ``due_in_days`` from today."""
    today = study_day_for(user).day
    cards = [c.id for c in Card.select().where(Card.deck == deck.id).order_by(Card.position)]
    for card in cards:
        CardState.create(user=user, card=card, deck=deck, repetitions=2, interval=6, reviews=2,
                         due=today + timedelta(days=due_in_days), last_review_day=today - timedelta(days=3),
                         first_review_day=today - timedelta(days=9))
    return cards


def schedule() -> list[tuple]:
    return [(s.card_id, s.due, s.interval, s.repetitions, s.easiness_x100) for s in CardState.select()]


def test_a_study_ahead_session_without_javascript_leaves_the_schedule(logged_in, deck):
    client = logged_in("alice")
    user = User.get(User.username == "alice")
    cards = studied(user, deck, due_in_days=2)
    before = schedule()
    page = parse(client.get(f"/decks/{deck.id}"))
    assert page.by_id("study-ahead")[1]["action"] == "/study/custom"

    seen = []
    for _ in range(len(cards)):
        html = client.get(f"/study/custom?custom=ahead&days=3&deck={deck.id}").get_data(as_text=True)
        study = parse(html)
        assert study.by_id("custom-session")[2] == "Study ahead: 3 d"
        assert not study.find_all("button", id="undo")  # no undo, suspend or bury in custom study
        card_id = int(study.by_id("card")[1]["data-card-id"])
        seen.append(card_id)
        reveal = study.by_id("reveal")[1]["href"]  # the no-JS reveal stays in the session
        assert reveal.startswith("/study/custom?") and "custom=ahead" in reveal
        assert parse(client.get(reveal)).by_id("grades")[1]["action"].startswith("/study/custom/answer?")
        response = client.form(f"/study/custom/answer?custom=ahead&days=3&deck={deck.id}",
                               {"card_id": card_id, "quality": 5})
        assert response.status_code == 302
    assert sorted(seen) == sorted(cards)
    done = client.get(f"/study/custom?custom=ahead&days=3&deck={deck.id}")
    assert done.status_code == 302 and done.headers["Location"] == f"/decks/{deck.id}"
    assert schedule() == before
    assert {log.kind for log in ReviewLog.select()} == {"ahead"}
    assert CardState.get(CardState.card == cards[0]).due == study_day_for(user).day + timedelta(days=2)


def test_the_custom_api_answers_and_gives_the_next_card(logged_in, deck):
    client = logged_in("alice")
    user = User.get(User.username == "alice")
    studied(user, deck, due_in_days=1)
    first = client.get(f"/api/custom/next?custom=ahead&days=1&deck={deck.id}").get_json()
    assert first["counts"]["due"] == 3 and first["queue"] is None
    assert first["card"]["practice"]
    assert all(g["easiness_label"] == "" and g["interval_label"] == "stays due" for g in first["card"]["grades"])
    step = client.api(f"/api/custom/answer?custom=ahead&days=1&deck={deck.id}",
                      {"card_id": first["card"]["id"], "quality": 2, "answer_id": "x1"}).get_json()
    assert step["outcome"]["applied"] is False and step["counts"]["due"] == 2
    assert step["card"]["id"] != first["card"]["id"]


@pytest.mark.parametrize("query, message", [
    ("custom=cram&days=1", "custom: one of"), ("custom=ahead&days=0", "days: between 1 and 365"),
    ("custom=tag&tag=", "tag: required"), ("custom=tag&tag=c%2B%2B", "is not a tag"),
])
def test_a_bad_custom_session_is_refused(logged_in, deck, query, message):
    response = logged_in("alice").get(f"/api/custom/next?{query}")
    assert response.status_code == 400 and message in response.get_json()["error"]["message"]


def test_deck_options_are_saved_from_the_deck_page(logged_in, deck):
    client = logged_in("alice")
    response = client.form(f"/decks/{deck.id}/options", {"new_per_day": "2", "reviews_per_day": "",
                                                         "new_order": "random", "bury_siblings": "off"})
    assert response.status_code == 302
    row = DeckOption.get()
    assert (row.new_per_day, row.reviews_per_day, row.new_order, row.bury_siblings) == (2, None, "random", False)
    page = parse(client.get(f"/decks/{deck.id}"))
    assert page.by_id("opt-new")[1]["value"] == "2"
    assert "Today: at most 2 new cards and" in page.by_id("deck-options-now")[2]
    bad = client.form(f"/decks/{deck.id}/options", {"new_per_day": "-3"})
    assert bad.status_code == 400 and "new_per_day: between 0 and 9999" in bad.get_data(as_text=True)
    # A client sending one field changes that one: a field left out is not "inherit" (the form sends "")
    assert client.form(f"/decks/{deck.id}/options", {"reviews_per_day": "50"}).status_code == 302
    row = DeckOption.get()
    assert (row.new_per_day, row.reviews_per_day, row.new_order, row.bury_siblings) == (2, 50, "random", False)
    extra = client.form(f"/decks/{deck.id}/extra-new", {"extra_new": "4"})
    assert extra.status_code == 302
    assert DeckOption.get().extra_new_day == study_day_for(User.get(User.username == "alice")).day
    assert DeckOption.get().extra_new == 4
