"""Hand-written SQL for the check-in's hot path, with values typed as the ORM types them.

Why: on the 2-core target the ORM spends about 0.3 ms of CPU building and reading back each
query, more than PostgreSQL spends answering the check-in's small indexed reads; a check-in made
a dozen of them, and most of its CPU went into building SQL. Those few queries are written out
by hand (fixed SQL, table names from the models); these helpers give their rows the values the
ORM would give (aware datetimes, dates, Decimals, booleans, on SQLite too), build instances with
``Model.from_db`` as the ORM does, and insert a new instance. Everything else uses the ORM.

On PostgreSQL, :func:`batch` sends several of them in one round trip: on a small server each
exchange with the database costs two context switches and a Python trip through the driver.
A statement whose planning costs more than its run (the session's six-table join: about 1 ms
to plan, 0.05 ms to run) is prepared once per connection and executed by name afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from weakref import WeakKeyDictionary

from django.conf import settings
from django.db import connection, connections, models

Converter = Callable[[Any, Any, Any], Any]
Column = tuple[type[models.Model], str] | None
"""A selected column: a model and one of its fields (None: untyped)."""


@dataclass(frozen=True)
class Statement:
    """One SQL statement of a :func:`batch`, and how to type the columns it returns."""

    sql: str
    params: Sequence[Any] = ()
    columns: tuple[Column, ...] = ()
    """Its result's columns; empty when its rows are not wanted (a command, a lock)."""
    prepared: str = ""
    """A name to prepare it under, on PostgreSQL with client-side binding: for the few
    statements of every request whose planning costs more than their run."""


def batch(statements: Sequence[Statement]) -> list[list[tuple[Any, ...]]]:
    """Run ``statements`` in order and return each one's rows, typed.

    On PostgreSQL they go in one round trip (one query string, psycopg binding the values on
    the client, as Django's cursor does by default): the server runs them one after another,
    each with a snapshot of its own, and stops at the first error, which is raised. Elsewhere
    (SQLite, or server-side binding) they run one at a time, with the same result.
    """
    results: list[list[tuple[Any, ...]]] = []
    with connection.cursor() as cursor:
        if _one_string(connection):
            sent = _named(statements)
            try:
                cursor.execute(
                    ";\n".join(statement.sql for statement in sent),
                    [value for statement in sent for value in statement.params],
                )
            except Exception:
                _forget_prepared(statements)
                raise
            for index, statement in enumerate(sent):
                if index:
                    cursor.nextset()
                if statement.prepared != _PREPARING:
                    results.append(cursor.fetchall() if statement.columns else [])
            _prepared_now(statements)
        else:
            for statement in statements:
                cursor.execute(statement.sql, statement.params)
                results.append(cursor.fetchall() if statement.columns else [])
    return [
        _typed(rows, statement.columns) if statement.columns else rows
        for rows, statement in zip(results, statements, strict=True)
    ]


def fetch(
    model: type[models.Model], fields: Sequence[str | None], sql: str, params: Sequence[Any]
) -> list[tuple[Any, ...]]:
    """The rows of ``sql``, whose columns are ``fields`` of ``model`` in order, typed; a None
    field is a column left as the database returns it (a count, a flag)."""
    return _typed_rows(
        tuple(None if name is None else (model, name) for name in fields), sql, params
    )


def instances[M: models.Model](
    model: type[M], fields: Sequence[str], sql: str, params: Sequence[Any]
) -> list[M]:
    """Instances of ``model`` from ``sql``, with only ``fields`` loaded (the rest deferred,
    as with ``.only()``); ``fields`` must include the primary key."""
    return built(model, fields, fetch(model, fields, sql, params))


def streamed[M: models.Model](
    model: type[M], sql: str, params: Sequence[Any], *, chunk: int = 5000
) -> Iterator[M]:
    """Whole instances of ``model`` from ``sql``, which selects :func:`every_field` in order,
    read ``chunk`` rows at a time (through a server-side cursor on PostgreSQL): for a result
    too large to hold at once."""
    fields = every_field(model)
    typed = tuple((model, name) for name in fields)
    names = _attnames(model, fields)
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk):
            for row in _typed(rows, typed):
                yield model.from_db(connection.alias, names, row)


def built[M: models.Model](
    model: type[M], fields: Sequence[str], rows: list[tuple[Any, ...]]
) -> list[M]:
    """Instances of ``model`` from typed ``rows`` of ``fields`` (as :func:`instances`)."""
    names = _attnames(model, fields)
    return [model.from_db(connection.alias, names, row) for row in rows]


def joined(
    parts: Sequence[tuple[type[models.Model], Sequence[str]]],
    sql: str,
    params: Sequence[Any],
    *,
    prepared: str = "",
) -> list[tuple[models.Model | None, ...]]:
    """Rows of a join as one instance per part: ``sql`` selects each part's ``fields`` in turn,
    its primary key first; a part whose key is NULL (an outer join found nothing) is None.
    ``prepared``: see :attr:`Statement.prepared`."""
    selected = tuple((model, name) for model, fields in parts for name in fields)
    names = [(model, _attnames(model, fields)) for model, fields in parts]
    result = []
    (rows,) = batch([Statement(sql, params, selected, prepared)])
    for row in rows:
        built: list[models.Model | None] = []
        offset = 0
        for model, attnames in names:
            values = row[offset : offset + len(attnames)]
            offset += len(attnames)
            loaded = values[0] is not None
            built.append(model.from_db(connection.alias, attnames, values) if loaded else None)
        result.append(tuple(built))
    return result


_PREPARED: WeakKeyDictionary[Any, set[str]] = WeakKeyDictionary()
"""The statements this process has prepared on each database connection."""
_PREPARING = "\0prepare"
_NAME = re.compile(r"[a-z_][a-z0-9_]*")


def _named(statements: Sequence[Statement]) -> list[Statement]:
    """``statements`` with each prepared one executed by name, preceded by its PREPARE the
    first time this connection sends it.

    On a connection whose prepared statements are unknown (new, or after a failed batch) the
    batch starts with DEALLOCATE ALL: whatever the server holds (a statement a failed batch
    prepared or not, one planned before a migration changed its columns, one of a previous
    deploy on a pooled session) is dropped and prepared again.
    """
    if not settings.HADIR_PREPARED_STATEMENTS or not any(s.prepared for s in statements):
        return list(statements)
    known = _PREPARED.get(connection.connection)
    sent = [] if known is not None else [Statement("DEALLOCATE ALL", prepared=_PREPARING)]
    preparing: set[str] = set()
    for statement in statements:
        if not statement.prepared:
            sent.append(statement)
            continue
        name = statement.prepared
        if (known is None or name not in known) and name not in preparing:
            sent.append(Statement(_prepare_sql(name, statement.sql), prepared=_PREPARING))
            preparing.add(name)
        arguments = f"({', '.join(['%s'] * len(statement.params))})" if statement.params else ""
        sent.append(Statement(f"EXECUTE {name}{arguments}", statement.params, statement.columns))
    return sent


def _prepared_now(statements: Sequence[Statement]) -> None:
    """After a batch ran: its prepared statements exist on this connection."""
    names = {statement.prepared for statement in statements if statement.prepared}
    if names and settings.HADIR_PREPARED_STATEMENTS:
        _PREPARED.setdefault(connection.connection, set()).update(names)


def _forget_prepared(statements: Sequence[Statement]) -> None:
    """After a failed batch with a prepared statement, the connection's statements are unknown:
    a PREPARE is not undone by a rollback, and in a failed batch it may or may not have run; an
    EXECUTE may have failed for a statement gone (a pooler's DISCARD ALL) or grown stale (a
    migration changed its result's columns). The next batch starts afresh (:func:`_named`)."""
    if any(statement.prepared for statement in statements):
        _PREPARED.pop(connection.connection, None)


@lru_cache(maxsize=64)
def _prepare_sql(name: str, sql: str) -> str:
    """``PREPARE name AS sql``, its ``%s`` placeholders numbered as the server numbers them."""
    if not _NAME.fullmatch(name) or "%%" in sql or "--" in sql or "/*" in sql:
        # A capital (the server folds it), a literal % (doubled in one, not in the other), a
        # comment (a placeholder in it would number an unused parameter): a programming error.
        raise ValueError(f"cannot prepare {name!r} as written")
    parts = sql.split("%s")
    numbered = "".join(
        f"{part}${index}" if index < len(parts) else part
        for index, part in enumerate(parts, start=1)
    )
    return f"PREPARE {name} AS {numbered}"


def _one_string(database: Any) -> bool:
    """Whether statements can share a query string: on PostgreSQL with Django's default
    client-side binding (with ``server_side_binding`` on, the server refuses several commands in
    one prepared statement, and a batch runs them one at a time)."""
    return database.vendor == "postgresql" and not database.settings_dict["OPTIONS"].get(
        "server_side_binding"
    )


def _typed_rows(
    columns: tuple[Column, ...], sql: str, params: Sequence[Any]
) -> list[tuple[Any, ...]]:
    (rows,) = batch([Statement(sql, params, columns)])
    return rows


def _typed(rows: list[tuple[Any, ...]], columns: tuple[Column, ...]) -> list[tuple[Any, ...]]:
    converters = _converters(columns, connections[connection.alias])  # this thread's
    if not any(converters):
        return [tuple(row) for row in rows]
    return [
        tuple(_convert(value, column) for value, column in zip(row, converters, strict=True))
        for row in rows
    ]


def _attnames(model: type[models.Model], fields: Sequence[str]) -> list[str]:
    return [model._meta.get_field(name).attname for name in fields]  # type: ignore[union-attr]


@lru_cache(maxsize=64)
def every_field(model: type[models.Model]) -> tuple[str, ...]:
    """The names of all of ``model``'s columns, primary key first (a whole instance)."""
    return tuple(field.name for field in model._meta.concrete_fields)


@lru_cache(maxsize=64)
def columns(model: type[models.Model], fields: tuple[str, ...], alias: str = "") -> str:
    """The SELECT list of ``fields`` of ``model``, quoted, each prefixed with ``alias.``
    (built once: the hot path asks for the same few lists on every request)."""
    quote = connection.ops.quote_name
    prefix = f"{alias}." if alias else ""
    return ", ".join(
        f"{prefix}{quote(str(model._meta.get_field(name).column))}"  # type: ignore[union-attr]
        for name in fields
    )


def value(model: type[models.Model], field: str, python: Any) -> Any:
    """``python`` as a query parameter compared with ``model.field`` (an aware datetime
    becomes SQLite's naive UTC text, for instance)."""
    return model._meta.get_field(field).get_db_prep_value(python, connection)  # type: ignore[union-attr]


def insert(instance: models.Model) -> None:
    """INSERT a new ``instance`` and set its primary key: ``save()`` for a new row, without
    its signals (for models no signal listens to) and its per-call query building."""
    (rows,) = batch([insert_statement(instance)])
    inserted(instance, rows)


def insert_statement(instance: models.Model) -> Statement:
    """The INSERT of :func:`insert`, for a :func:`batch`; hand its rows to :func:`inserted`.

    Only a new row, whose key the database gives: an explicit key or a database default would
    be dropped without a word (``save()`` writes both), so either is refused.
    """
    meta = instance._meta
    if instance.pk is not None or any(
        field.db_default is not models.NOT_PROVIDED for field in meta.concrete_fields
    ):
        raise ValueError(f"hot insert takes a new {meta.label} row without database defaults")
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    pk = meta.pk
    assert pk is not None
    assert pk.column is not None
    columns = ", ".join(quote(str(field.column)) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    values = [
        field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields
    ]
    return Statement(
        f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
        f" RETURNING {quote(pk.column)}",
        values,
        (None,),
    )


def inserted(instance: models.Model, rows: list[tuple[Any, ...]]) -> None:
    """Give ``instance`` the primary key its :func:`insert_statement` returned."""
    ((key,),) = rows
    meta = instance._meta
    assert meta.pk is not None
    setattr(instance, meta.pk.attname, key)
    instance._state.adding = False
    instance._state.db = connection.alias


def _convert(value: Any, column: tuple[Any, list[Converter]] | None) -> Any:
    if column is None or value is None:
        return value
    expression, converters = column
    for converter in converters:
        value = converter(value, expression, connection)
    return value


@lru_cache(maxsize=256)
def _converters(
    columns: tuple[Column, ...], database: Any
) -> tuple[tuple[Any, list[Converter]] | None, ...]:
    """Per column: the ORM's converters for it (backend's, then the field's), or None; per
    connection (one a thread), since the backend's are bound to it."""
    found: list[tuple[Any, list[Converter]] | None] = []
    for column in columns:
        if column is None:
            found.append(None)
            continue
        model, name = column
        field = model._meta.get_field(name)
        expression = field.get_col(model._meta.db_table)  # type: ignore[union-attr]
        converters = database.ops.get_db_converters(expression) + field.get_db_converters(  # type: ignore[union-attr]
            database
        )
        found.append((expression, converters) if converters else None)
    return tuple(found)
