"""Reading request input: one parser per kind of parameter, used by every route.

Ids, the deck scope, search text, whole numbers and JSON bodies are read here, so a malformed
value becomes a 400 (or a 404 for an id that names nothing) whose message starts with the
parameter's name, and never reaches a service, a driver or ``int()`` further down. A new
route that reads its input through these gets the same checks for free.
"""
from __future__ import annotations

import json
import re
from typing import Any

from flask import g, request
from werkzeug.exceptions import RequestEntityTooLarge

from quizzer.services.errors import InvalidInput, NotFound
from quizzer.services.numbers import parse_whole

# The largest id a database here can hold (SQLite integers are signed 64-bit): a bigger number
# names nothing, and must never reach the driver, which would crash.
MAX_ID = 2**63 - 1
# time_ms is a 32-bit column on PostgreSQL: a tab left open for weeks is capped, not a crash.
MAX_TIME_MS = 2**31 - 1
MAX_SEARCH_CHARS = 200  # SQLite refuses LIKE patterns past 50,000 bytes; no search needs more
MAX_JSON_BYTES = 64 * 1024  # every JSON body the pages send is under 1 KiB
MAX_JSON_DEPTH = 20  # json.loads recurses: 1,000 levels would exhaust Python's stack
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")


def shown(raw: Any) -> str:
    """A value as an error message quotes it: repr, cut short (a 50,000-character value stays out)."""
    text = repr(raw)
    return text if len(text) <= 40 else text[:37] + "..."


def whole_number(raw: Any, name: str, default: int | None = None) -> int | None:
    """A JSON integer or a string of ASCII digits; ``default`` when absent or empty.
    Ranges are the services' to check (they know them); this only reads the number."""
    if raw is None or raw == "":
        return default
    value = parse_whole(raw)
    if value is None:
        raise InvalidInput(f"{name}: expected a whole number, got {shown(raw)}")
    return value


def json_int(body: dict, name: str, default: int | None = None) -> int | None:
    """A JSON body's integer field (a string of digits is not one); ``default`` when absent."""
    raw = body.get(name)
    if raw is None:
        return default
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise InvalidInput(f"{name}: expected a whole number, got {shown(raw)}")
    return raw


def object_id(raw: Any, name: str, what: str | None = None) -> int | None:
    """The id of a ``what`` (default: ``name``) in parameter ``name``; None when absent.
    InvalidInput for anything but a whole number; NotFound for one no row can have
    (below 1, past MAX_ID)."""
    what = what or name
    try:
        value = whole_number(raw, name)
    except InvalidInput:
        raise InvalidInput(f"{name}: expected a {what} id, got {shown(raw)}") from None
    if value is not None and not 1 <= value <= MAX_ID:
        raise NotFound(f"no {what} {value}")
    return value


def deck_scope() -> int | None:
    """The ``deck`` a page or API call is limited to: from the query, the form or a JSON body.
    Read before any change, so a bad one changes nothing."""
    raw = request.args.get("deck") or request.form.get("deck")
    if raw is None:
        body = json_body(required=False)
        raw = body.get("deck") if isinstance(body, dict) else None
    return object_id(raw, "deck")


def search_text(raw: str | None, name: str) -> str:
    """Text to search for: stripped, at most MAX_SEARCH_CHARS characters."""
    text = (raw or "").strip()
    if len(text) > MAX_SEARCH_CHARS:
        raise InvalidInput(f"{name}: at most {MAX_SEARCH_CHARS} characters to search for, got {len(text):,}")
    return text


def refuse_nul_characters() -> None:
    """No NUL character in the path, the query or a form field: PostgreSQL cannot store one and
    file names cannot hold one. Runs before every request (a JSON body is checked by json_body)."""
    if "\x00" in request.path:
        raise InvalidInput("path: contains a NUL character")
    for source in (request.args, request.form):
        for key, value in source.items(multi=True):
            if "\x00" in key or "\x00" in value:
                raise InvalidInput(f"{shown(key)[1:-1]}: contains a NUL character")


def json_body(required: bool = True) -> Any:
    """The request's JSON body, parsed once per request: at most MAX_JSON_BYTES, nested at most
    MAX_JSON_DEPTH deep, no NUL in any string. Without a JSON body: InvalidInput when
    ``required``, else None."""
    if "json_body" not in g:
        g.json_body = _parse_json_body()
    if g.json_body is None and required:
        raise InvalidInput("body: expected a JSON object (Content-Type: application/json)")
    return g.json_body


def _parse_json_body() -> Any:
    if not request.is_json:
        return None
    if (request.content_length or 0) > MAX_JSON_BYTES:
        raise RequestEntityTooLarge(f"body: at most {MAX_JSON_BYTES // 1024} KiB of JSON")
    data = request.get_data(cache=True)
    if len(data) > MAX_JSON_BYTES:
        raise RequestEntityTooLarge(f"body: at most {MAX_JSON_BYTES // 1024} KiB of JSON")
    if not data.strip():
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("body: not UTF-8 text") from None
    if _depth(text) > MAX_JSON_DEPTH:
        raise InvalidInput(f"body: JSON nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except ValueError as exc:
        raise InvalidInput(f"body: not valid JSON ({str(exc)[:80]})") from None
    if "\\u0000" in text:  # strict json.loads refuses a raw NUL: only this escape makes one
        _refuse_nul(value, "body")
    return value


def _depth(text: str) -> int:
    """How deep brackets nest outside strings (counted without recursing, unlike json.loads)."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _refuse_nul(value: Any, where: str) -> None:
    """InvalidInput naming the first key whose string holds a NUL (bounded by MAX_JSON_DEPTH)."""
    if isinstance(value, str) and "\x00" in value:
        raise InvalidInput(f"{where}: contains a NUL character")
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        if isinstance(key, str) and "\x00" in key:
            raise InvalidInput(f"{where}: a key contains a NUL character")
        _refuse_nul(item, key if isinstance(key, str) else where)


def form_grade(form) -> tuple[int, int, str | None]:
    """A review form's grade: (card id, quality, answer id or None); InvalidInput names what is missing."""
    card_id = object_id(form.get("card_id"), "card_id", "card")
    quality = whole_number(form.get("quality"), "quality")
    if card_id is None or quality is None:
        raise InvalidInput(f"{'card_id' if card_id is None else 'quality'}: required")
    return card_id, quality, form.get("answer_id") or None


def json_object() -> dict:
    """The request's JSON body, which must be an object."""
    body = json_body()
    if not isinstance(body, dict):
        raise InvalidInput("body: expected a JSON object")
    return body


def json_answer(body: dict) -> tuple[int, str | None, int]:
    """An answer's JSON fields other than its grade: (card id, answer id or None, time in ms, capped)."""
    card_id = object_id(json_int(body, "card_id"), "card_id", "card")
    if card_id is None:
        raise InvalidInput("card_id: required")
    answer_id = body.get("answer_id")
    if answer_id is not None and not isinstance(answer_id, str):
        raise InvalidInput("answer_id: expected a string")
    return card_id, answer_id, max(0, min(json_int(body, "time_ms") or 0, MAX_TIME_MS))
