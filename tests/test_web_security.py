"""Security of the web app: other users' objects are 404 (on both engines), CSRF, headers, no inline script."""
from __future__ import annotations

import re
import time

import pytest
from itsdangerous.timed import TimestampSigner

from quizzer.store.models import Card, CardState, ReviewLog, User
from tests.conftest import PASSWORD, PRIVATE_DECK, PRIVATE_SECRETS, SHARED_DECK, csrf_from, parse


def _text(response) -> str:
    return response.get_data(as_text=True)


def _assert_no_secret(response) -> None:
    body = _text(response)
    for secret in PRIVATE_SECRETS:
        assert secret not in body, f"{secret!r} leaked in {response.request.path}"


# --- Another user's objects: 404, never their data (SQLite and PostgreSQL) ----------------------

@pytest.fixture
def two_users(make_app, db_url, load_deck):
    """alice with a private deck, bob without; both see the shared deck. Runs on both engines."""
    app = make_app(db_url)
    load_deck(SHARED_DECK)
    alice = app.test_client()
    assert alice.signup("alice").status_code == 302
    private = load_deck(PRIVATE_DECK, owner="alice")
    bob = app.test_client()
    assert bob.signup("bob").status_code == 302
    secret_card = Card.get(Card.deck == private.id).id
    return alice, bob, private, secret_card


def test_other_users_private_deck_and_cards_are_404(two_users):
    alice, bob, private, card_id = two_users
    # The owner sees them.
    assert PRIVATE_SECRETS[0] in _text(alice.get(f"/decks/{private.id}"))
    assert alice.get(f"/api/cards/{card_id}").get_json()["answer_html"] == f"<p>{PRIVATE_SECRETS[1]}</p>\n"

    gets = [f"/decks/{private.id}", f"/decks/{private.id}?q=ZEBRA", f"/study?deck={private.id}",
            f"/study?card={card_id}&reveal=1", f"/api/cards/{card_id}", f"/api/review/next?deck={private.id}"]
    for path in gets:
        response = bob.get(path)
        assert response.status_code == 404, path
        _assert_no_secret(response)
    for path, body in [("/api/review/answer", {"card_id": card_id, "quality": 4, "answer_id": "b1"}),
                       (f"/api/cards/{card_id}/suspend", {"suspended": True}),
                       (f"/api/cards/{card_id}/bury", {})]:
        response = bob.api(path, body)
        assert response.status_code == 404 and response.is_json, path
        _assert_no_secret(response)
    for path, data in [("/study/answer", {"card_id": card_id, "quality": "4"}),
                       (f"/cards/{card_id}/suspend", {"suspended": "1"}), (f"/cards/{card_id}/bury", {})]:
        response = bob.form(path, data)
        assert response.status_code == 404, path
        _assert_no_secret(response)

    bob_id = User.get(User.username == "bob").id
    assert CardState.select().where(CardState.user == bob_id).count() == 0
    assert ReviewLog.select().where(ReviewLog.user == bob_id).count() == 0


def test_other_users_objects_look_exactly_like_missing_ones(two_users):
    _, bob, private, card_id = two_users
    missing_card, missing_deck = card_id + 1000, private.id + 1000
    bob.get("/")  # shows (and so clears) the welcome message
    assert bob.get(f"/api/cards/{card_id}").get_json()["error"]["message"] == f"no card {card_id}"
    assert bob.get(f"/api/cards/{missing_card}").get_json()["error"]["message"] == f"no card {missing_card}"
    theirs, nothing = _text(bob.get(f"/decks/{private.id}")), _text(bob.get(f"/decks/{missing_deck}"))
    assert f"no deck {private.id}</p>" in theirs
    strip = lambda html: re.sub(r"no deck \d+", "no deck N", html).split("<main")[1]  # noqa: E731
    assert strip(theirs) == strip(nothing)


def test_other_users_private_deck_is_never_listed_or_studied(two_users):
    alice, bob, private, card_id = two_users
    assert [d["title"] for d in bob.get("/api/decks").get_json()["decks"]] == ["Shared basics"]
    assert sorted(d["title"] for d in alice.get("/api/decks").get_json()["decks"]) == \
        sorted(["Shared basics", PRIVATE_SECRETS[2]])
    _assert_no_secret(bob.get("/"))
    seen = set()
    while (card := bob.get("/api/review/next").get_json()["card"]) is not None:
        assert card["deck"]["id"] != private.id
        seen.add(card["id"])
        response = bob.api("/api/review/answer", {"card_id": card["id"], "quality": 5})
        _assert_no_secret(response)
    assert card_id not in seen and len(seen) == 3
    _assert_no_secret(bob.get("/study/summary"))


def test_answer_ids_are_per_user(two_users):
    alice, bob, _, secret_card = two_users
    alice.api("/api/review/answer", {"card_id": secret_card, "quality": 3, "answer_id": "same-id"})
    shared_card = Card.get(Card.prompt.contains("France")).id
    body = bob.api("/api/review/answer", {"card_id": shared_card, "quality": 5, "answer_id": "same-id"}).get_json()
    assert body["outcome"]["replayed"] is False and body["outcome"]["card_id"] == shared_card
    assert ReviewLog.select().count() == 2


def test_undo_only_takes_back_your_own_answer(two_users):
    alice, bob, _, secret_card = two_users
    alice.api("/api/review/answer", {"card_id": secret_card, "quality": 4})
    response = bob.api("/api/review/undo")
    assert response.status_code == 409  # nothing of his to undo
    _assert_no_secret(response)
    assert ReviewLog.select().count() == 1


# --- CSRF on forms -------------------------------------------------------------------------------

FORM_POSTS = [
    ("/login", {"username": "alice", "password": PASSWORD}),
    ("/signup", {"username": "mallory", "password": PASSWORD}),
    ("/logout", {}),
    ("/account/password", {"old_password": PASSWORD, "new_password": "hijacked pass", "confirm_password":
                           "hijacked pass"}),
    ("/settings", {"timezone": "Asia/Tokyo", "rollover_hour": "4", "new_per_day": "1", "reviews_per_day": "9",
                   "grade_scale": "full"}),
    ("/study/answer", {"card_id": "CARD", "quality": "4"}),
    ("/study/undo", {}),
    ("/cards/CARD/suspend", {"suspended": "1"}),
    ("/cards/CARD/bury", {}),
]


@pytest.mark.parametrize("path, data", FORM_POSTS, ids=[p for p, _ in FORM_POSTS])
@pytest.mark.parametrize("token", [None, "forged-token"])
def test_form_posts_without_a_valid_token_are_400_and_change_nothing(logged_in, load_deck, path, data, token):
    load_deck(SHARED_DECK)
    client = logged_in("alice")
    card_id = str(Card.get(Card.prompt.contains("France")).id)
    alice_before = User.get(User.username == "alice")
    client.api("/api/review/answer", {"card_id": int(card_id), "quality": 5})  # something to undo
    form = {k: v.replace("CARD", card_id) for k, v in data.items()}
    if token is not None:
        form["csrf_token"] = token
    response = client.post(path.replace("CARD", card_id), data=form)
    assert response.status_code == 400
    assert "security token is missing or invalid" in _text(response)
    alice = User.get(User.username == "alice")
    assert (alice.password_hash, alice.session_version, alice.timezone) == \
        (alice_before.password_hash, alice_before.session_version, alice_before.timezone)
    assert User.select().count() == 1
    assert ReviewLog.select().count() == 1
    assert not CardState.get(CardState.card == int(card_id)).suspended
    assert CardState.get(CardState.card == int(card_id)).buried_until is None
    assert client.get("/study/summary").status_code == 200  # still logged in


def test_every_form_carries_a_token(logged_in, load_deck):
    load_deck(SHARED_DECK)
    client = logged_in("alice")
    deck_id = Card.get().deck_id
    for path in ("/", "/study", "/study?reveal=1&card=1", f"/decks/{deck_id}", "/settings", "/account/password",
                 "/signup", "/login"):
        page = parse(client.get(path))
        forms = [f for f in page.find_all("form") if f[1].get("method") == "post"]
        assert forms, path
        html = _text(client.get(path))
        for chunk in html.split("<form")[1:]:
            if 'method="post"' in chunk.split(">")[0]:
                assert 'name="csrf_token"' in chunk.split("</form>")[0], path


def test_csrf_token_does_not_expire_in_a_tab_left_open(make_app, load_deck, monkeypatch):
    app = make_app()
    load_deck(SHARED_DECK)
    assert app.config["WTF_CSRF_TIME_LIMIT"] is None
    client = app.test_client()
    client.signup("alice")
    token = client.refresh_csrf("/study")
    card_id = Card.get(Card.prompt.contains("France")).id

    later = int(time.time()) + 10 * 3600  # the tab stayed open all day
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    response = client.post("/api/review/answer", json={"card_id": card_id, "quality": 4},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert client.post("/study/undo", data={"csrf_token": token}).status_code == 302

    # The same check with Flask-WTF's default one-hour limit fails: the clock patch is real.
    strict = make_app(WTF_CSRF_TIME_LIMIT=3600).test_client()
    monkeypatch.undo()
    strict.signup("bob")
    old = strict.refresh_csrf("/study/summary")
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    response = strict.post("/study/undo", data={"csrf_token": old})
    assert response.status_code == 400 and "expired" in _text(response)


# --- Security headers and no inline script ------------------------------------------------------

def _csp(response) -> dict[str, list[str]]:
    policy = response.headers.get("Content-Security-Policy")
    assert policy, f"no CSP on {response.request.path} ({response.status_code})"
    return {d.split()[0]: d.split()[1:] for d in (part.strip() for part in policy.split(";")) if d}


def _assert_security_headers(response) -> None:
    where = f"{response.request.method} {response.request.path} -> {response.status_code}"
    csp = _csp(response)
    scripts = csp.get("script-src", csp.get("default-src"))
    assert scripts, where
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts and "*" not in scripts, where
    assert "'unsafe-inline'" not in csp.get("style-src", csp.get("default-src")), where
    assert csp.get("frame-ancestors") == ["'none'"], where
    assert csp.get("object-src") == ["'none'"], where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("X-Frame-Options") == "DENY", where


def _all_responses(app, load_deck):
    """One of every kind of response the app gives: pages, redirects, errors, JSON, static files."""
    load_deck(SHARED_DECK)
    anon = app.test_client()
    responses = [anon.get(p) for p in ("/", "/login", "/signup", "/study", "/decks/1", "/no/such/page",
                                       "/logout", "/api/decks", "/api/review/next", "/static/app.css",
                                       "/static/review.js")]
    responses.append(anon.post("/login", data={"username": "x"}))  # CSRF failure
    responses.append(anon.login("nobody", "wrong password"))
    client = app.test_client()
    client.signup("alice")
    card_id = Card.get(Card.prompt.contains("France")).id
    responses += [client.get(p) for p in ("/", "/study", f"/study?card={card_id}&reveal=1", "/study/summary",
                                          "/decks/1", "/decks/999", "/settings", "/account/password",
                                          "/api/decks", "/api/review/next", f"/api/cards/{card_id}",
                                          "/api/cards/999")]
    responses += [client.api("/api/review/answer", {"card_id": card_id, "quality": 9}),
                  client.api("/api/review/answer", {"card_id": card_id, "quality": 4}),
                  client.form("/settings", {"timezone": "Nowhere"}),
                  client.post("/api/review/undo", json={}),
                  client.form("/study/undo")]
    return responses


def test_security_headers_on_every_response(app, load_deck):
    responses = _all_responses(app, load_deck)
    statuses = {r.status_code for r in responses}
    assert {200, 302, 400, 401, 404, 405}.issubset(statuses)
    for response in responses:
        _assert_security_headers(response)


def test_security_headers_on_rate_limited_response(app, client):
    token = csrf_from(_text(client.get("/login")))
    for _ in range(7):
        response = client.post("/login", data={"csrf_token": token, "username": "x", "password": "y" * 8})
    assert response.status_code == 429
    _assert_security_headers(response)


def _assert_no_inline_code(response) -> None:
    where = f"{response.request.path} ({response.status_code})"
    page = parse(response)
    scripts = page.find_all("script")
    for _tag, attrs, text in scripts:
        if attrs.get("type") == "application/json":
            assert "<" not in text, f"raw '<' inside JSON data in {where}"
            continue
        assert attrs.get("src", "").startswith("/static/"), f"inline or foreign script in {where}: {attrs}"
        assert not text.strip(), f"a script with src has a body in {where}"
    assert not page.find_all("style"), f"inline <style> in {where}"
    for tag, attrs, _ in page.elements:
        for name, value in attrs.items():
            assert not name.startswith("on"), f"event handler {name} on <{tag}> in {where}"
            assert name != "style", f"style attribute on <{tag}> in {where} (blocked by the CSP)"
            if name in ("href", "src", "action"):
                assert not (value or "").strip().lower().startswith(("javascript:", "data:text")), where


def test_no_inline_script_in_any_page(app, load_deck):
    html_responses = [r for r in _all_responses(app, load_deck)
                      if r.mimetype == "text/html" and r.status_code != 302]
    assert len(html_responses) >= 15
    for response in html_responses:
        _assert_no_inline_code(response)
        for _, attrs, _ in parse(response).find_all("script"):
            if "src" in attrs:
                assert app.test_client().get(attrs["src"]).status_code == 200, attrs["src"]


def test_no_inline_script_on_the_closed_signup_page(make_app):
    client = make_app(env={"QUIZZER_ALLOW_SIGNUP": "0"}).test_client()
    response = client.get("/signup")
    assert response.status_code == 403
    _assert_no_inline_code(response)
    _assert_security_headers(response)
