"""The YAML layer of deck parsing: deck bytes or text to a tree of positioned nodes.

Safe by construction: only the YAML parser's events are used (nothing is constructed
from tags), aliases are refused so alias bombs never expand, and input is capped in
size, nesting depth and number of values. Each problem raises DeckError with its position.
"""
from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from typing import NoReturn, Protocol

import yaml
from yaml.composer import ComposerError
from yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    StreamEndEvent,
)

from .encoding import decode_utf8
from .flow_depth import first_too_deep
from .model import DeckError, Problem

MAX_DECK_BYTES = 5 * 1024 * 1024
# What YAML itself refuses (yaml.reader.Reader.NON_PRINTABLE); checked first to give positions.
_NON_PRINTABLE = re.compile(
    "[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")
_SYNTAX_HINTS = (  # the usual causes in hand-written decks
    ("mapping values are not allowed", "put text containing ': ' in quotes"),
    ("scanning an alias", "put text that starts with '*' in quotes"),
    ("scanning an anchor", "put text that starts with '&' in quotes"),
    ("did not find expected key", "quote the whole text if it starts with '{', '[' or '\"'"),
    ("cannot start any token", "indent with spaces, and quote text that starts with '`' or '@'"),
)


class _EventParser(Protocol):
    """What is used of a PyYAML loader (CSafeLoader or SafeLoader): its parser's events."""

    def get_event(self) -> Event | None: ...

    def check_event(self, *choices: type[Event]) -> bool: ...

    def dispose(self) -> None: ...


_LoaderClass: Callable[[str], _EventParser] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # only its parser is used


class Scalar:
    """A scalar as written, with its 1-based position."""

    __slots__ = ("value", "tag", "plain", "line", "column")

    def __init__(self, value: str, tag: str | None, plain: bool, line: int, column: int):
        self.value, self.tag, self.plain, self.line, self.column = value, tag, plain, line, column


class AliasScalar(Scalar):
    """An alias's placeholder, ``*name``: a deck with one is refused once its tree is read."""

    __slots__ = ()


class Collection:
    """A mapping or list; a mapping's items alternate key, value."""

    __slots__ = ("tag", "flow_style", "is_mapping", "items", "line", "column")

    def __init__(self, event: CollectionStartEvent, is_mapping: bool, line: int, column: int):
        self.tag, self.flow_style, self.is_mapping = event.tag, event.flow_style, is_mapping
        self.items: list[Node] = []
        self.line, self.column = line, column


# Small nodes instead of PyYAML's: parser events with their marks take ~3x the memory.
Node = Scalar | Collection


def read_tree(data: bytes | str, filename: str, *, max_depth: int, max_nodes: int) -> Node:
    """The root node of the deck's single YAML document.

    Raises DeckError for input over MAX_DECK_BYTES, not UTF-8 or with unprintable
    characters, for bad syntax, aliases, nesting deeper than ``max_depth``, more than
    ``max_nodes`` values, or no content.
    """
    text = _decode(data, filename)
    too_deep = first_too_deep(text, max_depth)
    if too_deep is not None:  # confirmed by the parser on the text up to there, or a false alarm
        with contextlib.suppress(yaml.MarkedYAMLError):
            _document_tree(_LoaderClass(text[:too_deep + 1]), filename, max_depth, max_nodes)
    root, has_aliases = _parse(text, filename, max_depth, max_nodes)
    if root is None:
        raise DeckError([Problem(filename, 1, 1, "", "deck is empty")])
    if has_aliases:
        raise DeckError(_alias_problems(filename, root))
    return root


def _parse(text: str, filename: str, max_depth: int, max_nodes: int) -> tuple[Node | None, bool]:
    loader = _LoaderClass(text)
    try:
        return _document_tree(loader, filename, max_depth, max_nodes)
    except yaml.MarkedYAMLError as exc:
        raise DeckError([_syntax_problem(filename, exc)]) from None
    finally:
        loader.dispose()


def _decode(data: bytes | str, filename: str) -> str:
    """The deck's text without BOM; raises DeckError if too big, not UTF-8 or unprintable."""
    size = len(data.encode("utf-8", "surrogatepass")) if isinstance(data, str) else len(data)
    if size > MAX_DECK_BYTES:
        raise DeckError([Problem(filename, 1, 1, "", "deck is larger than 5 MB")])
    text = data if isinstance(data, str) else decode_utf8(bytes(data), filename, "deck")
    text = text.removeprefix("\ufeff")
    problems = [_text_problem(filename, text, match.start(),
                              f"character U+{ord(match.group()):04X} is not allowed in a deck")
                for match in _NON_PRINTABLE.finditer(text)]
    if problems:
        raise DeckError(problems)
    return text


def _text_problem(filename: str, text: str, index: int, message: str) -> Problem:
    line_start = text.rfind("\n", 0, index) + 1
    return Problem(filename, text.count("\n", 0, index) + 1, index - line_start + 1, "", message)


def _document_tree(loader: _EventParser, filename: str, max_depth: int,
                   max_nodes: int) -> tuple[Node | None, bool]:
    """The single document's tree and whether it has aliases; built without recursion.

    Raises DeckError beyond max_depth or max_nodes, yaml.MarkedYAMLError on bad syntax.
    """
    get_event = loader.get_event
    get_event()  # stream start
    if loader.check_event(StreamEndEvent):
        return None, False
    get_event()  # document start
    open_collections: list[Collection] = []
    has_aliases, node_count = False, 0
    node: Node
    # The hot loop: one pass per event of the file (~10 events per card), so the common
    # cases (a scalar into an open collection, a collection's end) come first and inline.
    while True:
        event = get_event()
        kind = type(event)
        if type(event) is ScalarEvent and open_collections:
            mark = event.start_mark
            assert mark is not None  # the parser marks every event
            node = Scalar(event.value, event.tag, event.implicit[0], mark.line + 1, mark.column + 1)
            open_collections[-1].items.append(node)
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            node = open_collections.pop()
            if not open_collections:
                break
            continue  # an end is not a node: nothing to count
        else:
            node = _node(event)
            has_aliases = has_aliases or kind is AliasEvent
            if open_collections:
                open_collections[-1].items.append(node)
            if type(node) is Collection:
                open_collections.append(node)
                if len(open_collections) > max_depth:  # only a collection goes deeper
                    _raise_at(filename, node, f"deck is nested more than {max_depth} levels deep")
        node_count += 1
        if node_count > max_nodes:
            _raise_at(filename, node, f"deck has more than {max_nodes:,} values")
        if not open_collections:
            break
    get_event()  # document end
    if not loader.check_event(StreamEndEvent):
        raise ComposerError("expected a single document in the stream", None,
                            "but found another document", _error_mark(get_event()))
    return node, has_aliases


def _node(event: Event | None) -> Node:
    """The node a node event starts; inside a document the parser sends no other event."""
    mark = event.start_mark if event is not None else None
    if mark is None:
        raise ComposerError("expected a node", None, f"but found {event!r}", None)
    line, column = mark.line + 1, mark.column + 1
    if type(event) is ScalarEvent:
        return Scalar(event.value, event.tag, event.implicit[0], line, column)
    if type(event) is AliasEvent:
        return AliasScalar(f"*{event.anchor}", None, False, line, column)
    if isinstance(event, CollectionStartEvent):
        return Collection(event, type(event) is MappingStartEvent, line, column)
    raise ComposerError("expected a node", None, f"but found {event!r}", _error_mark(event))


def _error_mark(event: Event | None) -> yaml.Mark | None:
    """The event's start for a YAML error, as the yaml.Mark the error is typed with (libyaml's
    events carry a Mark class of their own, with the same fields)."""
    mark = event.start_mark if event is not None else None
    if mark is None or isinstance(mark, yaml.Mark):
        return mark
    return yaml.Mark(mark.name, mark.index, mark.line, mark.column, mark.buffer, mark.pointer)


def _raise_at(filename: str, node: Node, message: str) -> NoReturn:
    raise DeckError([Problem(filename, node.line, node.column, "", message)])


def _syntax_problem(filename: str, exc: yaml.MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    message = exc.problem or exc.context or "syntax error"
    if exc.problem and exc.context:
        message = f"{exc.problem} ({exc.context})"
    message += "".join(f"; {hint}" for cause, hint in _SYNTAX_HINTS if cause in message)
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return Problem(filename, line, column, "", f"invalid YAML: {message}")


def _alias_problems(filename: str, root: Node) -> list[Problem]:
    problems, pending = [], [(root, "")]
    while pending:  # iterative: the tree may be deeper than Python's recursion limit
        node, path = pending.pop()
        if isinstance(node, AliasScalar):
            problems.append(node_problem(filename, node, path, "aliases are not allowed in "
                                         "decks (quote text that starts with '*')"))
        elif isinstance(node, Collection) and node.is_mapping:
            for key, value in pairs(node):
                key_text = key.value if isinstance(key, Scalar) else "?"
                pending += [(key, path), (value, join_path(path, key_text))]
        elif isinstance(node, Collection):
            pending += [(item, f"{path}[{i}]") for i, item in enumerate(node.items)]
    return sorted(problems, key=lambda p: (p.line, p.column))


def pairs(mapping: Collection) -> Iterator[tuple[Node, Node]]:
    """The mapping's (key node, value node) pairs."""
    return zip(mapping.items[::2], mapping.items[1::2])


def node_problem(filename: str, node: Node, path: str, message: str) -> Problem:
    return Problem(filename, node.line, node.column, path, message)


def join_path(path: str, key: str) -> str:
    """The field path of ``key`` under ``path`` ("" is the document)."""
    return f"{path}.{key}" if path else key

