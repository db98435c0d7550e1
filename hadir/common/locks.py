"""The one lock of an employee's records: their punch chain and their evaluated days.

Writers of either hold it until their transaction ends: a punch appended (its hash follows the
tail it read), a day stored (from punches and requests read under it, so an older verdict cannot
land last), a month recounted. A transaction-scoped advisory lock, not a row lock: a bulk
evaluation takes a thousand at once, and it does not stand in the way of foreign-key checks of
rows that reference the employee. PostgreSQL only: SQLite has one writer at a time anyway.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.utils.translation import gettext as _

from hadir.common.hot import Statement, batch

LOCK_SPACE = 0x68616469  # "hadi": the advisory-lock namespace of an employee's writers
EMPLOYEES_PER_FILE = 2000
"""The most employees one import may lock at once: its file is written in one transaction
(refused whole or written whole), and PostgreSQL's lock table, shared by every session, holds
``max_locks_per_transaction × max_connections`` locks (6,400 by default)."""


def lock_employees(employee_ids: Iterable[int]) -> None:
    """Take the writers' lock of these employees until the transaction ends (in ascending id
    order, so two writers of overlapping sets cannot deadlock each other)."""
    statements = lock_statements(employee_ids)
    if statements:
        batch(statements)


def first_line_past_limit(lines: Iterable[tuple[int, int]]) -> int | None:
    """The first line (of ``(line, employee id)`` pairs, in file order) naming an employee
    past :data:`EMPLOYEES_PER_FILE`; None when the file stays within it."""
    seen: set[int] = set()
    for line, employee_id in lines:
        seen.add(employee_id)
        if len(seen) > EMPLOYEES_PER_FILE:
            return line
    return None


def too_many_employees() -> str:
    """Why a file past :data:`EMPLOYEES_PER_FILE` is refused."""
    return _("the file covers more than %(limit)s employees: split it by unit") % {
        "limit": EMPLOYEES_PER_FILE
    }


def lock_statements(employee_ids: Iterable[int]) -> list[Statement]:
    """:func:`lock_employees` as statements to open a :func:`~hadir.common.hot.batch` with
    (none on SQLite). Reads after it in the batch see what the lock's last holder committed:
    each statement of a batch takes its own snapshot once the one before has finished."""
    if connection.vendor != "postgresql":
        return []
    return [
        Statement(
            "SELECT pg_advisory_xact_lock(%s, id) FROM unnest(%s::int[]) AS id",
            [LOCK_SPACE, sorted(set(employee_ids))],
        )
    ]


UNIT_SPACE = 0x756E6974  # "unit": the advisory-lock namespace of a unit's closed months


def lock_months_read(unit_ids: Iterable[int]) -> None:
    """Before a write checks that the months it changes are not closed for these units: held
    shared until the transaction ends. A close holds its unit's exclusively
    (:func:`lock_months_closing`), so the write waits for a close under way and then finds the
    month closed, or the close waits for the write and freezes it: never a change that is in
    neither the frozen figures nor refused."""
    _advisory(unit_ids, "pg_advisory_xact_lock_shared")


def lock_months_closing(unit_id: int, ancestor_ids: Iterable[int]) -> None:
    """A close of ``unit_id``: its own months exclusively, those of the units above it shared
    (a close above waits for this one, and then sees it)."""
    above = [pk for pk in ancestor_ids if pk != unit_id]
    _advisory(above, "pg_advisory_xact_lock_shared")
    _advisory([unit_id], "pg_advisory_xact_lock")


def _advisory(ids: Iterable[int], function: str) -> None:
    if connection.vendor != "postgresql" or not ids:
        return
    batch(
        [
            Statement(
                f"SELECT {function}(%s, id) FROM unnest(%s::int[]) AS id",  # noqa: S608
                [UNIT_SPACE, sorted(set(ids))],
            )
        ]
    )
