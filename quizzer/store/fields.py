"""Compact column encodings: dates and times stored as integers, Python values unchanged.

The review log is most of a database (a million answers is an ordinary few years). Stored as
peewee's text, a timestamp takes 26 bytes and a date 10; as integers they take 8 and 2 or 3, in
the table and in every index holding them. These fields subclass peewee's date fields, so
everything that asks "is this a date?" (backup checks, exports) still sees one, and queries
compare and order the integers as they did the texts. They hold naive UTC datetimes, as the
rest of the store does (an aware one is converted to UTC first).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import peewee as pw

EPOCH = datetime(1970, 1, 1)
_EPOCH_ORDINAL = EPOCH.toordinal()
_MICROSECOND = timedelta(microseconds=1)


def epoch_micros(value: datetime) -> int:
    """Microseconds since 1970-01-01 00:00 UTC (exact: a datetime has microseconds)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return (value - EPOCH) // _MICROSECOND


def epoch_day(value: date) -> int:
    """Days since 1970-01-01."""
    if isinstance(value, datetime):
        value = value.date()
    return value.toordinal() - _EPOCH_ORDINAL


class EpochMicrosField(pw.DateTimeField):
    """A datetime stored as a 64-bit integer of microseconds since 1970 (UTC)."""

    field_type = "BIGINT"

    def db_value(self, value):
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return epoch_micros(value) if isinstance(value, datetime) else value

    def python_value(self, value):
        return EPOCH + timedelta(microseconds=value) if isinstance(value, int) else value


class EpochDayField(pw.DateField):
    """A date stored as an integer: days since 1970-01-01."""

    field_type = "INT"

    def db_value(self, value):
        if isinstance(value, str):
            value = date.fromisoformat(value)
        return epoch_day(value) if isinstance(value, date) else value

    def python_value(self, value):
        return date.fromordinal(value + _EPOCH_ORDINAL) if isinstance(value, int) else value


_HEX = re.compile(r"(?:[0-9a-f]{2})+")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_HEX_TAG, _UUID_TAG, _TEXT_TAG = b"\x00", b"\x01", b"\x02"


def compact_id(value: str) -> bytes:
    """A client's id as few bytes: lowercase hex (what the pages send) and UUIDs as their bytes
    behind a tag byte, anything else as UTF-8 behind another; distinct ids stay distinct."""
    if _HEX.fullmatch(value):
        return _HEX_TAG + bytes.fromhex(value)
    if _UUID.fullmatch(value):
        return _UUID_TAG + bytes.fromhex(value.replace("-", ""))
    return _TEXT_TAG + value.encode()


def id_text(value: bytes) -> str:
    """The id ``compact_id`` encoded."""
    tag, body = value[:1], value[1:]
    if tag == _HEX_TAG:
        return body.hex()
    if tag == _UUID_TAG:
        text = body.hex()
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
    return body.decode()


class CompactIdField(pw.CharField):
    """A client-chosen id (text in Python) stored as ``compact_id`` bytes: 13 bytes instead of 24 for
    the pages' 24 hex digits, in the table and in its unique index. Only compared for equality."""

    field_type = "BLOB"

    def db_value(self, value):
        return compact_id(value) if isinstance(value, str) else value

    def python_value(self, value):
        return None if value is None else id_text(bytes(value))  # psycopg2 gives a memoryview


class CodeField(pw.CharField):
    """One of a few fixed texts, stored as its position in ``codes`` (SMALLINT: SQLite keeps 0 and 1
    in the record header, no bytes at all). A text outside ``codes`` is refused (ValueError)."""

    field_type = "SMALLINT"

    def __init__(self, codes: tuple[str, ...], **kwargs):
        self.codes = codes
        super().__init__(max_length=max(map(len, codes)), **kwargs)

    def db_value(self, value):
        if not isinstance(value, str):
            return value
        try:
            return self.codes.index(value)
        except ValueError:
            raise ValueError(f"{self.name}: {value!r} is none of {', '.join(self.codes)}") from None

    def python_value(self, value):
        return self.codes[value] if isinstance(value, int) else value


# How the typed parameters of prepared queries are converted for these fields (store/prepared.py).
PARAMETER_ENCODINGS: dict[str, Callable[[Any], Any]] = {"datetime": epoch_micros, "date": epoch_day, "str": compact_id}
