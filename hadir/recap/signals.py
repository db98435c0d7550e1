"""Keep stored employee-days true when an employee, the calendar or the policy changes.

Only the affected rows are refreshed: an employee's corrected start or end drops the stored
days outside the period, another work pattern or unit re-evaluates their stored days; a holiday
touches its date for the employees under its unit (or everyone, for a national one); a special
period its dates, its hours (saved after it) the dates of their weekday for the employees on
their pattern, its units (also saved after it) the employees under them; a work pattern's
hours the stored days of the employees on it; a policy value the stored days from its
effective date. An edit that moves a holiday or a period refreshes where it was as well.
Refreshing is limited to days already stored (the rest are evaluated when first needed).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from hadir.org.models import Employee, Unit
from hadir.recap.models import EmployeeDay
from hadir.recap.services import days_drop_outside_period, days_refresh_many
from hadir.schedules import cache
from hadir.schedules.models import (
    Holiday,
    PatternDay,
    PolicyValue,
    SpecialPeriod,
    SpecialPeriodDay,
)


def refresh_stored(employees: Any, start: date, end: date, *, weekday: int | None = None) -> int:
    """Re-evaluate the stored days of ``employees`` between ``start`` and ``end``, and only
    those: a date one employee has stored is no reason to store it for another (today's row of
    someone who has not come yet would read TK before the day is over). ``weekday`` (0 =
    Monday) narrows it to the dates of that weekday."""
    cache.clear()
    stored: dict[int, set[date]] = defaultdict(set)
    rows = EmployeeDay.objects.filter(employee__in=employees, date__range=(start, end))
    if weekday is not None:
        rows = rows.filter(date__iso_week_day=weekday + 1)
    for employee_id, day in rows.values_list("employee_id", "date").iterator(chunk_size=20_000):
        stored[employee_id].add(day)
    if not stored:
        return 0
    people = list(
        Employee.objects.filter(pk__in=list(stored)).select_related(
            "unit__default_pattern", "pattern"
        )
    )
    return days_refresh_many(
        employees=people,
        start=min(min(days) for days in stored.values()),
        end=max(max(days) for days in stored.values()),
        only=stored,
    )


def _on_pattern(pattern_id: int) -> Any:
    """Employees working to ``pattern_id``: their own pattern, or their unit's default."""
    return Employee.objects.filter(
        Q(pattern_id=pattern_id) | Q(pattern__isnull=True, unit__default_pattern_id=pattern_id)
    )


def _under(units: Any) -> Any:
    """Employees of ``units`` and of every unit below them."""
    return Employee.objects.filter(
        reduce(or_, (Q(unit__path__startswith=unit.path) for unit in units))
    )


@receiver(pre_save, sender=Employee)
@receiver(pre_save, sender=Holiday)
@receiver(pre_save, sender=SpecialPeriod)
@receiver(pre_save, sender=SpecialPeriodDay)
def _remember_before_edit(sender: Any, instance: Any, **kwargs: Any) -> None:
    """An edit may move a holiday, a period or its hours elsewhere: keep the row as it was, so
    the days it no longer covers are refreshed too."""
    instance._before_edit = sender.objects.filter(pk=instance.pk).first() if instance.pk else None


def _before_edit(instance: Any) -> Any:
    return instance.__dict__.pop("_before_edit", None)


@receiver(post_save, sender=Employee)
def _employee_changed(sender: Any, instance: Employee, **kwargs: Any) -> None:
    """A corrected attendance period drops the stored days outside it; another work pattern or
    unit (another calendar, maybe another time zone) re-evaluates the stored days."""
    before = _before_edit(instance)
    if before is None:
        return
    if (before.start, before.end) != (instance.start, instance.end):
        days_drop_outside_period(instance)
    if (before.pattern_id, before.unit_id) != (instance.pattern_id, instance.unit_id):
        refresh_stored(Employee.objects.filter(pk=instance.pk), date.min, date.max)


def _refresh_holiday(unit: Unit | None, day: date) -> None:
    refresh_stored(Employee.objects.all() if unit is None else _under([unit]), day, day)


@receiver([post_save, post_delete], sender=Holiday)
def _holiday_changed(sender: Any, instance: Holiday, **kwargs: Any) -> None:
    _refresh_holiday(instance.unit, instance.date)
    before = _before_edit(instance)
    if before is not None and (before.date, before.unit_id) != (instance.date, instance.unit_id):
        _refresh_holiday(before.unit, before.date)


@receiver(post_save, sender=SpecialPeriod)
def _special_period_changed(sender: Any, instance: SpecialPeriod, **kwargs: Any) -> None:
    """A period's dates (or reach) changed: refresh them, and where it was, for the employees
    on the patterns it gives hours to. A new period has none yet; its hours, saved after it,
    refresh their days as they come, and go (deleting a period deletes its hours first)."""
    before = _before_edit(instance)
    patterns = set(instance.days.values_list("pattern_id", flat=True))
    if not patterns:
        return
    employees = Employee.objects.none()
    for pattern_id in patterns:
        employees = employees | _on_pattern(pattern_id)
    refresh_stored(employees, instance.start, instance.end)
    if before is not None and (before.start, before.end) != (instance.start, instance.end):
        refresh_stored(employees, before.start, before.end)


@receiver([post_save, post_delete], sender=SpecialPeriodDay)
def _special_hours_changed(sender: Any, instance: SpecialPeriodDay, **kwargs: Any) -> None:
    """The admin saves a period's hours after the period itself: refresh the period's days of
    that weekday for the employees on that pattern (and where the row was before an edit)."""
    rows = [instance]
    before = _before_edit(instance)
    if before is not None and (before.pattern_id, before.weekday) != (
        instance.pattern_id,
        instance.weekday,
    ):
        rows.append(before)
    period = SpecialPeriod.objects.filter(pk=instance.period_id).first()
    if period is None:
        return
    for row in rows:
        refresh_stored(_on_pattern(row.pattern_id), period.start, period.end, weekday=row.weekday)


@receiver(m2m_changed, sender=SpecialPeriod.units.through)
def _special_period_units_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    """Units are added to a period after it is saved (the admin's form): refresh their days."""
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if reverse:  # unit.special_periods.add(period)
        periods = list(SpecialPeriod.objects.filter(pk__in=pk_set or ()))
        employees = _under([instance])
    else:
        periods = [instance]
        units = list(Unit.objects.filter(pk__in=pk_set)) if pk_set is not None else None
        if units == []:
            return
        employees = Employee.objects.all() if units is None else _under(units)
    for period in periods:
        refresh_stored(employees, period.start, period.end)


@receiver([post_save, post_delete], sender=PatternDay)
def _pattern_changed(sender: Any, instance: PatternDay, **kwargs: Any) -> None:
    refresh_stored(_on_pattern(instance.pattern_id), date.min, date.max)


@receiver([post_save, post_delete], sender=PolicyValue)
def _policy_changed(sender: Any, instance: PolicyValue, **kwargs: Any) -> None:
    refresh_stored(Employee.objects.all(), instance.effective_from, date.max)
