"""Every route, fuzzed with malformed values on both engines: never a 5xx, the server still answers,
and every 4xx names the parameter or field at fault.

ROUTES lists each route's inputs; a test fails when the app has a route the table does not list,
so a new route is fuzzed too. Each example sends one request with one input replaced by a hostile
value (the others valid), through a logged-in administrator's browser with a valid CSRF token.
Exceptions propagate (TESTING): a crash fails the example with its traceback. The example budget
is fixed (FUZZ_EXAMPLES per engine) so the file runs in about a minute at most.
"""
from __future__ import annotations

import io
import itertools
import json
import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizzer.store.models import User
from tests.conftest import PRIVATE_DECK, SHARED_DECK, parse

FUZZ_EXAMPLES = 600  # per engine: the file takes ~20 s of CPU (a minute or so of wall time on a busy 2-core machine)

# (method, rule) -> where its inputs go ("query", "form", "json") and which it reads, with a valid value each.
DECK, CARD = "1", 1
ROUTES: dict[tuple[str, str], tuple[str, dict]] = {
    ("GET", "/"): ("query", {}),
    ("GET", "/account/password"): ("query", {}),
    ("POST", "/account/password"): ("form", {"old_password": "wrong password", "new_password": "x",
                                             "confirm_password": "y"}),
    ("GET", "/admin/jobs"): ("query", {}),
    ("GET", "/api/cards/<int:card_id>"): ("query", {}),
    ("POST", "/api/cards/<int:card_id>/bury"): ("json", {"deck": 1}),
    ("POST", "/api/cards/<int:card_id>/suspend"): ("json", {"suspended": False, "deck": 1}),
    ("GET", "/api/decks"): ("query", {}),
    ("POST", "/api/quiz"): ("json", {"mode": "typed", "decks": [1], "tags": ["geo"], "count": 2,
                                     "time_limit": 30}),
    ("GET", "/api/quiz/<int:quiz_id>"): ("query", {}),
    ("POST", "/api/quiz/<int:quiz_id>/finish"): ("json", {}),
    ("GET", "/api/quiz/<int:quiz_id>/questions/<int:position>"): ("query", {}),
    ("POST", "/api/quiz/<int:quiz_id>/questions/<int:position>/answer"): (
        "json", {"answer_id": "fuzz", "answer": "Paris", "choice": 1, "time_ms": 10}),
    ("POST", "/api/quiz/<int:quiz_id>/questions/<int:position>/grade"): ("json", {"self_grade": 2}),
    ("POST", "/api/quiz/<int:quiz_id>/questions/<int:position>/overrule"): ("json", {"overrule": True}),
    ("GET", "/api/quiz/<int:quiz_id>/result"): ("query", {}),
    ("POST", "/api/quiz/<int:quiz_id>/retry"): ("json", {}),
    ("GET", "/api/quiz/history"): ("query", {}),
    ("GET", "/api/readiness"): ("query", {}),
    ("POST", "/api/review/answer"): ("json", {"card_id": CARD, "quality": 4, "answer_id": "fuzz", "time_ms": 5,
                                              "deck": 1}),
    ("POST", "/api/review/check"): ("json", {"card_id": CARD, "answer": "Paris"}),
    ("GET", "/api/review/next"): ("query", {"deck": DECK}),
    ("POST", "/api/review/undo"): ("json", {"deck": 1}),
    ("GET", "/api/stats/<name>"): ("query", {"deck": DECK}),
    ("POST", "/cards/<int:card_id>/bury"): ("form", {"deck": DECK}),
    ("POST", "/cards/<int:card_id>/suspend"): ("form", {"suspended": "0", "next": "/", "deck": DECK}),
    ("GET", "/decks/<int:deck_id>"): ("query", {"q": "capital", "tag": "geo", "page": "1"}),
    ("GET", "/export"): ("query", {}),
    ("GET", "/export/backup.zip"): ("query", {"password_hash": "0"}),
    ("GET", "/export/cards.csv"): ("query", {}),
    ("GET", "/export/decks/<int:deck_id>.apkg"): ("query", {}),
    ("GET", "/export/decks/<int:deck_id>.yaml"): ("query", {}),
    ("GET", "/export/decks/<int:deck_id>.zip"): ("query", {}),
    ("GET", "/export/progress.json"): ("query", {}),
    ("GET", "/export/reviews.csv"): ("query", {}),
    ("GET", "/import"): ("query", {}),
    ("POST", "/import"): ("form", {"file": "q\ta\n", "format": "auto", "deck": "fuzz", "separator": "tab",
                                   "separator_custom": ";", "row_separator": "newline",
                                   "row_separator_custom": "|", "with_progress": "0", "reset_changed": "0",
                                   "into": "fuzz"}),
    ("POST", "/import/apply"): ("form", {"token": "0" * 32}),
    ("GET", "/import/jobs/<int:job_id>"): ("query", {}),
    ("GET", "/import/jobs/<int:job_id>/status"): ("query", {}),
    ("POST", "/import/jobs/<int:job_id>/apply"): ("form", {}),
    ("POST", "/import/jobs/<int:job_id>/cancel"): ("form", {}),
    ("GET", "/login"): ("query", {"next": "/"}),
    ("POST", "/login"): ("form", {"username": "nobody", "password": "wrong password"}),
    ("GET", "/media/<name>"): ("query", {}),
    ("GET", "/quiz"): ("query", {}),
    ("POST", "/quiz"): ("form", {"mode": "typed", "deck": DECK, "count": "2", "tags": "geo", "time_limit": "30"}),
    ("GET", "/quiz/<int:quiz_id>"): ("query", {}),
    ("GET", "/quiz/<int:quiz_id>/<int:position>"): ("query", {}),
    ("POST", "/quiz/<int:quiz_id>/<int:position>/answer"): ("form", {"answer_id": "fuzz-form", "answer": "Rome",
                                                                      "choice": "1", "shown_at": "1"}),
    ("POST", "/quiz/<int:quiz_id>/<int:position>/grade"): ("form", {"self_grade": "2"}),
    ("POST", "/quiz/<int:quiz_id>/<int:position>/overrule"): ("form", {"overrule": "1"}),
    ("POST", "/quiz/<int:quiz_id>/finish"): ("form", {}),
    ("GET", "/quiz/<int:quiz_id>/result"): ("query", {}),
    ("POST", "/quiz/<int:quiz_id>/retry"): ("form", {}),
    ("GET", "/quiz/history"): ("query", {}),
    ("GET", "/settings"): ("query", {}),
    ("POST", "/settings"): ("form", {"timezone": "UTC", "rollover_hour": "4", "new_per_day": "20",
                                     "reviews_per_day": "200", "grade_scale": "buttons", "suspend_leeches": ""}),
    ("GET", "/signup"): ("query", {}),
    ("POST", "/signup"): ("form", {"username": "taken", "password": "x", "timezone": "UTC"}),
    ("GET", "/static/<path:filename>"): ("query", {}),
    ("GET", "/stats"): ("query", {"deck": DECK}),
    ("GET", "/study"): ("query", {"deck": DECK, "card": str(CARD), "reveal": "1"}),
    ("POST", "/study/answer"): ("form", {"card_id": str(CARD), "quality": "4", "answer_id": "fuzz-study",
                                         "deck": DECK}),
    ("GET", "/study/summary"): ("query", {"deck": DECK}),
    ("GET", "/study/custom"): ("query", {"custom": "ahead", "days": "3", "deck": DECK, "card": str(CARD),
                                         "reveal": "1"}),
    ("POST", "/study/custom/answer"): ("form", {"custom": "tag", "tag": "geo", "card_id": str(CARD), "quality": "4",
                                                "answer_id": "fuzz-custom", "deck": DECK}),
    ("GET", "/api/custom/next"): ("query", {"custom": "forgotten", "days": "7", "deck": DECK}),
    ("POST", "/api/custom/answer"): ("json", {"custom": "ahead", "days": 3, "card_id": CARD, "quality": 4,
                                              "answer_id": "fuzz-api-custom", "time_ms": 5, "deck": 1}),
    ("POST", "/decks/<int:deck_id>/options"): ("form", {"new_per_day": "5", "reviews_per_day": "",
                                                        "new_order": "random", "bury_siblings": "off"}),
    ("POST", "/decks/<int:deck_id>/extra-new"): ("form", {"extra_new": "3"}),
    ("POST", "/study/undo"): ("form", {"deck": DECK}),
}
# Not fuzzed: logging out ends the session the other examples use (it reads no input).
NOT_FUZZED = {("POST", "/logout")}
PATH_VALUES = {"card_id": "1", "deck_id": "1", "quiz_id": "1", "job_id": "1", "position": "1", "name": "heatmap",
               "filename": "common.js"}
# A 4xx about a path parameter may name what it points at instead ("no card 5", "no figure 'x'").
ALIASES = {"card_id": ("card",), "deck_id": ("deck",), "quiz_id": ("quiz",), "position": ("question",),
           "job_id": ("import",), "name": ("image", "figure", "not found"), "filename": ("not found",),
           "decks": ("deck",), "file": ("upload",), "token": ("upload",), "old_password": ("current password",),
           "confirm_password": ("confirm password",), "new_password": ("password",), "tag": ("tag",),
           "time_limit": ("time_limit",), "custom": ("custom",), "days": ("days",),
           "extra_new": ("extra_new",)}

_NASTY_TEXT = ["", " ", "²", "-1", "0", "2", str(2**63), str(2**64), "9" * 40, "x" * 50_000, "a\x00b", "line\nbreak",
               '"', "<script>alert(1)</script>", "Ａｌｉｃｅ", "1.5", "true", "null", "[]", "../../etc/passwd",
               "%00", "\ud7ff", "１２"]
_NASTY_JSON = [2**63, -(2**63) - 1, 10**30, -1, 0, 1, 3, 1.5, 1e308, True, False, None, [], {}, [1, 2], {"a": 1},
               ["x"] * 1000, "[" * 40]
_DEEP = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]  # deeper than the parser takes

texts = st.sampled_from(_NASTY_TEXT) | st.text(max_size=40)
json_values = (st.sampled_from(_NASTY_JSON + _NASTY_TEXT + [_DEEP]) | st.integers() | st.text(max_size=20)
               | st.lists(st.integers() | st.text(max_size=5), max_size=4))
path_values = st.sampled_from(["0", "1", "2", "3", str(2**63 - 1), str(2**63), "9" * 25, "²", "x", "%00", "-1",
                               "a" * 300]) | st.text(min_size=1, max_size=10)
raw_bodies = st.sampled_from([b"[" * 1000 + b"]" * 1000, b'{"a":' * 500 + b"1" + b"}" * 500, b"\xff\xfe",
                              b"{", b"null", b"[1,2]", b'"x"', b"NaN", b"1" * 5000, b'{"card_id": 1e999}'])


@pytest.fixture
def browser(make_app, db_url, load_deck):
    """An administrator's logged-in browser on a fresh app with a shared and a private deck and a quiz."""
    app = make_app(db_url)
    load_deck(SHARED_DECK)
    client = app.test_client()
    assert client.signup("admin").status_code == 302
    User.update(is_admin=True).where(User.username == "admin").execute()
    load_deck(PRIVATE_DECK, owner="admin")
    assert app.test_client().signup("taken").status_code == 302
    client.refresh_csrf("/")
    assert client.api("/api/quiz", {"mode": "typed", "count": 3}).status_code == 201
    return client


def test_the_table_lists_every_route(app):
    rules = {(method, rule.rule) for rule in app.url_map.iter_rules()
             for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert rules == set(ROUTES) | NOT_FUZZED


def _url(rule: str, path: dict) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: path[m.group(1)], rule)


_addresses = itertools.count(1)


def _send(client, method: str, rule: str, path: dict, location: str, fields: dict, raw: bytes | None):
    url = _url(rule, path)
    headers = {"X-CSRFToken": client.csrf}
    # Each request from its own address: the login rate limit (10 a minute per address) is not under test.
    n = next(_addresses)
    client.environ_base["REMOTE_ADDR"] = f"10.{n // 62_500 % 250}.{n // 250 % 250}.{n % 250}"
    if location == "json":
        data = raw if raw is not None else json.dumps(fields)
        return client.open(url, method=method, data=data, content_type="application/json",
                           headers={**headers, "Accept": "application/json"})
    if location == "form":
        form = dict(fields, csrf_token=client.csrf)
        if "file" in form:
            form["file"] = (io.BytesIO(str(form["file"]).encode("utf-8", "surrogatepass")), "cards.txt")
        return client.open(url, method=method, data=form, headers=headers)
    return client.open(url, method=method, query_string=fields, headers=headers)


def _error_text(response) -> str:
    """The error message: the JSON error's, or the text of the page's alert (error page or form)."""
    if response.is_json:
        return response.get_json()["error"]["message"]
    alerts = [text for _, _, text in parse(response).find_all(role="alert")]
    assert alerts, f"a {response.status_code} page without an error message"
    return " ".join(alerts)


def _names_a_field(response, names: set[str], location: str) -> bool:
    text = _error_text(response).lower()
    words = set(names) | {"path:"} | ({"body"} if location == "json" else set())
    for name in names:
        words.update(ALIASES.get(name, ()))
    return any(word.lower() in text for word in words)


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(data=st.data())
def test_no_route_answers_5xx_and_every_4xx_names_the_field(browser, data):
    (method, rule), (location, valid) = data.draw(st.sampled_from(sorted(ROUTES.items())), label="route")
    path_names = re.findall(r"<(?:\w+:)?(\w+)>", rule)
    path = {name: PATH_VALUES[name] for name in path_names}
    fields, raw = dict(valid), None
    targets = path_names + list(valid) + (["<raw body>"] if location == "json" else [])
    target = data.draw(st.sampled_from(targets), label="input") if targets else None
    if target in path:
        path[target] = quote(data.draw(path_values, label="value"), safe="%")  # "%00" stays a NUL
    elif target == "<raw body>":
        raw = data.draw(raw_bodies, label="value")
    elif target is not None:
        fields[target] = data.draw(json_values if location == "json" else texts, label="value")

    response = _send(browser, method, rule, path, location, fields, raw)

    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    # A 409 is about the state (already answered, nothing to undo), and says what clashes; a 429 says
    # when to try again (the login limit counts the fuzzer's wrong passwords too).
    if 400 <= response.status_code < 500 and response.status_code not in (409, 429) and target is not None:
        assert _names_a_field(response, set(path) | set(fields), location), (
            response.status_code, response.get_data(as_text=True)[:800])
    assert browser.get("/api/decks").status_code == 200  # the server still answers


# The values of the attack that found the 500s of issue 17, and their kin: tried on every input of every route.
SWEEP_TEXT = ["²", str(2**63), "9" * 25, "x" * 50_000, "a\x00b", "-1", ""]
SWEEP_JSON = [2**63, -(2**63) - 1, "²", "x" * 50_000, "a\x00b", _DEEP, ["x"] * 1000, 1.5, None, {"a": [1]}]
SWEEP_PATH = [str(2**63), "9" * 25, "²", "%00", "0"]


def test_every_input_of_every_route_refuses_the_known_attacks(browser):
    statuses: dict[int, int] = {}
    for (method, rule), (location, valid) in sorted(ROUTES.items()):
        path_names = re.findall(r"<(?:\w+:)?(\w+)>", rule)
        base = {name: PATH_VALUES[name] for name in path_names}
        cases = [({**base, name: quote(value, safe="%")}, dict(valid), None)
                 for name in path_names for value in SWEEP_PATH]
        values = SWEEP_JSON if location == "json" else SWEEP_TEXT
        cases += [(base, {**valid, name: value}, None) for name in valid for value in values]
        if location == "json":
            cases += [(base, valid, b"[" * 1000 + b"]" * 1000)]
        for path, fields, raw in cases:
            response = _send(browser, method, rule, path, location, fields, raw)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            assert response.status_code < 500, (method, rule, fields, response.get_data(as_text=True)[:300])
            if 400 <= response.status_code < 500 and response.status_code not in (409, 429):
                assert _names_a_field(response, set(path) | set(fields), location), (
                    method, rule, response.status_code, response.get_data(as_text=True)[:500])
    assert browser.get("/api/decks").status_code == 200
    assert sum(n for status, n in statuses.items() if 400 <= status < 500) > 500, statuses  # they were refused
