"""Hot-path queries and writes composed once and then only re-bound.

Building the SQL of a four-table select costs peewee ~2 ms, more than running
it. A ``Prepared`` query is built once per database with typed placeholder
values; each call swaps the real values (encoded like the placeholder, for the compact
fields of store/fields.py) into the parameter list and reuses
peewee's own row decoding (joins, dates, JSON fields) on the cursor. That decoding is
peewee's internal ``_get_cursor_wrapper``: the service tests run every prepared query on
SQLite and PostgreSQL, so a peewee upgrade that changes it fails loudly. A
``PreparedWrite`` is an answer's one-row INSERT or UPDATE, its SQL written once per
database and its values converted by the fields (tests/test_store_prepared.py checks
it stores what peewee's ``create`` stores).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import peewee as pw

from quizzer.store.db import database_proxy
from quizzer.store.fields import PARAMETER_ENCODINGS

INT, STR, DATE, DATETIME = "int", "str", "date", "datetime"
# A cursor wrapper's attributes that belong to one run; the rest is the decoding, the same every run.
_PER_RUN = frozenset({"cursor", "count", "index", "initialized", "populated", "row_cache"})


def _sentinel(kind: str, index: int):
    if kind == INT:
        return -(10**12) - index
    if kind == STR:
        return f"\x00param{index}"
    if kind == DATE:
        return date(1000 + index, 1, 1)
    if kind == DATETIME:
        return datetime(1000 + index, 1, 1, 0, 0, 1)
    raise ValueError(f"unknown parameter kind {kind!r}")


class Prepared:
    """``Prepared(build, user=INT, day=DATE)``; ``build(**placeholders)`` returns a select query."""

    def __init__(self, build: Callable[..., pw.Query], **kinds: str):
        self._build = build
        self._kinds = kinds
        self._compiled: tuple | None = None  # (database, query, sql, slots)
        self._decoding: dict | None = None  # the cursor wrapper's attributes once it has decoded a row

    def _compile(self, db: pw.Database) -> tuple:
        sentinels = {name: _sentinel(kind, i) for i, (name, kind) in enumerate(self._kinds.items())}
        query = self._build(**sentinels)
        sql, params = query.sql()
        # A placeholder a compact field encoded (store/fields.py) is found by its encoding and
        # encodes each value the same way.
        by_value: dict = {value: (name, None) for name, value in sentinels.items()}
        for name, kind in self._kinds.items():
            encode = PARAMETER_ENCODINGS.get(kind)
            if encode is not None:
                by_value.setdefault(encode(sentinels[name]), (name, encode))
        slots = [(*by_value[p], None) if _hashable(p) and p in by_value else (None, None, p) for p in params]
        missing = set(sentinels) - {name for name, _, _ in slots if name}
        if missing:
            raise ValueError(f"parameters never used by the query: {sorted(missing)}")
        self._compiled, self._decoding = (db, query, sql, slots), None
        return self._compiled

    def rows(self, **values) -> list:
        """Run with these values; the rows come back as the built query would return them."""
        db = database_proxy.obj
        compiled = self._compiled if self._compiled and self._compiled[0] is db else self._compile(db)
        _, query, sql, slots = compiled
        params = [const if name is None else values[name] if encode is None else encode(values[name])
                  for name, encode, const in slots]
        wrapper = query._get_cursor_wrapper(db.execute_sql(sql, params))
        if self._decoding is not None:
            wrapper.__dict__.update(self._decoding)
            wrapper.initialized = True
        rows = list(wrapper)
        if self._decoding is None and wrapper.initialized:
            self._decoding = {name: value for name, value in vars(wrapper).items() if name not in _PER_RUN}
        return rows

    def first(self, **values):
        found = self.rows(**values)
        return found[0] if found else None

    def scalar(self, **values):
        row = self.first(**values)
        return None if row is None else row[0]


def _hashable(value) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


class PreparedWrite:
    """A one-row ``INSERT`` of ``columns``, or with ``keys`` an ``UPDATE`` of ``columns`` picked by
    ``keys``, composed once per database (peewee composing a write costs more than running it).

    ``run(values)`` takes the values of ``columns`` (then of ``keys``) in order; each goes through its
    field's ``db_value``, and driver errors come back as peewee's (``IntegrityError``...), as they
    would from ``Model.save``. An INSERT returns the new row's id (``RETURNING`` on PostgreSQL, the
    cursor's ``lastrowid`` on SQLite, in the same statement either way)."""

    def __init__(self, model: type[pw.Model], columns: tuple[str, ...], keys: tuple[str, ...] = ()):
        fields = model._meta.fields
        self._fields = [fields[name] for name in columns + keys]
        self._model, self._columns, self._keys = model, columns, keys
        self._compiled: tuple | None = None  # (database, sql)

    def _sql(self, db: pw.Database) -> str:
        if self._compiled and self._compiled[0] is db:
            return self._compiled[1]
        table, param = f'"{self._model._meta.table_name}"', db.param
        names = [f'"{self._model._meta.fields[name].column_name}"' for name in self._columns]
        if self._keys:
            where = " AND ".join(f'"{self._model._meta.fields[k].column_name}" = {param}' for k in self._keys)
            sql = f"UPDATE {table} SET " + ", ".join(f"{n} = {param}" for n in names) + f" WHERE {where}"
        else:
            sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join([param] * len(names))})"
            if not isinstance(db, pw.SqliteDatabase):
                sql += f' RETURNING "{self._model._meta.primary_key.column_name}"'
        self._compiled = (db, sql)
        return sql

    def run(self, values) -> int | None:
        db = database_proxy.obj
        cursor = db.execute_sql(self._sql(db), [None if v is None else f.db_value(v)
                                                for f, v in zip(self._fields, values)])
        if self._keys:
            return None
        return cursor.lastrowid if isinstance(db, pw.SqliteDatabase) else cursor.fetchone()[0]
