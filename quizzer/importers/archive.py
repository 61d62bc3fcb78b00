"""Zip archives from strangers: refuse bombs, unsafe member paths and non-zips.

Limits apply to what is actually decompressed, not to the sizes the archive
claims: every read is streamed and counted against a per-archive budget, and a
member that expands more than ``max_ratio`` times its compressed size is refused.
zstd-compressed members (Anki's newer packages) go through the same budget.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from os import PathLike
from pathlib import PurePosixPath
from typing import BinaryIO

import zstandard

from quizzer.deck_format import DeckError, Problem

_CHUNK = 1 << 20
_SMALL = 1 << 20  # members up to this size may compress arbitrarily well
# The defaults of QUIZZER_MAX_EXPANDED_MB and QUIZZER_MAX_UPLOAD_MB (config.py reads them).
MAX_EXPANDED_MB = 512  # what one archive may expand to, all members together
MAX_FILE_MB = 50  # a file to import, uploaded or named on the command line


@dataclass(frozen=True)
class Limits:
    max_total: int = MAX_EXPANDED_MB << 20  # bytes decompressed from one archive, all members together
    max_ratio: int = 200  # uncompressed / compressed, for members over 1 MB
    max_members: int = 100_000
    max_file: int = MAX_FILE_MB << 20  # bytes of the file itself, checked before it is read


class ArchiveTooLarge(DeckError):
    """The archive expands past a limit (a zip bomb, or simply too big)."""


def problem(filename: str, message: str, cls=DeckError) -> DeckError:
    return cls([Problem(filename, 1, 1, "", message)])


def unsafe_name(name: str) -> bool:
    """True for member paths that could escape a folder: absolute, drive, '..', NUL."""
    if not name or "\x00" in name or name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return True
    return ".." in PurePosixPath(name.replace("\\", "/")).parts


class SafeZip:
    """A zip archive opened with checks; read members with ``read``."""

    def __init__(self, source: bytes | str | PathLike[str], filename: str, limits: Limits = Limits()):
        self.filename, self.limits, self._used = filename, limits, 0
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError):
            raise problem(filename, "not a zip archive (the file is damaged or of another kind)") from None
        self._infos = {info.filename: info for info in self._zip.infolist()}
        self._check_members()

    def _check_members(self) -> None:
        if len(self._infos) > self.limits.max_members:
            raise problem(self.filename, f"has {len(self._infos):,} members; at most "
                          f"{self.limits.max_members:,} are allowed", ArchiveTooLarge)
        bad = sorted(name for name in self._infos if unsafe_name(name))
        if bad:
            raise DeckError([Problem(f"{self.filename}:{name}", 1, 1, "", "unsafe member path (absolute "
                                     "or containing '..'): refused") for name in bad])
        total = sum(info.file_size for info in self._infos.values())
        if total > self.limits.max_total:
            raise problem(self.filename, f"expands to {total:,} bytes; at most "
                          f"{self.limits.max_total:,} are allowed", ArchiveTooLarge)

    @property
    def names(self) -> list[str]:
        return [name for name, info in self._infos.items() if not info.is_dir()]

    def __contains__(self, name: str) -> bool:
        return name in self._infos

    def where(self, name: str) -> str:
        return f"{self.filename}:{name}"

    def _charge(self, name: str, size: int, compressed: int, chunk: int) -> None:
        """Count ``chunk`` more decompressed bytes (``size`` so far) of a member against the limits."""
        self._used += chunk
        if self._used > self.limits.max_total:
            raise problem(self.where(name), f"the archive expands past {self.limits.max_total:,} "
                          "bytes: refused as a possible zip bomb", ArchiveTooLarge)
        if size > _SMALL and size > self.limits.max_ratio * max(compressed, 1):
            raise problem(self.where(name), f"expands more than {self.limits.max_ratio} times: "
                          "refused as a possible zip bomb", ArchiveTooLarge)

    def extract(self, name: str, target: BinaryIO, *, zstd: bool = False, first: int | None = None) -> None:
        """Stream the member (decompressed from zstd too, with ``zstd``) into ``target``, a chunk
        at a time: never whole in memory; with ``first``, only its first bytes, that many at most.
        DeckError if damaged, ArchiveTooLarge past a limit."""
        info = self._infos[name]
        size, wanted = 0, _CHUNK if first is None else min(_CHUNK, first)
        try:
            with self._zip.open(info) as member:
                source = zstandard.ZstdDecompressor().stream_reader(member) if zstd else member
                with source:
                    while wanted and (chunk := source.read(wanted)):
                        size += len(chunk)
                        self._charge(name, size, info.compress_size, len(chunk))
                        target.write(chunk)
                        wanted = _CHUNK if first is None else min(_CHUNK, first - size)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError) as exc:
            raise problem(self.where(name), f"damaged member: {exc}") from None
        except zstandard.ZstdError as exc:
            raise problem(self.where(name), f"not valid zstd data: {exc}") from None

    def read(self, name: str, first: int | None = None) -> bytes:
        """The member's bytes (its ``first`` bytes at most, if given); DeckError if damaged,
        ArchiveTooLarge past a limit."""
        buffer = io.BytesIO()
        self.extract(name, buffer, first=first)
        return buffer.getvalue()

    def read_zstd(self, name: str) -> bytes:
        """A zstd-compressed member's content, decompressed under the same limits."""
        buffer = io.BytesIO()
        self.extract(name, buffer, zstd=True)
        return buffer.getvalue()
