"""The shared rate limiter: growing waits per account and per address, the owner's address spared,
counters shared by every worker process and kept across a restart (SQLite and PostgreSQL)."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

import pytest

from quizzer.services import rate_limits
from quizzer.services import users as user_service
from quizzer.services.errors import InvalidInput
from quizzer.services.rate_limits import PASSWORD_GUESSES_PER_ACCOUNT, Counter, RateLimited, delay
from quizzer.store.rate_limits import RateCounter
from tests.conftest import PASSWORD, at

NOW = at("2026-01-05 10:00")
QUIZZER = Path(sys.executable).parent / "quizzer"


def test_waits_double_after_the_free_attempts_and_stop_at_fifteen_minutes():
    waits = [delay(PASSWORD_GUESSES_PER_ACCOUNT, n).total_seconds() for n in range(1, 20)]
    assert waits == [0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900, 900]
    assert delay(PASSWORD_GUESSES_PER_ACCOUNT, 10_000) == timedelta(minutes=15)


def guess(username: str, address: str, when, password: str = "wrong guess!"):
    return user_service.log_in(username, password, address, when)


def test_guesses_at_one_account_from_many_addresses_must_wait_longer_each_time(db):
    user_service.create_user("alice", PASSWORD)
    addresses = [f"198.51.100.{i}" for i in range(5)]
    for i in range(6):
        assert guess("alice", addresses[i % 5], NOW) is None
    with pytest.raises(RateLimited, match=r"^Too many attempts\. Try again in 1 second\.$") as limited:
        guess("alice", addresses[1], NOW, PASSWORD)  # even the right password waits: nothing is checked
    assert limited.value.retry_after == 1
    assert guess("Alice ", addresses[2], NOW + timedelta(seconds=1)) is None  # case and spaces: the same name
    with pytest.raises(RateLimited, match="in 2 seconds"):
        guess("alice", addresses[3], NOW + timedelta(seconds=1))
    # An unknown name is limited the same way, so waits do not tell which accounts exist.
    for _ in range(6):
        assert guess("nobody", "203.0.113.9", NOW) is None
    with pytest.raises(RateLimited):
        guess("nobody", "203.0.113.9", NOW)


def test_the_wait_reaches_fifteen_minutes_and_a_quiet_day_forgets_it(db):
    for i in range(16):
        last = NOW + i * delay(PASSWORD_GUESSES_PER_ACCOUNT, 20)
        assert guess("alice", "198.51.100.7", last) is None
    with pytest.raises(RateLimited, match=r"in 15 minutes\.$") as limited:
        guess("alice", "198.51.100.7", last)
    assert limited.value.retry_after == 900
    quiet = last + timedelta(days=1)
    for _ in range(6):
        assert guess("alice", "198.51.100.7", quiet) is None
    assert rate_limits.forget_stale(quiet + timedelta(hours=23)) == 0
    assert rate_limits.forget_stale(quiet + timedelta(days=1)) == 2  # the account's and the address's


def test_an_account_under_attack_still_lets_its_owner_in_from_the_address_they_last_used(db):
    alice = user_service.create_user("alice", PASSWORD)
    home = "2001:db8:1:2::10"
    assert guess("alice", home, NOW - timedelta(hours=1), PASSWORD) == alice
    for i in range(20):  # one guess per address, each as soon as the account's wait allows
        assert guess("alice", f"198.51.100.{i}", NOW + i * rate_limits.MAX_DELAY) is None
    attack_end = NOW + 19 * rate_limits.MAX_DELAY
    with pytest.raises(RateLimited):
        guess("alice", "198.51.100.50", attack_end)  # a new address waits for the account's delay
    # The owner's network (the same IPv6 /64) is spared the account's wait, typos included.
    assert guess("alice", "2001:db8:1:2::99", attack_end) is None
    assert guess("alice", home, attack_end, PASSWORD) == alice
    # Their success reset the account's count: the attacker's next address starts from scratch.
    assert guess("alice", "198.51.100.60", attack_end) is None


def test_guesses_sent_in_parallel_are_counted_one_by_one(db):
    counters = rate_limits.password_guess_counters("alice", "192.0.2.1")

    def one_attempt(_) -> bool:
        try:
            rate_limits.attempt(counters, "192.0.2.1", NOW)
            return True
        except RateLimited:
            return False
        finally:
            db.close()  # this thread's connection

    with ThreadPoolExecutor(max_workers=8) as pool:
        let_through = sum(pool.map(one_attempt, range(24)))
    assert let_through == 6  # the five free ones and the one that starts the wait
    assert RateCounter.get_by_id(counters[0].key).failures == 6


def test_one_address_guessing_many_accounts_must_wait(db):
    for i in range(20):
        assert guess(f"user{i}", "192.0.2.7", NOW) is None
    assert guess("user20", "192.0.2.7", NOW) is None  # the 21st starts a wait for this address
    with pytest.raises(RateLimited):
        guess("user21", "192.0.2.7", NOW)
    assert guess("user21", "192.0.2.8", NOW) is None  # another address is not slowed


def test_successful_logins_never_use_up_an_address(sqlite_db):
    alice = user_service.create_user("alice", PASSWORD)
    for _ in range(40):
        assert guess("alice", "192.0.2.7", NOW, PASSWORD) == alice


def test_signups_from_one_address_must_wait_after_ten_an_hour(sqlite_db):
    for i in range(10):
        user_service.sign_up(f"user{i}", PASSWORD, "192.0.2.7", NOW)
    user_service.sign_up("user10", PASSWORD, "192.0.2.7", NOW)
    with pytest.raises(RateLimited):
        user_service.sign_up("user11", PASSWORD, "192.0.2.7", NOW)
    user_service.sign_up("user11", PASSWORD, "192.0.2.7", NOW + timedelta(hours=1))


def test_the_current_password_on_the_password_page_is_limited_like_a_login(sqlite_db):
    alice = user_service.create_user("alice", PASSWORD)
    for _ in range(6):
        with pytest.raises(InvalidInput, match="current password: does not match"):
            user_service.change_password(alice, "wrong guess!", "a brand new secret", address="10.0.0.9", now=NOW)
    with pytest.raises(RateLimited):
        user_service.change_password(alice, PASSWORD, "a brand new secret", address="10.0.0.9", now=NOW)
    with pytest.raises(RateLimited):  # and the account's wait applies to logins from elsewhere too
        guess("alice", "10.0.0.10", NOW, PASSWORD)


def test_the_signup_and_password_pages_answer_429_with_retry_after(app):
    visitor = app.test_client()
    for i in range(11):
        assert visitor.signup(f"user{i}").status_code == 302
    refused = visitor.signup("user11")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    assert "Too many attempts. Try again in 1 second." in refused.get_data(as_text=True)

    user_service.create_user("alice", PASSWORD)
    alice = app.test_client()
    assert alice.login("alice").status_code == 302  # from 127.0.0.1, which alice's account now trusts
    stolen = {"environ_base": {"REMOTE_ADDR": "198.51.100.9"}}  # her session, used from elsewhere
    change = {"new_password": "a brand new secret", "confirm_password": "a brand new secret"}
    for _ in range(6):
        assert alice.form("/account/password", {"old_password": "wrong guess!", **change}, **stolen).status_code == 400
    limited = alice.form("/account/password", {"old_password": PASSWORD, **change}, **stolen)
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert "Too many attempts." in limited.get_data(as_text=True)
    assert app.test_client().login("alice").status_code == 302  # alice's own address is not held up


# --- Real server processes ----------------------------------------------------------------------

class Server:
    """`quizzer serve` as its own process on the shared database, and a browser session with it."""

    def __init__(self, env: dict[str, str]):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process = subprocess.Popen([str(QUIZZER), "serve", "--port", str(self.port)], env=env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def login(self, username: str, password: str) -> tuple[int, str | None]:
        """(status, Retry-After) of one login attempt."""
        page = self._read("/login")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert token, page
        form = urlencode({"username": username, "password": password, "csrf_token": token[1]}).encode()
        try:
            with self.opener.open(f"http://127.0.0.1:{self.port}/login", data=form) as response:
                return response.status, None
        except urllib.error.HTTPError as err:
            return err.code, err.headers.get("Retry-After")

    def _read(self, path: str) -> str:
        deadline = time.monotonic() + 60
        while True:
            try:
                with self.opener.open(f"http://127.0.0.1:{self.port}{path}") as response:
                    return response.read().decode()
            except urllib.error.URLError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        _, errors = self.process.communicate(timeout=30)
        assert "Traceback" not in errors, errors


def guesses_until_limited(servers: list[Server]) -> tuple[int, str | None]:
    """Wrong guesses at alice, taking turns between the servers, until one answers 429."""
    for attempt in range(1, 30):
        status, retry_after = servers[attempt % len(servers)].login("alice", "wrong guess!")
        if status == 429:
            return attempt, retry_after
        assert status == 401, status
    raise AssertionError("never limited")


def test_limits_hold_across_two_worker_processes_and_a_restart(db, db_url, tmp_path):
    user_service.create_user("alice", PASSWORD)
    base = {k: v for k, v in os.environ.items() if not k.startswith("QUIZZER_")}
    env = {**base, "QUIZZER_INSTANCE_DIR": str(tmp_path / "instance"), "QUIZZER_DATABASE_URL": db_url,
           "QUIZZER_JOBS": "0", "QUIZZER_SECRET_KEY": "k" * 64}

    servers = [Server(env), Server(env)]
    try:
        # Five free guesses and a sixth that starts a 1 s wait: one counter for both processes
        # (each process counting alone would allow ten).
        attempts, retry_after = guesses_until_limited(servers)
        assert 7 <= attempts <= 8 and retry_after and int(retry_after) >= 1
    finally:
        for server in servers:
            server.stop()

    restarted = [Server(env)]
    try:  # the count survived: at most one more guess is let through (a fresh count would allow five)
        attempts, retry_after = guesses_until_limited(restarted)
        assert attempts <= 2 and retry_after and int(retry_after) >= 1
    finally:
        restarted[0].stop()
    alice = RateCounter.get_by_id(Counter(PASSWORD_GUESSES_PER_ACCOUNT, "alice").key)
    assert alice.failures >= 6  # counted in the database, over both runs
