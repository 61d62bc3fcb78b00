"""Readers for decks made elsewhere: pure functions from a file's bytes to an ImportBundle.

No web framework and no database here; ``quizzer.services.imports`` applies a bundle.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePath

from quizzer.deck_format import MAX_DECK_BYTES, DeckError, Problem, parse_deck
from quizzer.deck_format.encoding import decode_utf8
from quizzer.gc_pause import gc_paused
from quizzer.importers.apkg import IMAGE_TYPES, SOUND_TYPES, read_apkg
from quizzer.importers.archive import ArchiveTooLarge, Limits, SafeZip, problem
from quizzer.importers.model import MEDIA_URL, STORED_NAME, CardProgress, ImportBundle, MediaFile, merge
from quizzer.importers.text import is_anki_text, read_anki_text, read_csv, read_quizlet

MEDIA_FOLDER = "media/"  # in a zip of decks: the media files the decks show (our export with media)
FORMATS = ("auto", "yaml", "zip", "apkg", "anki-text", "quizlet", "csv")
_SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".zip": "zip", ".apkg": "apkg", ".colpkg": "apkg",
             ".csv": "csv", ".txt": "text", ".tsv": "text"}

__all__ = ["FORMATS", "MEDIA_FOLDER", "MEDIA_URL", "ArchiveTooLarge", "CardProgress", "ImportBundle", "Limits",
           "MediaFile", "ReadOptions", "detect_format", "merge", "read_file", "read_path"]


@dataclass(frozen=True)
class ReadOptions:
    format: str = "auto"
    deck: str | None = None  # deck name for text formats (default: the file's name)
    separator: str = "\t"  # Quizlet: between term and definition
    row_separator: str = "\n"  # Quizlet: between rows
    require_ids: bool = False  # YAML: refuse cards without ids instead of deriving them
    limits: Limits = Limits()
    # Anki's text export: media stored before, by the name they came with -> stored name
    media_names: Mapping[str, str] = field(default_factory=dict, hash=False)


def detect_format(filename: str, data: bytes) -> str:
    """The format of a file from its name (and, for .txt/.tsv, Anki's header lines)."""
    kind = _SUFFIXES.get(PurePath(filename).suffix.lower())
    if kind is None:
        raise problem(filename, "unsupported file type: use .yaml, .yml, .zip (of YAML decks), .apkg, .colpkg, "
                                ".txt, .tsv or .csv")
    if kind == "text":
        return "anki-text" if is_anki_text(decode_utf8(data[:4096].rsplit(b"\n", 1)[0], filename)) else "quizlet"
    return kind


def read_path(path: str | os.PathLike[str], limits: Limits = Limits()) -> bytes:
    """A file's bytes, its size checked before it is read: ArchiveTooLarge naming the file past
    ``limits.max_file``, FileNotFoundError if it cannot be read."""
    try:
        with open(path, "rb") as file:
            size = os.fstat(file.fileno()).st_size
            data = file.read(limits.max_file + 1) if size <= limits.max_file else b""
    except OSError as err:
        raise FileNotFoundError(f"{path}: {err.strerror}") from None
    if size > limits.max_file or len(data) > limits.max_file:
        raise problem(str(path), f"the file is larger than the import limit of {limits.max_file >> 20} MB "
                                 "(QUIZZER_MAX_UPLOAD_MB)", ArchiveTooLarge)
    return data


@gc_paused()
def read_file(data: bytes, filename: str, options: ReadOptions = ReadOptions()) -> ImportBundle:
    """Read one file in the given (or detected) format; DeckError lists every problem."""
    kind = detect_format(filename, data) if options.format == "auto" else options.format
    if kind == "yaml":
        spec = parse_deck(data, filename, require_ids=options.require_ids)
        return ImportBundle(filename, (spec,), warnings=spec.warnings)
    if kind == "zip":
        return read_yaml_zip(data, filename, options)
    if kind == "apkg":
        return read_apkg(data, filename, options.limits)
    if kind == "anki-text":
        return read_anki_text(data, filename, options.deck, options.media_names)
    if kind == "quizlet":
        return read_quizlet(data, filename, options.deck, options.separator, options.row_separator)
    if kind == "csv":
        return read_csv(data, filename, options.deck)
    raise problem(filename, f"unknown format {kind!r}; use one of: {', '.join(FORMATS)}")


def read_yaml_zip(data: bytes, filename: str, options: ReadOptions = ReadOptions()) -> ImportBundle:
    """Every .yaml/.yml deck in a zip (a folder of decks), all problems at once, and the images and
    sounds under ``media/`` (our deck export with media), each named by the sha256 of its content."""
    archive = SafeZip(data, filename, options.limits)
    names = sorted(n for n in archive.names if n.endswith((".yaml", ".yml")) and "__MACOSX" not in n)
    if not names:
        raise problem(filename, "no .yaml or .yml deck files in the archive")
    specs, problems = [], []
    for name in names:
        try:
            # One byte over the deck size limit is enough for the parser to refuse it.
            data = archive.read(name, first=MAX_DECK_BYTES + 1)
            specs.append(parse_deck(data, archive.where(name), require_ids=options.require_ids))
        except ArchiveTooLarge:
            raise
        except DeckError as err:
            problems.extend(err.problems)
    media = _zip_media(archive, problems)
    if problems:
        raise DeckError(problems)
    warnings: list[Problem] = [w for spec in specs for w in spec.warnings]
    return ImportBundle(filename, tuple(specs), media, warnings=tuple(warnings))


def _zip_media(archive: SafeZip, problems: list[Problem]) -> tuple[MediaFile, ...]:
    """The media files under ``media/``; a file whose name is not the sha256 of its content (the
    deck points at it by that name), or not of a type cards show, is a problem."""
    media = []
    for name in sorted(n for n in archive.names if n.startswith(MEDIA_FOLDER) and not n.endswith("/")):
        stored = name[len(MEDIA_FOLDER):]
        extension = stored.rsplit(".", 1)[-1]
        if not STORED_NAME.fullmatch(stored) or extension not in IMAGE_TYPES | SOUND_TYPES:
            problems.append(Problem(archive.where(name), 1, 1, "", "not a media file of ours: expected "
                                    "media/<sha256 of the content>.<image or sound extension>"))
            continue
        data = archive.read(name)
        if hashlib.sha256(data).hexdigest() != stored.split(".", 1)[0]:
            problems.append(Problem(archive.where(name), 1, 1, "", "the content does not match the name "
                                                                    "(the sha256 of the content)"))
            continue
        media.append(MediaFile(stored, stored, data))
    return tuple(media)
