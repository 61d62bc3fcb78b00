"""QUIZZER_TRUSTED_PROXIES: behind N trusted proxies the client's address and https are believed
(Secure cookies, HSTS, rate limits, the access log); without it X-Forwarded-* changes nothing."""
from __future__ import annotations

import itertools
import logging

import pytest

from quizzer.config import ConfigError
from quizzer.store.rate_limits import RateCounter
from tests.conftest import PASSWORD, csrf_from, web_settings

NEW_NAMES = (f"user{i}" for i in itertools.count())
FORWARDED = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "quiz.example.org"}


def signup_through_proxy(app, headers=FORWARDED):
    client = app.test_client()
    page = client.get("/signup", headers=headers)
    return client.post("/signup", headers=headers, data={"csrf_token": csrf_from(page.get_data(as_text=True)),
                                                         "username": "alice", "password": PASSWORD})


def cookie_flags(response, name: str) -> list[str]:
    cookie = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(name + "=")][-1]
    return [part.strip().lower() for part in cookie.split(";")]


def wrong_login(app, forwarded_for: str):
    """A wrong password for a new name each time, so only the address's limit can apply."""
    client = app.test_client()
    headers = {"X-Forwarded-For": forwarded_for}
    page = client.get("/login", headers=headers)
    return client.post("/login", headers=headers, data={"csrf_token": csrf_from(page.get_data(as_text=True)),
                                                        "username": next(NEW_NAMES),
                                                        "password": "wrong guess!"})


def test_behind_a_trusted_proxy_cookies_are_secure_with_hsts_and_the_client_address_is_logged(make_app, caplog):
    app = make_app(env={"QUIZZER_TRUSTED_PROXIES": "1"})
    with caplog.at_level(logging.INFO, logger="quizzer.access"):
        response = signup_through_proxy(app)
    assert response.status_code == 302
    assert "secure" in cookie_flags(response, "session")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert response.headers["Location"] == "/"
    logged = [r.getMessage() for r in caplog.records if r.name == "quizzer.access"]
    assert logged and all(line.startswith("203.0.113.7 ") for line in logged), logged


def test_without_trusted_proxies_forwarded_headers_are_ignored(make_app, caplog):
    app = make_app()
    with caplog.at_level(logging.INFO, logger="quizzer.access"):
        response = signup_through_proxy(app)
    assert response.status_code == 302
    assert "secure" not in cookie_flags(response, "session")
    assert "Strict-Transport-Security" not in response.headers
    logged = [r.getMessage() for r in caplog.records if r.name == "quizzer.access"]
    assert logged and all(line.startswith("127.0.0.1 ") for line in logged), logged
    # Every forged address is the same client to the rate limiter.
    for i in range(21):
        assert wrong_login(app, f"198.51.100.{i}").status_code == 401
    assert wrong_login(app, "198.51.100.99").status_code == 429


def test_rate_limits_count_each_client_behind_the_proxy_and_only_the_trusted_hop(make_app):
    app = make_app(env={"QUIZZER_TRUSTED_PROXIES": "1"})
    for i in range(21):  # a forged left-most address is not believed: the proxy's entry is
        assert wrong_login(app, f"10.9.9.{i}, 198.51.100.1").status_code == 401
    assert wrong_login(app, "10.9.9.99, 198.51.100.1").status_code == 429
    assert wrong_login(app, "198.51.100.2").status_code == 401  # another client is not slowed
    assert RateCounter.select().where(RateCounter.key.startswith("password-address:")).count() == 2


def test_trusted_proxies_must_be_a_whole_number(tmp_path):
    with pytest.raises(ConfigError, match="QUIZZER_TRUSTED_PROXIES='-1': must be at least 0"):
        web_settings(tmp_path, "sqlite:///x.db", QUIZZER_TRUSTED_PROXIES="-1")
