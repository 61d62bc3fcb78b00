"""YAML deck files to DeckSpec, with every problem's file:line:column and field path.

``yaml_tree`` turns the file into positioned nodes, safely and within limits; this
module reads the deck and card fields from them. Only plain values (text, numbers,
booleans, null, lists, mappings) are accepted.
"""
from __future__ import annotations

import difflib
import hashlib
import re
import unicodedata
from collections.abc import Callable
from os import PathLike
from typing import Any, NamedTuple

from quizzer.quiz.quantities import parse_tolerance

from .cloze import DELETION_KEY, cloze_numbers, render_cloze
from .model import DeckError, DeckSpec, NoteSpec, Problem
from .tags import TAG_RULE, is_tag
from .yaml_tree import MAX_DECK_BYTES, Collection, Node, Scalar, join_path, node_problem, pairs, read_tree

MAX_NAME_LENGTH = 64
DECK_KEYS = ("id", "title", "description", "tags", "sources", "cards")
CARD_KEYS = ("id", "question", "answer", "cloze", "explanation", "tags", "source",
             "reverse", "choices", "accept", "shuffle", "tolerance", "reverse_answer")
_NOT_WITH_CLOZE = ("question", "answer", "choices", "reverse", "shuffle", "reverse_answer")

SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")  # deck and card ids (also checked when a backup is restored)
SLUG_RULE = (f"use lowercase letters, digits and '-', starting with a letter or digit, "
              f"at most {MAX_NAME_LENGTH} characters")


def is_slug(text: str) -> bool:
    """A deck or card id: SLUG, at most MAX_NAME_LENGTH characters."""
    return len(text) <= MAX_NAME_LENGTH and SLUG.fullmatch(text) is not None


# Plain scalars are classified as PyYAML's safe resolver would (YAML 1.1), except that
# numbers and dates stay the text written: ``answer: 42`` means "42".
_YAML_TAG = "tag:yaml.org,2002:"
_NULL_WORDS = {"", "~", "null", "Null", "NULL"}
_BOOL_WORDS = {word: value for value, words in ((True, "yes true on"), (False, "no false off"))
               for lower in words.split() for word in (lower, lower.capitalize(), lower.upper())}
_TEXT_TAGS = {"!"} | {_YAML_TAG + name for name in ("str", "int", "float", "timestamp")}
_MAP_TAGS = {None, "!", _YAML_TAG + "map"}
_SEQ_TAGS = {None, "!", _YAML_TAG + "seq"}

# Limits on the YAML tree, passed to read_tree by each parse.
# Decks need 4 levels; libyaml's time grows with the square of flow nesting depth.
MAX_DEPTH = 16
# Bounds time and memory for a 5 MB file of tiny values like "[1,1,1,...]"; a real deck
# of that size has a few hundred thousand.
MAX_NODES = 500_000

Fields = dict[str, tuple[Node, Node]]  # key -> (key node, value node)


class _DeckContext(NamedTuple):
    tags: tuple[str, ...]
    sources: dict[str, str]
    require_ids: bool
    card_lines: dict[str, int]  # card id -> line of the first card with it


def parse_deck(data: bytes | str, filename: str, *, require_ids: bool = True) -> DeckSpec:
    """Parse one deck file's content.

    Without ``require_ids`` a card lacking an id gets one derived from its text and
    a warning in ``DeckSpec.warnings``. Raises DeckError listing every problem found.
    """
    reader = _Reader(filename)
    root = read_tree(data, filename, max_depth=MAX_DEPTH, max_nodes=MAX_NODES)
    deck = _read_deck(reader, root, require_ids)
    if deck is None:
        raise DeckError(sorted(reader.errors, key=lambda p: (p.line, p.column)))
    return deck


def parse_deck_file(path: str | PathLike[str]) -> DeckSpec:
    """Parse the deck file at ``path`` with card ids required; raises DeckError or OSError."""
    with open(path, "rb") as file:
        data = file.read(MAX_DECK_BYTES + 1)  # one byte more is enough to know it is too big
    return parse_deck(data, str(path))


def _scalar_kind(node: Node) -> str | None:
    """"null", "bool", "text" or "tagged" (another tag) for a scalar; None otherwise."""
    if type(node) is not Scalar:
        return None
    if node.tag is None:
        if not node.plain:
            return "text"  # quoted or block scalar
        if node.value in _NULL_WORDS:
            return "null"
        return "bool" if node.value in _BOOL_WORDS else "text"
    if node.tag in (_YAML_TAG + "null", _YAML_TAG + "bool"):
        return node.tag.removeprefix(_YAML_TAG)
    return "text" if node.tag in _TEXT_TAGS else "tagged"


def _describe(node: Node) -> str:
    """The node for a message: "a list", "a mapping", "empty" or the scalar's text."""
    if isinstance(node, Collection):
        return "a mapping" if node.is_mapping else "a list"
    kind = _scalar_kind(node)
    if kind == "tagged":
        return f"a value tagged {node.tag}"
    return "empty" if kind == "null" else _quoted(node.value)


def _quoted(text: str) -> str:
    """The text in quotes for a message, shortened past 60 characters."""
    return f"'{text}'" if len(text) <= 60 else f"'{text[:57]}...'"


# A cloze card's accept mapping as read: deletion ("c1") -> (its texts, the key's node).
DeletionAccepts = dict[str, tuple[tuple[str, ...], Node]]

class _Reader:
    """Reads plain values out of nodes, recording a Problem for each bad one."""

    def __init__(self, filename: str):
        self.filename = filename
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

    def error(self, node: Node, path: str, message: str) -> None:
        self.errors.append(node_problem(self.filename, node, path, message))

    def mapping(self, node: Node, path: str, keys: tuple[str, ...] | None = None,
                required: tuple[str, ...] = ()) -> Fields | None:
        """The mapping's fields; ``keys`` are the allowed keys (None: any)."""
        if not (isinstance(node, Collection) and node.is_mapping and node.tag in _MAP_TAGS):
            self.error(node, path, f"must be a mapping, not {_describe(node)}")
            return None
        fields: Fields = {}
        for key_node, value_node in pairs(node):
            if type(key_node) is Scalar and key_node.tag is None:  # the usual key, as _add_field takes it
                key = key_node.value
                if key not in fields and (keys is None or key in keys) and not (key_node.plain and key in _NULL_WORDS):
                    fields[key] = (key_node, value_node)
                    continue
            self._add_field(fields, key_node, value_node, path, keys)
        for key in required:
            if key not in fields:
                self.error(node, join_path(path, key), f"missing required key '{key}'")
        return fields

    def _add_field(self, fields: Fields, key_node: Node, value_node: Node, path: str,
                   keys: tuple[str, ...] | None) -> None:
        if not isinstance(key_node, Scalar) or _scalar_kind(key_node) not in ("text", "bool"):
            self.error(key_node, path, f"keys must be text, not {_describe(key_node)}")
            return
        key = key_node.value
        if key in fields:
            first_line = fields[key][0].line
            self.error(key_node, join_path(path, key),
                       f"duplicate key {_quoted(key)} (first at line {first_line})")
        elif keys is not None and key not in keys:
            close = difflib.get_close_matches(key, keys, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "allowed keys: " + ", ".join(keys)
            self.error(key_node, join_path(path, key), f"unknown key {_quoted(key)}; {hint}")
        else:
            fields[key] = (key_node, value_node)

    def values(self, fields: Fields, path: str,
               readers: dict[str, _FieldReader]) -> dict[str, Any]:
        """Each field that has a reader, read by it (None where bad)."""
        prefix = f"{path}." if path else ""  # join_path, once for all the fields
        return {key: readers[key](self, value, prefix + key)
                for key, (_, value) in fields.items() if key in readers}

    def sequence(self, node: Node, path: str) -> list[tuple[Node, str]] | None:
        """The list's (item node, item path) pairs."""
        if not (isinstance(node, Collection) and not node.is_mapping and node.tag in _SEQ_TAGS):
            self.error(node, path, f"must be a list, not {_describe(node)}")
            return None
        return [(item, f"{path}[{i}]") for i, item in enumerate(node.items)]

    def text(self, node: Node, path: str, *, required: bool = True) -> str | None:
        """Any non-null scalar as written (``42`` is "42"), trailing whitespace removed."""
        if type(node) is Scalar and node.tag is None and not (node.plain and node.value in _NULL_WORDS):
            value = node.value.rstrip()  # the usual text: what the checks below would return
            if value and "\x00" not in value:
                return value
        kind = _scalar_kind(node)
        if kind == "null" and not required:
            return None
        if not isinstance(node, Scalar) or kind not in ("text", "bool"):
            flow = isinstance(node, Collection) and node.flow_style
            hint = " (put text that starts with '{' or '[' in quotes)" if flow else ""
            self.error(node, path, f"must be text, not {_describe(node)}{hint}")
            return None
        value = node.value.rstrip()
        if "\x00" in value:  # only a "\0" escape writes one; PostgreSQL cannot store it
            self.error(node, path, "must not contain a NUL character")
            return None
        if required and not value:
            self.error(node, path, "must not be empty")
            return None
        return value or None

    def optional_text(self, node: Node, path: str) -> str | None:
        return self.text(node, path, required=False)

    def texts(self, node: Node, path: str) -> tuple[str, ...] | None:
        items = self.sequence(node, path)
        if items is None:
            return None
        values = (self.text(item, item_path) for item, item_path in items)
        return tuple(value for value in values if value is not None)

    def name(self, node: Node, path: str, valid: Callable[[str], bool] = is_slug,
             rule: str = SLUG_RULE) -> str | None:
        """A slug (or, with ``is_tag``, a tag): the text if ``valid``, else an error saying ``rule``."""
        value = self.text(node, path)
        if value is None or valid(value):
            return value
        self.error(node, path, f"{_quoted(value)} is not valid: {rule}")
        return None

    def tags(self, node: Node, path: str) -> tuple[str, ...] | None:
        items = self.sequence(node, path)
        if items is None:
            return None
        found: dict[str, None] = {}  # ordered, without duplicates
        for item, item_path in items:  # a loop, not generators: every card has tags
            value = self.name(item, item_path, is_tag, TAG_RULE)
            if value is not None:
                found[value] = None
        return tuple(found)

    def boolean(self, node: Node, path: str) -> bool | None:
        value = _BOOL_WORDS.get(node.value) if isinstance(node, Scalar) and _scalar_kind(node) == "bool" else None
        if value is None:
            self.error(node, path, f"must be true or false, not {_describe(node)}")
        return value

    def sources(self, node: Node, path: str) -> dict[str, str] | None:
        fields = self.mapping(node, path)
        if fields is None:
            return None
        values = {key: self.text(value, join_path(path, key)) for key, (_, value) in fields.items()}
        return {key: value for key, value in values.items() if value is not None}

    def tolerance(self, node: Node, path: str) -> str | None:
        """A typed-number tolerance: "2%" or an amount (quantities.parse_tolerance is the rule)."""
        value = self.text(node, path)
        if value is not None:
            try:
                parse_tolerance(value)
            except ValueError as err:
                self.error(node, path, str(err))
                return None
        return value

    def accept(self, node: Node, path: str) -> tuple[str, ...] | DeletionAccepts | None:
        """A list of texts, or (on a cloze card) a mapping of deletion ("c1") to a list of texts."""
        if not (isinstance(node, Collection) and node.is_mapping):
            return self.texts(node, path)
        fields = self.mapping(node, path)
        if fields is None:
            return None
        found: DeletionAccepts = {}
        for key, (key_node, value) in fields.items():
            if not DELETION_KEY.fullmatch(key):
                self.error(key_node, join_path(path, key), f"{_quoted(key)} is not a deletion: use c1, c2, ...")
                continue
            texts = self.texts(value, join_path(path, key))
            if texts is not None:
                found[key] = (texts, key_node)
        return found

    def choices(self, node: Node, path: str) -> tuple[str, ...] | None:
        """At least two distinct texts."""
        items = self.sequence(node, path)
        if items is None:
            return None
        values: dict[str, None] = {}  # ordered, with fast membership
        for item, item_path in items:
            value = self.text(item, item_path)
            if value in values:
                self.error(item, item_path, f"duplicate choice {_quoted(value)}")
            elif value is not None:
                values[value] = None
        if len(items) < 2:
            self.error(node, path, "needs at least 2 choices")
        return tuple(values)


_FieldReader = Callable[[_Reader, Node, str], Any]
_DECK_READERS: dict[str, _FieldReader] = {
    "id": _Reader.name, "title": _Reader.text, "description": _Reader.optional_text,
    "tags": _Reader.tags, "sources": _Reader.sources, "cards": _Reader.sequence,
}
_CARD_READERS: dict[str, _FieldReader] = {
    "id": _Reader.name, "question": _Reader.text, "answer": _Reader.text,
    "cloze": _Reader.text, "explanation": _Reader.optional_text, "tags": _Reader.tags,
    "source": _Reader.text, "reverse": _Reader.boolean, "choices": _Reader.choices,
    "accept": _Reader.accept, "shuffle": _Reader.boolean, "tolerance": _Reader.tolerance,
    "reverse_answer": _Reader.text,
}


def _read_deck(r: _Reader, root: Node, require_ids: bool) -> DeckSpec | None:
    """The deck, or None when any problem was recorded in ``r.errors``."""
    fields = r.mapping(root, "", DECK_KEYS, required=("id", "title", "cards"))
    if fields is None:
        return None
    values = r.values(fields, "", _DECK_READERS)
    deck = _DeckContext(values.get("tags") or (), values.get("sources") or {}, require_ids, {})
    if values.get("cards") == []:
        r.error(fields["cards"][1], "cards", "needs at least one card")
    notes = [_read_card(r, node, path, deck) for node, path in values.get("cards") or ()]
    if r.errors:  # every card that could not be read (None) recorded one
        return None
    return DeckSpec(values["id"], values["title"], values.get("description") or "", deck.tags,
                    deck.sources, tuple(note for note in notes if note is not None), tuple(r.warnings))


def _read_card(r: _Reader, node: Node, path: str, deck: _DeckContext) -> NoteSpec | None:
    fields = r.mapping(node, path, CARD_KEYS)
    if fields is None:
        return None
    values = r.values(fields, path, _CARD_READERS)
    get = values.get
    accept = get("accept") or ()
    cloze_accept: tuple[tuple[str, tuple[str, ...]], ...] = ()
    if "cloze" in fields:
        _check_cloze_card(r, fields, path, get("cloze"))
        cloze_accept = _cloze_accept(r, fields, path, get("cloze"), accept)
        accept = ()
    else:
        _check_question_card(r, node, fields, path, get("answer"), get("choices"))
        if isinstance(accept, dict):
            r.error(fields["accept"][1], join_path(path, "accept"),
                    "must be a list; a mapping of deletions (c1: [...]) is for cloze cards")
            accept = ()
        for key, needs in (("shuffle", "choices"), ("reverse_answer", "reverse")):
            if key in fields and not get(needs):
                r.error(fields[key][0], join_path(path, key), f"'{key}' needs '{needs}'")
    source = get("source")
    if source is not None:
        _check_source(r, fields["source"][1], join_path(path, "source"), source, deck.sources)
    card_id = _card_id(r, node, fields, path, deck, get("id"), get("question") or get("cloze"))
    return NoteSpec(
        id=card_id or "", line=node.line, question=get("question"),
        answer=get("answer"), cloze=get("cloze"), explanation=get("explanation"),
        tags=tuple(dict.fromkeys(deck.tags + (get("tags") or ()))), source=get("source"),
        reverse=bool(get("reverse")), choices=get("choices") or (), accept=accept,
        shuffle=get("shuffle") is not False, tolerance=get("tolerance"), reverse_answer=get("reverse_answer"),
        cloze_accept=cloze_accept,
    )


def _check_cloze_card(r: _Reader, fields: Fields, path: str, cloze: str | None) -> None:
    for key in _NOT_WITH_CLOZE:
        if key in fields:
            r.error(fields[key][0], join_path(path, key), f"a cloze card cannot have '{key}'")
    if cloze is not None and not cloze_numbers(cloze):
        r.error(fields["cloze"][1], join_path(path, "cloze"),
                "no deletions: mark each as {{c1::text}} or {{c1::text::hint}}")


def _cloze_accept(r: _Reader, fields: Fields, path: str, cloze: str | None,
                  accept: tuple[str, ...] | DeletionAccepts) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A cloze card's ``accept``: a mapping whose keys are deletions of its text."""
    if "accept" not in fields:
        return ()
    if not isinstance(accept, dict):
        r.error(fields["accept"][1], join_path(path, "accept"),
                "on a cloze card, map each deletion to its answers: {c1: [...], c2: [...]}")
        return ()
    numbers = {f"c{n}" for n in cloze_numbers(cloze or "")}
    for key, (_, key_node) in accept.items():
        if cloze is not None and key not in numbers:
            r.error(key_node, join_path(path, f"accept.{key}"), f"the cloze text has no deletion {key}")
    return tuple((key, texts) for key, (texts, _) in sorted(accept.items(), key=lambda item: int(item[0][1:])))


def _check_question_card(r: _Reader, node: Node, fields: Fields, path: str,
                         answer: str | None, choices: tuple[str, ...] | None) -> None:
    if "question" not in fields and "answer" not in fields:
        r.error(node, path, "a card needs 'question' and 'answer', or 'cloze'")
        return
    for key in ("question", "answer"):
        if key not in fields:
            r.error(node, join_path(path, key), f"missing required key '{key}'")
    if answer is not None and choices and answer not in choices:
        r.error(fields["answer"][1], join_path(path, "answer"),
                f"{_quoted(answer)} is not one of the choices")


def _check_source(r: _Reader, node: Node, path: str, key: str, sources: dict[str, str]) -> None:
    if key in sources:
        return
    # Suggestions cost a comparison per source: only for lists a reader would scan.
    names = list(sources) if len(sources) <= 50 else []
    close = difflib.get_close_matches(key, names, n=1)
    if close:
        hint = f"; did you mean '{close[0]}'?"
    elif names:
        hint = "; known sources: " + ", ".join(names)
    else:
        hint = "" if sources else "; the deck has no sources"
    r.error(node, path, f"unknown source {_quoted(key)}{hint}")


def _card_id(r: _Reader, node: Node, fields: Fields, path: str, deck: _DeckContext,
             card_id: str | None, text: str | None) -> str | None:
    """The card's id, or without ``require_ids`` one derived from its text (with a warning).

    Records the id in ``deck.card_lines`` and reports it if an earlier card has it.
    """
    id_path, id_node = join_path(path, "id"), fields["id"][1] if "id" in fields else node
    if "id" not in fields and deck.require_ids:
        r.error(node, id_path, "missing required key 'id'")
    elif "id" not in fields and text is not None:  # else the missing text is reported
        card_id = derive_card_id(text)
        r.warnings.append(node_problem(r.filename, node, id_path,
                                       f"no id; using '{card_id}' derived from the text "
                                       "(add an id so progress survives edits to the text)"))
    if card_id in deck.card_lines:
        r.error(id_node, id_path,
                f"duplicate card id '{card_id}' (first at line {deck.card_lines[card_id]})")
    elif card_id is not None:
        deck.card_lines[card_id] = node.line
    return card_id


def derive_card_id(text: str) -> str:
    """A slug of the text (cloze markup removed, at most 48 characters) plus a hash suffix."""
    plain = render_cloze(text, 0, reveal=True)  # no deletion is numbered 0: all show as text
    ascii_text = unicodedata.normalize("NFKD", plain).encode("ascii", "ignore").decode().lower()
    stem = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:48].rstrip("-")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:6]
    return f"{stem}-{digest}" if stem else f"card-{digest}"
