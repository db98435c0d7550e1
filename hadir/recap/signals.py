"""Keep stored employee-days true when the calendar or the policy changes.

Only the affected rows are refreshed: a holiday touches its date for the employees under its
unit (or everyone, for a national one); a special period its dates; a work pattern's hours the
stored days of the employees on it; a policy value the stored days from its effective date.
Refreshing is limited to days already stored (the rest are evaluated when first needed).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from hadir.org.models import Employee
from hadir.recap.models import EmployeeDay
from hadir.recap.services import days_refresh_many
from hadir.schedules import cache
from hadir.schedules.models import Holiday, PatternDay, PolicyValue, SpecialPeriod


def refresh_stored(employees: Any, start: date, end: date) -> int:
    """Re-evaluate the stored days of ``employees`` between ``start`` and ``end``, and only
    those: a date one employee has stored is no reason to store it for another (today's row of
    someone who has not come yet would read TK before the day is over)."""
    cache.clear()
    stored: dict[int, set[date]] = defaultdict(set)
    rows = EmployeeDay.objects.filter(employee__in=employees, date__range=(start, end))
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


@receiver([post_save, post_delete], sender=Holiday)
def _holiday_changed(sender: Any, instance: Holiday, **kwargs: Any) -> None:
    employees = Employee.objects.all()
    if instance.unit is not None:
        employees = employees.filter(unit__path__startswith=instance.unit.path)
    refresh_stored(employees, instance.date, instance.date)


@receiver([post_save, post_delete], sender=SpecialPeriod)
def _special_period_changed(sender: Any, instance: SpecialPeriod, **kwargs: Any) -> None:
    refresh_stored(Employee.objects.all(), instance.start, instance.end)


@receiver([post_save, post_delete], sender=PatternDay)
def _pattern_changed(sender: Any, instance: PatternDay, **kwargs: Any) -> None:
    on_pattern = Employee.objects.filter(
        Q(pattern_id=instance.pattern_id)
        | Q(pattern__isnull=True, unit__default_pattern_id=instance.pattern_id)
    )
    refresh_stored(on_pattern, date.min, date.max)


@receiver([post_save, post_delete], sender=PolicyValue)
def _policy_changed(sender: Any, instance: PolicyValue, **kwargs: Any) -> None:
    refresh_stored(Employee.objects.all(), instance.effective_from, date.max)
