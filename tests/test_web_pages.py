"""The HTML pages with Flask's test client: who may open what, the no-JS study flow, summary, deck, settings."""
from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from quizzer.srs import Sm2State, format_interval, grade_options, preview
from quizzer.store.models import Card, CardState, ReviewLog, User
from tests.conftest import SHARED_DECK, csrf_from, parse

CHOICE_AND_CLOZE_DECK = """
id: mixed-kinds
title: Mixed kinds
cards:
  - id: prime-pick
    question: Which number is prime?
    answer: "7"
    choices: ["6", "7", "8"]
  - id: capital-cloze
    cloze: The capital of Italy is {{c1::Rome::city}}.
"""


def _text(response) -> str:
    return response.get_data(as_text=True)


def _card_id(prompt_fragment: str) -> int:
    return Card.get(Card.prompt.contains(prompt_fragment)).id


@pytest.fixture
def deck(load_deck):
    return load_deck(SHARED_DECK)


# --- Who may open what ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/signup", "/login"])
def test_public_pages_open_to_anonymous(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "text/html" in response.headers["Content-Type"]


def test_landing_page_invites_to_sign_up(client):
    html = _text(client.get("/"))
    assert 'href="/signup"' in html and 'href="/login"' in html
    assert "Log out" not in html


@pytest.mark.parametrize("method, path", [
    ("GET", "/account/password"), ("POST", "/account/password"),
    ("GET", "/study"), ("GET", "/study?deck=1"), ("POST", "/study/answer"), ("POST", "/study/undo"),
    ("GET", "/study/summary"), ("GET", "/decks/1"), ("GET", "/decks/1?q=x"),
    ("GET", "/settings"), ("POST", "/settings"),
    ("POST", "/cards/1/suspend"), ("POST", "/cards/1/bury"), ("POST", "/logout"),
])
def test_private_pages_send_anonymous_to_login_with_next(client, deck, method, path):
    response = client.form(path) if method == "POST" else client.get(path)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login" and parse_qs(location.query) == {"next": [path]}
    if method == "POST":
        assert ReviewLog.select().count() == 0 and CardState.select().count() == 0


@pytest.mark.parametrize("method, path", [("GET", "/logout"), ("GET", "/study/answer"), ("GET", "/study/undo"),
                                          ("GET", "/cards/1/suspend"), ("GET", "/cards/1/bury"),
                                          ("POST", "/study/summary"), ("POST", "/decks/1")])
def test_wrong_method_is_405(logged_in, deck, method, path):
    client = logged_in("alice")
    response = client.form(path) if method == "POST" else client.get(path)
    assert response.status_code == 405


def test_every_page_for_a_logged_in_user(logged_in, deck):
    client = logged_in("alice")
    france = _card_id("capital of France")
    for path in ("/", "/signup", "/login", "/account/password", "/study", f"/study?deck={deck.id}",
                 f"/study?card={france}&reveal=1", "/study/summary", f"/decks/{deck.id}", "/settings"):
        response = client.get(path)
        assert response.status_code == 200, path
    assert client.form("/study/answer", {"card_id": france, "quality": 4}).status_code == 302
    assert client.form("/study/undo").status_code == 302
    assert client.form(f"/cards/{france}/suspend", {"suspended": "1"}).status_code == 302
    assert client.form(f"/cards/{france}/suspend", {"suspended": "0"}).status_code == 302
    assert client.form(f"/cards/{france}/bury").status_code == 302
    assert client.form("/settings", {"timezone": "UTC", "rollover_hour": "4", "new_per_day": "20",
                                     "reviews_per_day": "200", "grade_scale": "buttons"}).status_code == 302
    assert client.form("/logout").status_code == 302


@pytest.mark.parametrize("path", ["/decks/999999", "/study?deck=999999", "/study?card=999999&reveal=1"])
def test_unknown_objects_are_404_pages(logged_in, deck, path):
    response = logged_in("alice").get(path)
    assert response.status_code == 404
    assert "Not found" in _text(response)


@pytest.mark.parametrize("path", ["/cards/999999/suspend", "/cards/999999/bury"])
def test_unknown_card_actions_are_404(logged_in, deck, path):
    assert logged_in("alice").form(path).status_code == 404
    assert CardState.select().count() == 0


def test_unknown_url_is_404_html(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "text/html" in response.headers["Content-Type"]


# --- Dashboard -----------------------------------------------------------------------------------

def test_dashboard_empty_state_says_what_to_do(logged_in):
    html = _text(logged_in("alice").get("/"))
    assert "No decks yet" in html
    assert "quizzer import" in html
    assert 'id="study-now"' not in html


def test_dashboard_counts_change_after_studying(logged_in, deck):
    client = logged_in("alice")
    france = _card_id("capital of France")
    client.api("/api/review/answer", {"card_id": france, "quality": 4, "answer_id": "a1"})
    html = _text(client.get("/"))
    figures = dict((label, int(n)) for n, label in
                   re.findall(r"<strong>(\d+)</strong>-?\s*(due|new|done today|day streak)", html))
    assert figures == {"due": 0, "new": 2, "done today": 1, "day streak": 1}
    assert "Study now · 2" in html


def test_dashboard_when_all_done(logged_in, deck):
    client = logged_in("alice")
    for n, card in enumerate(Card.select()):
        client.api("/api/review/answer", {"card_id": card.id, "quality": 5, "answer_id": f"done-{n}"})
    html = _text(client.get("/"))
    assert "All done for today" in html
    assert 'id="study-now"' not in html
    response = client.get("/study")
    assert response.status_code == 302 and response.headers["Location"].startswith("/study/summary")


# --- Study without JavaScript --------------------------------------------------------------------

def _grade_buttons(page) -> list[tuple[str, str]]:
    """(label, interval label) of each grade button, in order."""
    labels = [e[2] for e in page.find_all("span", **{"class": "label"})]
    intervals = [e[2] for e in page.find_all("span", **{"class": "ivl"})]
    return list(zip(labels, intervals))


def test_study_without_javascript_question_reveal_grade(logged_in, deck):
    client = logged_in("alice")
    france = _card_id("capital of France")

    page = parse(client.get("/study"))
    assert page.by_id("card")[1]["data-card-id"] == str(france)
    assert "What is the capital of France?" in page.by_id("prompt")[2]
    reveal = page.by_id("reveal")
    assert "Show answer" in reveal[2] and "hidden" not in reveal[1]
    assert reveal[1]["href"] == f"/study?card={france}&reveal=1"
    assert "hidden" in page.by_id("answer")[1] and "hidden" in page.by_id("grades")[1]

    revealed_response = client.get(reveal[1]["href"])
    revealed = parse(revealed_response)
    assert "hidden" not in revealed.by_id("answer")[1]
    assert "Paris" in revealed.by_id("answer-text")[2]
    assert "hidden" in revealed.by_id("reveal")[1]
    form = revealed.by_id("grades")
    assert "hidden" not in form[1] and form[1]["method"] == "post" and form[1]["action"] == "/study/answer"
    buttons = revealed.find_all("button", name="quality")
    assert [b[1]["value"] for b in buttons] == ["2", "3", "4", "5"]
    assert _grade_buttons(revealed) == [("Again", "today · 1d"), ("Hard", "today · 1d"), ("Good", "1d"),
                                        ("Easy", "1d")]
    eases = [e[2] for e in revealed.find_all("span", **{"class": "ease"})]
    assert eases == ["ease −0.32", "ease −0.14", "ease ±0", "ease +0.10"]

    fields = {a["name"]: a.get("value") for _, a, _ in revealed.find_all("input")
              if a.get("type") == "hidden" and a["name"] in ("csrf_token", "card_id", "answer_id")}
    assert fields["card_id"] == str(france) and fields["answer_id"]
    response = client.post("/study/answer", data={**fields, "quality": "4"})
    assert response.status_code == 302 and response.headers["Location"] == "/study"
    log = ReviewLog.get()
    assert (log.card_id, log.quality, log.applied) == (france, 4, True)
    assert CardState.get(CardState.card == france).interval == 1

    # Pressing the button twice (or reloading the POST) grades once.
    assert client.post("/study/answer", data={**fields, "quality": "4"}).status_code == 302
    assert ReviewLog.select().count() == 1

    nxt = parse(client.get("/study"))
    assert nxt.by_id("card")[1]["data-card-id"] != str(france)


def test_study_answer_without_a_card_is_400(logged_in, deck):
    client = logged_in("alice")
    response = client.form("/study/answer", {"quality": "4"})
    assert response.status_code == 400
    assert "card_id: required" in _text(response)
    response = client.form("/study/answer", {"card_id": str(_card_id("France")), "quality": "9"})
    assert response.status_code == 400
    assert "quality must be a whole number from 0 to 5" in _text(response)
    assert ReviewLog.select().count() == 0


def test_study_grade_buttons_show_the_interval_they_give(logged_in, deck):
    client = logged_in("alice")
    france = _card_id("capital of France")
    client.api("/api/review/answer", {"card_id": france, "quality": 5})
    state = CardState.get(CardState.card == france)
    today = state.last_review_day
    # Make it a mature card (6 days, easiness 2.5) last seen 6 days ago and due today.
    CardState.update(repetitions=2, interval=6, easiness_x100=250, due=today,
                     last_review_day=today - timedelta(days=6)).where(CardState.id == state.id).execute()
    page = parse(client.get(f"/study?card={france}&reveal=1"))
    shown = _grade_buttons(page)
    expected = preview(Sm2State(2, 6, 2.5), [2, 3, 4, 5])
    assert shown == [(label, ("today · " if q < 4 else "") + format_interval(expected[q].interval))
                     for label, q in grade_options("buttons")]
    assert shown[1] == ("Hard", "today · 15d") and shown[2] == ("Good", "15d")  # 6 days x 2.5


def test_study_undo_and_nothing_to_undo(logged_in, deck):
    client = logged_in("alice")
    response = client.form("/study/undo")
    assert response.status_code == 302 and response.headers["Location"] == "/study"
    assert "Nothing to undo today." in _text(client.get("/study"))

    france = _card_id("capital of France")
    client.form("/study/answer", {"card_id": france, "quality": "2", "answer_id": "x1"})
    assert ReviewLog.select().count() == 1
    response = client.form("/study/undo")
    assert response.status_code == 302 and response.headers["Location"] == f"/study?card={france}"
    assert ReviewLog.select().count() == 0
    assert CardState.select().count() == 0  # back to new, exactly as before


def test_study_bury_and_suspend_forms_skip_the_card(logged_in, deck):
    client = logged_in("alice")
    france, four = _card_id("capital of France"), _card_id("2 + 2")
    response = client.form(f"/cards/{france}/bury")
    assert response.status_code == 302 and response.headers["Location"] == "/study"
    html = _text(client.get("/study"))
    assert "Card buried until tomorrow." in html
    assert parse(html).by_id("card")[1]["data-card-id"] == str(four)
    response = client.form(f"/cards/{four}/suspend")
    assert response.status_code == 302 and response.headers["Location"] == "/study"
    assert parse(client.get("/study")).by_id("card")[1]["data-card-id"] == str(_card_id("largest ocean"))


def test_study_one_deck_only(logged_in, load_deck, deck):
    other = load_deck(CHOICE_AND_CLOZE_DECK)
    client = logged_in("alice")
    page = parse(client.get(f"/study?deck={deck.id}"))
    assert page.by_id("deck-name")[2] == "Shared basics"
    assert page.by_id("review")[1]["data-deck"] == str(deck.id)
    assert page.by_id("grades")[1]["action"] == f"/study/answer?deck={deck.id}"
    page = parse(client.get(f"/study?deck={other.id}"))
    assert page.by_id("deck-name")[2] == "Mixed kinds"
    card_id = page.by_id("card")[1]["data-card-id"]
    response = client.form(f"/study/answer?deck={other.id}", {"card_id": card_id, "quality": "4"})
    assert response.headers["Location"] == f"/study?deck={other.id}"


def test_study_choice_card_without_javascript(logged_in, load_deck):
    load_deck(CHOICE_AND_CLOZE_DECK)
    client = logged_in("alice")
    card_id = _card_id("Which number is prime")
    page = parse(client.get("/study"))
    choices = page.find_all("a", **{"class": "choice"})
    assert [" ".join(c[2].split()) for c in choices] == ["1 6", "2 7", "3 8"]
    assert choices[0][1]["href"] == f"/study?card={card_id}&reveal=1&picked=1"
    picked = parse(client.get(choices[0][1]["href"]))
    marked = {" ".join(c[2].split()): c[1]["class"] for c in picked.find_all("a")
              if "choice" in c[1].get("class", "")}
    assert marked == {"1 6": "choice wrong", "2 7": "choice right", "3 8": "choice"}


def test_study_cloze_card_shows_blank_then_filled(logged_in, load_deck):
    load_deck(CHOICE_AND_CLOZE_DECK)
    client = logged_in("alice")
    card_id = _card_id("capital of Italy")
    page = parse(client.get(f"/study?card={card_id}"))
    assert "[city]" in page.by_id("prompt")[2] and "Rome" not in page.by_id("prompt")[2]
    assert "Rome" in parse(client.get(f"/study?card={card_id}&reveal=1")).by_id("answer-text")[2]


# --- Summary -------------------------------------------------------------------------------------

def test_summary_counts_by_grade_and_due_tomorrow(logged_in, deck):
    client = logged_in("alice")
    client.get("/study")  # the session starts
    client.api("/api/review/answer", {"card_id": _card_id("France"), "quality": 4, "answer_id": "s1"})
    client.api("/api/review/answer", {"card_id": _card_id("2 + 2"), "quality": 2, "answer_id": "s2"})
    client.api("/api/review/answer", {"card_id": _card_id("largest ocean"), "quality": 4, "answer_id": "s3"})
    html = _text(client.get("/study/summary"))
    page = parse(html)
    assert page.by_id("reviewed")[2] == "3"
    assert page.by_id("due-tomorrow")[2] == "3"
    grades = {" ".join(li[2].split()) for li in page.find_all("li") if li[1].get("class", "").startswith("q")}
    assert grades == {"Again 1", "Good 2"}
    assert "Keep studying · 1 left" in html  # the card graded Again comes back today


def test_summary_labels_follow_the_full_scale(logged_in, deck):
    client = logged_in("alice")
    User.update(grade_scale="full").where(User.username == "alice").execute()
    client.api("/api/review/answer", {"card_id": _card_id("France"), "quality": 0})
    page = parse(client.get("/study/summary"))
    grades = [" ".join(li[2].split()) for li in page.find_all("li") if li[1].get("class", "").startswith("q")]
    assert len(grades) == 1 and grades[0].endswith(" 1") and grades[0] != "0 1"


# --- Deck page -----------------------------------------------------------------------------------

def _rows(response) -> list[str]:
    page = parse(response)
    return [" ".join(td[2].split()) for td in page.find_all("td") if "md" in td[1].get("class", "")]


def test_deck_page_lists_cards_with_state(logged_in, deck):
    client = logged_in("alice")
    client.api("/api/review/answer", {"card_id": _card_id("France"), "quality": 5})
    response = client.get(f"/decks/{deck.id}")
    html = _text(response)
    assert "<h1>Shared basics</h1>" in html
    assert "<strong>shared</strong>" in html  # the description is markdown
    assert "3 cards" in html
    assert _rows(response) == ["What is the capital of France?", "What is 2 + 2?", "Which is the largest ocean?"]
    assert html.count('class="badge new">new</span>') == 2
    assert "1 d" in html and "2.60" in html  # interval and easiness of the reviewed card


@pytest.mark.parametrize("query, expected", [
    ({"q": "capital"}, ["What is the capital of France?"]),
    ({"q": "PACIFIC"}, ["Which is the largest ocean?"]),  # answers are searched too, any case
    ({"tag": "geo"}, ["What is the capital of France?", "Which is the largest ocean?"]),
    ({"tag": "math"}, ["What is 2 + 2?"]),
    ({"q": "ocean", "tag": "geo"}, ["Which is the largest ocean?"]),
    ({"q": "ocean", "tag": "math"}, []),
    ({"q": "nothing matches this"}, []),
])
def test_deck_page_search_by_text_and_tag(logged_in, deck, query, expected):
    response = logged_in("alice").get(f"/decks/{deck.id}", query_string=query)
    assert response.status_code == 200
    assert _rows(response) == expected
    assert f"{len(expected)} card{'' if len(expected) == 1 else 's'}</p>" in _text(response)


def test_deck_page_tag_menu_keeps_the_choice(logged_in, deck):
    page = parse(logged_in("alice").get(f"/decks/{deck.id}?tag=geo"))
    options = {o[2]: "selected" in o[1] for o in page.find_all("option")[-5:]}  # the tag menu's (the last)
    assert options == {"All tags": False, "basics": False, "geo": True, "math": False, "water": False}


def test_suspend_and_unsuspend_from_the_deck_page(logged_in, deck):
    client = logged_in("alice")
    france = _card_id("France")
    page = parse(client.get(f"/decks/{deck.id}?q=capital"))
    form = page.find_all("form", action=f"/cards/{france}/suspend")[0]
    hidden = {a["name"]: a["value"] for _, a, _ in page.find_all("input") if a.get("type") == "hidden"}
    assert hidden["next"] == f"/decks/{deck.id}?q=capital" and hidden["suspended"] == "1"
    assert form[1]["method"] == "post"

    response = client.form(f"/cards/{france}/suspend", {"suspended": "1", "next": hidden["next"]})
    assert response.status_code == 302 and response.headers["Location"] == hidden["next"]
    html = _text(client.get(hidden["next"]))
    assert "Card suspended." in html
    assert '<tr class="suspended">' in html and ">Unsuspend</button>" in html
    assert CardState.get(CardState.card == france).suspended
    for _ in range(2):  # never offered for study while suspended
        nxt = client.api("/api/review/next", method="GET").get_json()["card"]
        assert nxt["id"] != france
        client.api("/api/review/answer", {"card_id": nxt["id"], "quality": 5})
    assert client.api("/api/review/next", method="GET").get_json()["card"] is None

    response = client.form(f"/cards/{france}/suspend", {"suspended": "0", "next": f"/decks/{deck.id}"})
    assert response.headers["Location"] == f"/decks/{deck.id}"
    html = _text(client.get(f"/decks/{deck.id}?q=capital"))
    assert "Card unsuspended." in html and '<tr class="suspended">' not in html and ">Suspend</button>" in html
    assert client.api("/api/review/next", method="GET").get_json()["card"]["id"] == france


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\t/evil.example"])
def test_suspend_next_never_leaves_the_site(logged_in, deck, target):
    client = logged_in("alice")
    response = client.form(f"/cards/{_card_id('France')}/suspend", {"suspended": "1", "next": target})
    assert response.status_code == 302 and response.headers["Location"] == "/study"


# --- Settings ------------------------------------------------------------------------------------

GOOD_SETTINGS = {"timezone": "Europe/Paris", "rollover_hour": "3", "new_per_day": "1",
                 "reviews_per_day": "150", "grade_scale": "full", "new_order": "round_robin"}


def test_settings_page_shows_current_values(logged_in):
    page = parse(logged_in("alice").get("/settings"))
    assert [o[2] for o in page.find_all("option") if "selected" in o[1]] == \
        ["UTC", "Deck order (one deck, then the next)"]
    assert page.by_id("new_per_day")[1]["value"] == "20"
    assert [i[1]["value"] for i in page.find_all("input", type="radio") if "checked" in i[1]] == ["buttons"]


def test_settings_save_and_take_effect(logged_in, deck):
    client = logged_in("alice")
    response = client.form("/settings", GOOD_SETTINGS)
    assert response.status_code == 302 and response.headers["Location"] == "/settings"
    html = _text(client.get("/settings"))
    assert "Settings saved." in html
    user = User.get(User.username == "alice")
    assert (user.timezone, user.rollover_hour, user.new_per_day, user.reviews_per_day, user.grade_scale) == \
        ("Europe/Paris", 3, 1, 150, "full")
    assert (user.new_order, user.bury_siblings) == ("round_robin", False)  # the box was left unticked
    page = parse(html)
    assert [o[2] for o in page.find_all("option") if "selected" in o[1]] == \
        ["Europe/Paris", "Round robin (each deck in turn)"]
    # One new card a day now, and six grade buttons (0-5).
    assert "Study now · 1" in _text(client.get("/"))
    buttons = parse(client.get(f"/study?card={_card_id('France')}&reveal=1")).find_all("button", name="quality")
    assert [b[1]["value"] for b in buttons] == ["0", "1", "2", "3", "4", "5"]


@pytest.mark.parametrize("field, value, message", [
    ("timezone", "Mars/Olympus_Mons", "timezone: unknown time zone &#39;Mars/Olympus_Mons&#39;"),
    ("rollover_hour", "24", "rollover_hour: between 0 and 23"),
    ("new_per_day", "many", "new_per_day: a whole number"),
    ("reviews_per_day", "-1", "reviews_per_day: between 0 and 99999"),
    ("grade_scale", "stars", "grade_scale: "),
])
def test_settings_validation_errors_are_400_and_save_nothing(logged_in, field, value, message):
    client = logged_in("alice")
    response = client.form("/settings", {**GOOD_SETTINGS, field: value})
    assert response.status_code == 400
    html = _text(response)
    assert message in html
    assert 'role="alert"' in html
    user = User.get(User.username == "alice")
    assert (user.timezone, user.new_per_day, user.grade_scale) == ("UTC", 20, "buttons")


def test_settings_form_posts_with_its_own_token(logged_in):
    client = logged_in("alice")
    page = client.get("/settings")
    data = {**GOOD_SETTINGS, "csrf_token": csrf_from(_text(page))}
    assert client.post("/settings", data=data).status_code == 302


# --- Odd query strings and forms never crash ------------------------------------------------------

@pytest.mark.parametrize("path, status", [
    ("/study?deck=%C2%B2", 400),  # "²" passes str.isdigit() but not int(): refused, not a crash
    ("/study?card=%C2%B2", 400),
    ("/decks/DECK?page=%C2%B2", 400),
    ("/decks/DECK?page=99999999999999999", 200),  # past the last page: no rows
    ("/study?deck=99999999999999999999", 404),
    ("/study?card=99999999999999999999&reveal=1", 404),
    ("/decks/99999999999999999999", 404),
    ("/study/summary?deck=99999999999999999999", 404),
])
def test_odd_numbers_in_urls(logged_in, deck, path, status):
    response = logged_in("alice").get(path.replace("DECK", str(deck.id)))
    assert response.status_code == status


@pytest.mark.parametrize("card_id, status", [("99999999999999999999", 404), ("²", 400), ("", 400)])
def test_odd_card_ids_in_forms(logged_in, deck, card_id, status):
    client = logged_in("alice")
    assert client.form("/study/answer", {"card_id": card_id, "quality": "4"}).status_code == status
    assert client.form("/cards/99999999999999999999/suspend").status_code == 404
    assert ReviewLog.select().count() == 0 and CardState.select().count() == 0


def test_summary_keeps_studying_the_same_deck(logged_in, load_deck, deck):
    load_deck(CHOICE_AND_CLOZE_DECK)
    client = logged_in("alice")
    client.api("/api/review/answer", {"card_id": _card_id("France"), "quality": 2})
    html = _text(client.get(f"/study/summary?deck={deck.id}"))
    assert f'href="/study?deck={deck.id}">Keep studying · 3 left' in html
    assert 'href="/study">Keep studying · 5 left' in _text(client.get("/study/summary"))
