"""A tiny reader for the protobuf wire format, enough for Anki's package metadata,
media map and note type configs (no generated code, no protobuf dependency).

Wire format: each field is a varint key ``(number << 3) | wire_type`` followed by a
varint (type 0), 8 bytes (1), a varint length and that many bytes (2) or 4 bytes (5).
"""
from __future__ import annotations

from collections.abc import Iterator

Field = tuple[int, int, "int | bytes"]


class ProtobufError(ValueError):
    """The bytes are not a valid protobuf message."""


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise ProtobufError("truncated or overlong varint")
        byte = data[pos]
        result |= (byte & 0x7F) << shift
        pos += 1
        if not byte & 0x80:
            return result, pos
        shift += 7


def fields(data: bytes) -> Iterator[Field]:
    """Yield (field number, wire type, value) in order; bytes for length-delimited fields."""
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire_type = key >> 3, key & 7
        value: int | bytes
        if wire_type == 0:
            value, pos = _varint(data, pos)
        elif wire_type in (1, 5):
            size = 8 if wire_type == 1 else 4
            value, pos = int.from_bytes(data[pos:pos + size], "little"), pos + size
        elif wire_type == 2:
            length, pos = _varint(data, pos)
            value, pos = data[pos:pos + length], pos + length
        else:
            raise ProtobufError(f"unsupported wire type {wire_type}")
        if pos > len(data) or number == 0:
            raise ProtobufError("truncated message")
        yield number, wire_type, value


def message(value: int | bytes) -> bytes:
    """A length-delimited value (an embedded message); raises ProtobufError for a number."""
    if isinstance(value, int):
        raise ProtobufError("expected an embedded message, found a number")
    return value


def field_value(data: bytes, number: int, default=None):
    """The last value of field ``number`` (protobuf's rule for repeated scalars), or ``default``."""
    found = default
    for field_number, _, value in fields(data):
        if field_number == number:
            found = value
    return found
