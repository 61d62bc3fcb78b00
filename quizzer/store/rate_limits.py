"""Attempt counters for the rate limiter (services.rate_limits), one row per counter key.

In the database so every worker process and machine shares them and a restart keeps them
(migration 0012_rate_limits).
"""
from __future__ import annotations

from datetime import datetime

import peewee as pw

from quizzer.store.db import database_proxy, is_sqlite
from quizzer.store.models import BaseModel


class RateCounter(BaseModel):
    """Failed attempts under one key ("<limit>:<hashed subject>") and the address trusted for it."""

    key = pw.CharField(max_length=80, primary_key=True)
    failures = pw.IntegerField(default=0)
    last_failure_at = pw.DateTimeField(null=True)  # naive UTC
    trusted_address = pw.CharField(max_length=80, default="")  # hashed, as in keys

    class Meta:
        indexes = ((("last_failure_at",), False),)


def lock_counters(keys: list[str]) -> dict[str, RateCounter]:
    """The counters under ``keys``, created empty if new and locked until the transaction ends.

    Call inside a transaction. SQLite's write transactions (BEGIN IMMEDIATE) are exclusive
    already; PostgreSQL locks the rows, in key order so two requests cannot deadlock."""
    ordered = sorted(set(keys))
    RateCounter.insert_many([{"key": key} for key in ordered]).on_conflict_ignore().execute()
    query = RateCounter.select().where(RateCounter.key.in_(ordered)).order_by(RateCounter.key)
    if not is_sqlite(database_proxy.obj):
        query = query.for_update()
    return {row.key: row for row in query}


def save_counter(row: RateCounter) -> None:
    row.save(only=[RateCounter.failures, RateCounter.last_failure_at, RateCounter.trusted_address])


def delete_counters_until(cutoff: datetime) -> int:
    """Drop counters whose last failure is at or before ``cutoff`` and that trust no address."""
    stale = (RateCounter.last_failure_at <= cutoff) | RateCounter.last_failure_at.is_null()
    return RateCounter.delete().where(stale & (RateCounter.trusted_address == "")).execute()
