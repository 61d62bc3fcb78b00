"""Text exports to an ImportBundle: Anki's "Notes in Plain Text", Quizlet, and CSV with a header.

Anki's and our CSV go through the csv module (quoted cells may hold separators
and line breaks). Quizlet writes no quotes at all, so a definition may itself
contain the separator: only the first separator of a row splits it.
"""
from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Mapping
from pathlib import PurePath
from urllib.parse import unquote

from quizzer.deck_format import DeckError, DeckSpec, NoteSpec, Problem, cloze_numbers
from quizzer.deck_format.encoding import decode_utf8
from quizzer.deck_format.parser import SLUG_RULE, derive_card_id, is_slug
from quizzer.importers.html_md import Converted, html_to_markdown, text_to_markdown
from quizzer.importers.model import MEDIA_URL, ImportBundle
from quizzer.importers.names import Taken, ids_from_guid, note_id_from_guid, printable, slugify, tag_names, unique

SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "space": " ", "pipe": "|", "colon": ":"}
_NAMED = {**SEPARATORS, "newline": "\n", "\\t": "\t", "\\n": "\n"}
CSV_COLUMNS = ("id", "question", "answer", "cloze", "explanation", "tags", "reverse")
_ANKI_HEADER = re.compile(r"#(separator|html|tags|columns|notetype|deck|notetype column|deck column"
                          r"|tags column|guid column|if matches):(.*)")
_BOOLEAN = {"": False, "0": False, "false": False, "no": False, "1": True, "true": True, "yes": True}


def separator_named(text: str) -> str:
    """A separator given by name ("tab", "comma", "newline", "\\t"...) or as itself."""
    return _NAMED.get(text.lower(), text)


def is_anki_text(text: str) -> bool:
    return bool(_ANKI_HEADER.match(text.lstrip("\ufeff")))


class _Notes:
    """Collects notes per deck name, with every problem. ``kind`` ("anki", "quizlet", "csv") and the
    deck name make each deck's origin: Anki's text export shares it with the package of the same deck."""

    def __init__(self, filename: str, default_deck: str, kind: str):
        self.filename, self.default_deck, self.kind = filename, default_deck, kind
        self.by_deck: dict[str, list[NoteSpec]] = {}
        self.ids: dict[str, Taken] = {}
        self.derived: dict[str, set[str]] = {}  # deck name -> ids made from the text (no id in the file)
        self.ours: dict[str, set[str]] = {}  # deck name -> our deck ids its notes' guids name
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.rendered: dict[str, str] = {}

    def error(self, line: int, path: str, message: str) -> None:
        self.problems.append(Problem(self.filename, line, 1, path, message))

    def text(self, converted: Converted) -> str:
        if converted.html is not None:
            self.rendered[converted.markdown] = converted.html
        return converted.markdown

    def add(self, line: int, deck: str | None, given_id: str | None, our_deck: str | None = None,
            **fields) -> None:
        deck = deck or self.default_deck
        if our_deck is not None:  # a note of our own .apkg export, by its guid
            self.ours.setdefault(deck, set()).add(our_deck)
        taken = self.ids.setdefault(deck, Taken())
        if given_id in taken:
            self.error(line, "id", f"duplicate card id '{given_id}'")
            return
        text = fields.get("question") or fields.get("cloze") or ""
        note_id = given_id if given_id else unique(derive_card_id(text), taken)
        taken.add(note_id)
        if not given_id:
            self.derived.setdefault(deck, set()).add(note_id)
        self.by_deck.setdefault(deck, []).append(NoteSpec(id=note_id, line=line, **fields))

    def bundle(self) -> ImportBundle:
        if self.problems:
            raise DeckError(self.problems)
        taken, decks, origins, unkeyed = Taken(), [], {}, {}
        for name, notes in self.by_deck.items():
            ours = self.ours.get(name, set())
            if len(ours) == 1 and not ours & taken:  # our export, through Anki: its deck id comes back
                decks.append(DeckSpec(unique(ours.pop(), taken), name[:200], notes=tuple(notes)))
            else:
                decks.append(DeckSpec(unique(slugify(name), taken), name[:200], notes=tuple(notes)))
                origins[decks[-1].id] = f"{self.kind}:{name}"
            unkeyed[decks[-1].id] = frozenset(self.derived.get(name, ()))
        return ImportBundle(self.filename, tuple(decks), warnings=tuple(self.warnings), rendered=self.rendered,
                            origins=origins, unkeyed=unkeyed)


def _note_fields(notes: _Notes, line: int, values: list[str], kind: str) -> dict | None:
    """question/answer (and reverse) or cloze/explanation from a row's converted fields."""
    if kind == "cloze":
        if not cloze_numbers(values[0] if values else ""):
            notes.error(line, "cloze", "no deletions: mark each as {{c1::text}} or {{c1::text::hint}}")
            return None
        return {"cloze": values[0], "explanation": (values[1] if len(values) > 1 else "") or None}
    question, answer = (values + ["", ""])[:2]
    for name, value in (("question", question), ("answer", answer)):
        if not value:
            notes.error(line, name, "must not be empty")
    return {"question": question, "answer": answer} if question and answer else None


def default_deck(filename: str) -> str:
    return PurePath(filename).stem or "Imported"


class _KnownMedia:
    """Images and sounds a text export names (it carries none): those stored before, by the name they
    came with in a package, are kept; the others are collected by name to be reported."""

    def __init__(self, names: Mapping[str, str]):
        self.names = names
        self.missing: set[str] = set()

    def url(self, src: str) -> str | None:
        stored = self.names.get(src) or self.names.get(unquote(src))
        if stored is None:
            self.missing.add(src)
        return MEDIA_URL + stored if stored else None


def read_anki_text(data: bytes, filename: str, deck: str | None = None,
                   media_names: Mapping[str, str] | None = None) -> ImportBundle:
    """Anki's "Notes in Plain Text" export, with its ``#key:value`` header lines. Images and sounds
    are kept when ``media_names`` (name -> stored name) has them, reported by name otherwise."""
    text = decode_utf8(data, filename)
    lines = text.splitlines(keepends=True)
    headers: dict[str, str] = {}
    count = 0  # header lines: they open the file
    while count < len(lines) and (match := _ANKI_HEADER.match(lines[count].rstrip("\r\n"))):
        headers[match.group(1)] = match.group(2).strip()
        count += 1
    separator = SEPARATORS.get(headers.get("separator", "tab").lower(), headers.get("separator", "\t"))
    notes = _Notes(filename, deck or headers.get("deck") or default_deck(filename), "anki")
    columns = {}
    for key in ("guid column", "notetype column", "deck column", "tags column"):
        value = headers.get(key)
        if value is not None and not (value.isdigit() and int(value) >= 1):
            notes.error(1 + [line.startswith(f"#{key}:") for line in lines].index(True), key,
                        f"'{value}' is not a column number")
        elif value is not None:
            columns[key] = int(value) - 1
    if len(separator) != 1:
        notes.error(1, "separator", f"'{separator}' is not a single character or a separator name")
        return notes.bundle()
    reader = csv.reader(io.StringIO("".join(lines[count:]), newline=""), delimiter=separator, strict=True)
    media = _KnownMedia(media_names or {})
    _rows(notes, reader, count, lambda line, row: _anki_row(notes, line, row, columns, headers, media))
    if media.missing:
        notes.warnings.append(Problem(filename, 1, 1, "", "not on this server, left out (a text export carries "
                                      "no media; import the package first): " + ", ".join(sorted(media.missing))))
    return notes.bundle()


def _rows(notes: _Notes, reader, offset: int, handle) -> None:
    """Feed each non-empty row, with the line it starts on, to ``handle``; csv errors are problems."""
    previous = reader.line_num  # lines the reader has consumed already (a header)
    try:
        for row in reader:
            line, previous = offset + previous + 1, reader.line_num
            if any(cell.strip() for cell in row):
                handle(line, row)
    except csv.Error as exc:
        notes.error(offset + reader.line_num, "", f"cannot read the row: {exc}")


def _anki_row(notes: _Notes, line: int, row: list[str], columns: dict[str, int], headers: dict,
              media: _KnownMedia) -> None:
    def cell(key: str) -> str:
        index = columns.get(key)
        return row[index].strip() if index is not None and index < len(row) else ""

    values = [value for index, value in enumerate(row) if index not in columns.values()]
    notetype = (cell("notetype column") or headers.get("notetype") or "Basic").lower()
    kind = "cloze" if "cloze" in notetype or cloze_numbers(values[0] if values else "") else "basic"
    as_html = headers.get("html", "false").lower() == "true"
    converted = [notes.text(html_to_markdown(v, media.url, media.url) if as_html else text_to_markdown(v))
                 for v in values]
    fields = _note_fields(notes, line, converted, kind)
    if fields is None:
        return
    if kind == "basic":
        optional = "optional reversed" in notetype and len(converted) > 2 and bool(converted[2])
        fields["reverse"] = "and reversed" in notetype or optional
    guid = cell("guid column")
    ours = ids_from_guid(guid)
    given = ours[1] if ours else note_id_from_guid(guid) if guid else None
    tags = tag_names(cell("tags column").split() + headers.get("tags", "").split())
    notes.add(line, cell("deck column") or None, given, our_deck=ours[0] if ours else None, tags=tags, **fields)


def read_quizlet(data: bytes, filename: str, deck: str | None = None, separator: str = "\t",
                 row_separator: str = "\n") -> ImportBundle:
    """Quizlet's export: term, separator, definition; rows split by ``row_separator``."""
    text = decode_utf8(data, filename)
    notes = _Notes(filename, deck or default_deck(filename), "quizlet")
    if not separator or not row_separator:
        notes.error(1, "separator", "the separators must not be empty")
        return notes.bundle()
    newline = row_separator == "\n"
    rows = text.splitlines(keepends=True) if newline else text.split(row_separator)
    next_line = 1
    for row in rows:
        line, next_line = next_line, next_line + row.count("\n") + (0 if newline else row_separator.count("\n"))
        row = row.rstrip("\r\n") if newline else row
        if not row.strip():
            continue
        term, found, definition = row.partition(separator)
        if not found:
            notes.error(line, "", f"no separator {separator!r} between term and definition")
            continue
        fields = _note_fields(notes, line, [notes.text(text_to_markdown(term)),
                                            notes.text(text_to_markdown(definition))], "basic")
        if fields:
            notes.add(line, None, None, **fields)
    return notes.bundle()


def read_csv(data: bytes, filename: str, deck: str | None = None) -> ImportBundle:
    """CSV with a header row naming the columns (see CSV_COLUMNS); cells are markdown."""
    text = decode_utf8(data, filename)
    notes = _Notes(filename, deck or default_deck(filename), "csv")
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header = [name.strip().lower() for name in next(reader, [])]
    if not _check_header(notes, header):
        return notes.bundle()
    _rows(notes, reader, 0, lambda line, row: _csv_row(notes, line, row, header))
    return notes.bundle()


def _check_header(notes: _Notes, header: list[str]) -> bool:
    for name in header:
        if name not in CSV_COLUMNS:
            close = difflib.get_close_matches(name, CSV_COLUMNS, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "allowed: " + ", ".join(CSV_COLUMNS)
            notes.error(1, name, f"unknown column '{name}'; {hint}")
    for name in {n for n in header if header.count(n) > 1}:
        notes.error(1, name, f"column '{name}' appears more than once")
    if "cloze" not in header and not {"question", "answer"} <= set(header):
        notes.error(1, "", "the header needs 'question' and 'answer' columns, or 'cloze'")
    return not notes.problems


def _csv_row(notes: _Notes, line: int, row: list[str], header: list[str]) -> None:
    if len(row) != len(header):
        notes.error(line, "", f"row has {len(row)} cells but the header has {len(header)}")
        return
    cells = {name: printable(value).strip() for name, value in zip(header, row)}
    kind = "cloze" if cells.get("cloze") else "basic"
    values = [cells.get("cloze", ""), cells.get("explanation", "")] if kind == "cloze" else \
        [cells.get("question", ""), cells.get("answer", "")]
    fields = _note_fields(notes, line, values, kind)
    reverse = _BOOLEAN.get(cells.get("reverse", "").lower())
    given = cells.get("id") or None
    if reverse is None:
        notes.error(line, "reverse", f"'{cells['reverse']}' is not true or false")
    if given is not None and not is_slug(given):
        notes.error(line, "id", f"'{given}' is not valid: {SLUG_RULE}")
    if fields is None or reverse is None or (given is not None and not is_slug(given)):
        return
    if kind == "basic":
        fields.update(reverse=reverse, explanation=cells.get("explanation") or None)
    notes.add(line, None, given, tags=tag_names(re.split(r"[\s,]+", cells.get("tags", ""))), **fields)
