"""What each model's own columns are (no id, no foreign keys), for code that copies rows in and out
as plain values: the account backup and its checks."""
from __future__ import annotations

from dataclasses import dataclass

import peewee as pw

from quizzer.store.models import JsonField

INT32_MAX = 2**31 - 1  # PostgreSQL integer
# Largest value per integer column type; the smaller types are subclasses, so they come first.
_INT_MAX = ((pw.SmallIntegerField, 2**15 - 1), (pw.BigIntegerField, 2**63 - 1), (pw.IntegerField, INT32_MAX))


@dataclass(frozen=True)
class Column:
    """``kind``: json, bool, int, date, datetime or text (otherwise the field's class name)."""

    name: str
    kind: str
    null: bool
    required: bool  # NOT NULL without a default
    max_length: int | None = None
    int_max: int | None = None


def _kind(field: pw.Field) -> str:
    if isinstance(field, JsonField):  # before text: a JsonField is a TextField
        return "json"
    if isinstance(field, pw.BooleanField):
        return "bool"
    if isinstance(field, pw.IntegerField):
        return "int"
    if isinstance(field, pw.DateTimeField):
        return "datetime"
    if isinstance(field, pw.DateField):
        return "date"
    if isinstance(field, (pw.CharField, pw.TextField)):
        return "text"
    return type(field).__name__


def _own(field: pw.Field) -> bool:
    return field.name != "id" and not isinstance(field, pw.ForeignKeyField)


def own_columns(model: type[pw.Model]) -> dict[str, Column]:
    """The model's own columns by name, in table order."""
    return {f.name: Column(f.name, _kind(f), f.null, not f.null and f.default is None,
                           getattr(f, "max_length", None),
                           next((top for kind, top in _INT_MAX if isinstance(f, kind)), None))
            for f in model._meta.sorted_fields if _own(f)}


def own_values(row: pw.Model, skip: tuple[str, ...] = ()) -> dict:
    """A row's own column values by name (no id, no foreign keys, none of ``skip``)."""
    return {f.name: getattr(row, f.name) for f in row._meta.sorted_fields if _own(f) and f.name not in skip}
