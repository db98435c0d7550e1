"""Writes to the calendar and policy: filling a year's national holidays, operator edits."""

from __future__ import annotations

from typing import Any

import holidays as holiday_calendars
from django.db import IntegrityError, transaction

from hadir.common.audit import audit_record
from hadir.schedules.models import Holiday, HolidayYear

HOLIDAY_CATEGORIES = ("public", "government")


def holiday_year_ensure(year: int) -> None:
    """Fill ``year`` from the ``holidays`` package the first time it is needed, never again.

    Public holidays and cuti bersama (category ``government``). Concurrent callers may race; the
    unique year row makes exactly one of them fill.
    """
    if HolidayYear.objects.filter(year=year).exists():
        return
    calendar = holiday_calendars.country_holidays(
        "ID", years=year, categories=HOLIDAY_CATEGORIES, language="id"
    )
    try:
        with transaction.atomic():
            HolidayYear.objects.create(year=year)
            Holiday.objects.bulk_create(
                [
                    Holiday(date=day, name=name[:200], source=Holiday.Source.PACKAGE)
                    for day, name in sorted(calendar.items())
                ],
                ignore_conflicts=True,
            )
    except IntegrityError:
        return  # another request filled it first


def holiday_drop(*, holiday: Holiday, actor: Any) -> None:
    """An operator declares a calendar holiday a working day (the row stays, inactive)."""
    with transaction.atomic():
        holiday.active = False
        holiday.save(update_fields=["active"])
        audit_record(
            actor=actor,
            action="schedules.holiday_drop",
            obj=holiday,
            summary=str(holiday),
            before={"active": True},
            after={"active": False},
        )
