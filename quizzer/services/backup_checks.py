"""What an account backup may hold: every value is checked before anything is written.

A backup is a file anyone can edit, so nothing in it is trusted. The account goes through the
rules sign-up and the settings form use (``users.check_username``, ``users.check_settings``);
a password hash is taken only in the form this server makes; admin rights never come from a
file. Every other row's values must fit their column (type, size, range) and the few values
the code relies on (note kinds, card faces, grades, the undo snapshot, deck options' limits and
new-card orders from the core) must be ones it makes;
card HTML is sanitised again as the deck loader does. Problems are collected and raised
together, each naming its field (``user.timezone``, ``decks[0].notes[2].cards[1].key``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from quizzer.deck_format import DeckError, Problem
from quizzer.deck_format.cloze import DELETION_KEY
from quizzer.deck_format.parser import SLUG
from quizzer.deck_format.render import sanitize
from quizzer.deck_format.tags import TAG_RULE, is_tag
from quizzer.services import passwords, users
from quizzer.services.errors import InvalidInput
from quizzer.srs.limits import ANSWER_KINDS, MAX_INTERVAL_DAYS, MIN_EASINESS_X100, QUALITY_MAX, QUALITY_MIN
from quizzer.srs.queue import NEW_ORDERS, OPTION_LIMITS
from quizzer.store.card_states import BURIED_SIBLINGS, SNAPSHOT_COLUMNS
from quizzer.store.columns import INT32_MAX, Column, own_columns
from quizzer.store.deck_options import DeckOption
from quizzer.store.models import Card, CardState, Deck, Note, ReviewLog, User

# Values the code reads back and relies on, beyond their column's type.
_ALLOWED = {
    (Note, "kind"): re.compile(r"basic|cloze|choice"),
    (Card, "key"): re.compile(r"front|reverse|c[0-9]{1,4}"),
    (Deck, "slug"): SLUG, (Note, "slug"): SLUG,
    (ReviewLog, "kind"): re.compile("|".join(ANSWER_KINDS)),
    (DeckOption, "new_order"): re.compile("|".join(map(re.escape, NEW_ORDERS))),
}
_RANGES = {
    (ReviewLog, "quality"): (QUALITY_MIN, QUALITY_MAX), (ReviewLog, "time_ms"): (0, INT32_MAX),
    (CardState, "interval"): (0, MAX_INTERVAL_DAYS), (ReviewLog, "interval_before"): (0, MAX_INTERVAL_DAYS),
    (ReviewLog, "interval_after"): (0, MAX_INTERVAL_DAYS), (CardState, "easiness_x100"): (MIN_EASINESS_X100, 10_000),
    (ReviewLog, "easiness_x100_after"): (MIN_EASINESS_X100, 10_000), (CardState, "repetitions"): (0, INT32_MAX),
    (CardState, "lapses"): (0, INT32_MAX), (CardState, "reviews"): (0, INT32_MAX),
    **{(DeckOption, name): limits for name, limits in OPTION_LIMITS.items()}, (DeckOption, "extra_new"): (0, INT32_MAX),
}
_HTML_COLUMNS = {(Card, "prompt_html"), (Card, "answer_html"), (Note, "explanation_html")}
MAX_LISTED = 100  # problems listed one by one (a hand-edited file has a few; a broken one may have thousands)
_USER_SETTINGS = ("timezone", "rollover_hour", "new_per_day", "reviews_per_day", "grade_scale", "suspend_leeches",
                  "new_order", "bury_siblings")


@dataclass(frozen=True)
class CheckedNote:
    values: dict  # Note columns
    cards: list[dict]  # Card columns


@dataclass(frozen=True)
class CheckedDeck:
    shared: bool
    values: dict  # Deck columns
    notes: list[CheckedNote]


@dataclass(frozen=True)
class CheckedBackup:
    """A backup's document, every value checked: what a restore writes."""

    user: dict  # User columns for a new account (no admin rights, maybe no password hash)
    decks: list[CheckedDeck]
    card_states: list[tuple[tuple, dict]]  # (card key, CardState columns)
    review_log: list[tuple[tuple, dict]]  # (card key, ReviewLog columns)
    deck_options: list[tuple[tuple, dict]]  # (deck key, DeckOption columns)


def check_document(document: dict, where: str) -> CheckedBackup:
    """Every value of a backup's document checked; DeckError listing every problem otherwise."""
    check = Checker(where)
    user = check.user(document.get("user"))
    decks = [check.deck(entry, f"decks[{i}]") for i, entry in enumerate(check.items(document, "decks"))]
    progress = {}
    for model, key in ((CardState, "card_states"), (ReviewLog, "review_log")):
        progress[key] = [(check.card_key(row, f"{key}[{i}]"), check.row(model, row, f"{key}[{i}]"))
                         for i, row in enumerate(check.items(document, key))]
    for i, (_, values) in enumerate(progress["review_log"]):
        values["state_before"] = check.snapshot(values.get("state_before"), f"review_log[{i}].state_before")
    options = [(check.deck_key(row, f"deck_options[{i}]"), check.row(DeckOption, row, f"deck_options[{i}]"))
               for i, row in enumerate(check.items(document, "deck_options"))]  # none in a backup before 0016
    check.raise_if_any()
    return CheckedBackup(user, decks, progress["card_states"], progress["review_log"], options)


class Checker:
    """Collects problems with a backup's document (file ``where``) and raises them together."""

    def __init__(self, where: str):
        self.where = where
        self.problems: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(self.where, 1, 1, path, message))

    def raise_if_any(self) -> None:
        """DeckError with the problems, the first MAX_LISTED of them and a count of the rest."""
        if len(self.problems) > MAX_LISTED:
            more = len(self.problems) - MAX_LISTED
            self.problems[MAX_LISTED:] = [Problem(self.where, 1, 1, "", f"and {more:,} more problems")]
        if self.problems:
            raise DeckError(self.problems)

    def row(self, model: type, data: Any, path: str, required: tuple[str, ...] | None = None) -> dict:
        """The model's column values from a dumped row (unknown keys ignored), each one checked.
        ``required``: the keys that must be there (default: the columns without a default)."""
        if not isinstance(data, dict):
            self.add(path, "expected an object")
            return {}
        out = {}
        columns = own_columns(model)
        if required is None:
            required = tuple(c.name for c in columns.values() if c.required)
        for name in required:
            if name not in data:
                self.add(f"{path}.{name}", "required")
        for name, value in data.items():
            column = columns.get(name)
            if column is None:  # unknown, the id or a foreign key
                continue
            problem, value = _column_value(model, column, value)
            if problem:
                self.add(f"{path}.{name}", problem)
            else:
                out[name] = value
        return out

    def items(self, data: dict, key: str, path: str = "") -> list:
        value = data.get(key, []) if isinstance(data, dict) else []
        if not isinstance(value, list):
            self.add(f"{path}{key}", "expected a list")
            return []
        return value

    def deck(self, entry: Any, path: str) -> CheckedDeck:
        values = self.row(Deck, entry, path)
        shared = entry.get("shared") if isinstance(entry, dict) else None
        if not isinstance(shared, bool):
            self.add(f"{path}.shared", "expected true or false")
        notes = []
        for i, note in enumerate(self.items(entry, "notes", f"{path}.")):
            note_path = f"{path}.notes[{i}]"
            cards = [self.row(Card, card, f"{note_path}.cards[{j}]")
                     for j, card in enumerate(self.items(note, "cards", f"{note_path}."))]
            notes.append(CheckedNote(self.row(Note, note, note_path), cards))
        return CheckedDeck(bool(shared), values, notes)

    def card_key(self, row: Any, path: str) -> tuple:
        """The card a progress row is about: [shared, deck id, card id, face]."""
        key = row.get("card") if isinstance(row, dict) else None
        if not (isinstance(key, list) and len(key) == 4 and isinstance(key[0], bool)
                and all(isinstance(part, str) for part in key[1:])):
            self.add(f"{path}.card", "expected [shared, deck id, card id, face]")
            return ()
        return tuple(key)

    def deck_key(self, row: Any, path: str) -> tuple:
        """The deck a deck's options row is about: [shared, deck id]."""
        key = row.get("deck") if isinstance(row, dict) else None
        if not (isinstance(key, list) and len(key) == 2 and isinstance(key[0], bool) and isinstance(key[1], str)):
            self.add(f"{path}.deck", "expected [shared, deck id]")
            return ()
        return tuple(key)

    def user(self, data: Any, path: str = "user") -> dict:
        """A new account's values: name and settings as sign-up and the settings form check them,
        the password hash only in this server's form; never admin rights, never a session version."""
        if not isinstance(data, dict):
            self.add(path, "expected an object")
            return {}
        out = {}
        try:
            out["username"] = users.check_username(data.get("username"))
        except InvalidInput as err:
            self.add(f"{path}.username", str(err).removeprefix("username: "))
        password_hash = data.get("password_hash", "")
        if password_hash and not passwords.is_our_hash(password_hash):
            self.add(f"{path}.password_hash", "not a password hash this server makes")
        elif password_hash:
            out["password_hash"] = password_hash
        for name in _USER_SETTINGS:
            if name in data:
                try:
                    out.update(users.check_settings({name: data[name]}))
                except InvalidInput as err:
                    self.add(f"{path}.{name}", str(err).removeprefix(f"{name}: "))
        for flag in ("suspend_leeches", "bury_siblings"):
            if flag in data and not isinstance(data[flag], bool):
                self.add(f"{path}.{flag}", "expected true or false")
        created = self.row(User, {"created_at": data["created_at"]} if "created_at" in data else {}, path, ())
        return {**out, **created}

    def snapshot(self, data: Any, path: str) -> dict | None:
        """An answer's undo snapshot: None, or every SNAPSHOT_COLUMNS value of a card state, and the
        siblings the answer buried (by card face) when it buried any; alone for a card that had no state."""
        if data is None:
            return None
        listed = data.get(BURIED_SIBLINGS) if isinstance(data, dict) else None
        buried = self.buried_siblings(listed, f"{path}.{BURIED_SIBLINGS}")
        extra = {BURIED_SIBLINGS: buried} if buried else {}
        if isinstance(data, dict) and set(data) == {BURIED_SIBLINGS}:
            return extra or None
        values = self.row(CardState, data, path, required=SNAPSHOT_COLUMNS)
        if not all(n in values for n in SNAPSHOT_COLUMNS):
            return None
        return {**{name: data[name] for name in SNAPSHOT_COLUMNS}, **extra}

    def buried_siblings(self, data: Any, path: str) -> list | None:
        """[card face, buried_until before (ISO date or null)] or [card face] per sibling, or None."""
        if data is None:
            return None
        if isinstance(data, list) and all(_buried_sibling(entry) for entry in data):
            return data
        self.add(path, "expected a list of [card face, ISO date or null] or [card face]")
        return None


def _buried_sibling(entry: Any) -> bool:
    if not (isinstance(entry, list) and len(entry) in (1, 2) and isinstance(entry[0], str)):
        return False
    if len(entry) == 1 or entry[1] is None:
        return True
    try:
        return isinstance(entry[1], str) and bool(date.fromisoformat(entry[1]))
    except ValueError:
        return False


def _column_value(model, field: Column, value: Any) -> tuple[str | None, Any]:
    """(problem, value as stored) for one dumped column value."""
    if value is None:
        return (None, None) if field.null else ("required", None)
    if field.kind == "json":
        return _json_value(field, value)
    if field.kind == "bool":
        return (None, value) if isinstance(value, bool) else ("expected true or false", None)
    if field.kind == "int":
        return _int_value(model, field, value)
    if field.kind in ("datetime", "date"):
        kind = datetime if field.kind == "datetime" else date
        try:
            return None, kind.fromisoformat(value)
        except (TypeError, ValueError):
            return f"expected an ISO {kind.__name__}", None
    if field.kind == "text":
        return _text_value(model, field, value)
    return f"cannot restore a {field.kind}", None


def _int_value(model, field: Column, value: Any) -> tuple[str | None, Any]:
    if isinstance(value, bool) or not isinstance(value, int):
        return "expected a whole number", None
    bounds = _RANGES.get((model, field.name))
    if bounds is None:
        high = field.int_max or 0
        low = -high - 1
    else:
        low, high = bounds
    return (None, value) if low <= value <= high else (f"between {low} and {high}", None)


def _text_value(model, field: Column, value: Any) -> tuple[str | None, Any]:
    if not isinstance(value, str):
        return "expected text", None
    if "\x00" in value:
        return "contains a NUL character", None
    limit = field.max_length
    if limit and len(value) > limit:
        return f"at most {limit} characters", None
    if (model, field.name) == (Note, "tags") and not _stored_tags(value):
        return f"expected tags between single spaces, each a tag ({TAG_RULE}): {value[:40]!r}", None
    allowed = _ALLOWED.get((model, field.name))
    if allowed is not None and not allowed.fullmatch(value):
        return f"not a valid {field.name}: {value[:40]!r}", None
    return None, sanitize(value) if (model, field.name) in _HTML_COLUMNS else value


def _stored_tags(text: str) -> bool:
    """A note's tags as stored: " a b " (one space before, between and after; "  " or " " for none)."""
    tags = text.split()
    return text in (" ", f" {' '.join(tags)} ") and all(map(is_tag, tags))


def _texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) and "\x00" not in item for item in value)


def _json_value(field: Column, value: Any) -> tuple[str | None, Any]:
    """Lists hold text only (tags, choices, accepted answers); the deck's sources map ids to text."""
    if field.name == "state_before":
        return None, value  # checked by Checker.snapshot
    if field.name == "tags":  # a deck's
        return (None, value) if isinstance(value, list) and all(map(is_tag, value)) else (
            f"expected a list of tags ({TAG_RULE})", None)
    if _texts(value):
        return None, [sanitize(item) for item in value] if field.name == "choices_html" else value
    if field.name == "accept" and isinstance(value, dict) and all(  # a cloze card's, per deletion
            isinstance(key, str) and DELETION_KEY.fullmatch(key) and _texts(texts) for key, texts in value.items()):
        return None, value
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()) and field.name == "sources":
        return None, value
    return "expected a list of texts" if field.name != "sources" else "expected an object of texts", None
