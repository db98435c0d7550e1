"""Bulk writes in plain SQL, for the few writes that handle millions of rows."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from django.db import connection, models
from django.db.models import QuerySet
from psycopg import adapters as psycopg_adapters
from psycopg.types.datetime import TimestamptzLoader
from psycopg.types.json import JsonbLoader, set_json_dumps

from hadir.common.hot import Statement, batch

COPY_FROM_ROWS = 100
"""From this many rows, PostgreSQL gets them by COPY (fewer go as one multi-row INSERT)."""


class EncodedJson(str):
    """A JSON column's value already encoded: written as it is (callers that write the same
    value many times encode it once)."""

    __slots__ = ()


def read_rows(queryset: QuerySet[Any, tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The rows of a ``values_list`` queryset of plain columns, all at once.

    On PostgreSQL they are read past Django's per-value converters with psycopg's own (C)
    loaders: Django's loader of ``timestamptz`` is a Python call per value (a tenth of a
    month's evaluation at four million punches), its fields' converters another. Django keeps
    the session's time zone at UTC, so the moments are the same; JSON comes decoded.
    """
    if connection.vendor != "postgresql":
        return list(queryset)
    return read_sql(*queryset.query.sql_with_params())


def read_sql(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """The rows of a PostgreSQL query, read with psycopg's own loaders (see :func:`read_rows`)."""
    with connection.cursor() as cursor:
        adapters = cursor.cursor.adapters
        adapters.register_loader("timestamptz", TimestamptzLoader)
        adapters.register_loader("jsonb", JsonbLoader)  # Django's leaves the text to its field
        cursor.execute(sql, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
        return rows


def insert(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert ``rows`` (values of ``fields``, in order), which must collide with nothing.

    For a writer that has just deleted what it replaces: on PostgreSQL, straight COPY into the
    table, a third of an upsert's cost per row.
    """
    _write(model, fields, rows, unique=None)


def upsert(
    model: type[models.Model],
    fields: Sequence[str],
    unique: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
) -> None:
    """Insert ``rows`` (values of ``fields``, in order) or update the rows they collide with on
    ``unique`` (or keep them, when every field is in ``unique``).

    Plain SQL rather than ``bulk_create``: model instances and per-row SQL compilation cost more
    than the evaluation itself at a million rows. On PostgreSQL, many rows go by COPY into a
    temporary table and one ``INSERT … ON CONFLICT``; fewer as one multi-row ``INSERT``; on
    SQLite, one row's ``INSERT`` executed per row. Table and column names come from the
    model's metadata, never from input.
    """
    _write(model, fields, rows, unique=unique)


def upsert_statement(
    model: type[models.Model],
    fields: Sequence[str],
    unique: Sequence[str] | None,
    rows: Sequence[tuple[Any, ...]],
) -> Statement:
    """:func:`upsert` of a few ``rows`` as one statement, for a :func:`~hadir.common.hot.batch`
    (a check-in's day and its month's mark go with the punch, in one round trip): one
    ``INSERT … VALUES (…), (…)`` with the ``ON CONFLICT`` of ``unique``."""
    concrete, _, _ = _sql_parts(model, fields, unique)
    return Statement(
        _values_sql(model, fields, unique, len(rows)),
        [value for row in _prepared(concrete, rows) for value in row],
    )


def _values_sql(
    model: type[models.Model], fields: Sequence[str], unique: Sequence[str] | None, count: int
) -> str:
    concrete, names, conflict = _sql_parts(model, fields, unique)
    values = ", ".join([f"({', '.join(['%s'] * len(concrete))})"] * count)
    return f"INSERT INTO {_table(model)} ({names}) VALUES {values}{conflict}"  # noqa: S608


def _write(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    *,
    unique: Sequence[str] | None,
) -> None:
    if not rows:
        return
    if connection.vendor != "postgresql":
        # SQLite caps the values of one statement: one row's INSERT, executed per row.
        concrete, _, _ = _sql_parts(model, fields, unique)
        with connection.cursor() as cursor:
            cursor.executemany(_values_sql(model, fields, unique, 1), _prepared(concrete, rows))
        return
    if len(rows) < COPY_FROM_ROWS:
        batch([upsert_statement(model, fields, unique, rows)])
        return
    concrete, names, conflict = _sql_parts(model, fields, unique)
    table = _table(model)
    types = _type_oids(concrete)
    with connection.cursor() as cursor:
        if unique is None:
            _copy(cursor, table, names, types, rows)
            return
        load = connection.ops.quote_name(f"load_{model._meta.db_table}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {load} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {names} FROM {table} WITH NO DATA"
        )
        _copy(cursor, load, names, types, rows)
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM {load}{conflict};"  # noqa: S608
            f"TRUNCATE {load}"
        )


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _sql_parts(
    model: type[models.Model], fields: Sequence[str], unique: Sequence[str] | None
) -> tuple[list[Any], str, str]:
    """The fields, the quoted column list and the ``ON CONFLICT`` clause (empty without
    ``unique``) of a write. Table and column names come from the model's metadata, never from
    input."""
    key = None if unique is None else tuple(unique)
    return _sql_parts_of(model, tuple(fields), key, connection.vendor)


@lru_cache(maxsize=64)
def _sql_parts_of(
    model: type[models.Model],
    fields: tuple[str, ...],
    unique: tuple[str, ...] | None,
    vendor: str,  # part of the cache's key: the quoting is the backend's
) -> tuple[list[Any], str, str]:
    """:func:`_sql_parts`, built once per write shape."""
    meta = model._meta
    quote = connection.ops.quote_name
    concrete = [meta.get_field(name) for name in fields]
    columns = [quote(str(field.column)) for field in concrete]  # type: ignore[union-attr]
    conflict = ""
    if unique is not None:
        keys = ", ".join(quote(str(meta.get_field(name).column)) for name in unique)  # type: ignore[union-attr]
        updates = ", ".join(
            f"{column} = EXCLUDED.{column}"
            for column, name in zip(columns, fields, strict=True)
            if name not in unique
        )
        # A row of key columns only (a mark) has nothing to update: the stored one stays.
        action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
        conflict = f" ON CONFLICT ({keys}) {action}"
    return concrete, ", ".join(columns), conflict


def _prepared(concrete: list[Any], rows: Sequence[tuple[Any, ...]]) -> list[list[Any]]:
    """``rows`` as query parameters, each value prepared by its field."""
    return [
        [
            field.get_db_prep_value(
                json.loads(value) if isinstance(value, EncodedJson) else value, connection
            )
            for field, value in zip(concrete, row, strict=True)
        ]
        for row in rows
    ]


def _copy(
    cursor: Any, table: str, names: str, types: list[int], rows: Sequence[tuple[Any, ...]]
) -> None:
    """COPY in binary: a third of the text format's cost per row, in this process and in
    PostgreSQL's. Binary needs each column's type (see :func:`_type_oids`)."""
    set_json_dumps(_json_text, context=cursor.cursor)
    statement = f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)"
    with connection.wrap_database_errors, cursor.copy(statement) as copy:
        copy.set_types(types)
        for row in rows:
            copy.write_row(row)


def _type_oids(fields: Sequence[Any]) -> list[int]:
    """The PostgreSQL type of each field's column, from the model (``varchar(6)`` is a
    ``varchar``): psycopg knows the built-in types by name, so no query asks the table."""
    return [psycopg_adapters.types[field.db_type(connection).split("(")[0]].oid for field in fields]


def _json_text(value: object) -> str:
    return value if isinstance(value, EncodedJson) else json.dumps(value)
