"""Closing a unit's month, and the guard that keeps closed months from changing quietly."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hadir.common.access import MANAGE_ROLES, access_unit, is_admin
from hadir.common.audit import audit_record
from hadir.common.locks import lock_months_closing, lock_months_read
from hadir.org.models import Employee, Placement, Unit
from hadir.org.placements import unit_on
from hadir.recap.models import DayRefresh, PeriodClose
from hadir.recap.refreshes import refresh_pending
from hadir.recap.selectors import month_bounds, month_members
from hadir.recap.services import days_ensure, tallies_settle
from hadir.schedules.selectors import policy_as_of

ENSURE_CHUNK = 2000
"""Employees whose missing days a close evaluates at a time, before its transaction."""


class PeriodClosed(ValueError):
    """The change touches a closed month and the actor is not an admin."""


def closed_period(unit: Unit, month: date) -> PeriodClose | None:
    """The closing that covers ``unit`` in ``month`` (its own or an ancestor's): the first, whose
    figures were signed first; a later closing above it does not replace them."""
    return (
        PeriodClose.objects.filter(unit_id__in=unit.ancestor_ids, month=month.replace(day=1))
        .order_by("closed_at", "pk")
        .first()
    )


def period_guard(*, actor: Any, employee: Employee, dates: Iterable[date]) -> None:
    """Refuse a change to an employee's days in a closed month unless an admin makes it.

    Commands run on the server (no actor) count as an administrator's.
    """
    dates = sorted(set(dates))
    months = {d.replace(day=1) for d in dates}
    if not months:
        return
    # Each month is the unit's the employee was in on its last day (recap.selectors.
    # month_members): its closing froze all of it, the days before a move in it included.
    held = {month: unit_on(employee, month_bounds(month)[1]) for month in sorted(months)}
    ancestors = sorted({pk for unit in held.values() for pk in unit.ancestor_ids})
    lock_months_read(ancestors)  # a close under way finishes first
    each_its_own = reduce(  # a month against its own unit: another's closing is not its
        or_, (Q(month=month, unit_id__in=unit.ancestor_ids) for month, unit in held.items())
    )
    if actor is None or is_admin(actor):
        return
    closed = set(PeriodClose.objects.filter(each_its_own).values_list("month", flat=True))
    mine = Employee.objects.filter(pk=employee.pk)
    closed |= {m for m in months if _moved_in(employee, m) and signed_elsewhere(mine, m)}
    if closed:
        raise _closed(min(closed))


def closing_of(employee: Employee, unit: Unit, month: date) -> PeriodClose | None:
    """The closing that froze ``employee``'s ``month``: ``unit``'s (the unit of its last day),
    else another unit's that signed it before a move dated into it was entered."""
    closing = closed_period(unit, month)
    if closing is not None or not _moved_in(employee, month):
        return closing
    return next(
        (
            other
            for other in PeriodClose.objects.filter(month=month.replace(day=1)).order_by(
                "closed_at", "pk"
            )
            if any(row["nip"] == employee.nip for row in other.snapshot)
        ),
        None,
    )


def _moved_in(employee: Employee, month: date) -> bool:
    """Whether the employee's present placement began in ``month`` or later (no query): only
    then may another unit have signed their month."""
    return employee.placed_since is not None and employee.placed_since >= month.replace(day=1)


def signed_elsewhere(employees: QuerySet[Employee], month: date) -> set[str]:
    """NIPs of ``employees`` whose ``month`` another unit's closing froze: someone moved here
    by a move dated into a month their former unit had already closed. Their month is paid by
    that unit's signed figures, and changed by nobody but an admin. Only those moved since the
    month began are looked for (no query of the closings when nobody was)."""
    month = month.replace(day=1)
    moved = set(employees.filter(placed_since__gte=month).values_list("nip", flat=True))
    if not moved:
        return set()
    signed: set[str] = set()
    for snapshot in PeriodClose.objects.filter(month=month).values_list("snapshot", flat=True):
        signed |= moved & {row["nip"] for row in snapshot}
    return signed


def period_guard_calendar(*, actor: Any, unit: Unit, dates: Iterable[date]) -> None:
    """:func:`period_guard` for a change to ``unit``'s calendar, which changes the days of
    everyone in and under it: refused in a month closed for the unit, above it or below it."""
    months = {d.replace(day=1) for d in dates}
    if not months or actor is None or is_admin(actor):
        return
    below = Unit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True)
    lock_months_read([*unit.ancestor_ids, *below])  # a close under way finishes first
    closed = set(
        PeriodClose.objects.filter(month__in=months)
        .filter(Q(unit_id__in=unit.ancestor_ids) | Q(unit__path__startswith=unit.path))
        .values_list("month", flat=True)
    )
    closed |= {m for m in months - closed if _closed_for_someone_who_moved(unit, m)}
    if closed:
        raise _closed(min(closed))


def _closed_for_someone_who_moved(unit: Unit, month: date) -> bool:
    """Whether someone who lived days of ``month`` under ``unit`` has that month closed by
    another unit: one who moved out during it (the month is their new unit's), one who moved
    in after their former unit signed it, or everyone, signed under a former parent."""
    first, last = month_bounds(month)
    under = Q(unit__path__startswith=unit.path)
    left = Employee.objects.filter(
        pk__in=Placement.objects.filter(under, until__gte=first, until__lt=last).values(
            "employee_id"
        )
    ).exclude(under)
    if any(closed_period(unit_on(employee, last), month) for employee in left):
        return True
    # One reading of the month's closings: a row of someone who moved in since their former
    # unit signed it (as signed_elsewhere reads), or a row of the unit signed under a parent it
    # has left since (the admin moved the unit).
    moved = set(
        Employee.objects.filter(under, placed_since__gte=first).values_list("nip", flat=True)
    )
    codes = set(Unit.objects.filter(path__startswith=unit.path).values_list("code", flat=True))
    return any(
        row["unit"] in codes or row["nip"] in moved
        for snapshot in PeriodClose.objects.filter(month=first).values_list("snapshot", flat=True)
        for row in snapshot
    )


def _closed(month: date) -> PeriodClosed:
    return PeriodClosed(
        _("%(month)s is closed for this unit; only an admin can change it.")
        % {"month": f"{month:%m-%Y}"}
    )


def close_allowed_from(month: date) -> date:
    """The first day ``month`` may be closed: its last day plus the request deadline."""
    last = month_bounds(month)[1]
    return last + timedelta(days=policy_as_of(last).close_after_days + 1)


def period_close(*, actor: Any, unit: Unit, month: date) -> PeriodClose:
    """An operator closes ``month`` for ``unit`` (and everything under it) and freezes its recap."""
    from hadir.recap.reports import letters_under, report_rows

    access_unit(actor, unit.pk, MANAGE_ROLES)
    month = month.replace(day=1)
    if unit.today() < close_allowed_from(month):
        raise PeriodClosed(
            _("%(month)s can be closed from %(date)s, after the request deadline.")
            % {"month": f"{month:%m-%Y}", "date": f"{close_allowed_from(month):%d-%m-%Y}"}
        )
    employees = month_members(unit, month)
    # Evaluate the days nobody has and recount marked months before the transaction, a chunk
    # per transaction: inside it, every chunk would be a savepoint, and the locks of all the
    # unit's employees (one each) would be held, their check-ins kept waiting, until the
    # whole close commits.
    people = employees.select_related("unit__default_pattern", "pattern").order_by("pk")
    last = month_bounds(month)[1]
    for offset in range(0, people.count(), ENSURE_CHUNK):
        days_ensure(employees=list(people[offset : offset + ENSURE_CHUNK]), start=month, end=last)
    tallies_settle(employees.values_list("pk", flat=True), until=month)
    refresh_pending(list(_owed_refreshes(month, last).values_list("pk", flat=True)))
    with transaction.atomic():
        # One close of a unit at a time (a double click waits for the first, then finds it),
        # and none while a write checked against its months is under way.
        lock_months_closing(unit.pk, unit.ancestor_ids)
        Unit.objects.select_for_update().filter(pk=unit.pk).exists()
        if _owed_refreshes(month, last).exists():
            # A calendar or staff edit committed while waiting: its days are not yet what it
            # makes them, and the figures must not be frozen before they are.
            raise PeriodClosed(
                _(
                    "A change to %(month)s is still being applied to its days; close it again in a minute."
                )
                % {"month": f"{month:%m-%Y}"}
            )
        if closed_period(unit, month) is not None:  # by the unit itself or one above it
            raise PeriodClosed(_("%(month)s is already closed.") % {"month": f"{month:%m-%Y}"})
        closing = PeriodClose.objects.create(
            unit=unit,
            month=month,
            closed_by=actor,
            snapshot=report_rows(employees=employees, month=month, daily=False, unit=unit),
            daily_snapshot=report_rows(employees=employees, month=month, daily=True, unit=unit),
            letter=letters_under(unit),
        )
        audit_record(
            actor=actor,
            action="recap.period_close",
            obj=closing,
            summary=f"{unit.code} {month:%Y-%m}",
            after={"employees": len(closing.snapshot)},
        )
    return closing


def _owed_refreshes(first: date, last: date) -> Any:
    """The refreshes of stored days owed for dates of the month (whoever they concern)."""
    return DayRefresh.objects.filter(start__lte=last, end__gte=first)


def period_reopen(*, actor: Any, closing: PeriodClose) -> None:
    """An admin reopens a closed month (audited). The closing is kept, stamped as reopened, with
    the figures and letters it froze: what was signed stays on record."""
    if not is_admin(actor):
        raise PeriodClosed(_("Only an admin can reopen a closed month."))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="recap.period_reopen",
            obj=closing,
            summary=f"{closing.unit.code} {closing.month:%Y-%m}",
            before={
                "closed_by": closing.closed_by_id,
                "closed_at": closing.closed_at.isoformat(),
                "rows": len(closing.snapshot),
            },
        )
        closing.reopened_by = actor
        closing.reopened_at = timezone.now()
        closing.save(update_fields=["reopened_by", "reopened_at"])


def open_or_admin(actor: Any, unit: Unit, day: date) -> bool:
    """Whether ``actor`` may change ``unit``'s ``day`` (for pages deciding what to offer)."""
    return closed_period(unit, day) is None or is_admin(actor)
