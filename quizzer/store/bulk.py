"""Fast multi-row inserts: one prepared statement run over many rows.

peewee's ``insert_many`` builds the SQL text value by value (about 40 s for 10,000
notes and cards here); this builds it once and hands the rows to the driver
(``executemany`` on SQLite, ``execute_values`` pages on PostgreSQL; updates in ``execute_batch`` pages).

``bulk_insert`` takes dicts: Python-side defaults are applied like peewee would, and
values go through each field's ``db_value`` unless they already are what the driver
takes (text, numbers, booleans). ``insert_rows`` and ``update_rows`` are the hot path of a
large import: tuples with every column given, already as the driver takes them (JSON as
text, see ``json_strings``); ``take_ids`` gives new rows their ids before they are inserted.
"""
from __future__ import annotations

import json
from json.encoder import encode_basestring as _json_string  # what json.dumps quotes with

import peewee as pw
from psycopg2.extras import execute_batch, execute_values

from quizzer.store.db import database_proxy, is_sqlite
from quizzer.store.models import JsonField

_PLAIN = {pw.CharField: (str,), pw.TextField: (str,), pw.IntegerField: (int,),
          pw.SmallIntegerField: (int,), pw.BooleanField: (bool,), pw.ForeignKeyField: (int,)}
# What JsonField.db_value does (json.dumps builds a new encoder on every call with these options).
_JSON_ENCODE = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


def _json_value(field: JsonField):
    encode = _JSON_ENCODE if type(field).db_value is JsonField.db_value else field.db_value

    def convert(value):
        if not value:  # the common empty list or mapping, without json.dumps
            if type(value) is list:
                return "[]"
            if type(value) is dict:
                return "{}"
        return encode(value)
    return convert


def _column(field: pw.Field, rows: list[dict]) -> list:
    """One field's values over all rows: defaults filled in, converted where the driver needs it."""
    name, default = field.name, field.default
    missing = _MISSING
    column = [row.get(name, missing) for row in rows]
    if missing in column:
        column = [(default() if callable(default) else default) if value is missing else value
                  for value in column]
    if isinstance(field, JsonField):
        convert = _json_value(field)
        return [None if value is None else convert(value) for value in column]
    plain, db_value = _PLAIN.get(type(field), ()), field.db_value
    if plain and set(map(type, column)) <= {*plain, _NONE}:
        return column  # already what the driver takes (the usual case)
    return [value if value is None or value.__class__ in plain else db_value(value) for value in column]


_MISSING = object()
_NONE = type(None)


def _values(fields: list[pw.Field], rows: list[dict]) -> list[tuple]:
    """Each row's values in field order: defaults filled in, converted where the driver needs it.

    Built column by column: one comprehension per field instead of a Python loop per value."""
    return list(zip(*(_column(f, rows) for f in fields)))


def bulk_insert(model: type[pw.Model], rows: list[dict]) -> None:
    """Insert ``rows`` (dicts by field name; missing fields take their defaults) into ``model``."""
    if rows:
        fields = [f for f in model._meta.sorted_fields if not isinstance(f, pw.AutoField)]
        _execute(model, fields, _values(fields, rows))


def insert_rows(model: type[pw.Model], columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert ``rows``, tuples of values in ``columns`` order, as the driver takes them:
    str, int, bool or None (JSON fields as their text, see ``json_strings``)."""
    if rows:
        _execute(model, [model._meta.fields[name] for name in columns], rows)


def update_rows(model: type[pw.Model], columns: tuple[str, ...], keys: tuple[str, ...], rows: list[tuple]) -> None:
    """Update the rows picked by ``keys``: each of ``rows`` holds the values of ``columns`` and then
    of ``keys``, as the driver takes them (like ``insert_rows``)."""
    if not rows:
        return
    assignments = ", ".join(f'"{model._meta.fields[name].column_name}" = %s' for name in columns)
    where = " AND ".join(f'"{model._meta.fields[name].column_name}" = %s' for name in keys)
    db = database_proxy.obj
    sql = f'UPDATE "{model._meta.table_name}" SET {assignments} WHERE {where}'
    if is_sqlite(db):
        db.cursor().executemany(sql.replace("%s", "?"), rows)
    else:  # psycopg2's executemany is one round trip per row; execute_batch sends pages of statements
        execute_batch(db.cursor(), sql, rows, page_size=500)


def take_ids(model: type[pw.Model], count: int) -> list[int] | range:
    """``count`` new primary keys for ``model``, so rows that point to the new rows can be built before
    they are inserted. Call it inside the write transaction that inserts them: on SQLite the
    transaction holds the write lock (BEGIN IMMEDIATE), on PostgreSQL the ids come from the table's
    sequence."""
    if count <= 0:
        return []
    db, table = database_proxy.obj, model._meta.table_name
    if is_sqlite(db):
        (top,) = db.execute_sql(f'SELECT COALESCE(MAX("id"), 0) FROM "{table}"').fetchone()
        return range(top + 1, top + 1 + count)
    cursor = db.execute_sql(f"SELECT nextval(pg_get_serial_sequence('\"{table}\"', 'id')) "
                            "FROM generate_series(1, %s)", (count,))
    return [row[0] for row in cursor.fetchall()]


def json_strings(texts) -> str:
    """What a JsonField stores for a list of strings (``json.dumps(list(texts), ensure_ascii=False)``),
    written out directly: the hot path of a large import."""
    return "[" + ", ".join(map(_json_string, texts)) + "]" if texts else "[]"


def _execute(model: type[pw.Model], fields: list[pw.Field], values: list[tuple]) -> None:
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    table = f'"{model._meta.table_name}"'
    db = database_proxy.obj
    cursor = db.cursor()
    if is_sqlite(db):
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(fields))})", values)
    else:
        execute_values(cursor, f"INSERT INTO {table} ({columns}) VALUES %s", values, page_size=1000)
