"""Append-only tables enforced by PostgreSQL itself, not only by the models.

A model's ``save`` and ``delete`` refuse changes, but a queryset's ``update()`` and
``delete()``, the admin's bulk actions and raw SQL go past them. On PostgreSQL (production) a
row trigger refuses every UPDATE and DELETE of punches, refusals and audit events, whoever
sends them. Undoing that takes DDL (``ALTER TABLE … DISABLE TRIGGER``), a deliberate act the
hash chain and its checkpoints still detect (:mod:`hadir.presence.chain`). ``TRUNCATE`` is not
a row change and stays possible for the table's owner (test and benchmark databases).

SQLite (development and demos) has no such trigger: its DELETE is how test databases are
emptied between tests.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION hadir_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$
"""


def trigger_name(table: str) -> str:
    return f"{table}_append_only"


def protect(table: str) -> migrations.RunPython:
    """A migration operation: refuse UPDATE and DELETE on ``table`` (PostgreSQL only)."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(FUNCTION, params=None)  # its "%" are PL/pgSQL's, not placeholders
        schema_editor.execute(
            f"CREATE TRIGGER {trigger_name(table)} BEFORE UPDATE OR DELETE ON {table}"
            " FOR EACH ROW EXECUTE FUNCTION hadir_append_only()"
        )

    def backwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger_name(table)} ON {table}")

    return migrations.RunPython(forwards, backwards, elidable=False)
