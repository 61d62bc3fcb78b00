"""The JSON API under /api/ that the review page talks to: login, CSRF, review flow, errors."""
from __future__ import annotations

from datetime import timedelta

import pytest

from quizzer.store.models import Card, CardState, ReviewLog
from tests.conftest import SHARED_DECK, csrf_from

API_ROUTES = [("GET", "/api/review/next"), ("POST", "/api/review/answer"), ("POST", "/api/review/undo"),
              ("GET", "/api/cards/1"), ("POST", "/api/cards/1/suspend"), ("POST", "/api/cards/1/bury"),
              ("GET", "/api/decks"), ("POST", "/api/review/check")]


def _card_id(prompt_fragment: str) -> int:
    return Card.get(Card.prompt.contains(prompt_fragment)).id


@pytest.fixture
def deck(load_deck):
    return load_deck(SHARED_DECK)


@pytest.fixture
def alice(logged_in, deck):
    return logged_in("alice")


def _next(client) -> dict:
    response = client.get("/api/review/next")
    assert response.status_code == 200
    return response.get_json()


def _error(response, status: int) -> str:
    assert response.status_code == status
    assert response.is_json, response.get_data(as_text=True)[:200]
    body = response.get_json()
    assert body["error"]["status"] == status
    return body["error"]["message"]


# --- Who may call what ---------------------------------------------------------------------------

@pytest.mark.parametrize("method, path", API_ROUTES)
def test_anonymous_api_calls_are_401_json(client, deck, method, path):
    response = client.api(path, {"card_id": 1, "quality": 4}, method=method)  # with a valid CSRF token
    assert _error(response, 401) == "log in first"
    assert ReviewLog.select().count() == 0 and CardState.select().count() == 0


@pytest.mark.parametrize("method, path", [r for r in API_ROUTES if r[0] == "GET"])
def test_anonymous_api_get_without_anything_is_401_not_a_redirect(client, deck, method, path):
    response = client.get(path, headers={"Accept": "text/html"})
    _error(response, 401)
    assert "Location" not in response.headers


def test_every_api_route_for_a_logged_in_user(alice):
    france = _card_id("France")
    assert alice.get("/api/decks").status_code == 200
    assert alice.get("/api/review/next").status_code == 200
    assert alice.get(f"/api/cards/{france}").status_code == 200
    assert alice.api("/api/review/answer", {"card_id": france, "quality": 4}).status_code == 200
    assert alice.api("/api/review/undo").status_code == 200
    assert alice.api(f"/api/cards/{france}/suspend", {"suspended": True}).status_code == 200
    assert alice.api(f"/api/cards/{france}/suspend", {"suspended": False}).status_code == 200
    assert alice.api(f"/api/cards/{france}/bury").status_code == 200


@pytest.mark.parametrize("method, path", [("POST", "/api/review/next"), ("GET", "/api/review/answer"),
                                          ("GET", "/api/review/undo"), ("POST", "/api/cards/1"),
                                          ("GET", "/api/cards/1/suspend"), ("POST", "/api/decks")])
def test_wrong_method_is_405_json(alice, method, path):
    _error(alice.api(path, method=method), 405)


def test_unknown_api_path_is_404_json(alice):
    _error(alice.get("/api/nothing/here"), 404)


# --- Reading -------------------------------------------------------------------------------------

def test_decks_lists_visible_decks_with_counts(alice, deck):
    body = alice.get("/api/decks").get_json()
    assert body == {"decks": [{"id": deck.id, "slug": "shared-basics", "title": "Shared basics", "shared": True,
                               "new": 3, "due": 0, "total": 3}]}
    alice.api("/api/review/answer", {"card_id": _card_id("France"), "quality": 4})
    assert alice.get("/api/decks").get_json()["decks"][0]["new"] == 2


def test_next_returns_the_card_and_counts(alice, deck):
    body = _next(alice)
    assert body["counts"] == {"new": 3, "due": 0, "relearn": 0, "total": 3}
    card = body["card"]
    assert card["id"] == _card_id("France")
    assert card["deck"] == {"id": deck.id, "title": "Shared basics"}
    assert card["prompt_html"] == "<p>What is the capital of France?</p>\n"
    assert card["answer_html"] == "<p>Paris</p>\n"
    assert card["kind"] == "basic" and card["state"] is None
    assert [(g["label"], g["quality"], g["interval_label"], g["easiness_label"]) for g in card["grades"]] == [
        ("Again", 2, "today · 1d", "ease −0.32"), ("Hard", 3, "today · 1d", "ease −0.14"),
        ("Good", 4, "1d", "ease ±0"), ("Easy", 5, "1d", "ease +0.10")]
    assert set(card["tags"]) == {"basics", "geo"}


def test_card_by_id(alice):
    four = _card_id("2 + 2")
    body = alice.get(f"/api/cards/{four}").get_json()
    assert body["id"] == four and body["answer_html"] == "<p>Four</p>\n"


def test_unknown_card_is_404_json(alice):
    assert "no card 999999" in _error(alice.get("/api/cards/999999"), 404)
    _error(alice.api("/api/review/answer", {"card_id": 999999, "quality": 4}), 404)
    _error(alice.api("/api/cards/999999/suspend"), 404)
    _error(alice.api("/api/cards/999999/bury"), 404)
    assert ReviewLog.select().count() == 0 and CardState.select().count() == 0


def test_next_for_a_deck_and_an_unknown_deck(alice, deck):
    assert alice.get(f"/api/review/next?deck={deck.id}").get_json()["card"]["deck"]["id"] == deck.id
    _error(alice.get("/api/review/next?deck=999999"), 404)
    assert "deck: expected a deck id" in _error(alice.get("/api/review/next?deck=abc"), 400)


# --- Answering -----------------------------------------------------------------------------------

def test_answer_returns_the_next_card_in_the_same_response(alice):
    first = _next(alice)["card"]
    response = alice.api("/api/review/answer", {"card_id": first["id"], "quality": 4, "answer_id": "ans-1",
                                                "time_ms": 2500})
    assert response.status_code == 200
    body = response.get_json()
    assert body["outcome"]["card_id"] == first["id"]
    assert body["outcome"]["applied"] is True and body["outcome"]["replayed"] is False
    assert body["outcome"]["interval"] == 1 and body["outcome"]["relearn"] is False
    assert body["card"] is not None and body["card"]["id"] != first["id"]
    assert body["counts"] == {"new": 2, "due": 0, "relearn": 0, "total": 2}
    assert body["card"] == _next(alice)["card"]
    log = ReviewLog.get()
    assert (log.card_id, log.quality, log.answer_id, log.time_ms) == (first["id"], 4, "ans-1", 2500)


def test_same_answer_id_twice_is_applied_once(alice):
    card_id = _next(alice)["card"]["id"]
    body = {"card_id": card_id, "quality": 2, "answer_id": "double-click"}
    first = alice.api("/api/review/answer", body).get_json()
    second = alice.api("/api/review/answer", body).get_json()
    assert ReviewLog.select().count() == 1
    assert first["outcome"]["replayed"] is False and second["outcome"]["replayed"] is True
    assert second["outcome"]["quality"] == 2
    state = CardState.get(CardState.card == card_id)
    assert state.reviews == 1
    # A different answer id is a new answer.
    alice.api("/api/review/answer", {**body, "answer_id": "another"})
    assert ReviewLog.select().count() == 2


def test_failed_card_comes_back_as_relearn(alice):
    card_id = _next(alice)["card"]["id"]
    body = alice.api("/api/review/answer", {"card_id": card_id, "quality": 2}).get_json()
    assert body["outcome"]["relearn"] is True
    assert body["counts"]["relearn"] == 1


def test_undo_restores_the_card_and_returns_it(alice):
    card_id = _next(alice)["card"]["id"]
    alice.api("/api/review/answer", {"card_id": card_id, "quality": 5, "answer_id": "u1"})
    response = alice.api("/api/review/undo")
    assert response.status_code == 200
    body = response.get_json()
    assert body["card"]["id"] == card_id and body["card"]["state"] is None
    assert body["counts"]["new"] == 3
    assert ReviewLog.select().count() == 0 and CardState.select().count() == 0
    assert "nothing to undo" in _error(alice.api("/api/review/undo"), 409)


def test_undo_of_a_review_restores_the_previous_schedule(alice):
    card_id = _next(alice)["card"]["id"]
    alice.api("/api/review/answer", {"card_id": card_id, "quality": 5})
    seen = CardState.get(CardState.card == card_id)
    seen.due, seen.last_review_day = seen.last_review_day, seen.last_review_day - timedelta(days=1)
    seen.save()  # reviewed yesterday with a one-day interval: due today
    before = CardState.get(CardState.card == card_id)
    alice.api("/api/review/answer", {"card_id": card_id, "quality": 4})
    assert CardState.get(CardState.card == card_id).interval == 6
    alice.api("/api/review/undo")
    after = CardState.get(CardState.card == card_id)
    assert (after.interval, after.repetitions, after.due, after.reviews) == \
        (before.interval, before.repetitions, before.due, before.reviews)


def test_suspend_and_unsuspend(alice):
    card_id = _next(alice)["card"]["id"]
    body = alice.api(f"/api/cards/{card_id}/suspend", {"suspended": True}).get_json()
    assert body["card"]["id"] != card_id and body["counts"]["new"] == 2
    assert CardState.get(CardState.card == card_id).suspended
    body = alice.api(f"/api/cards/{card_id}/suspend", {"suspended": False}).get_json()
    assert not CardState.get(CardState.card == card_id).suspended
    assert body["card"]["id"] == card_id


def test_bury_hides_the_card_until_tomorrow(alice):
    card_id = _next(alice)["card"]["id"]
    body = alice.api(f"/api/cards/{card_id}/bury").get_json()
    assert body["card"]["id"] != card_id
    state = CardState.get(CardState.card == card_id)
    assert state.buried_until == state.due + timedelta(days=1)
    seen = set()
    for _ in range(2):
        nxt = _next(alice)["card"]
        seen.add(nxt["id"])
        alice.api("/api/review/answer", {"card_id": nxt["id"], "quality": 5})
    assert card_id not in seen
    assert _next(alice)["card"] is None


# --- Bad requests --------------------------------------------------------------------------------

@pytest.mark.parametrize("quality", [6, -1, "4", 4.5, True, None])
def test_invalid_quality_is_400_naming_the_field(alice, quality):
    message = _error(alice.api("/api/review/answer", {"card_id": _card_id("France"), "quality": quality}), 400)
    assert "quality" in message
    assert ReviewLog.select().count() == 0


@pytest.mark.parametrize("body, field", [
    ({"quality": 4}, "card_id"),
    ({"card_id": "1", "quality": 4}, "card_id"),
    ({"card_id": 1, "quality": 4, "answer_id": 7}, "answer_id"),
    ({"card_id": 1, "quality": 4, "answer_id": "x" * 65}, "answer_id"),
    ({"card_id": 1, "quality": 4, "time_ms": "slow"}, "time_ms"),
    ([1, 4], "body"),
])
def test_malformed_answer_is_400_naming_the_field(alice, body, field):
    assert field in _error(alice.api("/api/review/answer", body), 400)
    assert ReviewLog.select().count() == 0


def test_answer_body_must_be_json(alice):
    response = alice.post("/api/review/answer", data="card_id=1&quality=4",
                          headers={"X-CSRFToken": alice.refresh_csrf(),
                                   "Content-Type": "application/x-www-form-urlencoded"})
    assert "body: expected a JSON object" in _error(response, 400)


# --- CSRF on the API -----------------------------------------------------------------------------

@pytest.mark.parametrize("method, path", [r for r in API_ROUTES if r[0] == "POST"])
def test_api_posts_need_the_csrf_header(alice, method, path):
    card_id = _card_id("France")
    path = path.replace("/1/", f"/{card_id}/")
    response = alice.post(path, json={"card_id": card_id, "quality": 4})
    assert "security token" in _error(response, 400)
    response = alice.post(path, json={"card_id": card_id, "quality": 4}, headers={"X-CSRFToken": "forged"})
    _error(response, 400)
    assert ReviewLog.select().count() == 0 and CardState.select().count() == 0


def test_csrf_token_in_json_body_is_not_enough_but_header_is(alice):
    card_id = _card_id("France")
    token = alice.refresh_csrf("/")
    response = alice.post("/api/review/answer", json={"card_id": card_id, "quality": 4, "csrf_token": token})
    _error(response, 400)
    response = alice.post("/api/review/answer", json={"card_id": card_id, "quality": 4},
                          headers={"X-CSRFToken": token})
    assert response.status_code == 200


def test_token_of_another_session_is_refused(app, alice, logged_in):
    bob = logged_in("bob")
    bobs_token = csrf_from(bob.get("/").get_data(as_text=True))
    response = alice.post("/api/review/answer", json={"card_id": _card_id("France"), "quality": 4},
                          headers={"X-CSRFToken": bobs_token})
    _error(response, 400)


# --- Odd input never crashes the server (both engines: SQLite and PostgreSQL overflow differently) ---

HUGE = 10**20  # past any database integer


@pytest.fixture
def alice_any_engine(make_app, db_url, load_deck):
    app = make_app(db_url)
    load_deck(SHARED_DECK)
    client = app.test_client()
    assert client.signup("alice").status_code == 302
    return client


def test_huge_ids_are_404_not_a_crash(alice_any_engine):
    client = alice_any_engine
    for n in (2**63, HUGE):
        _error(client.get(f"/api/cards/{n}"), 404)
        _error(client.api(f"/api/cards/{n}/suspend", {"suspended": True}), 404)
        _error(client.api(f"/api/cards/{n}/bury"), 404)
        _error(client.api("/api/review/answer", {"card_id": n, "quality": 4}), 404)
        _error(client.get(f"/api/review/next?deck={n}"), 404)
    assert ReviewLog.select().count() == 0 and CardState.select().count() == 0


def test_time_spent_past_the_column_size_is_capped(alice_any_engine):
    client = alice_any_engine
    card_id = _card_id("France")
    response = client.api("/api/review/answer", {"card_id": card_id, "quality": 4, "time_ms": 40 * 86_400_000})
    assert response.status_code == 200
    assert ReviewLog.get().time_ms == 2**31 - 1


def test_a_json_list_body_is_handled_not_a_crash(alice):
    """Undo and bury need no body, so any body is ignored; suspend needs an object."""
    card_id = _card_id("France")
    alice.api("/api/review/answer", {"card_id": card_id, "quality": 4})
    assert alice.api("/api/review/undo", [1, 2]).status_code == 200
    assert ReviewLog.select().count() == 0
    assert "body: expected a JSON object" in _error(alice.api(f"/api/cards/{card_id}/suspend", [True]), 400)
    assert alice.api(f"/api/cards/{card_id}/bury", [1, 2]).status_code == 200
    state = CardState.get(CardState.card == card_id)
    assert state.buried_until is not None and not state.suspended


@pytest.mark.parametrize("path", ["/api/review/undo", "/api/cards/CARD/bury", "/api/cards/CARD/suspend",
                                  "/api/review/answer"])
def test_a_bad_deck_scope_is_400_before_anything_changes(alice, path):
    card_id = _card_id("France")
    alice.api("/api/review/answer", {"card_id": card_id, "quality": 2, "answer_id": "first"})
    state = CardState.get(CardState.card == card_id)
    body = {"card_id": card_id, "quality": 5, "suspended": True}
    response = alice.api(path.replace("CARD", str(card_id)) + "?deck=abc", body)
    assert "deck: expected a deck id" in _error(response, 400)
    after = CardState.get(CardState.card == card_id)
    assert ReviewLog.select().count() == 1
    assert (after.suspended, after.buried_until, after.reviews) == (state.suspended, state.buried_until,
                                                                    state.reviews)


@pytest.mark.parametrize("value", ["false", 0, None, "yes"])
def test_suspend_flag_must_be_a_boolean(alice, value):
    card_id = _card_id("France")
    response = alice.api(f"/api/cards/{card_id}/suspend", {"suspended": value})
    assert "suspended: expected true or false" in _error(response, 400)
    assert CardState.select().where(CardState.suspended).count() == 0
