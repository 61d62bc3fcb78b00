"""Each input that once made a 500 is now a 4xx naming the parameter, on both engines; bugs stay 500s."""
from __future__ import annotations

import html
import logging

import pytest

from quizzer.services.numbers import parse_whole
from quizzer.store.models import Card, CardState, ReviewLog
from quizzer.store.quiz_models import QuizQuestion
from quizzer.web.params import MAX_JSON_BYTES, MAX_JSON_DEPTH, MAX_SEARCH_CHARS
from tests.conftest import SHARED_DECK


@pytest.fixture
def app_any_engine(make_app, db_url, load_deck):
    app = make_app(db_url, PROPAGATE_EXCEPTIONS=False)  # a crash is a 500 response here, as in production
    load_deck(SHARED_DECK)
    return app


@pytest.fixture
def alice(app_any_engine):
    client = app_any_engine.test_client()
    assert client.signup("alice").status_code == 302
    client.refresh_csrf("/")
    return client


def _card(fragment: str) -> int:
    return Card.get(Card.prompt.contains(fragment)).id


def _message(response, status: int) -> str:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    if response.is_json:
        return response.get_json()["error"]["message"]
    return html.unescape(response.get_data(as_text=True))


def _deck_id() -> int:
    return Card.get().deck_id


JSON_POSTS = ["/api/review/answer", "/api/review/undo", "/api/cards/CARD/suspend", "/api/cards/CARD/bury",
              "/api/quiz"]


@pytest.mark.parametrize("path", JSON_POSTS)
def test_deeply_nested_json_is_400_naming_the_body(alice, path):
    deep = "[" * 1000 + "]" * 1000
    response = alice.post(path.replace("CARD", str(_card("France"))), data=deep, content_type="application/json",
                          headers={"X-CSRFToken": alice.csrf, "Accept": "application/json"})
    assert f"body: JSON nested deeper than {MAX_JSON_DEPTH} levels" in _message(response, 400)
    assert ReviewLog.select().count() == 0 and CardState.select().count() == 0


def test_json_nesting_inside_strings_does_not_count_and_the_limit_itself_passes(alice):
    card = _card("France")
    brackets = '"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\""'
    nested = "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1)
    body = f'{{"card_id": {card}, "quality": 4, "answer_id": {brackets}, "x": {nested}}}'
    response = alice.post("/api/review/answer", data=body, content_type="application/json",
                          headers={"X-CSRFToken": alice.csrf})
    assert response.status_code == 200, response.get_json()


def test_a_json_body_past_the_size_limit_is_413(alice):
    body = '{"card_id": 1, "quality": 4, "pad": "%s"}' % ("x" * MAX_JSON_BYTES)
    response = alice.post("/api/review/answer", data=body, content_type="application/json",
                          headers={"X-CSRFToken": alice.csrf})
    assert "body: at most 64 KiB" in _message(response, 413)


@pytest.mark.parametrize("body, field", [
    ('{"card_id": 1, "quality": NaN}', "body"),
    ('{"card_id": 1, "quality": 1' + "0" * 5000 + "}", "body"),
    ('{"card_id": 1, "quality": 4, "answer_id": "a\\u0000b"}', "answer_id"),
    ('{"card_id": 1, "quality": 4, "queue": {"decks": [], "day": ["x\\u0000"]}}', "day"),
    ('{"card_id": 1, "quality": 4, "x": [{"k\\u0000": 1}]}', "x"),
    (b'{"card_id": 1, "quality": 4, "answer_id": "\xff"}', "body"),
])
def test_malformed_json_is_400_naming_the_field(alice, body, field):
    response = alice.post("/api/review/answer", data=body, content_type="application/json",
                          headers={"X-CSRFToken": alice.csrf})
    assert _message(response, 400).startswith(f"{field}:")


def test_an_escaped_backslash_before_u0000_is_not_a_nul(alice):
    body = f'{{"card_id": {_card("France")}, "quality": 4, "answer_id": "a\\\\u0000b"}}'  # a backslash, no NUL
    response = alice.post("/api/review/answer", data=body, content_type="application/json",
                          headers={"X-CSRFToken": alice.csrf})
    assert response.status_code == 200, response.get_json()
    assert ReviewLog.get().answer_id == "a\\u0000b"


@pytest.mark.parametrize("path", ["/stats?deck=%C2%B2", "/api/stats/heatmap?deck=%C2%B2", "/study?deck=%C2%B2",
                                  "/api/review/next?deck=%C2%B2", "/study/summary?deck=%C2%B2"])
def test_a_non_ascii_digit_in_the_deck_scope_is_400(alice, path):
    assert "deck: expected a deck id, got '²'" in _message(alice.get(path), 400)


@pytest.mark.parametrize("path", ["/stats?deck=N", "/api/stats/heatmap?deck=N", "/study?deck=N",
                                  "/api/review/next?deck=N", "/study?card=N", "/decks/N", "/api/cards/N"])
@pytest.mark.parametrize("number", [2**63, 2**63 - 1, 10**25])
def test_ids_past_the_largest_integer_are_404(alice, path, number):
    message = _message(alice.get(path.replace("N", str(number))), 404)
    assert "deck" in message or "card" in message or message.startswith("path:")  # past the URL converter


def test_ids_past_the_largest_integer_in_json_bodies_are_404(alice):
    card = _card("France")
    for body in ({"card_id": 2**63, "quality": 4}, {"card_id": card, "quality": 4, "deck": 2**63}):
        assert "no card" in _message(alice.api("/api/review/answer", body), 404) or \
            "no deck" in _message(alice.api("/api/review/answer", body), 404)
    assert "no deck" in _message(alice.api("/api/quiz", {"mode": "typed", "decks": [-2**64]}), 404)
    assert ReviewLog.select().count() == 0


@pytest.mark.parametrize("param", ["q", "tag"])
def test_a_long_search_or_tag_filter_is_400_naming_it(alice, param):
    response = alice.get(f"/decks/{_deck_id()}?{param}={'x' * 50_000}")
    assert f"{param}: at most {MAX_SEARCH_CHARS} characters" in _message(response, 400)
    assert alice.get(f"/decks/{_deck_id()}?{param}={'x' * MAX_SEARCH_CHARS}").status_code == 200


@pytest.mark.parametrize("path, data", [("/login", {"username": "a\x00b", "password": "x"}),
                                        ("/signup", {"username": "bob\x00", "password": "correct horse"}),
                                        ("/decks/DECK?q=a%00b", None)])
def test_a_nul_character_is_400_naming_the_field(alice, path, data):
    path = path.replace("DECK", str(_deck_id()))
    response = alice.form(path, data) if data else alice.get(path)
    message = _message(response, 400)
    assert ("username: contains a NUL character" in message) or ("q: contains a NUL character" in message)


def test_media_name_with_a_nul_is_400(alice):
    assert "path: contains a NUL character" in _message(alice.get("/media/a%00.png"), 400)


def test_reusing_a_quiz_answer_id_for_another_question_is_409(alice):
    quiz = alice.api("/api/quiz", {"mode": "typed", "count": 3}).get_json()
    first = alice.api(f"/api/quiz/{quiz['id']}/questions/1/answer", {"answer_id": "same", "answer": "x"})
    assert first.status_code == 200
    second = alice.api(f"/api/quiz/{quiz['id']}/questions/2/answer", {"answer_id": "same", "answer": "x"})
    assert "answer_id: 'same' was already used for question 1" in _message(second, 409)
    assert QuizQuestion.get(QuizQuestion.position == 2).answered_at is None
    again = alice.api(f"/api/quiz/{quiz['id']}/questions/1/answer", {"answer_id": "same", "answer": "x"})
    assert again.status_code == 200  # the same answer again is still a harmless replay


def test_reusing_a_review_answer_id_on_another_card_is_409_not_a_replay(alice):
    france, ocean = _card("France"), _card("ocean")
    assert alice.api("/api/review/answer", {"card_id": france, "quality": 4, "answer_id": "one"}).status_code == 200
    response = alice.api("/api/review/answer", {"card_id": ocean, "quality": 1, "answer_id": "one"})
    assert "answer_id: 'one' was already used" in _message(response, 409)
    assert CardState.get_or_none(CardState.card == ocean) is None and ReviewLog.select().count() == 1
    replay = alice.api("/api/review/answer", {"card_id": france, "quality": 4, "answer_id": "one"})
    assert replay.get_json()["outcome"]["replayed"] is True


def test_the_no_js_form_also_refuses_a_reused_answer_id(alice):
    france, ocean = _card("France"), _card("ocean")
    assert alice.form("/study/answer", {"card_id": france, "quality": "4", "answer_id": "f"}).status_code == 302
    response = alice.form("/study/answer", {"card_id": ocean, "quality": "4", "answer_id": "f"})
    assert "answer_id" in _message(response, 409)


def test_an_unexpected_exception_stays_a_500_logged_with_a_request_id(make_app, caplog):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("a bug")

    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        response = app.test_client().get("/boom")
    request_id = response.headers["X-Request-ID"]
    assert response.status_code == 500 and request_id in response.get_data(as_text=True)
    assert any(request_id in r.getMessage() and r.exc_info and r.exc_info[0] is RuntimeError
               for r in caplog.records)
    json_response = app.test_client().get("/boom", headers={"Accept": "application/json"})
    assert json_response.get_json()["error"]["status"] == 500


@pytest.mark.parametrize(("raw", "unsigned", "signed"), [
    ("42", 42, 42), (" 7\n", 7, 7), (3, 3, 3), ("-3", None, -3), ("+3", None, 3), ("1_0", None, None),
    ("٣", None, None), ("²", None, None), ("1e3", None, None), ("", None, None), (True, None, None),
    (1.0, None, None), ("9" * 30, int("9" * 30), int("9" * 30)), ("9" * 31, None, None), (None, None, None),
])
def test_one_rule_reads_whole_numbers_for_the_web_and_the_services(raw, unsigned, signed):
    assert parse_whole(raw) == unsigned
    assert parse_whole(raw, signed=True) == signed
