"""The one rate limiter: failed attempts per account, per client address (later per API token).

Each attempt is counted *before* the password is checked, in one transaction on the shared
counters (quizzer.store.rate_limits), so guesses sent in parallel or to several workers are
still counted one by one. After a limit's free attempts, each further one must wait twice as
long as the one before: 1 s, 2 s, 4 s ... at most 15 minutes. A quiet spell of ``forget``
clears the count. A success resets an account's counter and trusts the address it came from:
a delay earned by someone guessing at the account never blocks its owner's address.
"""
from __future__ import annotations

import hashlib
import ipaddress
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from quizzer.services.errors import ServiceError
from quizzer.store import rate_limits as store
from quizzer.store.db import transaction

FIRST_DELAY = timedelta(seconds=1)
MAX_DELAY = timedelta(minutes=15)


@dataclass(frozen=True)
class Limit:
    """``free`` attempts before any delay; ``on_success`` what a success does to the counter:
    reset it (and trust the address), refund the attempt it counted, or keep it."""

    name: str
    free: int
    forget: timedelta
    on_success: Literal["reset", "refund", "keep"]


PASSWORD_GUESSES_PER_ACCOUNT = Limit("password-account", free=5, forget=timedelta(days=1), on_success="reset")
PASSWORD_GUESSES_PER_ADDRESS = Limit("password-address", free=20, forget=timedelta(days=1), on_success="refund")
SIGNUPS_PER_ADDRESS = Limit("signup-address", free=10, forget=timedelta(hours=1), on_success="keep")
LIMITS = (PASSWORD_GUESSES_PER_ACCOUNT, PASSWORD_GUESSES_PER_ADDRESS, SIGNUPS_PER_ADDRESS)


class RateLimited(ServiceError):
    """Too many attempts: ``retry_after`` whole seconds until the next one is allowed."""

    def __init__(self, wait: timedelta):
        self.retry_after = max(1, math.ceil(wait.total_seconds()))
        minutes = math.ceil(self.retry_after / 60)
        when = (f"{self.retry_after} second{'s' * (self.retry_after != 1)}" if self.retry_after < 60
                else f"{minutes} minute{'s' * (minutes != 1)}")
        super().__init__(f"Too many attempts. Try again in {when}.")


def _hashed(text: str) -> str:
    """Keys hold a digest: bounded length, and a password typed into the name field is not stored."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:40]


def address_subject(address: str) -> str:
    """The unit an address is limited by: an IPv4 address, or an IPv6 /64 (one subscriber's network)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ip.ipv4_mapped or ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


@dataclass(frozen=True)
class Counter:
    limit: Limit
    subject: str

    @property
    def key(self) -> str:
        return f"{self.limit.name}:{_hashed(self.subject)}"


def delay(limit: Limit, failures: int) -> timedelta:
    """How long after the last of ``failures`` attempts the next one must wait."""
    over = failures - limit.free
    if over <= 0:
        return timedelta(0)
    return min(MAX_DELAY, FIRST_DELAY * 2 ** min(over - 1, 20))  # 2**20 s is far past the cap: no overflow


def _naive(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(tzinfo=None)


def _current_failures(row: store.RateCounter, limit: Limit, now: datetime) -> int:
    if row.last_failure_at is None or now - row.last_failure_at >= limit.forget:
        return 0
    return row.failures


def _wait(row: store.RateCounter, limit: Limit, trusted: str, now: datetime) -> timedelta:
    """How long ``row`` still makes a client wait; never the address it trusts."""
    failures = _current_failures(row, limit, now)
    if not failures or row.trusted_address == trusted:
        return timedelta(0)
    return row.last_failure_at + delay(limit, failures) - now


def attempt(counters: list[Counter], address: str, now: datetime) -> None:
    """Count one attempt on every counter, or raise RateLimited (counting nothing) if one must wait.

    A counter whose trusted address is ``address`` does not make it wait (it still counts)."""
    now, trusted = _naive(now), _hashed(address_subject(address))
    with transaction():
        rows = store.lock_counters([c.key for c in counters])
        wait = max(_wait(rows[c.key], c.limit, trusted, now) for c in counters)
        if wait > timedelta(0):
            raise RateLimited(wait)
        for counter in counters:
            row = rows[counter.key]
            row.failures, row.last_failure_at = _current_failures(row, counter.limit, now) + 1, now
            store.save_counter(row)


def succeeded(counters: list[Counter], address: str, now: datetime) -> None:
    """The attempt counted by ``attempt`` worked: apply each limit's ``on_success``."""
    now = _naive(now)
    with transaction():
        rows = store.lock_counters([c.key for c in counters])
        for counter in counters:
            row = rows[counter.key]
            if counter.limit.on_success == "reset":
                row.failures, row.last_failure_at = 0, None
                row.trusted_address = _hashed(address_subject(address))
            elif counter.limit.on_success == "refund":
                row.failures = max(0, _current_failures(row, counter.limit, now) - 1)
            store.save_counter(row)


def forget_stale(now: datetime) -> int:
    """Delete counters every limit has forgotten; returns how many."""
    longest = max(limit.forget for limit in LIMITS)
    with transaction():
        return store.delete_counters_until(_naive(now) - longest)


def password_guess_counters(username: str, address: str) -> list[Counter]:
    """A password guess counts against the account named (existing or not) and the client address."""
    return [Counter(PASSWORD_GUESSES_PER_ACCOUNT, (username or "").strip().lower()),
            Counter(PASSWORD_GUESSES_PER_ADDRESS, address_subject(address))]


def signup_counters(address: str) -> list[Counter]:
    return [Counter(SIGNUPS_PER_ADDRESS, address_subject(address))]
