"""Accounts through the browser's forms: sign up, log in, log out, change password, sessions."""
from __future__ import annotations

import re

import pytest

from quizzer.store.models import User
from tests.conftest import PASSWORD, SHARED_DECK, csrf_from


def _text(response) -> str:
    return response.get_data(as_text=True)


def _anonymous(client) -> bool:
    """True when the client is treated as logged out (a page asks it to log in)."""
    response = client.get("/study")
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


# --- Sign up ------------------------------------------------------------------------------------

def test_signup_logs_in_and_dashboard_lists_shared_decks_with_counts(app, client, load_deck):
    load_deck(SHARED_DECK)
    response = client.signup("newcomer")
    assert response.status_code == 302 and response.headers["Location"] == "/"

    page = client.get("/")
    html = _text(page)
    assert page.status_code == 200
    assert "Welcome, newcomer!" in html
    assert "Log out" in html and "(newcomer)" in html
    row = re.search(r'<tr>\s*<th scope="row"><a href="/decks/(\d+)">Shared basics</a>.*?</tr>', html, re.S)
    assert row, "the shared deck is listed on the dashboard"
    cells = re.findall(r'<td class="num (new|due|muted)">(\d+)</td>', row.group(0))
    assert dict(cells) == {"new": "3", "due": "0", "muted": "3"}
    assert 'id="study-now" href="/study">Study now · 3' in html
    assert User.get(User.username == "newcomer").password_hash


def test_signup_saves_the_browser_timezone_guess(client):
    assert client.signup("tokyo", timezone="Asia/Tokyo").status_code == 302
    assert User.get(User.username == "tokyo").timezone == "Asia/Tokyo"
    # A bad guess is ignored, never an error: the account is made with UTC.
    assert client.application.test_client().signup("mars", timezone="Mars/Olympus").status_code == 302
    assert User.get(User.username == "mars").timezone == "UTC"


def test_signup_duplicate_username_is_400_with_message(app, logged_in):
    logged_in("alice")
    other = app.test_client()
    response = other.signup("alice", "another long password")
    assert response.status_code == 400
    assert "username &#39;alice&#39; is taken" in _text(response)
    assert User.select().where(User.username == "alice").count() == 1
    assert _anonymous(other)


@pytest.mark.parametrize("username, password, message", [
    ("shorty", "short", "password: at least 8 characters"),
    ("common", "password", "password: too easy to guess. This is a top-10 common password."),
    ("spaces", " " * 8, "password: too easy to guess. Repeats like"),
    ("x", PASSWORD, "username: 2-32 letters"),
    ("bad name!", PASSWORD, "username: 2-32 letters"),
])
def test_signup_bad_input_is_400_and_creates_nothing(client, username, password, message):
    response = client.signup(username, password)
    assert response.status_code == 400
    assert message in _text(response)
    assert 'role="alert"' in _text(response)
    assert User.select().count() == 0
    assert _anonymous(client)


def test_signup_closed_is_403_and_creates_no_account(make_app):
    app = make_app(env={"QUIZZER_ALLOW_SIGNUP": "0"})
    client = app.test_client()
    page = client.get("/signup")
    assert page.status_code == 403
    assert "Sign-up is closed" in _text(page)
    token = csrf_from(_text(client.get("/login")))
    response = client.post("/signup", data={"csrf_token": token, "username": "intruder", "password": PASSWORD})
    assert response.status_code == 403
    assert User.select().count() == 0
    # Nothing invites a visitor to sign up.
    assert 'href="/signup"' not in _text(client.get("/login"))
    assert 'href="/signup"' not in _text(client.get("/"))


def test_signup_page_offered_when_open(client):
    page = client.get("/signup")
    assert page.status_code == 200
    assert 'name="username"' in _text(page) and 'name="password"' in _text(page)


# --- Log in -------------------------------------------------------------------------------------

def test_login_with_right_password_logs_in(app, logged_in):
    logged_in("alice").form("/logout")
    client = app.test_client()
    response = client.login("alice")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/study/summary").status_code == 200


def test_login_goes_back_to_next(app, logged_in):
    logged_in("alice").form("/logout")
    client = app.test_client()
    first = client.get("/settings")
    assert first.status_code == 302 and first.headers["Location"] == "/login?next=/settings"
    response = client.login("alice", next_url="/settings")
    assert response.headers["Location"] == "/settings"


@pytest.mark.parametrize("target", ["//evil.example/x", "/\\evil.example/x", "https://evil.example/",
                                    "/\t/evil.example", "javascript:alert(1)"])
def test_login_never_redirects_off_site(app, logged_in, target):
    logged_in("alice").form("/logout")
    client = app.test_client()
    token = csrf_from(_text(client.get("/login")))
    response = client.post("/login", query_string={"next": target},
                           data={"csrf_token": token, "username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("username", ["alice", "nobody"])
def test_login_wrong_password_or_unknown_user_is_401(app, logged_in, username):
    logged_in("alice").form("/logout")
    client = app.test_client()
    response = client.login(username, "wrong password!")
    assert response.status_code == 401
    assert "Wrong username or password." in _text(response)
    assert _anonymous(client)


def test_login_guesses_at_one_account_must_wait_and_are_told_when(app, logged_in):
    logged_in("alice").form("/logout")
    client = app.test_client()
    token = csrf_from(_text(client.get("/login")))
    for _ in range(6):  # five free guesses, then the sixth starts a one-second wait
        response = client.post("/login", data={"csrf_token": token, "username": "alice", "password": "nope nope"})
        assert response.status_code == 401
    response = client.post("/login", data={"csrf_token": token, "username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"
    assert "Too many attempts. Try again in 1 second." in _text(response)
    assert 'name="username"' in _text(response), "the form is shown again"
    assert _anonymous(client)
    # GET stays open: only attempts are counted.
    assert client.get("/login").status_code == 200


# --- Log out ------------------------------------------------------------------------------------

def test_logout_really_ends_the_session(app, logged_in):
    client = logged_in("alice")
    copied = client.session_cookie().value
    spy = app.test_client()
    spy.set_cookie("session", copied)
    assert spy.get("/study/summary").status_code == 200, "the copied cookie works while logged in"

    response = client.form("/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert _anonymous(client)

    replay = app.test_client()
    replay.set_cookie("session", copied)
    assert _anonymous(replay), "a cookie copied before logout no longer works"
    assert replay.get("/api/decks").status_code == 401


def test_logout_also_kills_the_remember_me_cookie(app, logged_in):
    logged_in("alice").form("/logout")
    client = app.test_client()
    token = csrf_from(_text(client.get("/login")))
    client.post("/login", data={"csrf_token": token, "username": "alice", "password": PASSWORD, "remember": "1"})
    remember = client.get_cookie("remember_token")
    assert remember is not None and remember.http_only
    only_remember = app.test_client()
    only_remember.set_cookie("remember_token", remember.value)
    assert only_remember.get("/study/summary").status_code == 200, "remember-me logs in without a session"

    client.refresh_csrf("/")
    client.form("/logout")
    stale = app.test_client()
    stale.set_cookie("remember_token", remember.value)
    assert _anonymous(stale)


def test_logout_needs_post_with_csrf(logged_in):
    client = logged_in("alice")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert not _anonymous(client)


# --- Change password ----------------------------------------------------------------------------

def _change(client, old, new, confirm=None):
    return client.form("/account/password", {"old_password": old, "new_password": new,
                                              "confirm_password": new if confirm is None else confirm})


def test_change_password_ends_other_sessions_but_keeps_this_one(app, logged_in):
    client = logged_in("alice")
    other = app.test_client()
    assert other.login("alice").status_code == 302
    assert not _anonymous(other)

    response = _change(client, PASSWORD, "a brand new secret")
    assert response.status_code == 302 and response.headers["Location"] == "/settings"
    assert "Password changed" in _text(client.get("/settings"))
    assert not _anonymous(client), "the session that changed the password stays logged in"
    assert _anonymous(other), "every other session is logged out"

    fresh = app.test_client()
    assert fresh.login("alice", PASSWORD).status_code == 401
    assert fresh.login("alice", "a brand new secret").status_code == 302


@pytest.mark.parametrize("old, new, confirm, message", [
    ("not my password", "a brand new secret", None, "current password: does not match"),
    (PASSWORD, "a brand new secret", "something else", "confirm password: does not match"),
    (PASSWORD, "short", None, "password: at least 8 characters"),
    (PASSWORD, "12345678", None, "password: too easy to guess."),
    (PASSWORD, "alice1234", None, "password: too easy to guess."),
])
def test_change_password_errors_are_400_and_change_nothing(app, logged_in, old, new, confirm, message):
    client = logged_in("alice")
    before = User.get(User.username == "alice").password_hash
    response = _change(client, old, new, confirm)
    assert response.status_code == 400
    assert message in _text(response)
    assert User.get(User.username == "alice").password_hash == before
    assert not _anonymous(client)


def test_change_password_page(logged_in, client):
    assert logged_in("alice").get("/account/password").status_code == 200
    response = client.get("/account/password")
    assert response.status_code == 302 and response.headers["Location"] == "/login?next=/account/password"


# --- Storage and cookies ------------------------------------------------------------------------

def test_password_is_stored_hashed(logged_in):
    logged_in("alice")
    stored = User.get(User.username == "alice").password_hash
    assert PASSWORD not in stored
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_an_old_scrypt_hash_is_upgraded_at_the_next_login(app, client):
    from werkzeug.security import generate_password_hash
    User.create(username="old", password_hash=generate_password_hash(PASSWORD, method="scrypt"))
    assert client.login("old", "wrong guess!").status_code == 401
    assert User.get(User.username == "old").password_hash.startswith("scrypt:")  # only a success upgrades
    assert client.login("old", PASSWORD).status_code == 302
    assert User.get(User.username == "old").password_hash.startswith("$argon2id$")
    assert app.test_client().login("old", PASSWORD).status_code == 302


def test_session_cookie_is_httponly_and_samesite_lax(app):
    client = app.test_client()
    page = client.get("/signup")
    response = client.post("/signup", data={"csrf_token": csrf_from(_text(page)),
                                            "username": "alice", "password": PASSWORD})
    cookies = [v for v in response.headers.getlist("Set-Cookie") if v.startswith("session=")]
    assert cookies, "signing up sets the session cookie"
    flags = [part.strip().lower() for part in cookies[-1].split(";")]
    assert "httponly" in flags
    assert "samesite=lax" in flags
    assert "secure" not in flags  # plain http in tests: a Secure cookie would never come back


def test_session_cookie_is_secure_over_https(app):
    client = app.test_client()
    page = client.get("/signup", base_url="https://localhost")
    response = client.post("/signup", base_url="https://localhost",
                           data={"csrf_token": csrf_from(_text(page)), "username": "alice", "password": PASSWORD})
    cookie = [v for v in response.headers.getlist("Set-Cookie") if v.startswith("session=")][-1]
    assert "secure" in [part.strip().lower() for part in cookie.split(";")]
    assert response.headers.get("Strict-Transport-Security")


def test_remember_me_cookie_is_secure_over_https(app, logged_in):
    logged_in("alice").form("/logout")
    client = app.test_client()
    page = client.get("/login", base_url="https://localhost")
    response = client.post("/login", base_url="https://localhost",
                           data={"csrf_token": csrf_from(_text(page)), "username": "alice", "password": PASSWORD,
                                 "remember": "1"})
    assert response.status_code == 302
    cookies = {c.split("=", 1)[0]: [p.strip().lower() for p in c.split(";")]
               for c in response.headers.getlist("Set-Cookie")}
    assert {"session", "remember_token"} <= set(cookies)
    for name in ("session", "remember_token"):
        assert "secure" in cookies[name] and "httponly" in cookies[name] and "samesite=lax" in cookies[name], name
