"""Bytes of an uploaded file as UTF-8 text, or a DeckError that points at the first bad byte."""
from __future__ import annotations

import codecs

from .model import DeckError, Problem


def decode_utf8(data: bytes, filename: str, noun: str = "file") -> str:
    """``data`` without a BOM, decoded; DeckError with the line and column (in characters) of the
    first byte that is not UTF-8, telling the user to save the ``noun`` as UTF-8."""
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        line = data.count(b"\n", 0, exc.start) + 1
        column = len(data[line_start:exc.start].decode("utf-8")) + 1
        message = f"invalid UTF-8 byte 0x{data[exc.start]:02x}: save the {noun} as UTF-8"
        raise DeckError([Problem(filename, line, column, "", message)]) from None
