"""Writes of materialised employee-days: refresh exactly the dates a change touched."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction

from hadir.org.models import Employee
from hadir.recap.evaluation import evaluate_dates, reasons_to_json
from hadir.recap.models import EmployeeDay
from hadir.rules.day import DayResult

UPDATED_FIELDS = [
    "status",
    "working",
    "datang",
    "pulang",
    "tl_minutes",
    "psw_minutes",
    "tl_class",
    "psw_class",
    "meal",
    "reasons",
    "evaluated_at",
]


def days_refresh(*, employee: Employee, dates: Iterable[date]) -> dict[date, DayResult]:
    """Re-evaluate ``employee`` on ``dates`` (and only those) and store the results.

    Dates outside the employee's attendance period are skipped: days before ``start`` are never
    evaluated.
    """
    from django.utils import timezone

    results = evaluate_dates(employee, dates)
    now = timezone.now()
    rows = [
        EmployeeDay(
            employee=employee,
            date=day,
            status=result.status,
            working=result.working,
            datang=result.datang.time().replace(microsecond=0) if result.datang else None,
            pulang=result.pulang.time().replace(microsecond=0) if result.pulang else None,
            tl_minutes=result.tl_minutes,
            psw_minutes=result.psw_minutes,
            tl_class=result.tl_class,
            psw_class=result.psw_class,
            meal=result.meal,
            reasons=reasons_to_json(result.reasons),
            evaluated_at=now,
        )
        for day, result in results.items()
    ]
    with transaction.atomic():
        EmployeeDay.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["employee", "date"],
            update_fields=UPDATED_FIELDS,
        )
    return results
