"""Refreshes of stored days that a committed change owes, run after its commit.

A holiday, a special period, a work pattern, a policy value, a unit's pattern, time zone or
place, or an employee's unit or pattern changes the verdict of days already stored (and a
corrected start or end drops the days outside it). The change records what it owes
(:class:`~hadir.recap.models.DayRefresh`) in its own transaction and the refresh runs once that
commits, chunk by chunk, each chunk in its own transaction holding only its employees' locks.
Run inside the change's transaction, a Kanwil-wide holiday or a policy edit took one lock per
employee until the commit: past about 6,400 employees (PostgreSQL's lock table by default)
the save failed, and every check-in of those employees waited for it.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from functools import reduce
from itertools import batched
from operator import or_
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from hadir.common.locks import lock_employees
from hadir.org.models import Employee, Placement, Unit, UnitPattern
from hadir.recap.models import DayRefresh, EmployeeDay
from hadir.recap.services import (
    ANALYZE_AFTER_ROWS,
    days_analyze,
    days_drop_outside_period,
    days_refresh_many,
)
from hadir.schedules import cache

log = logging.getLogger(__name__)

CLAIM_EXPIRES = timedelta(hours=1)
"""A claimed refresh not finished by then was lost with its process: ``refresh_days`` reruns it."""
REFRESH_CHUNK = 1000
"""Employees whose stored days one transaction lists and refreshes, under their locks."""
MERGED_AT_MOST = 1000
"""Owed refreshes of the same dates run together, this many at a time (an import moving many
employees owes one per employee)."""

Scope = dict[str, Any]


def refresh_later(scope: Scope, start: date, end: date, *, weekday: int | None = None) -> None:
    """Owe a refresh of the stored days of ``scope`` from ``start`` to ``end`` (only the dates
    of ``weekday``, 0 = Monday, if given), run when the current transaction commits (at once
    outside one). Rolled back with the change, the debt goes too."""
    owed = DayRefresh.objects.create(scope=scope, start=start, end=end, weekday=weekday)
    waiting = drains_waiting()
    drain = waiting[0] if waiting else _Drain()
    drain.owe(owed)
    if not waiting:  # after owe(): on_commit runs the drain at once outside a transaction
        # Robust: the edit is committed by then; a failure is logged and the row stays owed.
        transaction.on_commit(drain, robust=True)


def drains_waiting() -> list[_Drain]:
    """The drains registered with this connection's transaction that have not run yet."""
    waiting = transaction.get_connection().run_on_commit
    return [c for _, c, _ in waiting if isinstance(c, _Drain) and not c.ran]


class _Drain:
    """The refreshes one transaction owes, run once it commits: one run however many it owes
    (an import moving many employees owes one each), and only those (another edit's refresh,
    maybe minutes long, is its own request's to run)."""

    def __init__(self) -> None:
        self.ran = False
        self.owed: list[int] = []
        self.national = False

    def owe(self, row: DayRefresh) -> None:
        self.owed.append(row.pk)
        self.national = self.national or bool(row.scope.get("all"))

    def __call__(self) -> None:
        self.ran = True
        if self.national and settings.HADIR_REFRESH_IN_BACKGROUND:
            # Not a daemon: a command or shell that made the edit waits for it before exiting.
            threading.Thread(
                target=_in_background, args=(self.owed,), daemon=False, name="day-refresh"
            ).start()
        else:
            refresh_pending(self.owed)


def _in_background(ids: list[int]) -> None:
    try:
        refresh_pending(ids)
    finally:
        connections.close_all()  # this thread's own connections


def refresh_pending(ids: list[int] | None = None) -> int:
    """Run the owed refreshes ``ids`` (all of them: ``manage.py refresh_days``) that nobody is
    running: never claimed, failed, or claimed by a process lost more than
    :data:`CLAIM_EXPIRES` ago. Returns the days refreshed.

    A refresh that fails is logged and kept, with its error, for ``refresh_days``: the change
    it follows is committed and stays saved.
    """
    claim = uuid.uuid4().hex
    open_ = DayRefresh.objects.filter(
        Q(claim="") | Q(claimed_at__lt=timezone.now() - CLAIM_EXPIRES)
    )
    taking = {"claim": claim, "claimed_at": timezone.now(), "attempts": F("attempts") + 1}
    if ids is None:
        claimed = open_.update(**taking)
    else:
        claimed = sum(open_.filter(pk__in=part).update(**taking) for part in batched(ids, 10_000))
    if not claimed:
        return 0
    mine = DayRefresh.objects.filter(claim=claim)
    written = 0
    for group in _merged(mine.order_by("pk")):
        first = group[0]
        rows = mine.filter(pk__in=[row.pk for row in group])
        try:
            for employee in Employee.objects.filter(
                pk__in=[pk for row in group for pk in row.scope.get("outside_period", ())]
            ):
                days_drop_outside_period(employee)
            written += refresh_stored(
                employees_in([row.scope for row in group]),
                first.start,
                first.end,
                weekday=first.weekday,
            )
        except Exception as error:  # kept with its error for refresh_days; the change is saved
            log.exception("day refresh %s failed", [row.pk for row in group])
            rows.update(claim="", error=str(error)[:300])
            continue
        rows.delete()
        mine.update(claimed_at=timezone.now())  # still running: not to be taken over
    return written


def _merged(rows: Iterable[DayRefresh]) -> list[list[DayRefresh]]:
    """Owed refreshes grouped by their dates, at most :data:`MERGED_AT_MOST` to a group."""
    by_dates: dict[tuple[date, date, int | None], list[DayRefresh]] = defaultdict(list)
    for row in rows:
        by_dates[(row.start, row.end, row.weekday)].append(row)
    return [
        group[offset : offset + MERGED_AT_MOST]
        for group in by_dates.values()
        for offset in range(0, len(group), MERGED_AT_MOST)
    ]


def employees_in(scopes: Iterable[Scope]) -> QuerySet[Employee]:
    """The employees any of ``scopes`` names (see :class:`~hadir.recap.models.DayRefresh`)."""
    scopes = list(scopes)
    if any(scope.get("all") for scope in scopes):
        return Employee.objects.all()
    units = Unit.objects.filter(pk__in=[u for s in scopes for u in s.get("units", ())])
    patterns = [p for s in scopes for p in s.get("patterns", ())]
    placed = [
        Q(unit_id__in=[u for s in scopes for u in s.get("unit_only", ())]),
        Q(pattern_id__in=patterns) | Q(pattern__isnull=True, unit__default_pattern_id__in=patterns),
        # A unit that was on the pattern before its new one: its days before were lived on it.
        Q(
            pattern__isnull=True,
            unit_id__in=UnitPattern.objects.filter(pattern_id__in=patterns).values("unit_id"),
        ),
        *(Q(unit__path__startswith=unit.path) for unit in units),
    ]
    # Who was placed there before a move: their days before it were lived under that unit.
    earlier = Placement.objects.filter(reduce(or_, placed)).values("employee_id")
    conditions = [
        Q(pk__in=[e for s in scopes for e in s.get("employees", ())]),
        *placed,
        Q(pk__in=earlier),
    ]
    return Employee.objects.filter(reduce(or_, conditions))


def refresh_stored(employees: Any, start: date, end: date, *, weekday: int | None = None) -> int:
    """Re-evaluate the stored days of ``employees`` between ``start`` and ``end``, and only
    those: a date one employee has stored is no reason to store it for another (today's row of
    someone who has not come yet would read TK before the day is over). ``weekday`` (0 =
    Monday) narrows it to the dates of that weekday.

    The days are listed under each chunk's lock, for every employee of ``employees``, not only
    those with a stored day when the refresh began: a writer that took an employee's lock
    before the change committed (a check-in storing today's first row, a month's first
    evaluation, the nightly one) stores its rows after a listing made without the lock, with a
    verdict read before the change. Waiting for its lock, the listing sees them.
    """
    cache.clear()
    if start > timezone.localdate() + timedelta(days=1):  # no later day is stored, on any clock
        return 0
    ids = set(employees.values_list("pk", flat=True))
    written = 0
    for chunk in batched(sorted(ids), REFRESH_CHUNK):
        with transaction.atomic():
            lock_employees(chunk)
            stored = _stored_days(Employee.objects.filter(pk__in=chunk), start, end, weekday)
            if not stored:
                continue
            people = Employee.objects.filter(pk__in=list(stored)).select_related(
                "unit__default_pattern", "pattern"
            )
            written += days_refresh_many(
                employees=list(people.order_by("pk")),
                start=min(min(days) for days in stored.values()),
                end=max(max(days) for days in stored.values()),
                only=stored,
                analyze=False,
            )
    if written >= ANALYZE_AFTER_ROWS:
        days_analyze()
    return written


def _stored_days(
    employees: Any, start: date, end: date, weekday: int | None
) -> dict[int, set[date]]:
    """The stored dates of ``employees`` between ``start`` and ``end`` (of ``weekday``)."""
    stored: dict[int, set[date]] = defaultdict(set)
    rows = EmployeeDay.objects.filter(employee__in=employees, date__range=(start, end))
    if weekday is not None:
        rows = rows.filter(date__iso_week_day=weekday + 1)
    for employee_id, day in rows.values_list("employee_id", "date").iterator(chunk_size=20_000):
        stored[employee_id].add(day)
    return stored
