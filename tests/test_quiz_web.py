"""Quiz pages without JavaScript, the JSON API under /api/quiz/ and its bad input, dashboard readiness."""
from __future__ import annotations

import re

import pytest

from quizzer.store.models import ReviewLog, User
from quizzer.store.quiz_models import Quiz, QuizQuestion
from tests.conftest import parse
from tests.quiz_fixtures import ANSWERS, OTHER_DECK, card_of, load


@pytest.fixture
def deck(app, write_deck):
    return load(write_deck)


@pytest.fixture
def alice(logged_in, deck):
    return logged_in("alice")


def start(client, mode="typed", **fields):
    response = client.api("/api/quiz", {"mode": mode, **fields})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def prompt_text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", parse(html).by_id("prompt")[2]).strip()


def quiz_logs(username: str):
    user = User.get(User.username == username)
    return list(ReviewLog.select().where((ReviewLog.user == user.id) & (ReviewLog.kind == "quiz")))


# --- Pages, no JavaScript ----------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/quiz", "/quiz/history", "/quiz/1", "/quiz/1/1", "/quiz/1/result"])
def test_quiz_pages_need_a_login(client, deck, path):
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")


def test_the_new_quiz_form_lists_modes_and_decks(alice, deck):
    page = parse(alice.get("/quiz"))
    modes = {attrs["value"] for _, attrs, _ in page.find_all("input", name="mode")}
    assert modes == {"choice", "typed", "interview"}
    assert [attrs["value"] for _, attrs, _ in page.find_all("input", name="deck")] == [str(deck.id)]


def test_a_typed_quiz_through_plain_forms(alice, deck):
    response = alice.form("/quiz", {"mode": "typed", "tag": "geo", "count": "2"})
    assert response.status_code == 302
    first = response.headers["Location"]
    quiz_id = int(first.split("/")[2])
    for position in (1, 2):
        page = alice.get(f"/quiz/{quiz_id}/{position}").get_data(as_text=True)
        answer_id = parse(page).find_all("input", name="answer_id")[0][1]["value"]
        sent = alice.form(f"/quiz/{quiz_id}/{position}/answer",
                          {"answer_id": answer_id, "answer": ANSWERS[prompt_text(page)].lower()})
        assert sent.headers["Location"] == f"/quiz/{quiz_id}/{position}"
        shown = parse(alice.get(sent.headers["Location"]))
        assert shown.by_id("verdict")[2] == "Right"
    finished = alice.form(f"/quiz/{quiz_id}/finish")
    assert finished.headers["Location"] == f"/quiz/{quiz_id}/result"
    result = parse(alice.get(f"/quiz/{quiz_id}/result"))
    assert result.by_id("score")[2] == "2 / 2" and result.by_id("percent")[2] == "100 %"
    assert len(quiz_logs("alice")) == 2


def test_a_near_miss_shows_the_difference_and_can_be_overruled_by_form(alice, deck):
    quiz = start(alice, tags=["geo"], count=1)
    page = alice.get(quiz["url"]).get_data(as_text=True)
    typo = ANSWERS[prompt_text(page)][:-1] + "x"  # "Parix", "Romx": a near miss
    alice.form(f"/quiz/{quiz['id']}/1/answer", {"answer_id": "n1", "answer": typo})

    shown = parse(alice.get(f"/quiz/{quiz['id']}/1"))
    assert shown.by_id("verdict")[2] == "Almost: a near miss"
    assert [text for _, _, text in shown.find_all("ins")] == [ANSWERS[prompt_text(page)][-1].lower()]
    assert [text for _, _, text in shown.find_all("del")] == ["x"]
    assert "hidden" not in shown.by_id("overrule-form")[1] and "hidden" in shown.by_id("next-wrap")[1]
    assert quiz_logs("alice") == []

    alice.form(f"/quiz/{quiz['id']}/1/overrule", {"overrule": "1"})
    log, = quiz_logs("alice")
    assert log.quality == 3


def test_a_choice_question_by_form_and_the_interview_self_grade(alice, deck):
    react = card_of("react").id
    quiz = Quiz.create(user=User.get(User.username == "alice"), mode="choice", seed=1, question_count=1,
                       time_limit_s=30)
    QuizQuestion.create(quiz=quiz, position=1, card=react, options=["Reflection", "ReAct"], correct_option=1)
    alice.form(f"/quiz/{quiz.id}/1/answer", {"answer_id": "c1", "choice": "2"})
    page = parse(alice.get(f"/quiz/{quiz.id}/1"))
    assert "right" in page.find_all("button", value="2")[0][1]["class"]

    interview = start(alice, "interview", tags=["theory"], count=1)
    alice.form(f"/quiz/{interview['id']}/1/answer", {"answer_id": "i1", "answer": "bias and variance"})
    shown = parse(alice.get(f"/quiz/{interview['id']}/1"))
    assert "Regularisation and ensembles" in shown.by_id("explanation")[2]
    assert "hidden" not in shown.by_id("grade-form")[1]
    graded = alice.form(f"/quiz/{interview['id']}/1/grade", {"self_grade": "2"})
    assert graded.headers["Location"] == f"/quiz/{interview['id']}/1"
    assert sorted(log.quality for log in quiz_logs("alice")) == [4, 5]


def test_bad_form_input_shows_the_form_again(alice, deck):
    response = alice.form("/quiz", {"mode": "typed", "tags": "no-such-tag", "count": "3"})
    assert response.status_code == 400
    page = parse(response)
    assert "no cards to quiz on" in page.find_all("p", class_="error")[0][2]
    assert page.find_all("input", id="tags")[0][1]["value"] == "no-such-tag"


def test_forms_without_a_csrf_token_are_refused(alice, deck):
    response = alice.post("/quiz", data={"mode": "typed", "tags": "geo"})
    assert response.status_code == 400 and Quiz.select().count() == 0


def test_retry_the_missed_cards_and_the_history_page(alice, deck):
    quiz = start(alice, tags=["geo"], count=2)
    alice.api(f"/api/quiz/{quiz['id']}/questions/1/answer", {"answer_id": "w", "answer": "Atlantis"})
    alice.api(f"/api/quiz/{quiz['id']}/finish")

    result = parse(alice.get(f"/quiz/{quiz['id']}/result"))
    assert result.by_id("retry-missed")[2].strip() == "Review the 2 missed cards now"
    retried = alice.form(f"/quiz/{quiz['id']}/retry")
    new_id = int(retried.headers["Location"].split("/")[2])
    assert QuizQuestion.select().where(QuizQuestion.quiz == new_id).count() == 2
    history = alice.get("/quiz/history").get_data(as_text=True)
    assert history.count('href="/quiz/') >= 2 and "#geo" in history


# --- JSON API ----------------------------------------------------------------------------------------

def test_unknown_quiz_and_question_are_404_json(alice, deck):
    for method, path in [("GET", "/api/quiz/999"), ("GET", "/api/quiz/999/questions/1"),
                         ("POST", "/api/quiz/999/questions/1/answer"), ("POST", "/api/quiz/999/finish"),
                         ("POST", "/api/quiz/999/questions/1/overrule"), ("POST", "/api/quiz/999/retry")]:
        response = alice.api(path, {"answer_id": "x", "answer": "y", "overrule": True}, method=method)
        assert response.status_code == 404, path
        assert response.get_json()["error"]["status"] == 404
    quiz = start(alice, tags=["geo"], count=1)
    assert alice.api(f"/api/quiz/{quiz['id']}/questions/2", method="GET").status_code == 404


def test_another_users_quiz_is_404_and_nothing_is_applied(logged_in, deck):
    alice, mallory = logged_in("alice"), logged_in("mallory")
    quiz = start(alice, tags=["geo"], count=2)

    for method, path, body in [
            ("GET", f"/api/quiz/{quiz['id']}", None), ("GET", f"/api/quiz/{quiz['id']}/questions/1", None),
            ("POST", f"/api/quiz/{quiz['id']}/questions/1/answer", {"answer_id": "m", "answer": "Paris"}),
            ("POST", f"/api/quiz/{quiz['id']}/questions/1/grade", {"self_grade": 2}),
            ("POST", f"/api/quiz/{quiz['id']}/finish", {})]:
        assert mallory.api(path, body, method=method).status_code == 404, path
    for path in (f"/quiz/{quiz['id']}", f"/quiz/{quiz['id']}/1", f"/quiz/{quiz['id']}/result"):
        assert mallory.get(path).status_code == 404
    assert ReviewLog.select().count() == 0
    assert Quiz.get_by_id(quiz["id"]).finished_at is None


def test_an_answer_posted_twice_is_applied_once(alice, deck):
    quiz = start(alice, tags=["geo"], count=1)
    prompt = re.sub(r"<[^>]+>", "", alice.api(f"/api/quiz/{quiz['id']}/questions/1", method="GET")
                    .get_json()["prompt_html"]).strip()
    body = {"answer_id": "twice", "answer": ANSWERS[prompt], "time_ms": 2000}

    first = alice.api(f"/api/quiz/{quiz['id']}/questions/1/answer", body)
    second = alice.api(f"/api/quiz/{quiz['id']}/questions/1/answer", body)
    other = alice.api(f"/api/quiz/{quiz['id']}/questions/1/answer", {**body, "answer_id": "third"})

    assert first.status_code == second.status_code == 200
    assert first.get_json()["feedback"] == second.get_json()["feedback"]
    assert first.get_json()["feedback"]["quality"] == 5
    assert other.status_code == 409
    assert len(quiz_logs("alice")) == 1


@pytest.mark.parametrize("path, body, message", [
    ("/api/quiz", {"mode": "essay"}, "mode"),
    ("/api/quiz", {"mode": "typed", "count": "lots"}, "count"),
    ("/api/quiz", {"mode": "typed", "count": "²"}, "count"),
    ("/api/quiz", {"mode": "typed", "decks": "1"}, "decks"),
    ("/api/quiz", {"mode": "typed", "decks": [None]}, "decks"),
    ("/api/quiz", {"mode": "typed", "decks": ["²"]}, "decks"),
    ("/api/quiz", {"mode": "typed", "tags": {"a": 1}}, "tags"),
    ("/api/quiz", {"mode": "typed", "time_limit": 3}, "time_limit"),
    ("/api/quiz", [1, 2], "body"),
    ("ANSWER", {"answer": "Paris"}, "answer_id"),
    ("ANSWER", {"answer_id": "a", "answer": 5}, "answer"),
    ("ANSWER", {"answer_id": "a", "answer": "Paris", "time_ms": -3}, "time_ms"),
    ("ANSWER", {"answer_id": "a" * 65, "answer": "Paris"}, "answer_id"),
    ("OVERRULE", {"overrule": "yes"}, "overrule"),
    ("GRADE", {"self_grade": 9}, "self_grade"),
])
def test_bad_json_is_400_with_the_field_named(alice, deck, path, body, message):
    quiz = start(alice, tags=["geo"], count=1)
    base = f"/api/quiz/{quiz['id']}/questions/1"
    path = {"ANSWER": base + "/answer", "OVERRULE": base + "/overrule", "GRADE": base + "/grade"}.get(path, path)

    response = alice.api(path, body)

    assert response.status_code == 400
    assert message in response.get_json()["error"]["message"]
    assert ReviewLog.select().count() == 0


def test_a_question_shows_no_answer_before_it_is_answered(alice, deck):
    quiz = start(alice, "choice", tags=["agents"], count=1)
    payload = alice.api(f"/api/quiz/{quiz['id']}/questions/1", method="GET").get_json()

    assert payload["feedback"] is None and "right" not in str(payload["options"])
    assert sorted(re.sub(r"<[^>]+>", "", o["html"]) for o in payload["options"]) == [
        "Multi-agent", "Planning", "ReAct", "Reflection"]
    assert alice.api(f"/api/quiz/{quiz['id']}/result", method="GET").get_json()["results"][0]["feedback"] is None


def test_finish_returns_the_result_with_the_missed_answers(alice, deck):
    quiz = start(alice, tags=["geo"], count=2)
    alice.api(f"/api/quiz/{quiz['id']}/questions/1/answer", {"answer_id": "a", "answer": "", "time_ms": 1500})

    result = alice.api(f"/api/quiz/{quiz['id']}/finish").get_json()

    assert (result["right"], result["answered"], result["missed"]) == (0, 1, [1, 2])
    assert result["results"][0]["feedback"]["outcome"] == "blank"
    assert result["results"][1]["feedback"]["answer_html"]  # unanswered, but the quiz is over: shown
    assert alice.api("/api/quiz/history", method="GET").get_json()["quizzes"][0]["id"] == quiz["id"]


def test_the_api_needs_a_login(client, deck):
    assert client.api("/api/quiz", {"mode": "typed"}).status_code == 401
    assert client.get("/api/quiz/history").status_code == 401
    assert Quiz.select().count() == 0


# --- Dashboard ---------------------------------------------------------------------------------------

def test_dashboard_readiness_and_drilling_the_weakest_topics(alice, deck, write_deck):
    load(write_deck, OTHER_DECK, name="other.yaml")
    assert "Study or quiz a few cards" in alice.get("/").get_data(as_text=True)
    quiz = start(alice, tags=["geo"], count=1)
    alice.api(f"/api/quiz/{quiz['id']}/questions/1/answer", {"answer_id": "z", "answer": "nope"})

    page = parse(alice.get("/"))
    meters = page.find_all("meter")
    assert {attrs["aria-label"] for _, attrs, _ in meters} >= {"Quiz basics readiness", "Other topic readiness"}
    assert all(0 <= int(attrs["value"]) <= 100 for _, attrs, _ in meters)
    weakest = page.by_id("weakest")
    assert weakest[1]["action"] == "/quiz"
    assert [text for _, _, text in page.find_all("strong", class_="weak-topic")] == ["#geo", "Quiz basics"]
    drill = {attrs["name"]: attrs["value"] for _, attrs, _ in page.find_all("input") if attrs.get("name") in
             ("deck", "tag", "mode")}
    assert drill == {"mode": "interview", "tag": "geo", "deck": str(deck.id)}
    assert alice.form("/quiz", drill).status_code == 302
    drilled = Quiz.select().order_by(Quiz.id.desc()).first()
    assert (drilled.mode, drilled.deck_ids, drilled.tags) == ("interview", [deck.id], ["geo"])
    assert "style=" not in alice.get("/").get_data(as_text=True)  # CSP: no inline styles
    readiness = alice.api("/api/readiness", method="GET").get_json()
    assert [t["label"] for t in readiness["weakest"]] == ["geo", "Quiz basics"]
